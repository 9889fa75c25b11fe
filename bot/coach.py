"""The one path every event takes: event -> engine step -> one commit -> replies.

Transports (Telegram, the terminal) and the scheduler call ``Coach.handle`` or
``Coach.fire``; neither knows anything about the guide.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
from collections import OrderedDict
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import timedelta

from bot.clock import Clock
from dialogs import engine
from dialogs.actions import REENGAGE_AFTER
from dialogs.model import Attachment, Button, Event, Reply, ServiceAction, Step, Timer, UserState
from storage import Nudge, Store

log = logging.getLogger("rekindle.coach")


class _KeyedLocks:
    """One asyncio.Lock per user, dropped when nobody holds or waits for it."""

    def __init__(self) -> None:
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}

    @asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[None]:
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[key]
            if users <= 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)


class Coach:
    def __init__(
        self, store: Store, clock: Clock, *, channel: str, cache_size: int = 10_000
    ) -> None:
        self.store = store
        self.clock = clock
        self.channel = channel
        self._locks = _KeyedLocks()
        self._ids: dict[str, int] = {}  # external id -> user id (derivable, so safe to cache)
        # The state each recent user's last turn committed. Write-through: storage stays the
        # truth, this only saves reading back what we just wrote (a round trip per turn).
        self._states: OrderedDict[int, UserState] = OrderedDict()
        self.cache_size = cache_size

    async def handle(
        self,
        external_id: str,
        event: Event,
        *,
        chat_id: int | None = None,
        update_id: int | None = None,
    ) -> list[Reply]:
        """Step one user by one event. Strictly in order per user; idempotent per update id."""
        async with self._locks.hold(external_id):
            now = self.clock.now()
            uid = self._ids.get(external_id)
            if uid is None:
                uid = await self.store.user_id(self.channel, external_id, chat_id=chat_id, now=now)
                self._ids[external_id] = uid
            old = await self._load(uid)
            result = engine.step(old, event, now)
            kept = encode_replies(result.replies) if update_id is not None else None
            try:
                await self.store.commit(
                    uid, old, result.state, result.effects, now, update_id=update_id,
                    replies=kept,
                )  # fmt: skip
            except sqlite3.IntegrityError as err:
                self._states.pop(uid, None)
                if update_id is not None and "processed_updates" in str(err):
                    # Redelivered (the process stopped before Telegram heard we had it): the
                    # turn already happened, in the same transaction as its update id. Its
                    # replies may not have gone out, so they go again: at least once.
                    log.info("skip update=%s reason=already-processed resend=yes", update_id)
                    blob = await self.store.replies_for_update(update_id)
                    return decode_replies(blob) if blob else []
                raise
            except BaseException:
                self._states.pop(uid, None)
                raise
            self._remember(uid, result.state)
            log.info(
                "turn user=%s event=%s stage=%s->%s replies=%d",
                uid, type(event).__name__, old.stage, result.state.stage, len(result.replies),
            )  # fmt: skip
            return await self._after_commit(uid, result)

    async def fire(self, nudge: Nudge, external_id: str) -> list[Reply] | None:
        """A due nudge: the same path as a typed message (Timer event -> engine -> one commit).

        The commit also moves the nudge row to 'sending' with the rendered replies on it, so
        a crash before they are sent can re-send them (see bot/scheduler.py). Returns the
        replies to send ([] when the nudge no longer applies), or None when the nudge was
        cancelled or handled meanwhile.
        """
        async with self._locks.hold(external_id):  # in turn with the user's own messages
            now = self.clock.now()
            self._states.pop(nudge.user_id, None)  # the commit changes the user's nudges
            old = await self.store.load(nudge.user_id)
            result = engine.step(old, Timer(nudge.kind, nudge.payload, nudge.id, nudge.due), now)
            replies = [r for r in result.replies if r.text.strip()]
            claimed = await self.store.commit_nudge(
                nudge.user_id, old, result.state, result.effects, now, nudge_id=nudge.id,
                replies=encode_replies(replies) if replies else None,
                rearm_reengage=now + REENGAGE_AFTER if nudge.kind == "reengage" else None,
            )  # fmt: skip
        if not claimed:
            return None
        log.info("nudge id=%s kind=%s user=%s replies=%d", nudge.id, nudge.kind,
                 nudge.user_id, len(replies))  # fmt: skip
        return replies

    async def _chart(self, uid: int, state: UserState) -> Attachment:
        """The /progress chart, drawn off the event loop (matplotlib takes ~100 ms)."""
        from bot.chart import ProgressData, render_progress_png

        now = self.clock.now()
        checkins, slips = await self.store.history(uid, now - timedelta(days=90))
        data = ProgressData(
            tz=state.tz or "UTC",
            checkins=checkins,
            slips=slips,
            no_contact_start=state.no_contact_start,
            no_contact_days=state.no_contact_days,
        )
        png = await asyncio.to_thread(render_progress_png, data, now=now)
        return Attachment("progress.png", png, "photo")

    async def _load(self, uid: int) -> UserState:
        state = self._states.get(uid)
        return state if state is not None else await self.store.load(uid)

    def _remember(self, uid: int, state: UserState) -> None:
        self._states[uid] = state
        self._states.move_to_end(uid)
        while len(self._states) > self.cache_size:
            self._states.popitem(last=False)

    def forget(self, uid: int) -> None:
        """Drop what is cached for a user (after a change made outside a turn)."""
        self._states.pop(uid, None)

    async def _after_commit(self, uid: int, result: Step) -> list[Reply]:
        replies = list(result.replies)
        for effect in result.effects:
            if not isinstance(effect, ServiceAction):
                continue
            if effect.name == "delete":
                await self.store.delete_user(uid)
                self._states.pop(uid, None)
                self._ids = {k: v for k, v in self._ids.items() if v != uid}
                log.info("deleted user=%s", uid)
            elif effect.name == "progress":
                replies = _attach(replies, await self._chart(uid, result.state))
            elif effect.name == "export":
                data = await self.store.export(uid)
                blob = json.dumps(data, ensure_ascii=False, indent=2).encode()
                file = Attachment("rekindle-export.json", blob, "document")
                replies = _attach(replies, file)
        return replies


def _attach(replies: list[Reply], file: Attachment) -> list[Reply]:
    """Put a file on the last reply without buttons (or a new one)."""
    for i in range(len(replies) - 1, -1, -1):
        if not replies[i].buttons:
            replies[i] = replace(replies[i], attachment=file)
            return replies
    return [*replies, Reply("", attachment=file)]


def encode_replies(replies: Iterable[Reply]) -> str:
    """Replies as JSON, kept with a nudge or an update so they can be sent again after a
    crash. Attachments are not kept (an export or a chart is simply asked for again)."""
    return json.dumps(
        [
            {
                "text": r.text,
                "buttons": [[[b.label, b.choice] for b in row] for row in r.buttons],
                "state": r.state,
                "ver": r.ver,
            }
            for r in replies
        ],
        ensure_ascii=False,
    )


def decode_replies(blob: str) -> list[Reply]:
    return [
        Reply(
            r["text"],
            tuple(tuple(Button(label, choice) for label, choice in row) for row in r["buttons"]),
            r["state"],
            r["ver"],
        )
        for r in json.loads(blob)
    ]
