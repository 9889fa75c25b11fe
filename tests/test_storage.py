"""Storage on real SQLite files: schema, one-transaction turns, restarts, privacy."""

from __future__ import annotations

import sqlite3
import stat
from datetime import timedelta
from pathlib import Path

import pytest

from conftest import ONBOARDING, START
from dialogs.model import Record, Schedule, UserState
from storage import Store
from storage.migrations import MIGRATIONS


async def test_new_database_is_migrated_wal_and_owner_only(db_path: Path, store: Store) -> None:
    assert await store.schema_version() == len(MIGRATIONS)
    mode = stat.S_IMODE(db_path.stat().st_mode)
    assert mode == 0o600
    con = sqlite3.connect(db_path)
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert con.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    con.close()


async def test_reopening_does_not_migrate_twice(db_path: Path) -> None:
    s = await Store.open(db_path)
    uid = await s.user_id("console", "x", now=START)
    await s.close()
    s = await Store.open(db_path)
    assert await s.find_user("console", "x") == uid
    await s.close()


async def test_a_turn_round_trips(store: Store) -> None:
    uid = await store.user_id("console", "u", now=START)
    old = await store.load(uid)
    new = UserState(stage="pros", ver=3, name="Sam", tz="Europe/Berlin", checkin_hour=9)
    new.lists = {"pros": ["kind", "<b>funny</b>"], "cons": ["late"]}
    new.answers = {"health_fights": "no"}
    new.flags = {"adult"}
    new.scratch = {"sel:motives": ["timing"]}
    new.no_contact_start = START
    effects = [
        Record("checkins", {"mood": 4, "urge": 2, "note": None, "created_at": START}),
        Record("journal", {"kind": "entry", "text": "hello", "created_at": START}),
        Schedule("checkin", START + timedelta(days=1)),
    ]
    await store.commit(uid, old, new, effects, START, update_id=42)
    back = await store.load(uid)
    assert back.stage == "pros" and back.ver == 3 and back.name == "Sam"
    assert back.lists == new.lists and back.answers == new.answers and back.flags == {"adult"}
    assert back.scratch == new.scratch and back.no_contact_start == START
    assert back.recent_checkins == [(START, 4, 2)]
    assert back.counts["journal"] == 1
    assert back.next_nudge == ("checkin", START + timedelta(days=1))
    assert await store.seen_update(42)


async def test_a_failed_turn_leaves_nothing_behind(store: Store) -> None:
    uid = await store.user_id("console", "u", now=START)
    old = await store.load(uid)
    new = UserState(stage="pros", name="Sam")
    new.lists = {"pros": ["kind"]}
    bad = [Record("checkins", {"mood": 9, "urge": 0})]  # violates the mood CHECK
    with pytest.raises(sqlite3.IntegrityError):
        await store.commit(uid, old, new, bad, START, update_id=7)
    back = await store.load(uid)
    assert back.stage == "new" and back.lists == {} and not await store.seen_update(7)


async def test_an_update_id_is_consumed_once(store: Store) -> None:
    uid = await store.user_id("telegram", "1", now=START)
    state = await store.load(uid)
    await store.commit(uid, state, state, [], START, update_id=5)
    with pytest.raises(sqlite3.IntegrityError):
        await store.commit(uid, state, state, [], START, update_id=5)


async def test_rescheduling_replaces_the_pending_nudge(store: Store) -> None:
    uid = await store.user_id("console", "u", now=START)
    s = await store.load(uid)
    await store.commit(uid, s, s, [Schedule("checkin", START + timedelta(hours=1))], START)
    await store.commit(uid, s, s, [Schedule("checkin", START + timedelta(hours=2))], START)
    pending = await store.pending_nudges(uid)
    assert [(n.kind, n.due) for n in pending] == [("checkin", START + timedelta(hours=2))]


async def test_export_holds_everything_the_user_said(chat, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    await chat.script([*ONBOARDING, "no", "1", "done", "/journal", "Dear diary, pineapple-42"])
    said = await chat.send("/export")
    assert "saved to" in said
    export = (tmp_path / "exports" / "rekindle-export.json").read_text()
    assert "pineapple-42" in export and '"display_name": "Sam"' in export
    assert "The timing was off" in export


async def test_delete_removes_every_byte_of_the_users_text(chat, db_path: Path) -> None:  # type: ignore[no-untyped-def]
    phrase = "zebra-marmalade-8841"
    await chat.script([*ONBOARDING, "no", "1", "done", "/journal", f"Secret {phrase}"])
    await chat.script(["/pros", f"{phrase} pro", "done"])
    assert phrase.encode() in _raw(db_path)
    await chat.send("/delete")
    said = await chat.send("Yes, delete everything")
    assert "deleted" in said
    assert await chat.store.find_user("console", chat.profile) is None
    assert phrase.encode() not in _raw(db_path)
    assert b"Sam" not in _raw(db_path)
    said = await chat.send("hello again")  # the next message starts fresh
    assert "Are you 18 or older?" in said


async def test_delete_can_be_called_off(chat) -> None:  # type: ignore[no-untyped-def]
    await chat.script([*ONBOARDING, "/delete"])
    await chat.send("No, keep it")
    state = await chat.state()
    assert state.stage == "availability" and state.name == "Sam"


def _raw(db_path: Path) -> bytes:
    data = db_path.read_bytes()
    for extra in (Path(f"{db_path}-wal"), Path(f"{db_path}-shm")):
        if extra.exists():
            data += extra.read_bytes()
    return data


async def test_old_update_ids_are_pruned_and_recent_ones_kept(store: Store) -> None:
    uid = await store.user_id("telegram", "9", now=START)
    state = await store.load(uid)
    await store.commit(uid, state, state, [], START, update_id=1, replies="[]")
    later = START + timedelta(days=3)
    await store.commit(uid, state, state, [], later, update_id=2, replies="[]")
    assert await store.prune_updates(later - timedelta(days=2)) == 1
    assert not await store.seen_update(1)  # older than Telegram would ever redeliver
    assert await store.seen_update(2) and await store.replies_for_update(2) == "[]"
