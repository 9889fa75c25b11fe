"""Logging: one line per event, no user text by default, and never the bot token."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.clock import FakeClock
from bot.config import Settings
from bot.logs import RedactTokens, setup_logging
from bot.telegram import build_application, running
from fakebot import FakeBotApi
from storage import Store

TOKEN = "123456789:AAFakeTokenForTestsOnly_0123456789ab"
SECRET_TEXT = "my ex Zebulon hurt me badly"  # what a user might type; must not be logged


@pytest.fixture
def clean_logging() -> Iterator[None]:
    """Give each test its own logging setup and put the old one back afterwards."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    names = ("httpx", "httpcore", "telegram", "aiosqlite")
    levels = {name: logging.getLogger(name).level for name in names}
    factory = logging.getLogRecordFactory()
    yield
    logging.setLogRecordFactory(factory)
    for handler in list(root.handlers):
        if handler not in handlers:
            root.removeHandler(handler)
    root.setLevel(level)
    for name, old in levels.items():
        logging.getLogger(name).setLevel(old)


def test_token_is_redacted_from_message_args_and_traceback(clean_logging: None) -> None:
    stream = io.StringIO()
    setup_logging("DEBUG", stream=stream)
    log = logging.getLogger("rekindle.test")
    log.info("calling https://api.telegram.org/bot%s/getMe", TOKEN)
    log.info(f"literal {TOKEN} in the message")
    try:
        raise RuntimeError(f"connect to /bot{TOKEN}/sendMessage failed")
    except RuntimeError:
        log.exception("request failed")
    output = stream.getvalue()
    assert TOKEN not in output and TOKEN.split(":")[1] not in output
    assert output.count("<token>") == 3
    # One line per event, tracebacks folded in.
    assert len(output.strip().splitlines()) == 3
    assert "RuntimeError" in output


def test_filter_survives_a_broken_format_string() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "bad %d %s", (TOKEN,), None)
    assert RedactTokens().filter(record) is True
    assert TOKEN not in record.getMessage()


def test_noisy_loggers_are_held_back(clean_logging: None) -> None:
    setup_logging("DEBUG")
    # httpx logs every request URL (with the token) at INFO.
    assert not logging.getLogger("httpx").isEnabledFor(logging.INFO)
    # PTB's DEBUG request dump and aiosqlite's SQL arguments carry user text.
    assert not logging.getLogger("telegram.Bot").isEnabledFor(logging.DEBUG)
    assert not logging.getLogger("aiosqlite").isEnabledFor(logging.DEBUG)
    setup_logging("DEBUG", log_text=True)
    assert logging.getLogger("telegram.Bot").isEnabledFor(logging.DEBUG)


@pytest.mark.parametrize("log_text", [False, True])
async def test_a_conversation_at_debug_logs_events_but_no_token_or_text(
    clean_logging: None, tmp_path: Path, caplog: pytest.LogCaptureFixture, log_text: bool
) -> None:
    stream = io.StringIO()
    setup_logging("DEBUG", stream=stream, log_text=log_text)
    caplog.set_level(logging.DEBUG)
    async with FakeBotApi(token=TOKEN) as api:
        settings = Settings(
            token=api.token, api_base_url=api.base_url, file_base_url=api.base_file_url,
            db_path=tmp_path / "bot.db",
        )  # fmt: skip
        store = await Store.open(settings.db_path)
        app = build_application(settings, store, FakeClock())
        async with running(app, poll_timeout=0.5):
            for n, text in enumerate(["/start", "yes", "Sam", SECRET_TEXT], start=1):
                api.user_sends_text(77, text)
                await api.wait_for_messages(77, n, timeout=10)
            api.inject_error("sendMessage", 403, "Forbidden: bot was blocked by the user")
            api.user_sends_text(77, "still there?")
            await api.wait_for(lambda: len(api.errors_4xx) == 1, 10)
        await store.close()
        api.assert_no_400()
    for output in (stream.getvalue(), caplog.text):
        assert "turn user=" in output and "blocked chat=77" in output
        assert TOKEN not in output and TOKEN.split(":")[1] not in output
        # With log_text PTB logs its URL and the requests: redacted, and text allowed.
        assert ("/bot<token>" in output) is log_text
        assert (SECRET_TEXT in output) is log_text
    assert all("\n" not in line for line in stream.getvalue().splitlines())
