"""Nudges end to end: the real PTB Application with the scheduler hooks `rekindle run` uses,
against the fake Bot API over HTTP, on a fake clock.

The scheduler's APScheduler jobs run on real time; the tests move the fake clock and then
wake the dispatcher (what the poll job would do) and wait until it is idle.
"""

from __future__ import annotations

import contextlib
from datetime import timedelta
from pathlib import Path

from telegram.ext import AIORateLimiter

from bot.clock import FakeClock
from bot.coach import Coach
from bot.scheduler import Dispatcher, NudgeScheduler, Target, telegram_hooks
from conftest import REFLECT_HEALTHY
from dialogs.model import Reply
from fakebot import FakeBotApi, SentMessage
from storage import Store
from telegram_harness import ONBOARD, Harness

USER = 7001
CHECKIN = "How's your mood today"


class Bot(Harness):
    """One bot process with the nudge hooks `rekindle run` uses, for one user (USER)."""

    def __init__(self, api: FakeBotApi, db: Path, clock: FakeClock, *, rate: float = 25.0):
        start, stop = telegram_hooks(rate=rate, poll_s=3600)
        # PTB's own 30/s limiter off: these tests measure our cap against the fake's limit.
        limiter = AIORateLimiter(overall_max_rate=0, group_max_rate=0)
        super().__init__(api, db, clock, rate_limiter=limiter, on_start=[start], on_stop=[stop])

    async def __aenter__(self) -> Bot:
        await self.start()
        await self.idle()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def scheduler(self) -> NudgeScheduler:
        assert self.app is not None
        return self.app.bot_data["scheduler"]

    async def idle(self) -> None:
        await self.scheduler.idle()

    async def later(self, delta: timedelta) -> list[SentMessage]:
        """Time passes; what the user was sent meanwhile."""
        before = len(self.api.messages_to(USER))
        self.clock.advance(delta)
        self.scheduler.wake()
        await self.idle()
        return self.api.messages_to(USER)[before:]

    async def say(self, *texts: str) -> list[SentMessage]:  # type: ignore[override]
        return await super().say(USER, *texts)

    async def press(self, label: str) -> list[SentMessage]:  # type: ignore[override]
        return await super().press(USER, label)

    async def stage(self) -> str:  # type: ignore[override]
        return await super().stage(USER)


def text_of(messages: list[SentMessage]) -> str:
    return "\n".join(m.text or "" for m in messages)


async def in_no_contact(bot: Bot) -> None:
    await bot.say(*ONBOARD, *REFLECT_HEALTHY)
    assert await bot.stage() == "no_contact"


async def test_day_30_arrives_once_on_telegram_and_its_buttons_answer(
    fake_bot_api: FakeBotApi, db_path: Path, clock: FakeClock
) -> None:
    async with Bot(fake_bot_api, db_path, clock) as bot:
        await in_no_contact(bot)
        got = await bot.later(timedelta(days=30, hours=1))  # day 31, 10:00 in Berlin
        assert len(got) == 1 and "days are up" in got[0].text  # type: ignore[operator]
        assert "Yes, I want to reconnect" in got[0].button_texts
        assert await bot.later(timedelta(hours=3)) == []
        said = await bot.press("Yes, I want to reconnect")
        assert await bot.stage() == "first_message", text_of(said)
    fake_bot_api.assert_no_400()


async def test_snooze_and_skip_buttons_on_the_daily_checkin(
    fake_bot_api: FakeBotApi, db_path: Path, clock: FakeClock
) -> None:
    async with Bot(fake_bot_api, db_path, clock) as bot:
        await in_no_contact(bot)
        got = await bot.later(timedelta(days=1))  # the next morning, 09:00 in Berlin
        assert CHECKIN in text_of(got)
        assert {"Snooze 1 hour", "Skip today"} <= set(got[-1].button_texts)
        said = await bot.press("Snooze 1 hour")
        assert "10:00" in text_of(said)
        assert await bot.later(timedelta(minutes=30)) == []
        got = await bot.later(timedelta(minutes=30))
        assert CHECKIN in text_of(got)
        said = await bot.press("Skip today")
        assert "tomorrow" in text_of(said)
        assert await bot.later(timedelta(hours=12)) == []
        assert CHECKIN in text_of(await bot.later(timedelta(hours=11)))
    fake_bot_api.assert_no_400()


async def test_a_user_who_blocked_the_bot_gets_nothing_more(
    fake_bot_api: FakeBotApi, db_path: Path, clock: FakeClock
) -> None:
    async with Bot(fake_bot_api, db_path, clock) as bot:
        await in_no_contact(bot)
        fake_bot_api.block(USER)
        await bot.later(timedelta(days=1))  # Telegram answers 403 to the check-in
        sends = len(fake_bot_api.requests_for("sendMessage"))
        for _ in range(5):
            await bot.later(timedelta(days=1))
        assert len(fake_bot_api.requests_for("sendMessage")) == sends
        rows = await bot.store.conn.execute_fetchall(
            "SELECT status FROM nudges WHERE kind = 'checkin' ORDER BY id"
        )
        assert [r[0] for r in rows][-1] == "held"
        # They unblock and write: the held check-in is back, and arrives the next morning.
        fake_bot_api.my_chat_member_unblocked(USER)
        fake_bot_api.unblock(USER)
        await bot.say("hi again")
        got = await bot.later(timedelta(days=1))
        assert CHECKIN in text_of(got)


async def test_a_crash_between_commit_and_send_is_resent_once_at_start(
    fake_bot_api: FakeBotApi, db_path: Path, clock: FakeClock
) -> None:
    async with Bot(fake_bot_api, db_path, clock) as bot:
        await in_no_contact(bot)
    clock.advance(timedelta(days=1))

    async def power_cut(target: Target, reply: Reply) -> bool:
        raise RuntimeError("the process died here")

    store = await Store.open(db_path)
    with contextlib.suppress(RuntimeError):
        await Dispatcher(Coach(store, clock, channel="telegram"), power_cut).run_due()
    await store.close()
    before = len(fake_bot_api.messages_to(USER))
    async with Bot(fake_bot_api, db_path, clock) as bot:  # the restart
        await bot.later(timedelta(minutes=5))
        got = fake_bot_api.messages_to(USER)[before:]
        assert len(got) == 1 and CHECKIN in got[0].text  # type: ignore[operator]
        rows = await bot.store.conn.execute_fetchall(
            "SELECT count(*) FROM nudges WHERE status = 'sending'"
        )
        assert next(iter(rows))[0] == 0
        said = await bot.press("3")  # its buttons still answer the live question
        assert "urge" in text_of(said).lower()


async def test_ten_thousand_due_nudges_stay_under_the_flood_limit(
    db_path: Path, clock: FakeClock
) -> None:
    n = 10_000
    store = await Store.open(db_path)
    now = int(clock.now().timestamp())
    await store.conn.executemany(
        "INSERT INTO users (id, channel, external_id, chat_id, tz, checkin_hour, stage,"
        " created_at, updated_at, last_seen_at) VALUES (?, 'telegram', ?, ?, 'Europe/Berlin',"
        " 9, 'meet_up', ?, ?, ?)",
        [(i, str(100_000 + i), 100_000 + i, now, now, now) for i in range(1, n + 1)],
    )
    await store.conn.executemany(
        "INSERT INTO nudges (user_id, kind, due_at, created_at) VALUES (?, 'meetup_followup',"
        " ?, ?)",
        [(i, now - 60, now) for i in range(1, n + 1)],
    )
    await store.conn.commit()
    await store.close()
    # Scaled up from Telegram's ~30/s (and our 25/s) so the test stays quick; the benchmark
    # runs the real figures.
    async with FakeBotApi(rate_limit_per_s=3000) as api:
        async with Bot(api, db_path, clock, rate=2500) as bot:
            rows = await bot.store.conn.execute_fetchall(
                "SELECT status, count(*) FROM nudges GROUP BY status"
            )
            assert dict(rows) == {"sent": n}
        assert api.rate_limited_count == 0
        assert len(api.requests_for("sendMessage")) == n
        assert all(len(api.messages_to(100_000 + i)) == 1 for i in range(1, n + 1, 997))
        assert "how did the meet-up" in (api.messages_to(100_001)[0].text or "")
        api.assert_no_400()
