"""Stop after any turn, start again on the same file: the conversation carries on intact."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.clock import FakeClock
from conftest import ONBOARDING, REFLECT_HEALTHY, START, Driver
from dialogs.model import UserState
from storage import Store

SCRIPT = [
    *ONBOARDING,
    *REFLECT_HEALTHY,
    "/journal",
    "Today was hard but okay",
    "/checkin",
    "2",
    "7",
    "Missed them at lunch",
    ":advance 30d",
    "Yes, I want to reconnect",
    "I've sent it",
]


def _essence(state: UserState) -> tuple[object, ...]:
    """What the user would notice; the question counter and summaries are left out."""
    return (
        state.stage,
        state.resume,
        sorted(state.flags),
        state.name,
        state.tz,
        state.checkin_hour,
        state.no_contact_start,
        state.lists,
        state.answers,
        state.counts,
        [(m, u) for _, m, u in state.recent_checkins],
    )


async def _run(db: Path, lines: list[str], clock: FakeClock, tmp: Path, *, fresh: bool) -> Driver:
    store = await Store.open(db)
    chat = Driver(store, clock, "me", tmp)
    if not fresh:
        await chat.send("/start")  # what a restarted process does first
    await chat.script(lines)
    return chat


async def _reference(tmp_path: Path) -> tuple[tuple[object, ...], int]:
    clock = FakeClock(START)
    chat = await _run(tmp_path / "ref.db", SCRIPT, clock, tmp_path, fresh=True)
    essence = _essence(await chat.state())
    rows = await chat.store.conn.execute_fetchall("SELECT count(*) FROM journal")
    await chat.store.close()
    return essence, next(iter(rows))[0]


@pytest.mark.parametrize("cut", range(1, len(SCRIPT)))
async def test_restart_after_any_turn_loses_nothing(tmp_path: Path, cut: int) -> None:
    expected, journal_rows = await _reference(tmp_path)
    clock = FakeClock(START)
    db = tmp_path / "cut.db"
    first = await _run(db, SCRIPT[:cut], clock, tmp_path, fresh=True)
    await first.store.close()  # the process stops here
    second = await _run(db, SCRIPT[cut:], clock, tmp_path, fresh=False)
    try:
        assert _essence(await second.state()) == expected
        rows = await second.store.conn.execute_fetchall("SELECT count(*) FROM journal")
        assert next(iter(rows))[0] == journal_rows
    finally:
        await second.store.close()
