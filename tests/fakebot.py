"""A fake Telegram Bot API server for end-to-end tests.

The real python-telegram-bot ``Application`` talks to it over real HTTP on 127.0.0.1 (point the
bot at it with ``base_url`` / ``base_file_url``). It enforces the Bot API rules a bot most often
gets wrong (HTML entities, text and callback-data limits, "message is not modified", stale
callback queries, blocked users, 429 flood control) and answers with exactly Bot API shaped
JSON, so PTB raises the same exceptions it would against Telegram.

Tests drive it from the user's side (``api.user_sends_text(...)``, ``api.user_presses(...)``)
and read back what the user would see (``api.messages_to(chat_id)``).

Usage::

    async with FakeBotApi() as api:
        app = Application.builder().token(api.token).base_url(api.base_url)
              .base_file_url(api.base_file_url).build()
        ...
        api.user_sends_text(42, "hi")
        [reply] = await api.wait_for_messages(42, 1)

Where the fake is deliberately stricter than Telegram it says so in the docstring of the rule.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import inspect
import itertools
import json
import math
import re
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

__all__ = [
    "DEFAULT_TOKEN",
    "ApiError",
    "CallbackAnswer",
    "FakeBotApi",
    "RecordedRequest",
    "SentMessage",
    "check_markdown_v2",
    "fake_bot_api",
    "parse_html",
    "utf16_len",
]

DEFAULT_TOKEN = "123456789:AAFakeTokenForTestsOnly_0123456789ab"
MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_DATA_BYTES = 64
MAX_CALLBACK_ANSWER_TEXT = 200

# Telegram answers 404 for tokens that are not even shaped like a token, 401 for well-formed
# tokens it does not know.
_TOKEN_RE = re.compile(r"\d+:[A-Za-z0-9_-]+")

# Everything except these is delivered when a bot does not ask for specific update types.
_OPT_IN_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})

_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)

# PTB form-encodes non-string values as JSON (see telegram/request/_requestparameter.py), but
# sends strings raw; so only known fields may be decoded, or a text of "123" would become an int.
_JSON_FIELDS = frozenset(
    {
        "reply_markup",
        "entities",
        "caption_entities",
        "allowed_updates",
        "commands",
        "scope",
        "reply_parameters",
        "link_preview_options",
        "media",
        "menu_button",
        "rights",
        "results",
        "reaction",
    }
)
_INT_FIELDS = frozenset(
    {
        "chat_id",
        "from_chat_id",
        "message_id",
        "offset",
        "limit",
        "user_id",
        "cache_time",
        "reply_to_message_id",
        "max_connections",
        "message_thread_id",
        "until_date",
    }
)
_FLOAT_FIELDS = frozenset({"timeout", "latitude", "longitude"})
_BOOL_FIELDS = frozenset(
    {
        "show_alert",
        "drop_pending_updates",
        "disable_notification",
        "protect_content",
        "disable_web_page_preview",
        "allow_sending_without_reply",
        "has_spoiler",
        "disable_content_type_detection",
        "show_caption_above_media",
    }
)

_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
_QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"


class ApiError(Exception):
    """A Bot API error answer: HTTP status, Telegram's description and optional retry_after."""

    def __init__(self, status: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after


def _bad(description: str) -> ApiError:
    return ApiError(400, f"Bad Request: {description}")


@dataclass
class SentMessage:
    """A message as stored by the fake: what the user sees in the chat.

    ``text`` is the visible text after entity parsing (tags removed, ``&amp;`` decoded);
    ``source_text`` is exactly what the bot sent. Media messages keep ``text`` as None and put
    their visible caption in ``caption``.
    """

    chat_id: int
    message_id: int
    date: int
    from_bot: bool = True
    from_user_id: int | None = None  # the sender of a user's message
    method: str = "sendMessage"
    text: str | None = None
    source_text: str | None = None
    parse_mode: str | None = None
    entities: list[dict[str, Any]] = field(default_factory=list)
    caption: str | None = None
    reply_markup: dict[str, Any] | None = None
    buttons: list[list[tuple[str, str | None]]] = field(default_factory=list)
    reply_keyboard: list[list[str]] = field(default_factory=list)
    document: bytes | None = None
    document_filename: str | None = None
    photo: bytes | None = None
    reply_to_message_id: int | None = None
    edited: bool = False
    edit_count: int = 0
    deleted: bool = False
    received_at: float = 0.0  # time.perf_counter() when the fake received the request
    extra: dict[str, Any] = field(default_factory=dict)  # media payloads of user messages

    @property
    def button_texts(self) -> list[str]:
        """Every inline button's label, row by row."""
        return [text for row in self.buttons for text, _ in row]

    @property
    def callback_datas(self) -> list[str]:
        """Every inline button's callback_data (url buttons are skipped)."""
        return [data for row in self.buttons for _, data in row if data is not None]


@dataclass
class RecordedRequest:
    """One HTTP call the bot made: method, decoded params (files as ``<file name>``), outcome."""

    method: str
    params: dict[str, Any]
    status: int
    description: str | None
    received_at: float


@dataclass
class CallbackAnswer:
    """An accepted answerCallbackQuery call."""

    query_id: str
    user_id: int
    text: str | None
    show_alert: bool
    url: str | None
    cache_time: int | None


@dataclass
class _StoredFile:
    file_id: str
    file_unique_id: str
    data: bytes
    filename: str | None
    mime_type: str | None
    file_path: str


@dataclass
class _PendingQuery:
    user_id: int
    created: float
    answered: bool = False


@dataclass
class _Injected:
    method: str
    status: int
    description: str
    retry_after: int | None
    times: int


# --------------------------------------------------------------------------------------------
# Text rules
# --------------------------------------------------------------------------------------------


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit Telegram counts offsets and limits in."""
    return len(text.encode("utf-16-le")) // 2


_HTML_TAGS = frozenset(
    {
        "a",
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "tg-spoiler",
        "tg-emoji",
        "span",
        "pre",
        "code",
        "blockquote",
    }
)
_TAG_ENTITY = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "code": "code",
    "pre": "pre",
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY_LIKE = re.compile(r"&([A-Za-z][A-Za-z0-9]*);")


def _decode_entity(text: str, pos: int) -> tuple[str, int] | None:
    """Decode an HTML entity at ``text[pos] == '&'`` the way tdlib does (';' is optional)."""
    end = pos + 1
    if text.startswith("#", end):
        end += 1
        base, digits = 10, "0123456789"
        if text.startswith("x", end):
            base, digits = 16, "0123456789abcdefABCDEF"
            end += 1
        start = end
        while end < len(text) and text[end] in digits:
            end += 1
        if end == start or end - pos >= 10:
            return None
        code = int(text[start:end], base)
        if code == 0 or code >= 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            return None
        char = chr(code)
    else:
        while end < len(text) and text[end].isascii() and text[end].isalpha():
            end += 1
        char = _NAMED_ENTITIES.get(text[pos + 1 : end])
        if char is None:
            return None
    if text.startswith(";", end):
        end += 1
    return char, end


def parse_html(text: str, *, strict_entities: bool = True) -> tuple[str, list[dict[str, Any]]]:
    """Parse Bot API HTML into (visible text, entities), raising ApiError(400) like Telegram.

    Mirrors tdlib's parser and its error wording ("Unsupported start tag", "Can't find end tag
    corresponding to start tag", "Unmatched end tag"...). With ``strict_entities`` a named
    entity other than &lt; &gt; &amp; &quot; (e.g. ``&nbsp;``) is rejected; Telegram would show
    it literally, which is just as much a bug for the user reading it.
    """

    def fail(reason: str) -> ApiError:
        return _bad(f"can't parse entities: {reason}")

    def byte_offset(pos: int) -> int:
        return len(text[:pos].encode("utf-8"))

    out: list[str] = []
    utf16_pos = 0
    entities: list[dict[str, Any]] = []
    # (tag, argument, utf16 offset where it starts, index into ``out`` where it starts)
    stack: list[tuple[str, str, int, int]] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "&":
            decoded = _decode_entity(text, i)
            if decoded is not None:
                char, i = decoded
                out.append(char)
                utf16_pos += utf16_len(char)
                continue
            unknown = _ENTITY_LIKE.match(text, i)
            if strict_entities and unknown:
                raise fail(
                    f'Unsupported HTML entity "{unknown.group(0)}" at byte offset {byte_offset(i)}'
                )
        if c != "<":
            out.append(c)
            utf16_pos += utf16_len(c)
            i += 1
            continue

        begin = i
        i += 1
        if i < n and text[i] == "/":
            if not stack:
                raise fail(f"Unexpected end tag at byte offset {byte_offset(begin)}")
            i += 1
            name_start = i
            while i < n and not text[i].isspace() and text[i] != ">":
                i += 1
            end_name = text[name_start:i]
            while i < n and text[i].isspace():
                i += 1
            if i >= n or text[i] != ">":
                raise fail(f"Unclosed end tag at byte offset {byte_offset(begin)}")
            i += 1
            tag, argument, start16, out_start = stack.pop()
            if end_name and end_name.lower() != tag:
                raise fail(
                    f"Unmatched end tag at byte offset {byte_offset(begin)}, "
                    f'expected "</{tag}>", found "</{end_name}>"'
                )
            length = utf16_pos - start16
            if length <= 0:
                continue
            entity: dict[str, Any] = {"offset": start16, "length": length}
            if tag == "a":
                url = argument or "".join(out[out_start:])
                entity.update(type="text_link", url=url)
            elif tag == "blockquote":
                entity["type"] = "expandable_blockquote" if argument else "blockquote"
            elif tag == "tg-emoji":
                if not argument.isdigit():
                    raise fail("Invalid custom emoji identifier specified")
                entity.update(type="custom_emoji", custom_emoji_id=argument)
            else:
                entity["type"] = _TAG_ENTITY[tag]
                if tag == "code" and argument:
                    entity["language"] = argument
            entities.append(entity)
            continue

        while i < n and not text[i].isspace() and text[i] != ">":
            i += 1
        if i >= n:
            raise fail(f"Unclosed start tag at byte offset {byte_offset(begin)}")
        tag = text[begin + 1 : i].lower()
        if tag not in _HTML_TAGS:
            raise fail(f'Unsupported start tag "{tag}" at byte offset {byte_offset(begin)}')
        argument = ""
        while text[i] != ">":
            while i < n and text[i].isspace():
                i += 1
            if i >= n:
                raise fail(f'Unclosed start tag "{tag}" at byte offset {byte_offset(begin)}')
            if text[i] == ">":
                break
            attr_start = i
            while i < n and not text[i].isspace() and text[i] not in "=>":
                i += 1
            attr = text[attr_start:i]
            if not attr:
                raise fail(
                    f'Empty attribute name in the tag "{tag}" at byte offset {byte_offset(begin)}'
                )
            while i < n and text[i].isspace():
                i += 1
            if i >= n:
                raise fail(f'Unclosed start tag "{tag}" at byte offset {byte_offset(begin)}')
            if text[i] != "=":
                if tag == "blockquote" and attr == "expandable":
                    argument = "1"
                    continue
                raise fail(
                    f'Expected equal sign in declaration of an attribute of the tag "{tag}" '
                    f"at byte offset {byte_offset(begin)}"
                )
            i += 1
            while i < n and text[i].isspace():
                i += 1
            if i >= n:
                raise fail(f'Unclosed start tag "{tag}" at byte offset {byte_offset(begin)}')
            value_chars: list[str] = []
            if text[i] in "\"'":
                quote = text[i]
                i += 1
                while i < n and text[i] != quote:
                    if text[i] == "&":
                        decoded = _decode_entity(text, i)
                        if decoded is not None:
                            value_chars.append(decoded[0])
                            i = decoded[1]
                            continue
                    value_chars.append(text[i])
                    i += 1
                if i < n:
                    i += 1
                value = "".join(value_chars)
            else:
                token_start = i
                while i < n and (text[i].isascii() and (text[i].isalnum() or text[i] in ".-")):
                    i += 1
                value = text[token_start:i].lower()
                if i < n and not text[i].isspace() and text[i] != ">":
                    raise fail(f"Unexpected end of name token at byte offset {byte_offset(i)}")
            if i >= n:
                raise fail(f"Unclosed start tag at byte offset {byte_offset(begin)}")
            if tag == "a" and attr == "href":
                argument = value
            elif tag == "code" and attr == "class" and value.startswith("language-"):
                argument = value.removeprefix("language-")
            elif tag == "span" and attr == "class" and value.startswith("tg-"):
                argument = value.removeprefix("tg-")
            elif tag == "tg-emoji" and attr == "emoji-id":
                argument = value
            elif tag == "blockquote" and attr == "expandable":
                argument = "1"
        if tag == "span" and argument != "spoiler":
            raise fail(
                f'Tag "span" must have class "tg-spoiler" at byte offset {byte_offset(begin)}'
            )
        i += 1  # the '>'
        stack.append((tag, argument, utf16_pos, len(out)))
    if stack:
        raise fail(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    return "".join(out), _merge_pre_code(entities)


def _merge_pre_code(entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Fold ``<pre><code class="language-x">`` into one pre entity with a language, as Telegram."""
    pres = {(e["offset"], e["length"]): e for e in entities if e["type"] == "pre"}
    merged = []
    for e in entities:
        pre = pres.get((e["offset"], e["length"]))
        if e["type"] == "code" and pre is not None:
            if "language" in e:
                pre["language"] = e["language"]
            continue
        merged.append(e)
    merged.sort(key=lambda e: (e["offset"], -e["length"]))
    return merged


_MDV2_RESERVED = "_*[]()~`>#+-=|{}.!"


def check_markdown_v2(text: str) -> str:
    """Validate MarkdownV2 loosely and return an approximation of the visible text.

    Catches the classic bug (an unescaped reserved character such as '.' or '!') with
    Telegram's wording; it does not compute entities.
    """
    out: list[str] = []
    open_marks: list[tuple[str, int]] = []
    i, n = 0, len(text)
    in_code = ""
    while i < n:
        c = text[i]
        if c == "\\" and i + 1 < n and ord(text[i + 1]) <= 126:
            out.append(text[i + 1])
            i += 2
            continue
        if in_code:
            if text.startswith(in_code, i):
                i += len(in_code)
                in_code = ""
                open_marks.pop()
            else:
                out.append(c)
                i += 1
            continue
        if c == "`":
            in_code = "```" if text.startswith("```", i) else "`"
            open_marks.append((in_code, i))
            i += len(in_code)
            continue
        mark = next((m for m in ("||", "__", "*", "_", "~") if text.startswith(m, i)), None)
        if mark:
            if open_marks and open_marks[-1][0] == mark:
                open_marks.pop()
            else:
                open_marks.append((mark, i))
            i += len(mark)
            continue
        if c == "[":
            close = text.find("](", i)
            end = text.find(")", close + 2) if close != -1 else -1
            if close == -1 or end == -1:
                raise _bad(
                    "can't parse entities: Character '[' is reserved and must be escaped with "
                    "the preceding '\\'"
                )
            out.append(check_markdown_v2(text[i + 1 : close]))
            i = end + 1
            continue
        if c == ">" and (i == 0 or text[i - 1] == "\n"):
            i += 1
            continue
        if c in _MDV2_RESERVED:
            raise _bad(
                f"can't parse entities: Character '{c}' is reserved and must be escaped with "
                "the preceding '\\'"
            )
        out.append(c)
        i += 1
    if open_marks:
        mark, pos = open_marks[-1]
        kind = {"*": "bold", "_": "italic", "__": "underline", "~": "strikethrough"}.get(
            mark, "spoiler" if mark == "||" else "pre" if mark == "```" else "code"
        )
        raise _bad(
            f"can't parse entities: Can't find end of {kind.capitalize()} entity at byte offset "
            f"{len(text[:pos].encode('utf-8'))}"
        )
    return "".join(out)


def _strip_visible(text: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Trim surrounding whitespace as Telegram does, keeping entity offsets right."""
    stripped = text.strip()
    if stripped == text:
        return text, entities
    lead16 = utf16_len(text[: len(text) - len(text.lstrip())])
    total16 = utf16_len(stripped)
    kept = []
    for e in entities:
        start = max(0, e["offset"] - lead16)
        end = min(total16, e["offset"] - lead16 + e["length"])
        if end > start:
            kept.append({**e, "offset": start, "length": end - start})
    return stripped, kept


# --------------------------------------------------------------------------------------------
# The server
# --------------------------------------------------------------------------------------------


class FakeBotApi:
    """An in-process fake of api.telegram.org for one bot token (see the module docstring).

    Args:
        token: the only token accepted; others get 401 Unauthorized.
        rate_limit_per_s: if set, more than this many send*/edit* calls within any sliding
            second are answered 429 with retry_after (counted in ``rate_limited_count``).
        callback_query_ttl_s: if set, answering a callback query later than this fails like an
            unknown query (Telegram allows about 15 s; tests can shorten it).
        strict_chats: if True, sends to a chat no user has written from get 400 "chat not
            found" (Telegram's answer); by default such chats are created on first send.
        strict_html_entities: see :func:`parse_html`.
        conflict_on_parallel_polls: if True (as Telegram), a second concurrent getUpdates
            terminates the first with 409 Conflict.
    """

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        rate_limit_per_s: float | None = None,
        callback_query_ttl_s: float | None = None,
        strict_chats: bool = False,
        strict_html_entities: bool = True,
        conflict_on_parallel_polls: bool = True,
        bot_username: str = "rekindle_test_bot",
        bot_first_name: str = "Rekindle (test)",
    ) -> None:
        self.token = token
        self.rate_limit_per_s = rate_limit_per_s
        self.callback_query_ttl_s = callback_query_ttl_s
        self.strict_chats = strict_chats
        self.strict_html_entities = strict_html_entities
        self.conflict_on_parallel_polls = conflict_on_parallel_polls
        self.bot_user: dict[str, Any] = {
            "id": int(token.split(":", 1)[0]),
            "is_bot": True,
            "first_name": bot_first_name,
            "username": bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

        # Public records for assertions.
        self.requests: list[RecordedRequest] = []
        self.errors_4xx: list[tuple[str, int, str]] = []
        self.callback_answers: list[CallbackAnswer] = []
        self.chat_actions: list[tuple[int, str]] = []
        self.rate_limited_count = 0
        self.injected_at: dict[int, float] = {}  # update_id -> perf_counter at injection
        self.webhook_url = ""
        self.commands: dict[tuple[str, str], list[dict[str, str]]] = {}

        self._users: dict[int, dict[str, Any]] = {}
        self._chats: dict[int, dict[str, Any]] = {}
        self._messages: dict[int, dict[int, SentMessage]] = collections.defaultdict(dict)
        self._bot_sent: collections.Counter[int] = collections.Counter()
        self._next_message_id: collections.Counter[int] = collections.Counter()
        self._blocked: set[int] = set()
        self._updates: list[dict[str, Any]] = []
        self._next_update_id = 1
        self._allowed_updates: frozenset[str] | None = None
        self._queries: dict[str, _PendingQuery] = {}
        self._query_ids = itertools.count(4_000_000_000_000_000_001)
        self._files: dict[str, _StoredFile] = {}
        self._files_by_path: dict[str, _StoredFile] = {}
        self._file_seq = itertools.count(1)
        self._injected: list[_Injected] = []
        self._send_window: collections.deque[float] = collections.deque()
        self._poll_seq = itertools.count(1)
        self._active_poll: int | None = None
        self._kicked_polls: set[int] = set()
        self._changed = asyncio.Event()
        self._chat_events: dict[int, asyncio.Event] = {}
        self._closing = False
        self._request_received_at = 0.0
        self._runner: web.AppRunner | None = None
        self.port = 0

        self._methods: dict[str, Callable[[dict[str, Any], dict[str, Any]], Any]] = {
            "getme": lambda p, f: self.bot_user,
            "logout": lambda p, f: True,
            "close": lambda p, f: True,
            "getupdates": self._get_updates,
            "setwebhook": self._set_webhook,
            "deletewebhook": self._delete_webhook,
            "getwebhookinfo": self._get_webhook_info,
            "sendmessage": self._send_message,
            "editmessagetext": self._edit_message_text,
            "editmessagecaption": self._edit_message_caption,
            "editmessagereplymarkup": self._edit_message_reply_markup,
            "deletemessage": self._delete_message,
            "answercallbackquery": self._answer_callback_query,
            "senddocument": self._send_document,
            "sendphoto": self._send_photo,
            "sendchataction": self._send_chat_action,
            "setmycommands": self._set_my_commands,
            "getmycommands": self._get_my_commands,
            "deletemycommands": self._delete_my_commands,
            "getfile": self._get_file,
            "getchat": self._get_chat,
            # Harmless setters a bot may call at start-up.
            "setmydescription": lambda p, f: True,
            "setmyshortdescription": lambda p, f: True,
            "setmyname": lambda p, f: True,
            "setchatmenubutton": lambda p, f: True,
        }

    # ----------------------------------------------------------------------------- lifecycle

    async def __aenter__(self) -> FakeBotApi:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def start(self) -> None:
        """Listen on 127.0.0.1 on a free port (inside the running event loop)."""
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        # A short shutdown timeout: long polls are woken on stop, nothing else should linger.
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        """Wake pending long polls (they return no updates) and close the server."""
        self._closing = True
        self._notify()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def base_url(self) -> str:
        """Pass to ``ApplicationBuilder.base_url`` / ``Bot(base_url=...)``."""
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        """Pass to ``ApplicationBuilder.base_file_url`` / ``Bot(base_file_url=...)``."""
        return f"http://127.0.0.1:{self.port}/file/bot"

    # ------------------------------------------------------------------- test-side controls

    def block(self, chat_id: int) -> None:
        """From now on every send/edit to this chat gets 403 (the user blocked the bot)."""
        self._blocked.add(chat_id)

    def unblock(self, chat_id: int) -> None:
        """Undo :meth:`block`."""
        self._blocked.discard(chat_id)

    def inject_429(self, method: str = "sendMessage", retry_after: int = 1, times: int = 1) -> None:
        """Answer the next ``times`` calls of ``method`` ("*" = any) with 429 retry_after."""
        self.inject_error(
            method, 429, f"Too Many Requests: retry after {retry_after}", times, retry_after
        )

    def inject_error(
        self,
        method: str,
        status: int,
        description: str,
        times: int = 1,
        retry_after: int | None = None,
    ) -> None:
        """Answer the next ``times`` calls of ``method`` ("*" = any) with this error."""
        self._injected.append(_Injected(method.lower(), status, description, retry_after, times))

    def set_user(
        self,
        user_id: int,
        *,
        first_name: str | None = None,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "en",
    ) -> dict[str, Any]:
        """Register (or update) the profile a user's updates carry; returns the User JSON."""
        user = self._user(user_id)
        if first_name is not None:
            user["first_name"] = first_name
        for key, value in (
            ("last_name", last_name),
            ("username", username),
            ("language_code", language_code),
        ):
            if value is None:
                user.pop(key, None)
            else:
                user[key] = value
        return user

    # --------------------------------------------------------------- injecting user updates

    def user_sends_text(
        self,
        user_id: int,
        text: str,
        chat_type: str = "private",
        chat_id: int | None = None,
        *,
        reply_to_message_id: int | None = None,
    ) -> int:
        """The user sends a text message; returns the update_id.

        A leading ``/command`` gets a bot_command entity, as Telegram adds one.
        """
        payload: dict[str, Any] = {"text": text}
        command = re.match(r"/[A-Za-z0-9_]{1,32}(@[A-Za-z0-9_]+)?", text)
        if command:
            payload["entities"] = [
                {"type": "bot_command", "offset": 0, "length": utf16_len(command.group(0))}
            ]
        if reply_to_message_id is not None:
            payload["reply_to_message_id"] = reply_to_message_id
        return self._user_message(user_id, chat_type, chat_id, payload)

    def user_sends_command(
        self,
        user_id: int,
        command: str,
        args: str = "",
        chat_type: str = "private",
        chat_id: int | None = None,
        *,
        mention_bot: bool = False,
    ) -> int:
        """The user sends ``/command args`` (``command`` with or without the slash)."""
        text = "/" + command.lstrip("/")
        if mention_bot:
            text += "@" + self.bot_user["username"]
        if args:
            text += " " + args
        return self.user_sends_text(user_id, text, chat_type, chat_id)

    def user_presses(
        self,
        user_id: int,
        message_id: int,
        callback_data: str,
        chat_id: int | None = None,
        *,
        strict: bool = True,
    ) -> str:
        """The user taps an inline button; returns the callback query id.

        With ``strict`` the message must exist and currently show a button with this data
        (a user cannot tap a button that is not there), otherwise ValueError.
        """
        chat = self._chat_for(user_id, "private" if chat_id is None else None, chat_id)
        message = self._messages[chat["id"]].get(message_id)
        if strict:
            if message is None or message.deleted:
                raise ValueError(f"no message {message_id} in chat {chat['id']} to press on")
            if callback_data not in message.callback_datas:
                raise ValueError(
                    f"message {message_id} has no button with data {callback_data!r}; "
                    f"it shows {message.buttons}"
                )
        query_id = str(next(self._query_ids))
        self._queries[query_id] = _PendingQuery(user_id, time.monotonic())
        query: dict[str, Any] = {
            "id": query_id,
            "from": self._user(user_id),
            "chat_instance": str(abs(chat["id"]) * 7919 + 1),
            "data": callback_data,
        }
        if message is not None:
            query["message"] = self._message_json(message)
        self._push_update("callback_query", query)
        return query_id

    def user_sends_sticker(
        self, user_id: int, chat_type: str = "private", chat_id: int | None = None
    ) -> int:
        """The user sends a sticker."""
        file = self._store_file(b"RIFF-fake-webp", "sticker.webp", "image/webp", "stickers")
        sticker = {
            **self._file_ref(file),
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": "🙂",
        }
        return self._user_message(user_id, chat_type, chat_id, {"sticker": sticker})

    def user_sends_photo(
        self,
        user_id: int,
        caption: str | None = None,
        chat_type: str = "private",
        chat_id: int | None = None,
        *,
        data: bytes = b"\xff\xd8\xff\xe0fake-jpeg\xff\xd9",
    ) -> int:
        """The user sends a photo (Telegram delivers several sizes; we send two)."""
        file = self._store_file(data, None, "image/jpeg", "photos")
        small = self._store_file(data[:8] or b"x", None, "image/jpeg", "photos")
        payload: dict[str, Any] = {
            "photo": [
                {**self._file_ref(small), "width": 90, "height": 90},
                {**self._file_ref(file), "width": 800, "height": 600},
            ]
        }
        if caption is not None:
            payload["caption"] = caption
        return self._user_message(user_id, chat_type, chat_id, payload)

    def user_sends_voice(
        self,
        user_id: int,
        duration: int = 3,
        chat_type: str = "private",
        chat_id: int | None = None,
    ) -> int:
        """The user sends a voice note."""
        file = self._store_file(b"OggS-fake-voice", None, "audio/ogg", "voice")
        voice = {**self._file_ref(file), "duration": duration, "mime_type": "audio/ogg"}
        return self._user_message(user_id, chat_type, chat_id, {"voice": voice})

    def user_sends_document(
        self,
        user_id: int,
        filename: str = "notes.txt",
        data: bytes = b"some notes\n",
        mime_type: str = "text/plain",
        chat_type: str = "private",
        chat_id: int | None = None,
        *,
        caption: str | None = None,
    ) -> int:
        """The user sends a file; the bot can fetch it with getFile + download."""
        file = self._store_file(data, filename, mime_type, "documents")
        document = {**self._file_ref(file), "file_name": filename, "mime_type": mime_type}
        payload: dict[str, Any] = {"document": document}
        if caption is not None:
            payload["caption"] = caption
        return self._user_message(user_id, chat_type, chat_id, payload)

    def user_sends_location(
        self,
        user_id: int,
        latitude: float = 52.52,
        longitude: float = 13.405,
        chat_type: str = "private",
        chat_id: int | None = None,
    ) -> int:
        """The user shares a location."""
        location = {"latitude": latitude, "longitude": longitude}
        return self._user_message(user_id, chat_type, chat_id, {"location": location})

    def user_edits_message(
        self, user_id: int, message_id: int, new_text: str, chat_id: int | None = None
    ) -> int:
        """The user edits one of their earlier text messages (an edited_message update)."""
        chat = self._chat_for(user_id, "private" if chat_id is None else None, chat_id)
        message = self._messages[chat["id"]].get(message_id)
        if message is None or message.from_bot:
            raise ValueError(f"user message {message_id} not found in chat {chat['id']}")
        message.text = message.source_text = new_text
        message.edited = True
        message.edit_count += 1
        payload = self._message_json(message)
        payload["edit_date"] = int(time.time())
        kind = "edited_channel_post" if chat["type"] == "channel" else "edited_message"
        return self._push_update(kind, payload)

    def my_chat_member_kicked(self, user_id: int, chat_id: int | None = None) -> int:
        """The user blocks the bot: a my_chat_member update, and 403 on later sends."""
        return self._my_chat_member(user_id, chat_id, "member", "kicked")

    def my_chat_member_unblocked(self, user_id: int, chat_id: int | None = None) -> int:
        """The user unblocks the bot again."""
        return self._my_chat_member(user_id, chat_id, "kicked", "member")

    # ------------------------------------------------------------------------------ readers

    def messages_to(self, chat_id: int, *, include_deleted: bool = False) -> list[SentMessage]:
        """The bot's messages in this chat, oldest first (deleted ones hidden by default)."""
        return [
            m
            for m in self._messages.get(chat_id, {}).values()
            if m.from_bot and (include_deleted or not m.deleted)
        ]

    def last_message(self, chat_id: int) -> SentMessage | None:
        """The bot's newest visible message in this chat, or None."""
        messages = self.messages_to(chat_id)
        return messages[-1] if messages else None

    def message(self, chat_id: int, message_id: int) -> SentMessage | None:
        """Any stored message (bot's or user's) by id."""
        return self._messages.get(chat_id, {}).get(message_id)

    def requests_for(self, method: str) -> list[RecordedRequest]:
        """Recorded calls of one method (case-insensitive)."""
        return [r for r in self.requests if r.method.lower() == method.lower()]

    @property
    def long_poll_active(self) -> bool:
        """True while a getUpdates call is waiting on the server."""
        return self._active_poll is not None

    @property
    def pending_update_count(self) -> int:
        """Updates injected but not yet confirmed by a getUpdates offset."""
        return len(self._updates)

    def assert_no_400(self) -> None:
        """Fail if the fake answered any call with 400 Bad Request."""
        bad = [e for e in self.errors_4xx if e[1] == 400]
        assert not bad, f"the bot made {len(bad)} bad request(s): {bad}"

    async def wait_for(
        self,
        predicate: Callable[[], bool],
        timeout: float = 5.0,  # noqa: ASYNC109
        what: str | Callable[[], str] = "condition",
    ) -> None:
        """Wait (event driven) until ``predicate()`` holds; AssertionError after ``timeout``.

        It re-checks after every request the fake answers and every injected update.
        """
        await self._wait_until(predicate, lambda: self._changed, timeout, what)

    async def _wait_until(
        self,
        predicate: Callable[[], bool],
        event: Callable[[], asyncio.Event],
        seconds: float,
        what: str | Callable[[], str],
    ) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while not predicate():
            remaining = deadline - loop.time()
            if remaining <= 0:
                description = what() if callable(what) else what
                raise AssertionError(
                    f"timed out after {seconds}s waiting for {description}; recent 4xx "
                    f"answers: {self.errors_4xx[-5:]}"
                )
            await self._wait_event(event(), remaining)

    async def wait_for_messages(
        self,
        chat_id: int,
        count: int,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> list[SentMessage]:
        """Wait until the bot has sent at least ``count`` messages to this chat in total
        (deleted ones count too, so a deleted placeholder does not stall the wait); returns
        the visible messages."""
        # A per-chat event, so many concurrent waiters do not all wake on every request.
        await self._wait_until(
            lambda: self._bot_sent[chat_id] >= count,
            lambda: self._chat_events.setdefault(chat_id, asyncio.Event()),
            timeout,
            lambda: (
                f"{count} bot message(s) in chat {chat_id} (have {self._bot_sent[chat_id]}: "
                f"{[m.text or m.caption for m in self.messages_to(chat_id)]})"
            ),
        )
        return self.messages_to(chat_id)

    async def wait_for_request(
        self,
        method: str,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> list[RecordedRequest]:
        """Wait until the bot has made at least ``count`` calls of ``method``."""
        await self.wait_for(
            lambda: len(self.requests_for(method)) >= count, timeout, f"{count} x {method}"
        )
        return self.requests_for(method)

    # ---------------------------------------------------------------------------- internals

    def _notify(self) -> None:
        # One event per generation: every waiter wakes, re-checks, and waits on the next one.
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()

    @staticmethod
    async def _wait_event(event: asyncio.Event, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await event.wait()

    def _user(self, user_id: int) -> dict[str, Any]:
        if user_id not in self._users:
            self._users[user_id] = {
                "id": user_id,
                "is_bot": False,
                "first_name": f"User{user_id}",
                "language_code": "en",
            }
        return self._users[user_id]

    def _chat_for(self, user_id: int, chat_type: str | None, chat_id: int | None) -> dict[str, Any]:
        """Find or create the chat a user acts in (private chat id == user id)."""
        if chat_id is None:
            if chat_type in (None, "private"):
                chat_id = user_id
            elif chat_type == "group":
                chat_id = -abs(user_id)
            else:
                chat_id = int(f"-100{abs(user_id)}")
        if chat_id in self._chats:
            return self._chats[chat_id]
        chat_type = chat_type or ("private" if chat_id > 0 else "group")
        if chat_type == "private":
            user = self._user(user_id)
            chat = {"id": chat_id, "type": "private", "first_name": user["first_name"]}
            if "username" in user:
                chat["username"] = user["username"]
        elif chat_type in ("group", "supergroup", "channel"):
            chat = {"id": chat_id, "type": chat_type, "title": f"Test {chat_type} {chat_id}"}
        else:
            raise ValueError(f"unknown chat_type {chat_type!r}")
        self._chats[chat_id] = chat
        return chat

    def _new_message_id(self, chat_id: int) -> int:
        self._next_message_id[chat_id] += 1
        return self._next_message_id[chat_id]

    def _user_message(
        self, user_id: int, chat_type: str, chat_id: int | None, payload: dict[str, Any]
    ) -> int:
        chat = self._chat_for(user_id, chat_type, chat_id)
        message = SentMessage(
            chat_id=chat["id"],
            message_id=self._new_message_id(chat["id"]),
            date=int(time.time()),
            from_bot=False,
            from_user_id=user_id,
            method="user",
            text=payload.get("text"),
            source_text=payload.get("text"),
            caption=payload.get("caption"),
            entities=payload.get("entities", []),
            reply_to_message_id=payload.get("reply_to_message_id"),
            extra={k: v for k, v in payload.items() if k not in ("text", "caption", "entities")},
        )
        message.extra.pop("reply_to_message_id", None)
        self._messages[chat["id"]][message.message_id] = message
        kind = "channel_post" if chat["type"] == "channel" else "message"
        return self._push_update(kind, self._message_json(message))

    def _my_chat_member(self, user_id: int, chat_id: int | None, old: str, new: str) -> int:
        chat = self._chat_for(user_id, "private" if chat_id is None else None, chat_id)
        if new == "kicked":
            self.block(chat["id"])
        else:
            self.unblock(chat["id"])

        def member(status: str) -> dict[str, Any]:
            data: dict[str, Any] = {"user": self.bot_user, "status": status}
            if status == "kicked":
                data["until_date"] = 0
            return data

        update = {
            "chat": chat,
            "from": self._user(user_id),
            "date": int(time.time()),
            "old_chat_member": member(old),
            "new_chat_member": member(new),
        }
        return self._push_update("my_chat_member", update)

    def _push_update(self, kind: str, payload: dict[str, Any]) -> int:
        update_id = self._next_update_id
        self._next_update_id += 1
        self.injected_at[update_id] = time.perf_counter()
        # Telegram never queues update types the bot did not ask for.
        if self._allowed(kind):
            self._updates.append({"update_id": update_id, kind: payload})
        self._notify()
        return update_id

    def _allowed(self, kind: str) -> bool:
        if self._allowed_updates is None:
            return kind not in _OPT_IN_UPDATES
        return kind in self._allowed_updates

    def _message_json(self, m: SentMessage) -> dict[str, Any]:
        chat = self._chats.get(m.chat_id) or {"id": m.chat_id, "type": "private"}
        data: dict[str, Any] = {"message_id": m.message_id, "date": m.date, "chat": chat}
        if m.from_bot:
            data["from"] = self.bot_user
        elif chat["type"] == "channel":
            data["sender_chat"] = chat
        else:
            data["from"] = self._user(m.from_user_id if m.from_user_id is not None else m.chat_id)
        if m.text is not None:
            data["text"] = m.text
            if m.entities:
                data["entities"] = m.entities
        if m.caption is not None:
            data["caption"] = m.caption
            if m.entities:
                data["caption_entities"] = m.entities
        data.update(m.extra)
        if m.reply_markup and "inline_keyboard" in m.reply_markup:
            data["reply_markup"] = m.reply_markup  # only inline keyboards are echoed back
        if m.reply_to_message_id is not None:
            replied = self._messages[m.chat_id].get(m.reply_to_message_id)
            if replied is not None and replied is not m:
                data["reply_to_message"] = self._message_json(replied)
        if m.edited and m.from_bot:
            data["edit_date"] = int(time.time())
        return data

    def _store_file(
        self, data: bytes, filename: str | None, mime_type: str | None, folder: str
    ) -> _StoredFile:
        n = next(self._file_seq)
        suffix = filename.rsplit(".", 1)[-1] if filename and "." in filename else "bin"
        file = _StoredFile(
            file_id=f"FAKEFILE{n:08d}{folder}",
            file_unique_id=f"U{n:08d}",
            data=data,
            filename=filename,
            mime_type=mime_type,
            file_path=f"{folder}/file_{n}.{suffix}",
        )
        self._files[file.file_id] = file
        self._files_by_path[file.file_path] = file
        return file

    @staticmethod
    def _file_ref(file: _StoredFile) -> dict[str, Any]:
        return {
            "file_id": file.file_id,
            "file_unique_id": file.file_unique_id,
            "file_size": len(file.data),
        }

    # ----------------------------------------------------------------------------- HTTP glue

    async def _handle(self, request: web.Request) -> web.Response:
        received_at = time.perf_counter()
        token = request.match_info["token"]
        method = request.match_info["method"]
        params: dict[str, Any] = {}
        try:
            if not _TOKEN_RE.fullmatch(token):
                raise ApiError(404, "Not Found")
            if token != self.token:
                raise ApiError(401, "Unauthorized")
            params, files = await self._read_params(request)
            handler = self._methods.get(method.lower())
            if handler is None:
                raise ApiError(404, "Not Found")
            self._check_injected(method)
            self._check_rate(method)
            # Handlers store it on messages before their first await, so it cannot go stale.
            self._request_received_at = received_at
            result = handler(params, files)
            if inspect.isawaitable(result):
                result = await result
        except ApiError as error:
            self._record(method, params, error.status, error.description, received_at)
            body: dict[str, Any] = {
                "ok": False,
                "error_code": error.status,
                "description": error.description,
            }
            if error.retry_after is not None:
                body["parameters"] = {"retry_after": error.retry_after}
            return web.json_response(body, status=error.status)
        self._record(method, params, 200, None, received_at)
        return web.json_response({"ok": True, "result": result})

    async def _handle_file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        file = self._files_by_path.get(request.match_info["path"])
        if file is None:
            return web.json_response(
                {"ok": False, "error_code": 404, "description": "Not Found"}, status=404
            )
        return web.Response(
            body=file.data, content_type=file.mime_type or "application/octet-stream"
        )

    def _record(
        self,
        method: str,
        params: dict[str, Any],
        status: int,
        description: str | None,
        received_at: float,
    ) -> None:
        self.requests.append(RecordedRequest(method, params, status, description, received_at))
        if 400 <= status < 500:
            self.errors_4xx.append((method, status, description or ""))
        self._notify()

    async def _read_params(self, request: web.Request) -> tuple[dict[str, Any], dict[str, Any]]:
        """Decode query string, urlencoded, multipart or JSON bodies into typed params."""
        raw: dict[str, Any] = dict(request.query)
        files: dict[str, tuple[str | None, bytes, str | None]] = {}
        if request.body_exists:
            if request.content_type == "application/json":
                try:
                    body = await request.json()
                except ValueError as exc:
                    raise _bad("can't parse JSON object") from exc
                if not isinstance(body, dict):
                    raise _bad("can't parse JSON object")
                raw.update(body)
            else:
                form = await request.post()
                for key, value in form.items():
                    if isinstance(value, web.FileField):
                        files[key] = (value.filename, value.file.read(), value.content_type)
                    else:
                        raw[key] = value
        params = {key: self._coerce(key, value) for key, value in raw.items()}
        for key, value in list(params.items()):
            if isinstance(value, str) and value.startswith("attach://"):
                name = value.removeprefix("attach://")
                if name not in files:
                    raise _bad(f"file {name} not found in the request")
                files[key] = files.pop(name)
        # Record uploads by name, never their bytes.
        params.update({k: f"<file {v[0]}>" for k, v in files.items()})
        return params, files

    @staticmethod
    def _coerce(key: str, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        try:
            if key in _JSON_FIELDS:
                return json.loads(value)
            if key in _INT_FIELDS and re.fullmatch(r"-?\d+", value):
                return int(value)
            if key in _FLOAT_FIELDS:
                return float(value)
        except ValueError as exc:
            raise _bad(f"can't parse {key} JSON object") from exc
        if key in _BOOL_FIELDS:
            return value.lower() in ("true", "1")
        return value

    def _check_injected(self, method: str) -> None:
        for injected in self._injected:
            if injected.times > 0 and injected.method in ("*", method.lower()):
                injected.times -= 1
                if injected.status == 429:
                    self.rate_limited_count += 1
                raise ApiError(injected.status, injected.description, injected.retry_after)

    def _check_rate(self, method: str) -> None:
        name = method.lower()
        counted = name.startswith(("send", "edit", "copy", "forward")) and name != "sendchataction"
        if self.rate_limit_per_s is None or not counted:
            return
        now = time.monotonic()
        while self._send_window and self._send_window[0] <= now - 1.0:
            self._send_window.popleft()
        if len(self._send_window) >= self.rate_limit_per_s:
            retry_after = max(1, math.ceil(self._send_window[0] + 1.0 - now))
            self.rate_limited_count += 1
            raise ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after)
        self._send_window.append(now)

    # ----------------------------------------------------------------------- method helpers

    def _target_chat(self, params: dict[str, Any]) -> dict[str, Any]:
        """Resolve chat_id for a send/edit; 400 if missing or unknown, 403 if blocked."""
        chat_id = params.get("chat_id")
        if chat_id in (None, ""):
            raise _bad("chat_id is empty")
        if isinstance(chat_id, str):
            matches = [c for c in self._chats.values() if c.get("username") == chat_id[1:]]
            if not chat_id.startswith("@") or not matches:
                raise _bad("chat not found")
            chat = matches[0]
        elif chat_id in self._chats:
            chat = self._chats[chat_id]
        elif self.strict_chats:
            raise _bad("chat not found")
        else:
            kind = "private" if chat_id > 0 else "group"
            if str(chat_id).startswith("-100"):
                kind = "supergroup"
            chat = self._chat_for(chat_id, kind, chat_id)
        if chat["id"] in self._blocked:
            raise ApiError(403, self._blocked_description(chat))
        return chat

    @staticmethod
    def _blocked_description(chat: dict[str, Any]) -> str:
        if chat["type"] == "private":
            return "Forbidden: bot was blocked by the user"
        if chat["type"] == "channel":
            return "Forbidden: bot is not a member of the channel chat"
        return f"Forbidden: bot was kicked from the {chat['type']} chat"

    def _format(
        self, params: dict[str, Any], key: str, *, caption: bool = False
    ) -> tuple[str | None, list[dict[str, Any]]]:
        """Apply parse_mode and Telegram's length/emptiness rules to text or caption."""
        source = params.get(key)
        if source is not None and not isinstance(source, str):
            source = str(source)
        if not source:
            if caption:
                return None, []
            raise _bad("message text is empty")
        parse_mode = params.get("parse_mode") or ""
        entities_key = "caption_entities" if caption else "entities"
        if parse_mode.lower() == "html":
            visible, entities = parse_html(source, strict_entities=self.strict_html_entities)
        elif parse_mode.lower() == "markdownv2":
            visible, entities = check_markdown_v2(source), []
        elif parse_mode == "" or parse_mode.lower() == "markdown":
            visible, entities = source, list(params.get(entities_key) or [])
        else:
            raise _bad(f"unsupported parse_mode {parse_mode}")
        visible, entities = _strip_visible(visible, entities)
        if not visible:
            if caption:
                return None, []
            raise _bad("message text is empty")
        limit = MAX_CAPTION_LENGTH if caption else MAX_TEXT_LENGTH
        if utf16_len(visible) > limit:
            raise _bad("message caption is too long" if caption else "message is too long")
        return visible, entities

    @staticmethod
    def _markup(
        params: dict[str, Any],
    ) -> tuple[dict[str, Any] | None, list[list[tuple[str, str | None]]], list[list[str]]]:
        """Validate reply_markup; returns (markup, inline buttons, reply keyboard labels)."""
        markup = params.get("reply_markup")
        if markup is None:
            return None, [], []
        if not isinstance(markup, dict):
            raise _bad("can't parse reply keyboard markup JSON object")
        buttons: list[list[tuple[str, str | None]]] = []
        keyboard: list[list[str]] = []
        if "inline_keyboard" in markup:
            for row in markup["inline_keyboard"]:
                out_row = []
                for button in row:
                    text = button.get("text", "")
                    if not text:
                        raise _bad("BUTTON_TEXT_INVALID")
                    if "callback_data" in button:
                        data = button["callback_data"]
                        size = len(str(data).encode("utf-8"))
                        if not 1 <= size <= MAX_CALLBACK_DATA_BYTES:
                            raise _bad("BUTTON_DATA_INVALID")
                        out_row.append((text, str(data)))
                    elif len(button) == 1:
                        raise _bad("text buttons are unallowed in the inline keyboard")
                    else:
                        out_row.append((text, None))
                buttons.append(out_row)
        elif "keyboard" in markup:
            keyboard = [
                [b if isinstance(b, str) else b.get("text", "") for b in row]
                for row in markup["keyboard"]
            ]
        return markup, buttons, keyboard

    def _store_bot_message(self, chat: dict[str, Any], method: str, **fields: Any) -> SentMessage:
        message = SentMessage(
            chat_id=chat["id"],
            message_id=self._new_message_id(chat["id"]),
            date=int(time.time()),
            method=method,
            **fields,
        )
        self._messages[chat["id"]][message.message_id] = message
        self._bot_sent[chat["id"]] += 1
        waiting = self._chat_events.pop(chat["id"], None)
        if waiting is not None:
            waiting.set()
        return message

    def _reply_to(self, params: dict[str, Any]) -> int | None:
        reply = params.get("reply_parameters")
        if isinstance(reply, dict) and "message_id" in reply:
            return int(reply["message_id"])
        value = params.get("reply_to_message_id")
        return int(value) if value is not None else None

    def _editable(self, params: dict[str, Any]) -> SentMessage:
        if params.get("inline_message_id"):
            raise _bad("message to edit not found")
        chat = self._target_chat(params)
        message_id = params.get("message_id")
        if message_id in (None, ""):
            raise _bad("message identifier is not specified")
        message = self._messages[chat["id"]].get(message_id)
        if message is None or message.deleted:
            raise _bad("message to edit not found")
        if not message.from_bot:
            raise _bad("message can't be edited")
        return message

    # ------------------------------------------------------------------------------ methods

    async def _get_updates(self, p: dict[str, Any], files: dict[str, Any]) -> list[dict[str, Any]]:
        if self.webhook_url:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; use "
                "deleteWebhook to delete the webhook first",
            )
        offset = p.get("offset")
        limit = min(100, max(1, int(p.get("limit") or 100)))
        timeout = max(0.0, float(p.get("timeout") or 0))
        allowed = p.get("allowed_updates")
        if allowed is not None:
            self._allowed_updates = frozenset(allowed) if allowed else None
            self._updates = [u for u in self._updates if self._allowed(self._kind(u))]
        if offset is not None:
            offset = int(offset)
            if offset < 0:
                self._updates = self._updates[offset:]
            else:
                self._updates = [u for u in self._updates if u["update_id"] >= offset]

        poll_id = next(self._poll_seq)
        if self._active_poll is not None and self.conflict_on_parallel_polls:
            self._kicked_polls.add(self._active_poll)
        self._active_poll = poll_id
        self._notify()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        try:
            while True:
                if poll_id in self._kicked_polls:
                    self._kicked_polls.discard(poll_id)
                    raise ApiError(
                        409,
                        "Conflict: terminated by other getUpdates request; make sure that only "
                        "one bot instance is running",
                    )
                remaining = deadline - loop.time()
                if self._updates or self._closing or remaining <= 0:
                    return self._updates[:limit]
                await self._wait_event(self._changed, remaining)
        finally:
            if self._active_poll == poll_id:
                self._active_poll = None

    @staticmethod
    def _kind(update: dict[str, Any]) -> str:
        return next(k for k in update if k != "update_id")

    def _set_webhook(self, p: dict[str, Any], files: dict[str, Any]) -> bool:
        url = str(p.get("url") or "")
        if url and not url.startswith("https://"):
            raise _bad("bad webhook: An HTTPS URL must be provided for webhook")
        self.webhook_url = url
        if p.get("drop_pending_updates"):
            self._updates.clear()
        return True

    def _delete_webhook(self, p: dict[str, Any], files: dict[str, Any]) -> bool:
        self.webhook_url = ""
        if p.get("drop_pending_updates"):
            self._updates.clear()
        return True

    def _get_webhook_info(self, p: dict[str, Any], files: dict[str, Any]) -> dict[str, Any]:
        return {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }

    def _send_message(self, p: dict[str, Any], files: dict[str, Any]) -> dict[str, Any]:
        text, entities = self._format(p, "text")
        markup, buttons, keyboard = self._markup(p)
        chat = self._target_chat(p)
        message = self._store_bot_message(
            chat,
            "sendMessage",
            text=text,
            source_text=p.get("text"),
            parse_mode=p.get("parse_mode"),
            entities=entities,
            reply_markup=markup,
            buttons=buttons,
            reply_keyboard=keyboard,
            reply_to_message_id=self._reply_to(p),
            received_at=self._request_received_at,
        )
        return self._message_json(message)

    def _upload(
        self, p: dict[str, Any], files: dict[str, Any], key: str, folder: str
    ) -> _StoredFile | None:
        """Store an uploaded file; a known file_id is reused; a URL is accepted without bytes."""
        if key in files:
            filename, data, mime = files[key]
            if not data:
                raise _bad("file must be non-empty")
            return self._store_file(data, filename, mime, folder)
        ref = p.get(key)
        if not ref:
            raise _bad(f"there is no {key} in the request")
        if ref in self._files:
            return self._files[ref]
        if isinstance(ref, str) and ref.startswith(("http://", "https://")):
            return None
        raise _bad("wrong file identifier/HTTP URL specified")

    def _send_document(self, p: dict[str, Any], files: dict[str, Any]) -> dict[str, Any]:
        file = self._upload(p, files, "document", "documents")
        caption, entities = self._format(p, "caption", caption=True)
        markup, buttons, keyboard = self._markup(p)
        chat = self._target_chat(p)
        extra: dict[str, Any] = {}
        if file is not None:
            extra["document"] = {
                **self._file_ref(file),
                "file_name": file.filename or "document",
                "mime_type": file.mime_type or "application/octet-stream",
            }
        message = self._store_bot_message(
            chat,
            "sendDocument",
            caption=caption,
            source_text=p.get("caption"),
            parse_mode=p.get("parse_mode"),
            entities=entities,
            reply_markup=markup,
            buttons=buttons,
            reply_keyboard=keyboard,
            document=file.data if file else None,
            document_filename=file.filename if file else None,
            reply_to_message_id=self._reply_to(p),
            received_at=self._request_received_at,
            extra=extra,
        )
        return self._message_json(message)

    def _send_photo(self, p: dict[str, Any], files: dict[str, Any]) -> dict[str, Any]:
        file = self._upload(p, files, "photo", "photos")
        caption, entities = self._format(p, "caption", caption=True)
        markup, buttons, keyboard = self._markup(p)
        chat = self._target_chat(p)
        extra: dict[str, Any] = {}
        if file is not None:
            extra["photo"] = [{**self._file_ref(file), "width": 800, "height": 600}]
        message = self._store_bot_message(
            chat,
            "sendPhoto",
            caption=caption,
            source_text=p.get("caption"),
            parse_mode=p.get("parse_mode"),
            entities=entities,
            reply_markup=markup,
            buttons=buttons,
            reply_keyboard=keyboard,
            photo=file.data if file else None,
            reply_to_message_id=self._reply_to(p),
            received_at=self._request_received_at,
            extra=extra,
        )
        return self._message_json(message)

    def _edit_message_text(self, p: dict[str, Any], files: dict[str, Any]) -> dict[str, Any]:
        text, entities = self._format(p, "text")
        markup, buttons, _ = self._markup(p)
        message = self._editable(p)
        if message.text is None:
            raise _bad("there is no text in the message to edit")
        # Editing text without reply_markup removes the inline keyboard, as on Telegram.
        if (text, entities, markup) == (message.text, message.entities, message.reply_markup):
            raise _bad(_NOT_MODIFIED.removeprefix("Bad Request: "))
        message.text, message.entities = text, entities
        message.source_text, message.parse_mode = p.get("text"), p.get("parse_mode")
        message.reply_markup, message.buttons = markup, buttons
        self._mark_edited(message)
        return self._message_json(message)

    def _edit_message_caption(self, p: dict[str, Any], files: dict[str, Any]) -> dict[str, Any]:
        caption, entities = self._format(p, "caption", caption=True)
        markup, buttons, _ = self._markup(p)
        message = self._editable(p)
        if message.text is not None:
            raise _bad("there is no caption in the message to edit")
        if (caption, entities, markup) == (message.caption, message.entities, message.reply_markup):
            raise _bad(_NOT_MODIFIED.removeprefix("Bad Request: "))
        message.caption, message.entities = caption, entities
        message.source_text, message.parse_mode = p.get("caption"), p.get("parse_mode")
        message.reply_markup, message.buttons = markup, buttons
        self._mark_edited(message)
        return self._message_json(message)

    def _edit_message_reply_markup(
        self, p: dict[str, Any], files: dict[str, Any]
    ) -> dict[str, Any]:
        markup, buttons, _ = self._markup(p)
        message = self._editable(p)
        if markup == message.reply_markup or (not markup and not message.reply_markup):
            raise _bad(_NOT_MODIFIED.removeprefix("Bad Request: "))
        message.reply_markup, message.buttons = markup, buttons
        self._mark_edited(message)
        return self._message_json(message)

    def _mark_edited(self, message: SentMessage) -> None:
        message.edited = True
        message.edit_count += 1

    def _delete_message(self, p: dict[str, Any], files: dict[str, Any]) -> bool:
        chat = self._target_chat(p)
        message = self._messages[chat["id"]].get(p.get("message_id"))
        if message is None or message.deleted:
            raise _bad("message to delete not found")
        message.deleted = True
        return True

    def _answer_callback_query(self, p: dict[str, Any], files: dict[str, Any]) -> bool:
        query_id = str(p.get("callback_query_id") or "")
        query = self._queries.get(query_id)
        expired = (
            query is not None
            and self.callback_query_ttl_s is not None
            and time.monotonic() - query.created > self.callback_query_ttl_s
        )
        if query is None or query.answered or expired:
            raise _bad(_QUERY_TOO_OLD.removeprefix("Bad Request: "))
        text = p.get("text")
        if text is not None and len(str(text)) > MAX_CALLBACK_ANSWER_TEXT:
            raise _bad("MESSAGE_TOO_LONG")
        query.answered = True
        self.callback_answers.append(
            CallbackAnswer(
                query_id=query_id,
                user_id=query.user_id,
                text=text,
                show_alert=bool(p.get("show_alert")),
                url=p.get("url"),
                cache_time=p.get("cache_time"),
            )
        )
        return True

    def _send_chat_action(self, p: dict[str, Any], files: dict[str, Any]) -> bool:
        action = p.get("action")
        if action not in _CHAT_ACTIONS:
            raise _bad("wrong parameter action in request")
        chat = self._target_chat(p)
        self.chat_actions.append((chat["id"], action))
        return True

    @staticmethod
    def _commands_key(p: dict[str, Any]) -> tuple[str, str]:
        scope = p.get("scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True), str(p.get("language_code") or "")

    def _set_my_commands(self, p: dict[str, Any], files: dict[str, Any]) -> bool:
        commands = p.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise _bad("can't parse commands JSON object")
        for command in commands:
            name = str(command.get("command", ""))
            if not re.fullmatch(r"[a-z0-9_]{1,32}", name):
                raise _bad("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise _bad("command description must be non-empty")
        self.commands[self._commands_key(p)] = [
            {"command": c["command"], "description": c["description"]} for c in commands
        ]
        return True

    def _get_my_commands(self, p: dict[str, Any], files: dict[str, Any]) -> list[dict[str, str]]:
        return self.commands.get(self._commands_key(p), [])

    def _delete_my_commands(self, p: dict[str, Any], files: dict[str, Any]) -> bool:
        self.commands.pop(self._commands_key(p), None)
        return True

    def _get_file(self, p: dict[str, Any], files: dict[str, Any]) -> dict[str, Any]:
        file = self._files.get(str(p.get("file_id") or ""))
        if file is None:
            raise _bad("invalid file_id")
        return {**self._file_ref(file), "file_path": file.file_path}

    def _get_chat(self, p: dict[str, Any], files: dict[str, Any]) -> dict[str, Any]:
        chat = self._chats.get(p.get("chat_id"))  # type: ignore[arg-type]
        if chat is None:
            raise _bad("chat not found")
        return {**chat, "accent_color_id": 0, "max_reaction_count": 11}


# --------------------------------------------------------------------------------------------
# pytest fixture (import it in conftest.py: ``from fakebot import fake_bot_api``)
# --------------------------------------------------------------------------------------------

try:
    import pytest
except ImportError:  # the benchmark imports this module without pytest installed
    pass
else:

    @pytest.fixture
    async def fake_bot_api() -> AsyncIterator[FakeBotApi]:
        """A running FakeBotApi for one test (pytest-asyncio, asyncio_mode=auto)."""
        async with FakeBotApi() as api:
            yield api
