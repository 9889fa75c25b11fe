"""Scheduled nudges through the terminal chat and the dispatcher, on a fake clock.

Each test moves the clock the way real days pass and checks what the user would see (and,
where the promise is about data, the nudges table).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.clock import FakeClock
from bot.coach import Coach
from bot.scheduler import Dispatcher, Target, plan
from conftest import ONBOARDING, REFLECT_HEALTHY, Driver
from dialogs.model import Reply, Schedule
from storage import Nudge, Store
from storage.store import DueNudge

CHECKIN = "How's your mood today"
BERLIN = ZoneInfo("Europe/Berlin")


def at(zone: str, *args: int) -> datetime:
    return datetime(*args, tzinfo=ZoneInfo(zone)).astimezone(UTC)  # type: ignore[misc]


async def statuses(store: Store, kind: str) -> list[str]:
    rows = await store.conn.execute_fetchall(
        "SELECT status FROM nudges WHERE kind = ? ORDER BY id", (kind,)
    )
    return [r[0] for r in rows]


async def walk_hours(chat: Driver, hours: int) -> list[tuple[datetime, str]]:
    """Let time pass an hour at a time; what the chat showed, and when."""
    shown = []
    for _ in range(hours):
        said = await chat.send(":advance 1h")
        if "scheduled message" in said:
            shown.append((chat.clock.now(), said))
    return shown


async def in_no_contact(chat: Driver, city: str = "Berlin") -> None:
    onboarding = [city if line == "Berlin" else line for line in ONBOARDING]
    await chat.script([*onboarding, *REFLECT_HEALTHY])
    assert (await chat.state()).stage == "no_contact"


# -- the dispatcher's rules, as a pure function ------------------------------------------------


def due(
    kind: str,
    due_at: datetime,
    *,
    nid: int = 1,
    user: int = 1,
    last_nudge: datetime | None = None,
    last_seen: datetime | None = None,
    payload: dict | None = None,  # type: ignore[type-arg]
    **kw: object,
) -> DueNudge:
    fields = {"tz": "Europe/Berlin", "checkin_hour": 9, "quiet_start": 22, "quiet_end": 8}
    fields |= {"paused": False, "active": True, **kw}
    return DueNudge(
        Nudge(nid, user, kind, due_at, payload or {}),
        str(user),
        user,
        last_seen=last_seen or due_at - timedelta(days=1),
        last_nudge=last_nudge,
        **fields,  # type: ignore[arg-type]
    )


def test_a_nudge_due_in_quiet_hours_waits_until_they_end() -> None:
    now = at("Europe/Berlin", 2026, 3, 10, 23, 30)
    decided = plan([due("goal_followup", now - timedelta(hours=1))], now)
    assert not decided.fire
    assert decided.moves == [(1, at("Europe/Berlin", 2026, 3, 11, 8, 0))]


def test_only_one_proactive_message_a_day_the_most_important_first() -> None:
    now = at("Europe/Berlin", 2026, 3, 10, 9, 0)
    rows = [due("checkin", now, nid=1), due("no_contact_over", now, nid=2)]
    decided = plan(rows, now)
    assert [d.nudge.kind for d in decided.fire] == ["no_contact_over"]
    assert decided.moves == [(1, at("Europe/Berlin", 2026, 3, 11, 9, 0))]
    # Already had one today: tomorrow, at the check-in hour.
    later = plan([due("goal_followup", now, last_nudge=now - timedelta(hours=2))], now)
    assert not later.fire and later.moves == [(1, at("Europe/Berlin", 2026, 3, 11, 9, 0))]


def test_a_snoozed_checkin_is_not_held_back_by_the_daily_limit() -> None:
    now = at("Europe/Berlin", 2026, 3, 10, 10, 0)
    decided = plan([due("checkin_snooze", now, last_nudge=now - timedelta(hours=1))], now)
    assert [d.nudge.kind for d in decided.fire] == ["checkin_snooze"]


def test_after_downtime_old_checkins_skip_to_the_next_and_duplicates_collapse() -> None:
    now = at("Europe/Berlin", 2026, 3, 13, 15, 0)
    three_days = now - timedelta(days=3)
    rows = [
        due("checkin", three_days, nid=1),
        due("first_message_followup", three_days, nid=2),
        due("first_message_followup", now - timedelta(days=1), nid=3),
    ]
    decided = plan(rows, now)
    assert [d.nudge.id for d in decided.fire] == [3]  # the newest of its kind, once
    assert (2, "collapsed") in decided.marks
    assert (1, at("Europe/Berlin", 2026, 3, 14, 9, 0)) in decided.moves


def test_blocked_and_paused_users_get_nothing() -> None:
    now = at("Europe/Berlin", 2026, 3, 10, 9, 0)
    decided = plan([due("checkin", now, active=False), due("checkin", now, nid=2, user=2,
                                                         paused=True)], now)  # fmt: skip
    assert not decided.fire
    assert sorted(decided.marks) == [(1, "held"), (2, "paused")]


# -- through the terminal chat -------------------------------------------------------------------


async def test_day_30_arrives_exactly_once(chat: Driver) -> None:
    await in_no_contact(chat)
    shown = await walk_hours(chat, 24 * 32)
    over = [said for _, said in shown if "days are up" in said]
    assert len(over) == 1
    assert "Your reasons" in over[0] and "They are kind to my friends" in over[0]
    assert await statuses(chat.store, "no_contact_over") == ["sent"]
    said = await chat.send("Yes, I want to reconnect")
    assert (await chat.state()).stage == "first_message", said


async def test_milestones_come_inside_that_days_checkin(chat: Driver) -> None:
    await in_no_contact(chat)
    shown = await walk_hours(chat, 24 * 8)
    week = [said for _, said in shown if "One week" in said]
    assert len(week) == 1 and CHECKIN in week[0]
    days = [when.astimezone(BERLIN).date() for when, _ in shown]
    assert len(days) == len(set(days)), "more than one proactive message on a day"


@pytest.mark.parametrize(
    ("city", "zone", "first_day"),
    [
        ("Berlin", "Europe/Berlin", datetime(2026, 3, 26, 12)),  # spring forward on 29 Mar
        ("Berlin", "Europe/Berlin", datetime(2026, 10, 22, 12)),  # fall back on 25 Oct
        ("New York", "America/New_York", datetime(2026, 3, 5, 12)),  # spring forward 8 Mar
        ("New York", "America/New_York", datetime(2026, 10, 29, 12)),  # fall back on 1 Nov
    ],
)
async def test_a_9am_checkin_stays_9am_across_daylight_saving(
    make_chat,  # type: ignore[no-untyped-def]
    clock: FakeClock,
    city: str,
    zone: str,
    first_day: datetime,
) -> None:
    clock.set(first_day.replace(tzinfo=ZoneInfo(zone)))
    chat = make_chat()
    await in_no_contact(chat, city)
    shown = await walk_hours(chat, 24 * 6)
    local = [when.astimezone(ZoneInfo(zone)) for when, said in shown if CHECKIN in said]
    assert len(local) == 6  # one a day, none lost or doubled by the clock change
    assert {(t.hour, t.minute) for t in local} == {(9, 0)}


async def test_quiet_hours_hold_a_nudge_until_morning(chat: Driver, clock: FakeClock) -> None:
    await in_no_contact(chat)
    uid = await chat.store.find_user("console", chat.profile)
    assert uid is not None
    state = await chat.store.load(uid)
    late = at("Europe/Berlin", 2026, 3, 2, 23, 0)
    await chat.store.commit(uid, state, state, [Schedule("goal_followup", late)], clock.now())
    clock.set(at("Europe/Berlin", 2026, 3, 2, 22, 0))
    shown = await walk_hours(chat, 9)  # 23:00 .. 07:00
    assert shown == []
    shown = await walk_hours(chat, 1)  # 08:00: quiet hours are over
    assert len(shown) == 1 and "Weekly look at your goals" in shown[0][1]


async def test_quiet_hours_can_be_changed_in_settings(chat: Driver) -> None:
    await in_no_contact(chat)
    await chat.script(["/settings", "Quiet hours"])
    said = await chat.send("23:00–09:00")
    assert "Quiet hours: 23:00–09:00" in said
    state = await chat.state()
    assert (state.quiet_start, state.quiet_end) == (23, 9)


async def test_pause_holds_everything_and_resume_brings_the_checkin_back(chat: Driver) -> None:
    await in_no_contact(chat)
    await chat.send("/pause")
    assert await walk_hours(chat, 24 * 3) == []
    assert "paused" in await statuses(chat.store, "checkin")
    said = await chat.send("/resume")
    assert "09:00" in said
    shown = await walk_hours(chat, 24)
    assert len(shown) == 1 and CHECKIN in shown[0][1]
    assert shown[0][0].astimezone(BERLIN).hour == 9


async def test_snooze_asks_again_an_hour_later(chat: Driver) -> None:
    await in_no_contact(chat)
    (_, said), *_ = await walk_hours(chat, 24)
    assert CHECKIN in said and "Snooze 1 hour" in said
    said = await chat.send("Snooze 1 hour")
    assert "10:00" in said
    said = await chat.send(":advance 59m")
    assert CHECKIN not in said
    said = await chat.send(":advance 1m")
    assert CHECKIN in said
    said = await chat.send("4")
    assert "urge" in said.lower()


async def test_skip_today_waits_for_tomorrow(chat: Driver) -> None:
    await in_no_contact(chat)
    (when, said), *_ = await walk_hours(chat, 24)
    said = await chat.send("Skip today")
    assert "tomorrow" in said
    assert (await chat.state()).stage == "no_contact"
    shown = await walk_hours(chat, 24)
    assert len(shown) == 1 and shown[0][0] == when + timedelta(days=1)


async def test_three_days_down_sends_one_message_not_a_backlog(chat: Driver) -> None:
    await in_no_contact(chat)
    await chat.script(["/status"])
    uid = await chat.store.find_user("console", chat.profile)
    assert uid is not None
    state = await chat.store.load(uid)
    soon = chat.clock.now() + timedelta(days=1)
    await chat.store.commit(uid, state, state, [Schedule("goal_followup", soon)], chat.clock.now())
    # Down for three days: the chat hears of nothing until it is back.
    chat.clock.advance(timedelta(days=3, hours=6))
    said = await chat.send(":advance 1m")
    assert said.count("scheduled message") == 1 and "goals" in said
    assert CHECKIN not in said  # three missed check-ins are old news, not a pile
    shown = await walk_hours(chat, 24)
    assert len(shown) == 1 and CHECKIN in shown[0][1]


async def test_delete_cancels_every_nudge(chat: Driver) -> None:
    await in_no_contact(chat)
    await chat.send("/delete")
    await chat.send("Yes, delete everything")
    rows = await chat.store.conn.execute_fetchall("SELECT count(*) FROM nudges")
    assert next(iter(rows))[0] == 0
    assert await walk_hours(chat, 24 * 35) == []


async def test_one_reengagement_per_silence(chat: Driver) -> None:
    await chat.script(ONBOARDING)  # then silence, mid-way through Part 1
    shown = await walk_hours(chat, 24 * 30)
    assert len(shown) == 1 and "it's been a week" in shown[0][1]
    assert shown[0][0] - chat.clock.now() <= timedelta(days=-22)
    await chat.send("no")  # they come back, then go quiet again
    again = await walk_hours(chat, 24 * 8)
    assert len(again) == 1 and "it's been a week" in again[0][1]


async def test_a_crash_between_commit_and_send_resends_once(
    db_path: Path, clock: FakeClock, tmp_path: Path
) -> None:
    store = await Store.open(db_path)
    chat = Driver(store, clock, "me", tmp_path)
    await in_no_contact(chat)
    clock.advance(timedelta(days=1))
    seen: list[str] = []

    async def crash(target: Target, reply: Reply) -> bool:
        raise RuntimeError("power cut")  # committed as 'sending', never sent

    with pytest.raises(RuntimeError):
        await Dispatcher(Coach(store, clock, channel="console"), crash).run_due()
    assert await statuses(store, "checkin") == ["sending", "pending"]
    await store.close()

    store = await Store.open(db_path)  # the restart

    async def record(target: Target, reply: Reply) -> bool:
        seen.append(reply.text)
        return True

    dispatcher = Dispatcher(Coach(store, clock, channel="console"), record)
    assert await dispatcher.recover() == 1
    await dispatcher.run_due()
    await dispatcher.recover()
    assert len(seen) == 1 and CHECKIN in seen[0]
    assert await statuses(store, "checkin") == ["sent", "pending"]
    rows = await store.conn.execute_fetchall(
        "SELECT count(*) FROM nudges WHERE replies IS NOT NULL"
    )
    assert next(iter(rows))[0] == 0  # the copy of the text is gone once sent
    await store.close()


def test_replies_survive_the_round_trip_through_the_nudge_row() -> None:
    from bot.coach import decode_replies, encode_replies
    from dialogs.model import Button

    replies = [Reply("<b>Hi</b> ✨", ((Button("1", "1"), Button("Snooze 1 hour", "snooze")),),
                     "checkin_nudge", 7)]  # fmt: skip
    assert decode_replies(encode_replies(replies)) == replies
    assert json.loads(encode_replies(replies))[0]["ver"] == 7


async def test_a_new_checkin_hour_moves_what_is_pending(chat: Driver) -> None:
    await in_no_contact(chat)
    uid = await chat.store.find_user("console", chat.profile)
    assert uid is not None
    state = await chat.store.load(uid)
    in_two_days = at("Europe/Berlin", 2026, 3, 4, 9, 0)
    await chat.store.commit(
        uid, state, state, [Schedule("goal_followup", in_two_days)], chat.clock.now()
    )
    await chat.script(["/settings", "Check-in hour", "18:00"])
    pending = {n.kind: n.due for n in await chat.store.pending_nudges(uid)}
    assert pending["goal_followup"] == at("Europe/Berlin", 2026, 3, 4, 18, 0)
    assert pending["checkin"] == at("Europe/Berlin", 2026, 3, 2, 18, 0)
    said = await chat.send("/status")
    assert "Mon 02 Mar, 18:00" in said  # /status: the next one, on the user's clock


async def test_status_shows_the_rescheduled_checkin_after_missed_days(chat) -> None:  # type: ignore[no-untyped-def]
    from conftest import ONBOARDING, REFLECT_HEALTHY

    await chat.script([*ONBOARDING, *REFLECT_HEALTHY])
    await chat.send(":advance 142h")  # Sun 07:00 in Berlin: five check-ins went unanswered
    said = await chat.send("/status")
    assert "Next check-in: Sun 08 Mar, 09:00" in said  # not a stale Tuesday
