"""Shared fixtures: a fake clock, a real SQLite store in a temp dir, and a chat driver."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.clock import FakeClock
from bot.console import ConsoleChat, to_event
from dialogs.model import UserState
from fakebot import fake_bot_api  # noqa: F401  (fixture)
from storage import Store
from telegram_harness import api, bot  # noqa: F401  (fixtures: the fake Bot API, a bot on it)

# A Monday morning in Berlin (08:00 UTC = 09:00 local).
START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "rekindle.db"


@pytest.fixture
async def store(db_path: Path) -> AsyncIterator[Store]:
    s = await Store.open(db_path)
    yield s
    await s.close()


class Driver:
    """Talks to the coach through the console transport, like a person at a terminal.

    ``await chat.send("yes")`` returns what the coach printed in answer.
    """

    def __init__(self, store: Store, clock: FakeClock, profile: str, export_dir: Path) -> None:
        self.out = io.StringIO()
        self.store = store
        self.clock = clock
        self.profile = profile
        self.chat = ConsoleChat(store, clock, self.out, profile=profile, export_dir=export_dir)

    async def send(self, line: str) -> str:
        start = len(self.out.getvalue())
        if line.startswith(":"):
            await self.chat.control(line)
        else:
            c = self.chat
            await c.send(to_event(line, c.buttons, c.state, c.ver))
        return self.out.getvalue()[start:]

    async def script(self, lines: list[str]) -> str:
        said = ""
        for line in lines:
            said = await self.send(line)
        return said

    async def state(self) -> UserState:
        uid = await self.store.find_user("console", self.profile)
        return await self.store.load(uid) if uid is not None else UserState()

    @property
    def buttons(self) -> list[str]:
        return [b.label for b in self.chat.buttons]


@pytest.fixture
def make_chat(store: Store, clock: FakeClock, tmp_path: Path):  # type: ignore[no-untyped-def]
    def make(profile: str = "tester", s: Store | None = None) -> Driver:
        return Driver(s or store, clock, profile, tmp_path / "exports")

    return make


@pytest.fixture
def chat(make_chat) -> Driver:  # type: ignore[no-untyped-def]
    return make_chat()


# Scripted answers that walk the guide; shared by journey and restart tests.
ONBOARDING = ["/start", "1", "Sam", "Alex", "Berlin", "9"]
REFLECT_HEALTHY = [
    "no",  # R1: they're single
    "The timing was off",  # R2: toggle a good reason
    "3",  # R2: "I see them in a new light"
    "done",
    "no",  # R3: fights
    "yes",  # enjoy
    "yes",  # best
    "yes",  # support
    "no",  # afraid / controlled / hurt
    "Let's make the lists",  # R4
    "They are kind to my friends",
    "done",
    "Sometimes flaky",
    "done",
    "I want to go on",
    "Start today",  # R5
    "A new hobby",  # C1
    "done",
]
