"""Tests of the fake Bot API itself, driven by PTB's real Bot and Application over HTTP."""

from __future__ import annotations

import asyncio
import datetime as dtm
import time
from collections.abc import AsyncIterator

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, Conflict, Forbidden, InvalidToken, RetryAfter
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

try:  # with tests/__init__.py the repo root is on sys.path, without it tests/ is
    from tests.fakebot import FakeBotApi
except ImportError:
    from fakebot import FakeBotApi

USER = 4242


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi() as fake:
        yield fake


@pytest.fixture
async def bot(api: FakeBotApi) -> AsyncIterator[Bot]:
    async with Bot(api.token, base_url=api.base_url, base_file_url=api.base_file_url) as real:
        yield real


def _app(api: FakeBotApi) -> Application:
    return (
        Application.builder()
        .token(api.token)
        .base_url(api.base_url)
        .base_file_url(api.base_file_url)
        .build()
    )


async def test_valid_html_is_accepted_and_the_user_sees_plain_text(
    api: FakeBotApi, bot: Bot
) -> None:
    sent = await bot.send_message(
        USER, '<b>Hi</b> there &amp; <a href="https://example.org">welcome</a>', ParseMode.HTML
    )
    assert sent.text == "Hi there & welcome"
    assert [(e.type, e.offset, e.length) for e in sent.entities] == [
        ("bold", 0, 2),
        ("text_link", 11, 7),
    ]
    seen = api.last_message(USER)
    assert seen is not None and seen.text == "Hi there & welcome"
    assert seen.message_id == sent.message_id and seen.parse_mode == "HTML"
    api.assert_no_400()


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("<x>hi</x>", 'Unsupported start tag "x" at byte offset 0'),
        ("1 < 2", 'Unsupported start tag "" at byte offset 2'),
        ("<b>open", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b>a</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("caf&eacute;", 'Unsupported HTML entity "&eacute;"'),
    ],
)
async def test_broken_html_is_rejected_like_telegram(
    api: FakeBotApi, bot: Bot, text: str, reason: str
) -> None:
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
        await bot.send_message(USER, text, parse_mode=ParseMode.HTML)
    assert api.messages_to(USER) == []
    # PTB re-capitalises descriptions, so check Telegram's exact wording on the fake's side.
    method, status, description = api.errors_4xx[-1]
    assert (method, status) == ("sendMessage", 400)
    assert description.startswith("Bad Request: can't parse entities: ")
    assert reason in description
    with pytest.raises(AssertionError):
        api.assert_no_400()


async def test_length_limit_counts_visible_characters(api: FakeBotApi, bot: Bot) -> None:
    await bot.send_message(USER, "a" * 4096)
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(USER, "a" * 4097)
    # &amp; is one visible character, so this is exactly at the limit...
    await bot.send_message(USER, "a" * 4095 + "&amp;", parse_mode=ParseMode.HTML)
    # ...and tags do not count at all, but one more visible character does.
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(USER, "<b>" + "a" * 4096 + "</b>&amp;", parse_mode=ParseMode.HTML)
    # An emoji outside the BMP is two UTF-16 units, as Telegram counts.
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(USER, "a" * 4095 + "🙂")
    with pytest.raises(BadRequest, match="Message text is empty"):
        await bot.send_message(USER, "<b> </b>", parse_mode=ParseMode.HTML)
    assert [len(m.text or "") for m in api.messages_to(USER)] == [4096, 4096]


async def test_callback_data_over_64_bytes_is_rejected(api: FakeBotApi, bot: Bot) -> None:
    def markup(data: str) -> InlineKeyboardMarkup:
        return InlineKeyboardMarkup([[InlineKeyboardButton("Go", callback_data=data)]])

    await bot.send_message(USER, "ok", reply_markup=markup("x" * 64))
    with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
        await bot.send_message(USER, "too big", reply_markup=markup("x" * 65))
    # 33 two-byte characters are 66 bytes although only 33 characters.
    with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
        await bot.send_message(USER, "too big", reply_markup=markup("é" * 33))
    assert [m.buttons for m in api.messages_to(USER)] == [[[("Go", "x" * 64)]]]


async def test_blocked_chat_gets_forbidden(api: FakeBotApi, bot: Bot) -> None:
    await bot.send_message(USER, "before")
    api.block(USER)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(USER, "after")
    assert [m.text for m in api.messages_to(USER)] == ["before"]


async def test_injected_429_raises_retry_after_once(
    api: FakeBotApi, bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")  # opt in to PTB's timedelta retry_after
    api.inject_429("sendMessage", retry_after=3, times=1)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(USER, "first try")
    assert caught.value.retry_after == dtm.timedelta(seconds=3)
    await bot.send_message(USER, "second try")
    assert [m.text for m in api.messages_to(USER)] == ["second try"]
    assert api.rate_limited_count == 1


async def test_global_rate_limit_answers_429_beyond_the_window(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    async with (
        FakeBotApi(rate_limit_per_s=5) as limited,
        Bot(limited.token, base_url=limited.base_url) as fast_bot,
    ):
        results = await asyncio.gather(
            *(fast_bot.send_message(USER, f"n{i}") for i in range(8)), return_exceptions=True
        )
    refused = [r for r in results if isinstance(r, RetryAfter)]
    assert len(refused) == 3 and limited.rate_limited_count == 3
    assert all(r.retry_after == dtm.timedelta(seconds=1) for r in refused)
    assert len(limited.messages_to(USER)) == 5


async def test_wrong_token_is_unauthorized(api: FakeBotApi) -> None:
    with pytest.raises(InvalidToken):
        async with Bot("999:wrong-token", base_url=api.base_url):
            pass


async def test_get_updates_offset_confirms_earlier_updates(api: FakeBotApi, bot: Bot) -> None:
    first = api.user_sends_text(USER, "one")
    second = api.user_sends_command(USER, "start")
    updates = await bot.get_updates(timeout=0)
    assert [u.update_id for u in updates] == [first, second]
    assert updates[1].message.text == "/start"
    assert updates[1].message.entities[0].type == "bot_command"
    # Not confirmed yet: asking again redelivers both.
    assert len(await bot.get_updates(timeout=0)) == 2
    third = api.user_sends_text(USER, "three")
    updates = await bot.get_updates(offset=second + 1, timeout=0)
    assert [u.update_id for u in updates] == [third]
    assert api.pending_update_count == 1


async def test_long_poll_wakes_as_soon_as_an_update_arrives(api: FakeBotApi, bot: Bot) -> None:
    asyncio.get_running_loop().call_later(0.2, api.user_sends_text, USER, "hello")
    started = time.perf_counter()
    updates = await bot.get_updates(timeout=5)
    assert [u.message.text for u in updates] == ["hello"]
    assert time.perf_counter() - started < 2


async def test_second_bot_instance_polling_conflicts(api: FakeBotApi, bot: Bot) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=3))
    await api.wait_for(lambda: api.long_poll_active, what="the first poll to reach the server")
    async with Bot(api.token, base_url=api.base_url) as second_instance:
        assert await second_instance.get_updates(timeout=0) == ()
    with pytest.raises(Conflict, match=r"(?i)terminated by other getUpdates request"):
        await first


async def test_edit_rules(api: FakeBotApi, bot: Bot) -> None:
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Yes", callback_data="yes")]])
    sent = await bot.send_message(USER, "Ready?", reply_markup=keyboard)
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_text("Ready?", USER, sent.message_id, reply_markup=keyboard)
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("Ready?", USER, sent.message_id + 5)
    # Editing text without reply_markup drops the keyboard, as on Telegram.
    await bot.edit_message_text("Ready!", USER, sent.message_id)
    seen = api.last_message(USER)
    assert seen is not None and (seen.text, seen.buttons, seen.edited) == ("Ready!", [], True)


async def test_uploads_are_stored_with_their_bytes(api: FakeBotApi, bot: Bot) -> None:
    await bot.send_document(USER, b"line one\n", filename="plan.txt", caption="Your plan")
    await bot.send_photo(USER, b"\x89PNG fake image")
    document, photo = api.messages_to(USER)
    assert (document.document, document.document_filename) == (b"line one\n", "plan.txt")
    assert document.caption == "Your plan"
    assert photo.photo == b"\x89PNG fake image"


async def test_application_polling_echo(api: FakeBotApi) -> None:
    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(f"echo: {update.effective_message.text}")

    app = _app(api)
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0)
        api.user_sends_text(USER, "Hello <there> & you")
        api.user_sends_text(USER + 1, "Second user")
        [reply] = await api.wait_for_messages(USER, 1)
        [other] = await api.wait_for_messages(USER + 1, 1)
        await app.updater.stop()
        await app.stop()
    assert reply.text == "echo: Hello <there> & you"
    assert other.text == "echo: Second user"
    api.assert_no_400()


async def test_callback_press_round_trip(api: FakeBotApi) -> None:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        buttons = [[InlineKeyboardButton("I'm in", callback_data="step:1")]]
        await update.effective_message.reply_text(
            "<b>Ready to start?</b>",
            parse_mode=ParseMode.HTML,
            reply_markup=InlineKeyboardMarkup(buttons),
        )

    async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer("Noted")
        await query.edit_message_text(f"You chose {query.data}")

    app = _app(api)
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(pressed))
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0)
        api.user_sends_command(USER, "start")
        [question] = await api.wait_for_messages(USER, 1)
        assert (question.text, question.buttons) == ("Ready to start?", [[("I'm in", "step:1")]])
        query_id = api.user_presses(USER, question.message_id, "step:1")
        await api.wait_for(lambda: question.edited, what="the question to be edited")
        await app.updater.stop()
        await app.stop()
    assert [(a.query_id, a.text) for a in api.callback_answers] == [(query_id, "Noted")]
    assert (question.text, question.buttons) == ("You chose step:1", [])
    # A second answer to the same query is refused, as Telegram refuses late answers.
    async with Bot(api.token, base_url=api.base_url) as bot:
        with pytest.raises(BadRequest, match="Query is too old"):
            await bot.answer_callback_query(query_id)


async def test_every_injected_update_kind_parses_in_ptb(
    api: FakeBotApi, bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    api.user_sends_text(USER, "hi")
    api.user_sends_sticker(USER)
    api.user_sends_photo(USER, caption="me")
    api.user_sends_voice(USER, duration=7)
    api.user_sends_document(USER, "letter.txt", b"Dear you", caption="draft")
    api.user_sends_location(USER, 48.85, 2.35)
    api.user_edits_message(USER, 1, "hi again")
    api.user_sends_text(USER, "hello all", chat_type="group")
    api.user_sends_text(USER, "post", chat_type="channel")
    api.my_chat_member_kicked(USER)
    updates = await bot.get_updates(timeout=0)
    text, sticker, photo, voice, document, location, edit, group, post, kicked = updates
    assert text.message.from_user.id == USER and text.message.chat.type == "private"
    assert sticker.message.sticker.emoji == "🙂"
    assert photo.message.caption == "me" and photo.message.photo[-1].width == 800
    assert voice.message.voice.duration == dtm.timedelta(seconds=7)
    assert document.message.document.file_name == "letter.txt"
    assert (location.message.location.latitude, location.message.location.longitude) == (
        48.85,
        2.35,
    )
    assert (edit.edited_message.message_id, edit.edited_message.text) == (1, "hi again")
    assert group.message.chat.type == "group" and group.message.chat.id < 0
    assert post.channel_post.chat.type == "channel" and post.channel_post.text == "post"
    assert kicked.my_chat_member.new_chat_member.status == "kicked"
    # The bot can download what the user sent.
    file = await bot.get_file(document.message.document.file_id)
    assert bytes(await file.download_as_bytearray()) == b"Dear you"
    # And having blocked the bot, the user receives nothing more.
    with pytest.raises(Forbidden):
        await bot.send_message(USER, "are you there?")
