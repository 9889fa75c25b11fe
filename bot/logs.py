"""Logging: one key=value line per event, no message text by default, never the bot token.

The token ends up in log records more easily than one would think: PTB logs its base URL
(which contains the token) at DEBUG, httpx logs every request URL at INFO, and network
exceptions can quote URLs. So a filter on our handler redacts anything shaped like a bot
token from every record, and the chattiest loggers are turned down.
"""

from __future__ import annotations

import logging
import re
import sys
import traceback
from typing import IO

TOKEN_PATTERN = re.compile(r"\d{5,16}:[A-Za-z0-9_-]{30,}")
REDACTED = "<token>"

# Loggers that log message text (PTB's request parameters, aiosqlite's SQL arguments) at DEBUG.
_TEXT_LOGGERS = ("telegram", "aiosqlite")
# Loggers that log request URLs (with the token in them) at INFO.
_URL_LOGGERS = ("httpx", "httpcore")

_FORMAT = "%(asctime)s level=%(levelname)s logger=%(name)s %(message)s"


def redact(text: str) -> str:
    """Replace every bot-token-shaped substring with ``<token>``."""
    return TOKEN_PATTERN.sub(REDACTED, text)


class RedactTokens(logging.Filter):
    """Rewrites a record so that neither its message, its arguments nor its traceback
    can carry a bot token to any handler it is attached to."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string must not kill logging
            message = f"{record.msg!r} {record.args!r}"
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = "".join(traceback.format_exception(*record.exc_info))
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        record.exc_info = None  # the (redacted) text above is what gets printed
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def _install_record_factory() -> None:
    """Redact at record creation too, so handlers we do not own (pytest's caplog, a
    journald handler added later) never see a token either."""
    current = logging.getLogRecordFactory()
    if getattr(current, "_rekindle", False):
        return
    redactor = RedactTokens()

    def factory(*args: object, **kwargs: object) -> logging.LogRecord:
        record = current(*args, **kwargs)
        redactor.filter(record)
        return record

    factory._rekindle = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)


class OneLineFormatter(logging.Formatter):
    """Keeps every event on one line: tracebacks and multi-line messages are folded."""

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        return text.replace("\r", "").replace("\n", " | ")


def setup_logging(
    level: str | int = "INFO", *, log_text: bool = False, stream: IO[str] | None = None
) -> logging.Handler:
    """Configure the root logger for the bot and return its handler.

    ``log_text`` allows loggers that print user text at DEBUG (PTB's request parameters,
    aiosqlite's SQL arguments) to do so; by default they are held at INFO. ``stream``
    defaults to stderr.
    """
    numeric = logging.getLevelName(level.upper()) if isinstance(level, str) else level
    if not isinstance(numeric, int):
        numeric = logging.INFO
    _install_record_factory()
    root = logging.getLogger()
    for old in list(root.handlers):
        if getattr(old, "_rekindle", False):
            root.removeHandler(old)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler._rekindle = True  # type: ignore[attr-defined]
    handler.addFilter(RedactTokens())
    handler.setFormatter(OneLineFormatter(_FORMAT))
    root.addHandler(handler)
    root.setLevel(numeric)
    for name in _URL_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    for name in _TEXT_LOGGERS:
        logging.getLogger(name).setLevel(numeric if log_text else max(numeric, logging.INFO))
    return handler
