"""The Telegram transport: python-telegram-bot as a thin layer around ``Coach``.

Updates become engine events (``Command``/``Text``/``Choice``/``Unsupported``); the engine's
replies become Bot API calls (HTML, split at 4,096 characters, inline keyboards whose
callback data carries the question's state and version). The dialogue state lives in
SQLite, never in PTB.

Polling is done by our own small loop (``Poller``) rather than PTB's Updater, because the
Updater confirms an update to Telegram as soon as it is queued: a crash would lose it. We
confirm an update (the next getUpdates offset) only after it was handled and committed; a
redelivered update is skipped by the coach's update-id check, so each is handled once.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import html
import logging
import os
import re
import secrets
import signal
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from datetime import timedelta
from typing import Any
from urllib.parse import urlparse

from telegram import (
    Bot,
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Message,
    Update,
)
from telegram.constants import ChatType, ParseMode
from telegram.error import (
    BadRequest,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.ext import AIORateLimiter, Application, BaseRateLimiter, ContextTypes, TypeHandler

from bot.clock import Clock
from bot.coach import Coach
from bot.config import BOTFATHER_HELP, Settings
from bot.logs import redact, setup_logging
from dialogs.commands import COMMANDS
from dialogs.model import Choice, Command, Event, Reply, Text, Unsupported
from storage import Store

log = logging.getLogger("rekindle.telegram")

MAX_TEXT = 4096  # visible characters (UTF-16 units) after entity parsing
MAX_CAPTION = 1024
MAX_CALLBACK_BYTES = 64
CHANNEL = "telegram"

Hook = Callable[[Application], Awaitable[None]]

# Bot data keys.
_COACH, _STORE, _SETTINGS, _STRIPPED, _REFUSED = "coach", "store", "settings", "stripped", "refused"
_ON_START, _ON_STOP = "on_start", "on_stop"

_NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
_SEND = "sendmessage"

# What a user sees in a group: personal things belong in a private chat.
GROUP_REFUSAL = (
    "Hi everyone! I only talk one to one, so that what people tell me stays private. "
    "If you'd like to talk, message me directly: {link}"
)
SORRY = "Sorry, something went wrong on my side. Nothing you told me is lost; please try again."


# ---------------------------------------------------------------------------------------------
# Callback data: "ver|state|choice", at most 64 bytes
# ---------------------------------------------------------------------------------------------

_STATE_RE = re.compile(r"[a-z0-9_]{0,40}")
EXPIRED = Choice("?", state="?", ver=-1)


def encode_callback(ver: int, state: str | None, choice: str) -> str:
    """Callback data for one button. Over 64 bytes (never with the guide's short ids) the
    state is dropped, then the choice cut: such a press then reads as "expired", never as
    a different answer."""
    data = f"{ver}|{state or ''}|{choice}"
    if len(data.encode()) <= MAX_CALLBACK_BYTES:
        return data
    log.warning("callback-data too-long state=%s bytes=%d", state, len(data.encode()))
    data = f"{ver}||{choice}"
    return data.encode()[:MAX_CALLBACK_BYTES].decode("utf-8", errors="ignore")


def decode_callback(data: str | None) -> Choice:
    """Callback data back into a ``Choice``; anything garbled or forged becomes ``EXPIRED``."""
    if not isinstance(data, str):
        return EXPIRED
    parts = data.split("|", 2)
    if len(parts) != 3:
        return EXPIRED
    ver, state, choice = parts
    if not (ver.isascii() and ver.isdigit() and len(ver) <= 9) or not choice:
        return EXPIRED
    if not _STATE_RE.fullmatch(state) or not choice.isprintable():
        return EXPIRED
    return Choice(choice, state=state or None, ver=int(ver))


# ---------------------------------------------------------------------------------------------
# Splitting long HTML at paragraph, then line, then character boundaries
# ---------------------------------------------------------------------------------------------

_TOKEN = re.compile(r"<[^>]*>|&#?[A-Za-z0-9]+;|[^<&]+|[<&]")


def _units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _token_units(token: str) -> int:
    if token.startswith("<") and token.endswith(">") and len(token) > 1:
        return 0
    if token.startswith("&") and token.endswith(";") and len(token) > 2:
        return _units(html.unescape(token))
    return _units(token)


def visible_length(text: str) -> int:
    """Length Telegram counts for HTML text: tags removed, entities decoded, UTF-16 units."""
    return sum(_token_units(t) for t in _TOKEN.findall(text))


_KNOWN_TAG = re.compile(
    r"</?(?:b|strong|i|em|u|ins|s|strike|del|span|tg-spoiler|tg-emoji|a|code|pre|blockquote)"
    r"(?:\s[^<>]*)?>",
    re.IGNORECASE,
)


def to_plain(text: str) -> str:
    """HTML -> the visible text (also for the no-parse-mode fallback, so only Telegram's
    own tags are removed: a stray "<" in broken HTML keeps the words after it)."""
    return html.unescape(_KNOWN_TAG.sub("", text))


def _hard_cut(text: str, limit: int) -> list[str]:
    """Cut one over-long line into pieces of at most ``limit`` visible units, preferring
    spaces, never inside a tag or an entity."""
    pieces: list[str] = []
    current, used = "", 0
    for token in _TOKEN.findall(text):
        size = _token_units(token)
        is_text = size and not token.startswith("&")
        while is_text and used + size > limit:
            # Split this text run: take what still fits, at a space if there is one.
            room = limit - used
            take = ""
            for ch in token:
                if _units(take + ch) > room:
                    break
                take += ch
            space = take.rfind(" ")
            if space > 0 and used + space > limit // 2:
                take = take[: space + 1]
            if not take and not current:  # a single wide character larger than the room
                take = token[0]
            current += take
            pieces.append(current)
            current, used = "", 0
            token = token[len(take) :]
            size = _units(token)
        if not is_text and used + size > limit:
            pieces.append(current)
            current, used = "", 0
        current += token
        used += size
    if current:
        pieces.append(current)
    return pieces


def _atoms(text: str, limit: int) -> list[str]:
    """Paragraphs (with their trailing blank lines); over-long ones as lines, then cuts."""
    out: list[str] = []
    for paragraph in re.findall(r".*?(?:\n\n+|$)", text, flags=re.DOTALL):
        if not paragraph:
            continue
        if visible_length(paragraph) <= limit:
            out.append(paragraph)
            continue
        for line in re.findall(r".*?(?:\n|$)", paragraph, flags=re.DOTALL):
            if not line:
                continue
            out.extend([line] if visible_length(line) <= limit else _hard_cut(line, limit))
    return out


def _balance(parts: list[str]) -> list[str]:
    """Close tags still open at the end of a part and reopen them at the start of the next,
    so every part is valid HTML on its own (tags add no visible characters)."""
    balanced: list[str] = []
    stack: list[tuple[str, str]] = []  # (tag name, opening tag as written)
    for part in parts:
        prefix = "".join(opening for _, opening in stack)
        for token in re.findall(r"<[^>]*>", part):
            if token.startswith("</"):
                if stack:
                    stack.pop()
            else:
                name = re.match(r"<\s*([A-Za-z0-9-]+)", token)
                stack.append((name.group(1).lower() if name else "", token))
        suffix = "".join(f"</{name}>" for name, _ in reversed(stack))
        balanced.append(prefix + part + suffix)
    return balanced


def split_html(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Split Telegram HTML into messages of at most ``limit`` visible characters each:
    at paragraph boundaries, else at line ends, else within a line. Empty parts are dropped."""
    if visible_length(text) <= limit:
        return [text] if to_plain(text).strip() else []
    parts: list[str] = []
    current, used = "", 0
    for atom in _atoms(text, limit):
        size = visible_length(atom)
        if current and used + size > limit:
            parts.append(current)
            current, used = "", 0
        current += atom
        used += size
    if current:
        parts.append(current)
    return [p for p in _balance(parts) if to_plain(p).strip()]


# ---------------------------------------------------------------------------------------------
# Sending replies (shared with the scheduler)
# ---------------------------------------------------------------------------------------------


def keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    """The reply's buttons as an inline keyboard (None without buttons)."""
    if not reply.buttons:
        return None
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    b.label, callback_data=encode_callback(reply.ver, reply.state, b.choice)
                )
                for b in row
            ]
            for row in reply.buttons
        ]
    )


class _Blocked(Exception):
    """The user blocked the bot (403): stop sending to them."""


async def _call(what: str, chat_id: int, send: Callable[[], Awaitable[Any]]) -> Any:
    """One Bot API call with the error policy: 403 -> _Blocked; network errors retried twice
    (a reply lost after the commit would leave the user waiting); other errors raised."""
    for attempt in range(3):
        try:
            return await send()
        except Forbidden as err:
            raise _Blocked(str(err)) from err
        except BadRequest:
            raise
        except (TimedOut, NetworkError) as err:
            if attempt == 2:
                raise
            log.warning("send-retry method=%s chat=%s error=%s reason=%s", what, chat_id,
                        type(err).__name__, redact(str(err)))  # fmt: skip
            await asyncio.sleep(0.5 * (attempt + 1))
    return None  # pragma: no cover - the loop always returns or raises


async def _send_text(
    bot: Bot, chat_id: int, text: str, markup: InlineKeyboardMarkup | None
) -> None:
    params: dict[str, Any] = {
        "chat_id": chat_id, "text": text, "parse_mode": ParseMode.HTML,
        "link_preview_options": _NO_PREVIEW,
    }  # fmt: skip
    if markup is not None:
        params["reply_markup"] = markup

    # do_api_request instead of send_message: the same request, rate limiter and errors, but
    # PTB does not build a Message from the answer, which nobody reads (0.18 ms per message
    # with a keyboard, ~7 % of an update's CPU). Bot API method names are case-insensitive;
    # the lower-case spelling keeps PTB from warning that send_message exists.
    try:
        await _call("sendMessage", chat_id, lambda: bot.do_api_request(_SEND, params))
    except BadRequest as err:
        if "parse entities" not in str(err).lower():
            raise
        # Our HTML was wrong (a bug): the user still gets the words, without formatting.
        log.error("html-rejected chat=%s reason=%s", chat_id, redact(str(err)))
        plain = {**params, "text": to_plain(text)}
        del plain["parse_mode"]
        await _call("sendMessage", chat_id, lambda: bot.do_api_request(_SEND, plain))


async def _send_one(bot: Bot, chat_id: int, reply: Reply) -> None:
    markup = keyboard(reply)
    file = reply.attachment
    caption: str | None = None
    parts = split_html(reply.text) if reply.text else []
    if file is not None and len(parts) == 1 and visible_length(parts[0]) <= MAX_CAPTION:
        caption, parts = parts[0], []
    for n, part in enumerate(parts):
        last = n == len(parts) - 1
        await _send_text(bot, chat_id, part, markup if last and file is None else None)
    if file is not None:
        send = bot.send_photo if file.kind == "photo" else bot.send_document
        field = "photo" if file.kind == "photo" else "document"
        await _call(
            f"send_{field}", chat_id,
            lambda: send(chat_id, file.data, filename=file.filename, caption=caption,  # type: ignore[operator]
                         parse_mode=ParseMode.HTML if caption else None, reply_markup=markup),
        )  # fmt: skip
    elif markup is not None and not parts:
        log.warning("buttons-without-text chat=%s state=%s dropped", chat_id, reply.state)


async def mark_blocked(store: Store | None, chat_id: int) -> None:
    """A private chat answered 403: the user blocked us; the scheduler will skip them."""
    log.info("blocked chat=%s", chat_id)
    if store is None:
        return
    uid = await store.find_user(CHANNEL, str(chat_id))  # private chat id == user id
    if uid is not None:
        await store.set_active(uid, False)


async def send_replies(
    bot: Bot, chat_id: int, replies: Sequence[Reply], *, store: Store | None = None
) -> bool:
    """Send the engine's replies to a chat, in order: HTML, split over 4,096 characters,
    buttons as an inline keyboard, attachments as document/photo.

    Returns False if the user has blocked the bot (then, given ``store``, the user is marked
    inactive). Bad requests and exhausted retries are logged and the next reply is tried, so
    one broken message does not silence the rest. The scheduler sends nudges through here.
    """
    for reply in replies:
        try:
            await _send_one(bot, chat_id, reply)
        except _Blocked:
            await mark_blocked(store, chat_id)
            return False
        except (RetryAfter, TelegramError) as err:
            log.error("send-failed chat=%s error=%s reason=%s", chat_id, type(err).__name__,
                      redact(str(err)))  # fmt: skip
    return True


# ---------------------------------------------------------------------------------------------
# Updates -> events
# ---------------------------------------------------------------------------------------------

_COMMAND_RE = re.compile(r"/([A-Za-z0-9_]{1,32})(?:@[A-Za-z0-9_]+)?(?:\s+(.*))?", re.DOTALL)
# Checked in this order: an animation message also carries a document, a venue a location.
_MEDIA_KINDS = (
    "sticker", "animation", "photo", "video_note", "video", "voice", "audio", "document",
    "location", "contact", "poll", "dice", "game", "story",
)  # fmt: skip


def event_from_message(message: Message) -> Event | None:
    """A private message as an engine event; None for service messages (nothing to answer)."""
    if message.text is not None:
        command = _COMMAND_RE.fullmatch(message.text.strip())
        if command:
            return Command(command.group(1).lower(), (command.group(2) or "").strip())
        return Text(message.text)
    for kind in _MEDIA_KINDS:
        if getattr(message, kind, None):
            return Unsupported(kind)
    return None


def _update_kind(update: Update) -> str:
    data = update.to_dict()
    return next((k for k in data if k != "update_id"), "unknown")


async def _on_update(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The single handler: route one update."""
    data = context.bot_data
    if update.my_chat_member is not None:
        await _on_member(update, context)
    elif update.callback_query is not None:
        await _on_press(update, context)
    elif update.message is not None or update.channel_post is not None:
        message = update.message or update.channel_post
        assert message is not None
        if message.chat.type != ChatType.PRIVATE:
            await _refuse_group(context, message.chat.id)
            return
        user = message.from_user
        event = event_from_message(message)
        if user is None or user.is_bot or event is None:
            log.debug("ignored update=%s reason=no-event", update.update_id)
            return
        if data[_SETTINGS].log_text:
            log.debug("in update=%s user=%s text=%r", update.update_id, user.id, message.text)
        replies = await data[_COACH].handle(
            str(user.id), event, chat_id=message.chat.id, update_id=update.update_id
        )
        await send_replies(context.bot, message.chat.id, replies, store=data[_STORE])
    elif update.edited_message is not None or update.edited_channel_post is not None:
        # The original message was already answered; acting on the edit would run it twice.
        log.info("ignored update=%s reason=edited", update.update_id)
    else:
        log.info("ignored update=%s kind=%s", update.update_id, _update_kind(update))


async def _on_press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    data = context.bot_data
    store: Store = data[_STORE]
    message = query.message
    if message is None or message.chat.type != ChatType.PRIVATE:
        with contextlib.suppress(TelegramError):
            await query.answer()
        return
    chat_id = message.chat.id
    if await store.seen_update(update.update_id):
        # Redelivered after a restart: the press was handled, its query is long expired.
        log.info("skip update=%s reason=already-processed", update.update_id)
        return
    try:
        await query.answer()  # at once: the user's button stops spinning
    except Forbidden:
        await mark_blocked(store, chat_id)
        return
    except TelegramError as err:
        log.info("answer-failed update=%s reason=%s", update.update_id, redact(str(err)))
    event = decode_callback(query.data)
    replies = await data[_COACH].handle(
        str(query.from_user.id), event, chat_id=chat_id, update_id=update.update_id
    )
    if (
        len(replies) == 1
        and replies[0].edit
        and await _edit_in_place(context.bot, chat_id, message.message_id, replies[0], store)
    ):
        return  # a tick on a multi-select list: the same question, updated where it is
    # Take the keyboard off the pressed message, once: a second tap on it cannot act.
    stripped: collections.OrderedDict[tuple[int, int], None] = data[_STRIPPED]
    key = (chat_id, message.message_id)
    if getattr(message, "reply_markup", None) is not None and key not in stripped:
        stripped[key] = None
        while len(stripped) > 10_000:
            stripped.popitem(last=False)
        try:
            await context.bot.edit_message_reply_markup(
                chat_id, message.message_id, reply_markup=None
            )
        except Forbidden:
            await mark_blocked(store, chat_id)
            return
        except BadRequest as err:
            # "message is not modified" / "message to edit not found": already gone, fine.
            log.info("unkeyboard-failed chat=%s reason=%s", chat_id, redact(str(err)))
        except TelegramError as err:
            log.warning("unkeyboard-failed chat=%s error=%s", chat_id, type(err).__name__)
    await send_replies(context.bot, chat_id, replies, store=store)


async def _edit_in_place(
    bot: Bot, chat_id: int, message_id: int, reply: Reply, store: Store
) -> bool:
    """Replace the pressed message's text and keyboard. False if that cannot be done (too
    long, or Telegram refused): the caller then sends the reply as a new message."""
    parts = split_html(reply.text)
    if len(parts) != 1 or reply.attachment is not None:
        return False
    try:
        await _call(
            "editMessageText", chat_id,
            lambda: bot.edit_message_text(parts[0], chat_id, message_id,
                                          parse_mode=ParseMode.HTML, reply_markup=keyboard(reply),
                                          link_preview_options=_NO_PREVIEW),
        )  # fmt: skip
    except _Blocked:
        await mark_blocked(store, chat_id)
        return True
    except TelegramError as err:
        log.info("edit-failed chat=%s reason=%s", chat_id, redact(str(err)))
        return False
    return True


async def _on_member(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    member = update.my_chat_member
    assert member is not None
    status = member.new_chat_member.status
    if member.chat.type != ChatType.PRIVATE:
        if status in ("member", "administrator"):
            await _refuse_group(context, member.chat.id)
        return
    store: Store = context.bot_data[_STORE]
    uid = await store.find_user(CHANNEL, str(member.from_user.id))
    log.info("member chat=%s status=%s known=%s", member.chat.id, status, uid is not None)
    if uid is not None and status in ("kicked", "member"):
        await store.set_active(uid, status == "member")


async def _refuse_group(context: ContextTypes.DEFAULT_TYPE, chat_id: int) -> None:
    """A polite pointer to a private chat; at most once an hour per group, nothing stored."""
    refused: dict[int, float] = context.bot_data[_REFUSED]
    now = asyncio.get_running_loop().time()
    if now - refused.get(chat_id, -3600.0) < 3600.0:
        return
    refused[chat_id] = now
    username = context.bot.username
    link = f"https://t.me/{username}" if username else "tap my name, then Message"
    log.info("refused chat=%s reason=not-private", chat_id)
    with contextlib.suppress(Forbidden):
        await send_replies(
            context.bot, chat_id, [Reply(html.escape(GROUP_REFUSAL.format(link=link)))]
        )


async def _on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log why (class and message, never the token or the user's text) and carry on; a user
    whose update failed gets a short apology rather than silence."""
    err = context.error
    update_id = update.update_id if isinstance(update, Update) else None
    log.error("error update=%s error=%s reason=%s", update_id, type(err).__name__,
              redact(str(err))[:300], exc_info=err)  # fmt: skip
    if isinstance(update, Update) and update.effective_chat is not None:
        chat = update.effective_chat
        if chat.type == ChatType.PRIVATE and not isinstance(err, TelegramError):
            with contextlib.suppress(Exception):
                await send_replies(context.bot, chat.id, [Reply(SORRY)])


# ---------------------------------------------------------------------------------------------
# The application
# ---------------------------------------------------------------------------------------------


def bot_commands() -> list[BotCommand]:
    """The command menu, from the engine's command table."""
    return [
        BotCommand(spec.name, spec.description[:256])
        for spec in COMMANDS.values()
        if re.fullmatch(r"[a-z0-9_]{1,32}", spec.name) and spec.description
    ][:100]


async def _post_init(app: Application) -> None:
    await app.bot.set_my_commands(bot_commands())
    for hook in app.bot_data[_ON_START]:
        await hook(app)


async def _post_stop(app: Application) -> None:
    for hook in app.bot_data[_ON_STOP]:
        await hook(app)


def build_application(
    settings: Settings,
    store: Store,
    clock: Clock,
    *,
    coach: Coach | None = None,
    rate_limiter: BaseRateLimiter | None = None,
    on_start: Sequence[Hook] = (),
    on_stop: Sequence[Hook] = (),
) -> Application:
    """The PTB Application for Rekindle (not started).

    ``rate_limiter`` defaults to ``AIORateLimiter(max_retries=3)``: 429 flood waits are
    honoured and retried, about 30 requests/s overall. ``on_start`` hooks run after the
    command menu is set (the scheduler of issue 4 starts there and sends through
    ``send_replies``); ``on_stop`` hooks run when the bot stops.
    """
    token = settings.require_token()
    app = (
        Application.builder()
        .token(token)
        .base_url(settings.api_base_url)
        .base_file_url(settings.file_base_url)
        .rate_limiter(rate_limiter or AIORateLimiter(max_retries=3))
        .job_queue(None)  # nudges have their own scheduler (bot/scheduler.py)
        .post_init(_post_init)
        .post_stop(_post_stop)
        .build()
    )
    app.bot_data.update(
        {
            _COACH: coach or Coach(store, clock, channel=CHANNEL),
            _STORE: store,
            _SETTINGS: settings,
            _STRIPPED: collections.OrderedDict(),
            _REFUSED: {},
            _ON_START: list(on_start),
            _ON_STOP: list(on_stop),
        }
    )
    app.add_handler(TypeHandler(Update, _on_update))
    app.add_error_handler(_on_error)
    return app


# ---------------------------------------------------------------------------------------------
# Polling that confirms an update only after it was handled
# ---------------------------------------------------------------------------------------------


class Poller:
    """Long polling with "confirm after commit".

    Each batch from getUpdates is handled, one update after the other, before the next
    getUpdates confirms it (its offset). Measured in benchmarks/telegram_e2e.py, neither
    handling different users concurrently nor sending replies from a separate task while the
    next update is handled was faster than this (the process is CPU bound; concurrent use
    of httpx's connection pool costs more than it overlaps); per-user order is kept anyway.
    Network errors back off (0.5 s doubling to 30 s); stopping cancels a pending long poll
    (safe: nothing unconfirmed is lost) but lets a batch in progress finish.
    """

    def __init__(self, app: Application, *, timeout: float = 10.0) -> None:
        self.app = app
        self.timeout = timeout
        self.offset: int | None = None
        self._task: asyncio.Task[None] | None = None
        self._fetch: asyncio.Task[tuple[Update, ...]] | None = None
        self._stopping = False
        self._stopped = asyncio.Event()

    async def start(self) -> None:
        # getUpdates fails while a webhook is set; pending updates are kept.
        await self.app.bot.delete_webhook(drop_pending_updates=False)
        self._task = asyncio.create_task(self._loop(), name="rekindle-poller")

    async def stop(self) -> None:
        self._stopping = True
        self._stopped.set()
        if self._fetch is not None:
            self._fetch.cancel()
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self.offset is not None:  # confirm the last batch so it is not delivered again
            with contextlib.suppress(TelegramError):
                await self.app.bot.get_updates(offset=self.offset, timeout=0, limit=1)

    @property
    def failed(self) -> BaseException | None:
        """The error that ended polling (an invalid token), if any."""
        if self._task is None or not self._task.done() or self._task.cancelled():
            return None
        return self._task.exception()

    async def _loop(self) -> None:
        backoff = 0.5
        while not self._stopping:
            self._fetch = asyncio.create_task(
                self.app.bot.get_updates(
                    offset=self.offset, timeout=self.timeout, allowed_updates=Update.ALL_TYPES
                )
            )
            try:
                updates = await self._fetch
            except asyncio.CancelledError:
                if self._stopping:
                    return
                raise
            except TimedOut:
                continue
            except InvalidToken:
                log.error("polling-stopped reason=invalid-token")
                raise
            except (NetworkError, Conflict, RetryAfter) as err:
                log.warning("polling-error error=%s reason=%s backoff_s=%.1f",
                            type(err).__name__, redact(str(err)), backoff)  # fmt: skip
                with contextlib.suppress(TimeoutError):  # wakes early on stop()
                    await asyncio.wait_for(self._stopped.wait(), backoff)
                backoff = min(backoff * 2, 30.0)
                continue
            finally:
                self._fetch = None
            backoff = 0.5
            if updates:
                for update in updates:
                    await self.app.process_update(update)
                self.offset = updates[-1].update_id + 1


@contextlib.asynccontextmanager
async def running(app: Application, *, poll_timeout: float = 10.0) -> AsyncIterator[Poller]:
    """Initialize and start ``app`` with polling; stop and shut it down on exit."""
    async with app:
        assert app.post_init is not None
        await app.post_init(app)
        await app.start()
        poller = Poller(app, timeout=poll_timeout)
        await poller.start()
        try:
            yield poller
        finally:
            await poller.stop()
            await app.stop()
            assert app.post_stop is not None
            await app.post_stop(app)


async def _serve(
    settings: Settings, clock: Clock, webhook_url: str | None, port: int, listen: str
) -> None:
    store = await Store.open(settings.db_path)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        # Nudges: one dispatcher woken by APScheduler, started and stopped with the bot.
        from bot.scheduler import telegram_hooks

        start_nudges, stop_nudges = telegram_hooks(
            rate=settings.send_rate, grace=timedelta(hours=settings.nudge_grace_h)
        )
        app = build_application(
            settings, store, clock, on_start=[start_nudges], on_stop=[stop_nudges]
        )
        if webhook_url is None:
            async with running(app) as poller:
                log.info("started mode=polling db=%s", settings.db_path)
                waiter = asyncio.create_task(stop.wait())
                poll = poller._task
                assert poll is not None
                await asyncio.wait({waiter, poll}, return_when=asyncio.FIRST_COMPLETED)
                waiter.cancel()
                if poller.failed is not None:
                    raise poller.failed
        else:
            await _serve_webhook(app, stop, settings, webhook_url, port, listen)
        log.info("stopped")
    finally:
        await store.close()


async def _serve_webhook(
    app: Application, stop: asyncio.Event, settings: Settings, url: str, port: int, listen: str
) -> None:
    """Webhook mode through PTB's Updater (needs python-telegram-bot[webhooks]); Telegram's
    X-Telegram-Bot-Api-Secret-Token header is checked against the secret we register."""
    secret = settings.webhook_secret or secrets.token_urlsafe(32)
    async with app:
        assert app.updater is not None and app.post_init is not None
        await app.post_init(app)
        await app.start()
        try:
            await app.updater.start_webhook(
                listen=listen, port=port, url_path=urlparse(url).path.lstrip("/"),
                webhook_url=url, secret_token=secret, allowed_updates=Update.ALL_TYPES,
                drop_pending_updates=False,
            )  # fmt: skip
            log.info("started mode=webhook listen=%s port=%s", listen, port)
            await stop.wait()
        finally:
            if app.updater.running:
                await app.updater.stop()
            await app.stop()
            assert app.post_stop is not None
            await app.post_stop(app)  # the on_stop hooks (the nudge scheduler)


def run_bot(
    settings: Settings,
    *,
    clock: Clock,
    webhook_url: str | None = None,
    port: int = 8443,
    listen: str = "127.0.0.1",
) -> None:
    """Run the Telegram bot until SIGINT/SIGTERM (long polling unless ``webhook_url``).

    Logging goes to stderr; REKINDLE_LOG_LEVEL sets the level (default INFO).
    """
    setup_logging(os.environ.get("REKINDLE_LOG_LEVEL", "INFO"), log_text=settings.log_text)
    if webhook_url is not None:
        try:
            import tornado  # noqa: F401  - PTB's webhook server
        except ImportError:
            log.error("webhook-unavailable reason=install python-telegram-bot[webhooks]")
            raise SystemExit(2) from None
    try:
        asyncio.run(_serve(settings, clock, webhook_url, port, listen))
    except InvalidToken:
        # Shaped like a token, but Telegram does not know it (revoked, or a typo).
        print("Telegram rejected TELEGRAM_BOT_TOKEN.\n\n" + BOTFATHER_HELP, file=sys.stderr)
        raise SystemExit(2) from None
    except BadRequest as err:  # e.g. a webhook URL Telegram will not accept
        print(f"Telegram refused to start the bot: {redact(str(err))}", file=sys.stderr)
        raise SystemExit(2) from None
