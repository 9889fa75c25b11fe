"""End to end: the real PTB Application (bot/telegram.py) against the fake Bot API over HTTP.

Every test drives a user from the Telegram side (``api.user_sends_text``, ``api.user_presses``)
and checks what that user would see, plus the database where the promise is about data. Every
test ends with ``api.assert_no_400()``: the bot never sent Telegram a request it would reject.
"""

from __future__ import annotations

import asyncio
import random
import signal
import sqlite3
from pathlib import Path

import pytest
from telegram import Update
from telegram.ext import TypeHandler

from bot.clock import FakeClock
from bot.telegram import (
    MAX_CALLBACK_BYTES,
    decode_callback,
    encode_callback,
    send_replies,
    split_html,
    visible_length,
)
from dialogs.model import Attachment, Choice, Reply
from fakebot import FakeBotApi, SentMessage, parse_html
from telegram_harness import ONBOARD, Harness, _env, _rekindle, settle, texts

USER = 5001
REPO = Path(__file__).resolve().parent.parent

# ---------------------------------------------------------------------------------------------
# Pure helpers (callback codec, splitting) checked against the fake's own rules
# ---------------------------------------------------------------------------------------------


def test_callback_data_round_trips_and_always_fits() -> None:
    assert decode_callback(encode_callback(7, "ask_checkin_hour", "18")) == Choice(
        "18", "ask_checkin_hour", 7
    )
    long = encode_callback(123456789, "s" * 40, "c" * 60)
    assert len(long.encode()) <= MAX_CALLBACK_BYTES
    # A cut-down button can only ever read as stale, never as another answer.
    assert decode_callback(long).state is None
    for forged in ("garbage", "", "1|ask_name", "x|ask_name|yes", "1|ASK NAME|yes", "9" * 20):
        assert decode_callback(forged) == Choice("?", state="?", ver=-1)


def test_split_html_keeps_every_part_valid_and_within_the_limit() -> None:
    paragraph = "<b>Bold start</b> " + "words &amp; more &lt;words&gt; " * 40
    text = "\n\n".join([paragraph] * 12) + "\n\n<i>" + "x" * 9000 + "</i> end 🕯️"
    parts = split_html(text)
    assert len(parts) > 3
    visible = ""
    for part in parts:
        shown, _ = parse_html(part)  # raises like Telegram would on broken HTML
        assert len(shown.encode("utf-16-le")) // 2 <= 4096
        assert visible_length(part) <= 4096
        visible += shown
    # Nothing is lost: every character of the original reaches the user.
    whole, _ = parse_html(text)
    assert "".join(whole.split()) == "".join(visible.split())


# ---------------------------------------------------------------------------------------------
# Conversations
# ---------------------------------------------------------------------------------------------


async def test_start_to_first_guide_question_with_buttons_and_text(
    api: FakeBotApi, bot: Harness
) -> None:
    [welcome] = await bot.say(USER, "/start")
    assert "Rekindle" in welcome.text and "18" in welcome.text
    assert welcome.parse_mode == "HTML" and welcome.entities  # <b>Rekindle</b> is bold

    reply = await bot.press(USER, "I'm 18 or older: let's begin")
    assert "call you" in texts(reply)
    assert api.callback_answers, "the button press was answered"
    assert api.message(USER, welcome.message_id).buttons == []  # keyboard taken off

    assert "ex" in texts(await bot.say(USER, "Sam"))
    assert "time" in texts(await bot.press(USER, "Skip")).lower()
    assert "hour" in texts(await bot.say(USER, "Berlin"))
    [question] = await bot.press(USER, "09:00")
    assert "step 1" in question.text
    assert "No, they're single" in question.button_texts
    assert await bot.stage(USER) == "availability"

    # The command menu was registered from the engine's table, and /help shows it too.
    menu = next(iter(api.commands.values()))
    names = {c["command"] for c in menu}
    assert {"start", "help", "status", "delete"} <= names
    assert all(1 <= len(c["description"]) <= 256 for c in menu)
    assert "/status" in texts(await bot.say(USER, "/help"))


async def test_user_text_is_echoed_literally_never_as_markup(api: FakeBotApi, bot: Harness) -> None:
    await bot.say(USER, "/start", "yes")
    name = "<b>Jo</b> & {{ 7*7 }}"
    [reply] = await bot.say(USER, name)
    assert name in reply.text  # what the user sees: the literal characters
    assert "49" not in reply.text
    assert all(e["type"] != "bold" or e["length"] != 2 for e in reply.entities)
    # And it is stored as typed.
    assert bot.store is not None
    uid = await bot.store.find_user("telegram", str(USER))
    assert uid is not None and (await bot.store.load(uid)).name == name


async def test_sticker_and_photo_get_a_kind_reply_and_change_nothing(
    api: FakeBotApi, bot: Harness
) -> None:
    await bot.say(USER, "/start", "yes")
    assert await bot.stage(USER) == "ask_name"
    for send in (api.user_sends_sticker, api.user_sends_photo):
        before = len(api.messages_to(USER))
        send(USER)
        await settle(api)
        said = texts(api.messages_to(USER)[before:])
        assert "only read text" in said
        assert await bot.stage(USER) == "ask_name"
    # The conversation carries on where it was.
    assert "ex" in texts(await bot.say(USER, "Sam"))


async def test_edited_message_is_not_handled_again(api: FakeBotApi, bot: Harness) -> None:
    await bot.say(USER, "/start", "yes", "Sam")
    mine = [m for i in range(1, 30) if (m := api.message(USER, i)) and not m.from_bot]
    user_message = mine[-1]
    assert user_message.text == "Sam"
    before = len(api.messages_to(USER))
    api.user_edits_message(USER, user_message.message_id, "Samantha")
    await settle(api)
    assert len(api.messages_to(USER)) == before
    assert await bot.stage(USER) == "ask_ex_name"


@pytest.mark.parametrize("chat_type", ["group", "supergroup"])
async def test_group_chat_gets_a_refusal_and_nothing_is_stored(
    api: FakeBotApi, bot: Harness, chat_type: str
) -> None:
    api.user_sends_text(USER, "/start", chat_type=chat_type)
    api.user_sends_text(USER, "my ex is called Alex", chat_type=chat_type)
    await settle(api)
    group = -USER if chat_type == "group" else int(f"-100{USER}")
    [refusal] = api.messages_to(group)  # once, not once per message
    assert "private" in refusal.text and "t.me/rekindle_test_bot" in refusal.text
    assert bot.store is not None
    assert await bot.store.find_user("telegram", str(USER)) is None


async def test_double_press_acts_once(api: FakeBotApi, bot: Harness) -> None:
    [welcome] = await bot.say(USER, "/start")
    data = welcome.callback_datas[0]
    api.user_presses(USER, welcome.message_id, data)
    api.user_presses(USER, welcome.message_id, data)  # a fast second tap
    await settle(api)
    first, second = api.messages_to(USER)[1:]
    assert "What should I call you" in first.text
    # The second tap does nothing but say so and repeat the question it is on.
    assert second.text.startswith("That button has expired")
    assert await bot.stage(USER) == "ask_name"
    assert len(api.callback_answers) == 2  # both taps stopped spinning


async def test_forged_callback_data_gets_expired_and_the_current_question(
    api: FakeBotApi, bot: Harness
) -> None:
    [welcome] = await bot.say(USER, "/start")
    rng = random.Random(3)
    noise = "".join(chr(rng.randrange(33, 127)) for _ in range(64))
    for forged in ("garbage", noise, "1|welcome|adult_but_not_really"):
        before = len(api.messages_to(USER))
        api.user_presses(USER, welcome.message_id, forged, strict=False)
        await settle(api)
        said = texts(api.messages_to(USER)[before:])
        assert "expired" in said and "18 or older" in said
    assert await bot.stage(USER) == "welcome"


async def test_long_reply_is_split_and_every_part_accepted(api: FakeBotApi, bot: Harness) -> None:
    await bot.say(USER, *ONBOARD)
    await bot.say(USER, "no", "The timing was off", "done", "no", "yes", "yes", "yes", "no")
    await bot.say(USER, "Let's make the lists")
    assert await bot.stage(USER) == "pros"
    for n in range(70):
        api.user_sends_text(USER, f"Pro number {n:02d}: kind & patient <always> " + "x" * 60)
    await settle(api)
    before = len(api.messages_to(USER))
    parts = await bot.say(USER, "/pros")
    assert len(parts) >= 2
    shown = texts(parts)
    assert all(f"Pro number {n:02d}: kind & patient <always>" in shown for n in range(70))
    assert all(len((p.text or "").encode("utf-16-le")) // 2 <= 4096 for p in parts)
    assert parts[-1].button_texts == ["Done ✔"]  # buttons ride on the last part
    assert len(api.messages_to(USER)) > before


async def test_flood_wait_429_is_survived(api: FakeBotApi, bot: Harness) -> None:
    api.inject_429("sendMessage", retry_after=1)
    [welcome] = await bot.say(USER, "/start")
    assert "18 or older" in welcome.text
    assert api.rate_limited_count == 1


async def test_blocked_user_is_marked_inactive_and_back_when_they_write(
    api: FakeBotApi, bot: Harness
) -> None:
    await bot.say(USER, "/start", "yes")
    assert bot.store is not None
    uid = await bot.store.find_user("telegram", str(USER))
    assert uid is not None
    api.block(USER)
    await bot.say(USER, "Sam")  # the reply gets 403
    assert (await bot.store.chat_of(uid))[3] is False  # type: ignore[index]
    assert any(status == 403 for _, status, _ in api.errors_4xx)

    api.unblock(USER)
    [reply] = await bot.say(USER, "/status")
    assert (await bot.store.chat_of(uid))[3] is True  # type: ignore[index]
    assert reply.text

    api.my_chat_member_kicked(USER)  # Telegram's notice of a block
    await settle(api)
    assert (await bot.store.chat_of(uid))[3] is False  # type: ignore[index]


async def test_redelivered_update_after_restart_is_handled_once(
    api: FakeBotApi, db_path: Path, clock: FakeClock
) -> None:
    first = await Harness(api, db_path, clock).start()
    seen: list[Update] = []
    assert first.app is not None
    first.app.add_handler(TypeHandler(Update, lambda u, c: _record(seen, u)), group=-1)
    await first.say(USER, "/start", "yes")
    await first.say(USER, "Sam")
    await first.stop()
    name_update = seen[-1]

    second = await Harness(api, db_path, clock).start()
    before = len(api.messages_to(USER))
    assert second.app is not None
    await second.app.update_queue.put(name_update)  # Telegram sends it again
    await api.wait_for_messages(USER, before + 1)
    await settle(api)
    # Not a second step: the same answer again (it may not have arrived before the restart).
    repeat = api.messages_to(USER)[before:]
    assert [m.text for m in repeat] == [api.messages_to(USER)[before - 1].text]
    assert await second.stage(USER) == "ask_ex_name"
    await second.stop()


async def _record(seen: list[Update], update: Update) -> None:
    seen.append(update)


# ---------------------------------------------------------------------------------------------
# The real command: `rekindle run` as a process
# ---------------------------------------------------------------------------------------------


class BotProcess:
    def __init__(self, api: FakeBotApi, db_path: Path, log: Path) -> None:
        self.api, self.db_path, self.log = api, db_path, log
        self.proc: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        out = self.log.open("ab")
        self.proc = await asyncio.create_subprocess_exec(
            *_rekindle(), "run", cwd=self.db_path.parent, stdout=out, stderr=out,
            env=_env(self.api, self.db_path, REKINDLE_LOG_LEVEL="DEBUG", REKINDLE_LOG_TEXT="1"),
        )  # fmt: skip
        out.close()
        await self.api.wait_for(lambda: self.api.long_poll_active, 20, "the bot to poll")

    async def stop(self, sig: int) -> int:
        assert self.proc is not None
        self.proc.send_signal(sig)
        async with asyncio.timeout(10):
            return await self.proc.wait()

    async def say(self, user: int, text: str) -> list[SentMessage]:
        before = len(self.api.messages_to(user))
        self.api.user_sends_text(user, text)
        await settle(self.api, 20)
        return self.api.messages_to(user)[before:]


async def test_rekindle_run_survives_sigterm_and_sigkill_without_loss_or_repeats(
    api: FakeBotApi, tmp_path: Path
) -> None:
    db_path, log = tmp_path / "bot.db", tmp_path / "bot.log"
    bot = BotProcess(api, db_path, log)
    await bot.start()
    [welcome] = await bot.say(USER, "/start")
    api.user_presses(USER, welcome.message_id, welcome.callback_datas[0])
    await settle(api, 20)
    assert "call you" in texts(api.messages_to(USER))
    assert "ex's" in texts(await bot.say(USER, "Sam"))

    # 1. SIGTERM: a clean stop. A message sent while the bot is down is not lost.
    assert await bot.stop(signal.SIGTERM) == 0
    api.user_sends_text(USER, "skip")
    await bot.start()
    await settle(api, 20)
    assert "time" in texts(api.messages_to(USER)[-1:]).lower()

    # 2. SIGKILL after "Berlin" was committed and answered, but before the bot could confirm
    # it to Telegram (its next getUpdates is held by a flood wait): Telegram delivers it again.
    assert "hour" in texts(await bot.say(USER, "Berlin"))
    api.inject_429("getUpdates", retry_after=30)
    api.user_sends_text(USER, "9")
    await api.wait_for(lambda: api.rate_limited_count == 1, 20, "the held getUpdates")
    assert await bot.stop(signal.SIGKILL) == -signal.SIGKILL
    assert api.pending_update_count == 1  # "9" was never confirmed
    answered = len(api.messages_to(USER))
    assert "step 1" in texts(api.messages_to(USER)[-1:])  # ...but it was answered

    await bot.start()
    await settle(api, 20)
    # The redelivered "9" is not run again, but its reply is sent again: after a crash the
    # bot cannot know whether Telegram got it, and a lost reply is worse than a repeat.
    again = api.messages_to(USER)[answered:]
    assert len(again) == 1 and again[0].text == api.messages_to(USER)[answered - 1].text
    reply = await bot.say(USER, "no")
    assert "step 2" in texts(reply)  # the conversation continues from the same state
    assert await bot.stop(signal.SIGTERM) == 0

    with sqlite3.connect(db_path) as db:
        stage = db.execute("SELECT stage FROM users").fetchone()[0]
        handled = [r[0] for r in db.execute("SELECT update_id FROM processed_updates")]
    assert stage == "motives"
    assert len(handled) == len(set(handled)) == 7  # /start, press, Sam, skip, Berlin, 9, no
    output = log.read_text()
    assert "reason=already-processed" in output
    assert "turn user=" in output  # DEBUG logging with text was on (PTB logs its URL)...
    assert "/bot<token>" in output  # ...the token was redacted where it would have been...
    assert api.token not in output  # ...and never appeared
    assert api.token.split(":")[1] not in output
    assert "Traceback" not in output


@pytest.mark.parametrize("token", [None, "not-a-token", "12345:short"])
async def test_rekindle_run_without_a_valid_token_explains_botfather(
    tmp_path: Path, token: str | None
) -> None:
    extra = {} if token is None else {"TELEGRAM_BOT_TOKEN": token}
    proc = await asyncio.create_subprocess_exec(
        *_rekindle(), "run", cwd=tmp_path, env=_env(None, tmp_path / "x.db", **extra),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await proc.communicate()
    assert proc.returncode == 2
    message = (out + err).decode()
    assert "@BotFather" in message and "Traceback" not in message


async def test_rekindle_run_with_a_token_telegram_rejects_explains(
    api: FakeBotApi, tmp_path: Path
) -> None:
    env = _env(api, tmp_path / "x.db", TELEGRAM_BOT_TOKEN="987654321:" + "Z" * 35)
    proc = await asyncio.create_subprocess_exec(
        *_rekindle(), "run", cwd=tmp_path, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    async with asyncio.timeout(20):
        out, err = await proc.communicate()
    message = (out + err).decode()
    assert proc.returncode == 2, message
    assert "rejected" in message and "@BotFather" in message and "Traceback" not in message
    assert "Z" * 35 not in message
    api.errors_4xx.clear()  # the 401s were the point of this test


async def test_export_arrives_as_a_json_document(api: FakeBotApi, bot: Harness) -> None:
    await bot.say(USER, "/start", "yes", "Sam")
    sent = await bot.say(USER, "/export")
    [document] = [m for m in sent if m.method == "sendDocument"]
    assert document.document_filename == "rekindle-export.json"
    assert document.document is not None and b'"Sam"' in document.document


async def test_send_replies_photo_and_broken_html_still_reach_the_user(
    api: FakeBotApi, bot: Harness
) -> None:
    assert bot.app is not None
    replies = [
        Reply(
            "Your week <b>so far</b>", attachment=Attachment("week.png", b"\x89PNG-fake", "photo")
        ),
        Reply("a < b, and <b>unclosed"),  # a template bug: Telegram rejects it
    ]
    assert await send_replies(bot.app.bot, USER, replies) is True
    photo, plain = api.messages_to(USER)
    assert photo.method == "sendPhoto" and photo.caption == "Your week so far"
    assert plain.text == "a < b, and unclosed"  # the words arrive, without formatting
    [(_, status, reason)] = api.errors_4xx
    assert status == 400 and "can't parse entities" in reason
    api.errors_4xx.clear()  # that one 400 was provoked on purpose
