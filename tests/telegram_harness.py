"""The Telegram test harness: the real Application polling a fake Bot API on 127.0.0.1."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.clock import FakeClock
from bot.config import Settings
from bot.telegram import build_application, running
from fakebot import FakeBotApi, SentMessage
from storage import Store

REPO = Path(__file__).resolve().parent.parent
# Typed answers from /start to the first guide question (R1).
ONBOARD = ["/start", "yes", "Sam", "skip", "Berlin", "9"]


class Harness:
    """One bot process-equivalent: a Store on the test's DB file and a polling Application."""

    def __init__(
        self, api: FakeBotApi, db_path: Path, clock: FakeClock, **app_options: Any
    ) -> None:
        """``app_options`` go to build_application (rate_limiter, on_start, on_stop)."""
        self.api, self.db_path, self.clock = api, db_path, clock
        self.app_options = app_options
        self.store: Store | None = None
        self._ctx: contextlib.AbstractAsyncContextManager | None = None  # type: ignore[type-arg]
        self.app = None

    async def start(self) -> Harness:
        settings = Settings(
            token=self.api.token,
            api_base_url=self.api.base_url,
            file_base_url=self.api.base_file_url,
            db_path=self.db_path,
        )
        self.store = await Store.open(self.db_path)
        self.app = build_application(settings, self.store, self.clock, **self.app_options)
        self._ctx = running(self.app, poll_timeout=1.0)
        await self._ctx.__aenter__()
        await settle(self.api)
        return self

    async def stop(self) -> None:
        assert self._ctx is not None and self.store is not None
        await self._ctx.__aexit__(None, None, None)
        await self.store.close()

    async def say(self, user: int, *texts: str) -> list[SentMessage]:
        """The user types each text (waiting for the bot in between); returns the new
        messages the bot sent for the last one."""
        new: list[SentMessage] = []
        for text in texts:
            before = len(self.api.messages_to(user))
            self.api.user_sends_text(user, text)
            await settle(self.api)
            new = self.api.messages_to(user)[before:]
        return new

    async def press(self, user: int, label: str) -> list[SentMessage]:
        """The user taps the button with this label on the newest message showing it."""
        message = newest_with_button(self.api, user, label)
        data = dict(b for row in message.buttons for b in row)[label]
        before = len(self.api.messages_to(user))
        self.api.user_presses(user, message.message_id, data)
        await settle(self.api)
        return self.api.messages_to(user)[before:]

    async def stage(self, user: int) -> str:
        assert self.store is not None
        uid = await self.store.find_user("telegram", str(user))
        assert uid is not None
        return (await self.store.load(uid)).stage


async def settle(api: FakeBotApi, timeout: float = 15.0) -> None:  # noqa: ASYNC109
    """Wait until the bot has handled and confirmed every update and is polling again."""
    await api.wait_for(
        lambda: api.pending_update_count == 0 and api.long_poll_active,
        timeout,
        "the bot to handle all updates",
    )


def newest_with_button(api: FakeBotApi, user: int, label: str) -> SentMessage:
    for message in reversed(api.messages_to(user)):
        if label in message.button_texts:
            return message
    raise AssertionError(f"no message shows a {label!r} button: {api.messages_to(user)}")


def texts(messages: list[SentMessage]) -> str:
    return "\n".join(m.text or m.caption or "" for m in messages)


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi() as fake:
        yield fake
        fake.assert_no_400()


@pytest.fixture
async def bot(api: FakeBotApi, db_path: Path, clock: FakeClock) -> AsyncIterator[Harness]:
    harness = await Harness(api, db_path, clock).start()
    yield harness
    await harness.stop()


def _rekindle() -> list[str]:
    script = Path(sys.executable).parent / "rekindle"
    return [str(script)] if script.exists() else [sys.executable, "-m", "bot.cli"]


def _env(api: FakeBotApi | None, db_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "REKINDLE_"))}
    env["PYTHONPATH"] = str(REPO)
    env["REKINDLE_DB"] = str(db_path)
    if api is not None:
        env.update(
            TELEGRAM_BOT_TOKEN=api.token,
            TELEGRAM_API_BASE_URL=api.base_url,
            TELEGRAM_FILE_BASE_URL=api.base_file_url,
        )
    env.update(extra)
    return env
