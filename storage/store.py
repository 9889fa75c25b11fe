"""The Store: aiosqlite access for users, their dialogue state, logs and nudges.

One connection, WAL mode. Every turn is one transaction (``commit``): the new
dialogue state, the rows the turn appended, the nudges it scheduled or
cancelled and the Telegram update id it consumed land together or not at all.
"""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiosqlite

from dialogs.model import Cancel, Effect, Hold, Record, Release, Retime, Schedule, UserState
from storage.migrations import MIGRATIONS

# Tables a turn may append to, and the columns it may set (guards against typos).
APPEND_TABLES: dict[str, tuple[str, ...]] = {
    "journal": ("kind", "text"),
    "checkins": ("mood", "urge", "note"),
    "slips": ("restarted",),
    "outcomes": ("kind",),
    "drafts": ("kind", "text", "verdict"),
    "signs": ("score", "selected"),
}
USER_TABLES = (
    "answers",
    "list_items",
    "journal",
    "checkins",
    "slips",
    "outcomes",
    "drafts",
    "signs",
    "nudges",
    "processed_updates",
)


def default_db_path() -> Path:
    """$REKINDLE_DB, else the per-user data directory (XDG on Linux)."""
    if env := os.environ.get("REKINDLE_DB"):
        return Path(env).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "rekindle" / "rekindle.db"


def _prepare_file(path: str | Path) -> Path:
    """Create the database file owner-only before SQLite does (it would use the umask)."""
    path = Path(path).expanduser()
    if str(path) != ":memory:":
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.close(os.open(path, os.O_CREAT | os.O_RDWR, 0o600))
        os.chmod(path, 0o600)
    return path


def ts(moment: datetime) -> int:
    return int(moment.timestamp())


def dt(seconds: int | None) -> datetime | None:
    return None if seconds is None else datetime.fromtimestamp(seconds, UTC)


@dataclass(frozen=True)
class Nudge:
    id: int
    user_id: int
    kind: str
    due: datetime
    payload: dict[str, Any]
    attempts: int = 0


@dataclass(frozen=True)
class DueNudge:
    """A due nudge with what the dispatcher needs to know about its user to decide on it."""

    nudge: Nudge
    external_id: str
    chat_id: int | None
    tz: str | None
    checkin_hour: int | None
    quiet_start: int
    quiet_end: int
    paused: bool
    active: bool
    last_seen: datetime  # the user's last message (or sign-up when they never wrote)
    last_nudge: datetime | None  # the last proactive message we sent them


@dataclass(frozen=True)
class Sending:
    """A nudge committed as 'sending': its rendered replies (JSON) and where they go."""

    id: int
    user_id: int
    kind: str
    external_id: str
    chat_id: int | None
    replies: str


_LOAD = """
SELECT u.stage, u.dialogue, u.display_name, u.ex_name, u.tz, u.checkin_hour,
       u.quiet_start, u.quiet_end, u.no_contact_start, u.no_contact_days, u.paused,
       (SELECT json_group_array(json_array(list, text))
          FROM (SELECT list, text FROM list_items WHERE user_id = u.id ORDER BY id)),
       (SELECT json_group_object(key, value) FROM answers WHERE user_id = u.id),
       (SELECT json_group_array(json_array(created_at, mood, urge))
          FROM (SELECT created_at, mood, urge FROM checkins WHERE user_id = u.id
                ORDER BY id DESC LIMIT 7)),
       (SELECT count(*) FROM journal WHERE user_id = u.id AND kind != 'urge'),
       (SELECT count(*) FROM slips WHERE user_id = u.id),
       (SELECT count(*) FROM journal WHERE user_id = u.id AND kind = 'urge'),
       (SELECT json_array(kind, due_at) FROM nudges
          WHERE user_id = u.id AND status = 'pending' AND kind != 'reengage'
          ORDER BY due_at LIMIT 1),
       (SELECT json_group_array(score)
          FROM (SELECT score FROM signs WHERE user_id = u.id ORDER BY id DESC LIMIT 5))
FROM users u WHERE u.id = ?
"""


class Store:
    """Async access to the database. Open with ``await Store.open(path)``."""

    def __init__(self, conn: aiosqlite.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path

    # -- lifecycle ------------------------------------------------------------------------
    @classmethod
    async def open(cls, path: str | Path, *, synchronous: str = "NORMAL") -> Store:
        path = await asyncio.to_thread(_prepare_file, path)
        conn = await aiosqlite.connect(str(path), isolation_level="IMMEDIATE")
        store = cls(conn, path)
        await store._configure(synchronous)
        await store._migrate()
        return store

    async def _configure(self, synchronous: str) -> None:
        for pragma in (
            "PRAGMA journal_mode = WAL",
            f"PRAGMA synchronous = {synchronous}",  # NORMAL: durable across app crashes in WAL
            "PRAGMA foreign_keys = ON",
            "PRAGMA busy_timeout = 5000",
            "PRAGMA secure_delete = ON",  # deleted text is overwritten, not left in free pages
        ):
            await self.conn.execute(pragma)

    async def _migrate(self) -> None:
        rows = await self.conn.execute_fetchall("PRAGMA user_version")
        version = next(iter(rows))[0]
        for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
            await self.conn.executescript(
                f"BEGIN IMMEDIATE;\n{script}\nPRAGMA user_version = {number};\nCOMMIT;"
            )

    async def schema_version(self) -> int:
        rows = await self.conn.execute_fetchall("PRAGMA user_version")
        return int(next(iter(rows))[0])

    async def close(self) -> None:
        await self.conn.close()

    async def __aenter__(self) -> Store:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # -- users ------------------------------------------------------------------------------
    async def user_id(
        self, channel: str, external_id: str, *, chat_id: int | None = None, now: datetime
    ) -> int:
        """The internal id of this person, created on first contact."""
        rows = await self.conn.execute_fetchall(
            "SELECT id FROM users WHERE channel = ? AND external_id = ?", (channel, external_id)
        )
        for (uid,) in rows:
            return int(uid)
        return await self._in_db_thread(_insert_user, channel, external_id, chat_id, ts(now))

    async def find_user(self, channel: str, external_id: str) -> int | None:
        rows = await self.conn.execute_fetchall(
            "SELECT id FROM users WHERE channel = ? AND external_id = ?", (channel, external_id)
        )
        return next((int(r[0]) for r in rows), None)

    async def chat_of(self, user_id: int) -> tuple[str, str, int | None, bool] | None:
        """(channel, external_id, chat_id, active) of a user."""
        rows = await self.conn.execute_fetchall(
            "SELECT channel, external_id, chat_id, active FROM users WHERE id = ?", (user_id,)
        )
        return next(((r[0], r[1], r[2], bool(r[3])) for r in rows), None)

    async def set_active(self, user_id: int, active: bool) -> None:
        """Mark a user (in)active. Back to active (they unblocked the bot), the nudges held
        while they were blocked are pending again; the dispatcher decides what is stale."""
        await self._in_db_thread(_set_active, user_id, active)

    async def load(self, user_id: int) -> UserState:
        rows = list(await self.conn.execute_fetchall(_LOAD, (user_id,)))
        if not rows:
            return UserState()
        (stage, dialogue, name, ex, tz, hour, qs, qe, nc_start, nc_days, paused,
         lists_json, answers_json, checkins_json, n_journal, n_slips, n_urges, nudge_json,
         signs_json) = rows[0]  # fmt: skip
        d = json.loads(dialogue)
        lists: dict[str, list[str]] = {}
        for list_name, text in json.loads(lists_json):
            lists.setdefault(list_name, []).append(text)
        nxt = json.loads(nudge_json) if nudge_json else None
        return UserState(
            stage=stage,
            ver=d.get("ver", 0),
            resume=d.get("resume", []),
            flags=set(d.get("flags", [])),
            scratch=d.get("scratch", {}),
            name=name,
            ex_name=ex,
            tz=tz,
            checkin_hour=hour,
            quiet_start=qs,
            quiet_end=qe,
            no_contact_start=dt(nc_start),
            no_contact_days=nc_days,
            paused=bool(paused),
            lists=lists,
            answers=json.loads(answers_json) if answers_json else {},
            recent_checkins=[
                (dt(c), m, u)  # type: ignore[misc]
                for c, m, u in reversed(json.loads(checkins_json))
            ],
            counts={"journal": n_journal, "slips": n_slips, "resisted": n_urges},
            next_nudge=(nxt[0], dt(nxt[1])) if nxt else None,  # type: ignore[arg-type]
            signs_history=list(reversed(json.loads(signs_json))),
        )

    # -- the turn's transaction ---------------------------------------------------------------
    async def commit(
        self,
        user_id: int,
        old: UserState,
        new: UserState,
        effects: Iterable[Effect],
        now: datetime,
        *,
        update_id: int | None = None,
        replies: str | None = None,
    ) -> None:
        """Write one turn atomically: state, appended rows, nudges, the consumed update id
        (with the turn's encoded replies, so a redelivered update can be answered again)."""
        await self._in_db_thread(
            _commit_turn, user_id, old, new, list(effects), ts(now), update_id, replies
        )

    async def _in_db_thread(self, fn: Any, *args: Any) -> Any:
        """Run ``fn(sqlite3_connection, *args)`` on aiosqlite's worker thread, in one hop.

        A turn is several statements; sending them one by one costs a thread round trip
        each (about 50 us here). As one call they also cannot interleave with another
        coroutine's statements on the shared connection, so no lock is needed.
        """
        conn = self.conn
        return await conn._execute(fn, conn._conn, *args)

    async def replies_for_update(self, update_id: int) -> str | None:
        """The encoded replies a processed update was answered with (None if not kept)."""
        rows = await self.conn.execute_fetchall(
            "SELECT replies FROM processed_updates WHERE update_id = ?", (update_id,)
        )
        return next((r[0] for r in rows), None)

    async def prune_updates(self, before: datetime) -> int:
        """Forget update ids older than ``before``: Telegram redelivers for at most a day."""
        return await self._in_db_thread(_prune_updates, ts(before))

    async def seen_update(self, update_id: int) -> bool:
        rows = await self.conn.execute_fetchall(
            "SELECT 1 FROM processed_updates WHERE update_id = ?", (update_id,)
        )
        return bool(list(rows))

    # -- nudges -------------------------------------------------------------------------------
    async def next_due(self) -> datetime | None:
        rows = await self.conn.execute_fetchall(
            "SELECT min(due_at) FROM nudges WHERE status = 'pending'"
        )
        value = next(iter(rows))[0]
        return dt(value)

    async def pending_nudges(self, user_id: int) -> list[Nudge]:
        rows = await self.conn.execute_fetchall(
            "SELECT id, user_id, kind, due_at, payload, attempts FROM nudges"
            " WHERE status = 'pending' AND user_id = ? ORDER BY due_at",
            (user_id,),
        )
        return [
            Nudge(r[0], r[1], r[2], dt(r[3]), json.loads(r[4]), r[5])  # type: ignore[arg-type]
            for r in rows
        ]

    async def due_for_dispatch(
        self, now: datetime, *, user_id: int | None = None, limit: int = 500
    ) -> list[DueNudge]:
        """Pending nudges due at ``now`` (oldest first) with their users' settings."""
        sql = _DUE + (" AND n.user_id = ?" if user_id is not None else "")
        sql += " ORDER BY n.due_at, n.id LIMIT ?"
        params = (ts(now), user_id, limit) if user_id is not None else (ts(now), limit)
        rows = await self.conn.execute_fetchall(sql, params)
        return [_due(r) for r in rows]

    async def settle_nudges(
        self, moves: Iterable[tuple[int, datetime]], marks: Iterable[tuple[int, str]], now: datetime
    ) -> None:
        """The dispatcher's decisions that need no engine turn, in one transaction: pending
        nudges moved to a later ``due`` (quiet hours, one a day, re-armed), and nudges given a
        final or parked status (skipped, collapsed, paused, held)."""
        await self._in_db_thread(_settle, list(moves), list(marks), ts(now))

    async def commit_nudge(
        self,
        user_id: int,
        old: UserState,
        new: UserState,
        effects: Iterable[Effect],
        now: datetime,
        *,
        nudge_id: int,
        replies: str | None,
        rearm_reengage: datetime | None = None,
    ) -> bool:
        """Commit a nudge's turn in one transaction with the nudge itself: 'sending' with its
        rendered ``replies`` (JSON), or 'skipped' when there is nothing to say. A proactive
        message also stamps ``users.last_nudge_at``. False (and nothing written) when the
        nudge is no longer pending, e.g. a user turn cancelled it after it was claimed."""
        rearm = ts(rearm_reengage) if rearm_reengage else None
        done = await self._in_db_thread(
            _commit_nudge, user_id, old, new, list(effects), ts(now), nudge_id, replies, rearm
        )
        return bool(done)

    async def finish_nudge(self, nudge_id: int, status: str, now: datetime) -> None:
        """A 'sending' nudge went out ('sent') or could not ('blocked'); its copy of the
        messages is dropped (the user's words should not linger in a log table)."""
        await self._in_db_thread(
            _write,
            "UPDATE nudges SET status = ?, sent_at = ?, replies = NULL WHERE id = ?",
            (status, ts(now), nudge_id),
        )

    async def sending_nudges(self, *, user_id: int | None = None) -> list[Sending]:
        """Nudges left 'sending' by a crash between their commit and their send."""
        sql = (
            "SELECT n.id, n.user_id, n.kind, u.external_id, u.chat_id, n.replies FROM nudges n"
            " JOIN users u ON u.id = n.user_id WHERE n.status = 'sending'"
        )
        params: tuple[Any, ...] = ()
        if user_id is not None:
            sql += " AND n.user_id = ?"
            params = (user_id,)
        rows = await self.conn.execute_fetchall(sql + " ORDER BY n.id", params)
        return [Sending(r[0], r[1], r[2], r[3], r[4], r[5] or "[]") for r in rows]

    # -- history -------------------------------------------------------------------------------
    async def history(
        self, user_id: int, since: datetime
    ) -> tuple[list[tuple[datetime, int, int]], list[datetime]]:
        """Check-ins (time, mood, urge) and slip times since ``since``, oldest first."""
        checkins = await self.conn.execute_fetchall(
            "SELECT created_at, mood, urge FROM checkins WHERE user_id = ? AND created_at >= ?"
            " ORDER BY created_at, id",
            (user_id, ts(since)),
        )
        slips = await self.conn.execute_fetchall(
            "SELECT created_at FROM slips WHERE user_id = ? AND created_at >= ? ORDER BY id",
            (user_id, ts(since)),
        )
        return (
            [(dt(c), m, u) for c, m, u in checkins],  # type: ignore[misc]
            [dt(c) for (c,) in slips],  # type: ignore[misc]
        )

    # -- privacy --------------------------------------------------------------------------------
    async def export(self, user_id: int) -> dict[str, Any]:
        """Everything stored about one user, as plain JSON-ready data."""
        out: dict[str, Any] = {"format": "rekindle-export", "version": 1}
        rows = await self._dicts("SELECT * FROM users WHERE id = ?", (user_id,))
        user = rows[0] if rows else {}
        if user:
            user["dialogue"] = json.loads(user["dialogue"])
        out["user"] = _iso(user)
        for table in USER_TABLES:
            out[table] = [
                _iso(r)
                for r in await self._dicts(
                    f"SELECT * FROM {table} WHERE user_id = ? ORDER BY rowid"
                    if table != "answers"
                    else "SELECT * FROM answers WHERE user_id = ? ORDER BY key",
                    (user_id,),
                )
            ]
        return out

    async def _dicts(self, sql: str, params: tuple[Any, ...]) -> list[dict[str, Any]]:
        async with self.conn.execute(sql, params) as cur:
            names = [d[0] for d in cur.description]
            return [dict(zip(names, row, strict=True)) for row in await cur.fetchall()]

    async def delete_user(self, user_id: int) -> None:
        """Remove every row of this user, then fold the WAL into the main file so no copy of
        their text survives in either (secure_delete zeroes the freed pages)."""
        await self._in_db_thread(_write, "DELETE FROM users WHERE id = ?", (user_id,))
        await self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


_DUE = """
SELECT n.id, n.user_id, n.kind, n.due_at, n.payload, n.attempts, u.external_id, u.chat_id,
       u.tz, u.checkin_hour, u.quiet_start, u.quiet_end, u.paused, u.active,
       coalesce(u.last_seen_at, u.created_at), u.last_nudge_at
FROM nudges n JOIN users u ON u.id = n.user_id
WHERE n.status = 'pending' AND n.due_at <= ?"""


def _due(r: Any) -> DueNudge:
    nudge = Nudge(r[0], r[1], r[2], dt(r[3]), json.loads(r[4]), r[5])  # type: ignore[arg-type]
    return DueNudge(
        nudge, r[6], r[7], r[8], r[9], r[10], r[11], bool(r[12]), bool(r[13]),
        dt(r[14]), dt(r[15]),  # type: ignore[arg-type]
    )  # fmt: skip


_TIME_COLUMNS = frozenset(
    {"created_at", "updated_at", "last_seen_at", "due_at", "sent_at", "processed_at",
     "no_contact_start", "last_nudge_at"}
)  # fmt: skip


def _iso(row: dict[str, Any]) -> dict[str, Any]:
    return {
        k: (dt(v).isoformat() if k in _TIME_COLUMNS and isinstance(v, int) else v)  # type: ignore[union-attr]
        for k, v in row.items()
    }


# -- writes, run on the database thread, each one transaction ------------------------------------


def _write(db: sqlite3.Connection, sql: str, params: tuple[Any, ...]) -> None:
    with db:
        db.execute(sql, params)


def _set_active(db: sqlite3.Connection, user_id: int, active: bool) -> None:
    with db:
        db.execute("UPDATE users SET active = ? WHERE id = ?", (int(active), user_id))
        if active:
            db.execute(
                "UPDATE nudges SET status = 'pending' WHERE user_id = ? AND status = 'held'",
                (user_id,),
            )


def _settle(
    db: sqlite3.Connection, moves: list[tuple[int, datetime]], marks: list[tuple[int, str]], t: int
) -> None:
    with db:
        db.executemany(
            "UPDATE nudges SET due_at = ? WHERE id = ? AND status = 'pending'",
            [(ts(due), nid) for nid, due in moves],
        )
        db.executemany(
            "UPDATE nudges SET status = ?, sent_at = ? WHERE id = ? AND status = 'pending'",
            [(status, t, nid) for nid, status in marks],
        )


def _insert_user(
    db: sqlite3.Connection, channel: str, external_id: str, chat_id: int | None, t: int
) -> int:
    with db:
        row = db.execute(
            "INSERT INTO users (channel, external_id, chat_id, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (channel, external_id) DO UPDATE SET chat_id = excluded.chat_id"
            " RETURNING id",
            (channel, external_id, chat_id, t, t),
        ).fetchone()
    return int(row[0])


def _prune_updates(db: sqlite3.Connection, before: int) -> int:
    with db:
        count = db.execute(
            "DELETE FROM processed_updates WHERE processed_at < ?", (before,)
        ).rowcount
    return int(count)


def _commit_turn(
    db: sqlite3.Connection,
    user_id: int,
    old: UserState,
    new: UserState,
    effects: list[Effect],
    t: int,
    update_id: int | None,
    replies: str | None,
) -> None:
    with db:  # one transaction: commit on success, roll back on any error
        _turn(db, user_id, old, new, effects, t, update_id=update_id, replies=replies)


def _commit_nudge(
    db: sqlite3.Connection,
    user_id: int,
    old: UserState,
    new: UserState,
    effects: list[Effect],
    t: int,
    nudge_id: int,
    replies: str | None,
    rearm_reengage: int | None,
) -> bool:
    with db:
        claimed = db.execute(
            "UPDATE nudges SET status = ?, replies = ?, sent_at = ?, attempts = attempts + 1"
            " WHERE id = ? AND status = 'pending'",
            ("sending" if replies else "skipped", replies, t, nudge_id),
        ).rowcount
        if not claimed:
            return False  # cancelled or taken meanwhile; nothing was changed
        _turn(db, user_id, old, new, effects, t, nudge_id=nudge_id)
        if replies:
            db.execute("UPDATE users SET last_nudge_at = ? WHERE id = ?", (t, user_id))
        if rearm_reengage is not None:
            # The one re-engagement per silence: the next may only follow a new message.
            db.execute(
                "INSERT INTO nudges (user_id, kind, due_at, payload, created_at)"
                " VALUES (?, 'reengage', ?, ?, ?)",
                (user_id, rearm_reengage, json.dumps({"after": t}), t),
            )
    return True


def _turn(
    db: sqlite3.Connection,
    user_id: int,
    old: UserState,
    new: UserState,
    effects: list[Effect],
    t: int,
    *,
    update_id: int | None = None,
    replies: str | None = None,
    nudge_id: int | None = None,
) -> None:
    """The statements of one turn (the caller's ``with db:`` commits or rolls back)."""
    dialogue = json.dumps(
        {"ver": new.ver, "resume": new.resume, "flags": sorted(new.flags), "scratch": new.scratch},
        ensure_ascii=False,
    )
    db.execute(
        "UPDATE users SET stage = ?, dialogue = ?, display_name = ?, ex_name = ?,"
        " tz = ?, checkin_hour = ?, quiet_start = ?, quiet_end = ?,"
        " no_contact_start = ?, no_contact_days = ?, paused = ?,"
        " active = CASE WHEN ? IS NULL THEN 1 ELSE active END,"
        " updated_at = ?, last_seen_at = coalesce(?, last_seen_at) WHERE id = ?",
        (
            new.stage, dialogue, new.name, new.ex_name, new.tz, new.checkin_hour,
            new.quiet_start, new.quiet_end,
            ts(new.no_contact_start) if new.no_contact_start else None,
            new.no_contact_days, int(new.paused), nudge_id, t,
            None if nudge_id is not None else t, user_id,
        ),
    )  # fmt: skip
    _write_lists(db, user_id, old, new, t)
    _write_answers(db, user_id, old, new, t)
    for effect in effects:
        _apply(db, user_id, effect, t)
    if update_id is not None:
        db.execute(
            "INSERT INTO processed_updates (update_id, user_id, processed_at, replies)"
            " VALUES (?, ?, ?, ?)",
            (update_id, user_id, t, replies),
        )


def _write_lists(
    db: sqlite3.Connection, user_id: int, old: UserState, new: UserState, t: int
) -> None:
    for name in set(old.lists) | set(new.lists):
        before, after = old.lists.get(name, []), new.lists.get(name, [])
        if before == after:
            continue
        if after[: len(before)] == before:  # the common case: items appended
            added = after[len(before) :]
        else:
            db.execute("DELETE FROM list_items WHERE user_id = ? AND list = ?", (user_id, name))
            added = after
        db.executemany(
            "INSERT INTO list_items (user_id, list, text, created_at) VALUES (?, ?, ?, ?)",
            [(user_id, name, text, t) for text in added],
        )


def _write_answers(
    db: sqlite3.Connection, user_id: int, old: UserState, new: UserState, t: int
) -> None:
    changed = [(k, v) for k, v in new.answers.items() if old.answers.get(k) != v]
    if changed:
        db.executemany(
            "INSERT INTO answers (user_id, key, value, updated_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (user_id, key) DO UPDATE SET value = excluded.value,"
            " updated_at = excluded.updated_at",
            [(user_id, k, v, t) for k, v in changed],
        )


def _apply(db: sqlite3.Connection, user_id: int, effect: Effect, t: int) -> None:
    match effect:
        case Record(table=table, fields=fields):
            columns = APPEND_TABLES[table]
            created = fields.get("created_at")
            db.execute(
                f"INSERT INTO {table} (user_id, {', '.join(columns)}, created_at)"
                f" VALUES (?, {', '.join('?' for _ in columns)}, ?)",
                (user_id, *(fields.get(c) for c in columns), ts(created) if created else t),
            )
        case Schedule(kind=kind, due=due, payload=payload, replace=replace):
            if replace:
                db.execute(
                    "UPDATE nudges SET status = 'cancelled'"
                    " WHERE user_id = ? AND kind = ? AND status = 'pending'",
                    (user_id, kind),
                )
            db.execute(
                "INSERT INTO nudges (user_id, kind, due_at, payload, created_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (user_id, kind, ts(due), json.dumps(payload), t),
            )
        case Cancel(kinds=kinds) if kinds:
            marks = ", ".join("?" for _ in kinds)
            db.execute(
                f"UPDATE nudges SET status = 'cancelled' WHERE user_id = ?"
                f" AND status = 'pending' AND kind IN ({marks})",
                (user_id, *kinds),
            )
        case Cancel():
            db.execute(
                "UPDATE nudges SET status = 'cancelled' WHERE user_id = ? AND status = 'pending'",
                (user_id,),
            )
        case Hold():
            db.execute(
                "UPDATE nudges SET status = 'paused' WHERE user_id = ? AND status = 'pending'",
                (user_id,),
            )
        case Release(not_before=not_before):
            # What fell due during the pause comes back no earlier than ``not_before``.
            db.execute(
                "UPDATE nudges SET status = 'pending', due_at = max(due_at, ?)"
                " WHERE user_id = ? AND status = 'paused'",
                (ts(not_before), user_id),
            )
        case Retime(args=args):
            _retime(db, user_id, args)
        case _:
            pass  # other service actions run after the commit


# Nudges the engine re-times itself when settings change (or that follow no clock hour).
_SELF_TIMED = ("checkin", "checkin_snooze", "reengage")


def _retime(db: sqlite3.Connection, user_id: int, args: dict[str, Any]) -> None:
    """New time zone, check-in hour or quiet hours: each pending nudge keeps its day (on the
    user's new calendar) and moves to the new check-in hour, outside quiet hours, never into
    the past."""
    from dialogs.timezones import zone_for
    from dialogs.timing import defer_past_quiet_hours, local_day, next_local_time

    zone, hour, now = args["zone"], args["hour"], args["now"]
    qs, qe = args["quiet_start"], args["quiet_end"]
    marks = ", ".join("?" for _ in _SELF_TIMED)
    rows = db.execute(
        f"SELECT id, due_at FROM nudges WHERE user_id = ? AND status = 'pending'"
        f" AND kind NOT IN ({marks})",
        (user_id, *_SELF_TIMED),
    ).fetchall()
    moves = []
    for nid, due_at in rows:
        day = local_day(datetime.fromtimestamp(due_at, UTC), zone)
        midnight = datetime.combine(day, datetime.min.time()).replace(tzinfo=zone_for(zone))
        due = next_local_time(max(midnight.astimezone(UTC), now), zone, hour)
        moves.append((ts(defer_past_quiet_hours(due, zone, qs, qe)), nid))
    db.executemany("UPDATE nudges SET due_at = ? WHERE id = ?", moves)
