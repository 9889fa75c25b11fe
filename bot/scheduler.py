"""Nudges that survive restarts: one dispatcher over the SQLite ``nudges`` table.

The schedule is the ``nudges`` table, written in the same transaction as the turn that
schedules or cancels a nudge. APScheduler (3.x ``AsyncIOScheduler``) holds two jobs however
many nudges there are (one job per nudge costs ~6 s and ~100 MiB per 100,000): a date job at
the next due time and a poll every ``poll_s`` seconds that notices nudges a turn scheduled
sooner (a snooze). Both only wake one dispatcher task. Job defaults are set on purpose:
``misfire_grace_time=None`` (a late wake-up still runs; the default of 1 s silently drops
it), ``coalesce=True`` (missed runs are one run), ``max_instances=1``.

The dispatcher decides about each due nudge with the user's own clock (:func:`plan`):

* blocked users (``users.active = 0``): the nudge is ``held`` until they unblock the bot;
  paused users: ``paused`` until /resume;
* missed by more than the grace period (12 h): a daily check-in moves to the next check-in
  hour, a snoozed one is ``skipped``; other kinds still go, once (duplicates of one kind for
  one user ``collapse`` into the newest);
* in the user's quiet hours: moved to when they end;
* at most one proactive message per user per local day (``users.last_nudge_at``): the most
  important due nudge goes, the others move to the next day's check-in hour. A snoozed
  check-in is exempt (the user asked for it);
* the re-engagement nudge (one per user) is moved along lazily: it goes only after 7 days
  without a message from the user, and only once per silence.

Exactly once, as far as the Bot API allows. A nudge's engine turn commits in ONE transaction
with the nudge row set to ``sending`` and holding the rendered replies; the replies are then
sent (through a global rate cap) and the row set to ``sent``. A crash before the commit
leaves the nudge ``pending`` (it runs again); a crash after it leaves it ``sending``, and
:meth:`Dispatcher.recover` re-sends the stored replies at the next start without re-running
the turn. So a nudge is never lost and its turn never runs twice; the one duplicate possible
is a message Telegram accepted just before the crash, before ``sent`` was written
(at-least-once with a window of one HTTP call; the Bot API has no idempotency key).
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.clock import Clock
from bot.coach import Coach, decode_replies
from dialogs.actions import REENGAGE_AFTER
from dialogs.model import Reply
from dialogs.timezones import zone_for
from dialogs.timing import defer_past_quiet_hours, in_quiet_hours, local_day, next_local_time
from storage import Store
from storage.store import DueNudge

log = logging.getLogger("rekindle.scheduler")

GRACE = timedelta(hours=12)
# When several nudges are due for one user, the rarer and more important one goes first.
PRIORITY = {
    "no_contact_over": 0,
    "meetup_followup": 1,
    "first_message_followup": 2,
    "commitment_followup": 3,
    "goal_followup": 4,
    "checkin_snooze": 5,
    "checkin": 6,
    "reengage": 7,
}
EXEMPT = frozenset({"checkin_snooze"})  # asked for by the user: not "proactive"


# ---------------------------------------------------------------------------------------------
# Deciding (pure)
# ---------------------------------------------------------------------------------------------


@dataclass
class Plan:
    """What to do with a batch of due nudges."""

    fire: list[DueNudge] = field(default_factory=list)
    moves: list[tuple[int, datetime]] = field(default_factory=list)  # (nudge id, new due)
    marks: list[tuple[int, str]] = field(default_factory=list)  # (nudge id, status)


def next_slot(after: datetime, d: DueNudge, *, next_day: bool = False) -> datetime:
    """The user's check-in hour at or after ``after`` (from tomorrow on, with ``next_day``),
    outside their quiet hours."""
    zone = d.tz or "UTC"
    if next_day:
        tomorrow = local_day(after, zone) + timedelta(days=1)
        midnight = datetime.combine(tomorrow, datetime.min.time()).replace(tzinfo=zone_for(zone))
        after = max(after, midnight.astimezone(UTC))
    hour = d.checkin_hour if d.checkin_hour is not None else 9
    due = next_local_time(after - timedelta(seconds=1), zone, hour)  # at or after
    return defer_past_quiet_hours(due, zone, d.quiet_start, d.quiet_end)


def plan(rows: Sequence[DueNudge], now: datetime, *, grace: timedelta = GRACE) -> Plan:
    """Decide about due nudges (see the module docstring for the rules)."""
    out = Plan()
    users: dict[int, list[DueNudge]] = {}
    for d in rows:
        users.setdefault(d.nudge.user_id, []).append(d)
    for group in users.values():
        _plan_user(group, now, grace, out)
    return out


def _plan_user(group: list[DueNudge], now: datetime, grace: timedelta, out: Plan) -> None:
    u = group[0]
    if not u.active or u.paused:
        out.marks += [(d.nudge.id, "held" if not u.active else "paused") for d in group]
        return
    zone = u.tz or "UTC"
    newest: dict[str, DueNudge] = {}
    for d in group:  # oldest first: a later one of the same kind replaces it
        if d.nudge.kind in newest:
            out.marks.append((newest[d.nudge.kind].nudge.id, "collapsed"))
        newest[d.nudge.kind] = d
    quiet = in_quiet_hours(now, zone, u.quiet_start, u.quiet_end)
    ready: list[DueNudge] = []
    for d in sorted(newest.values(), key=lambda d: PRIORITY.get(d.nudge.kind, 9)):
        n, late = d.nudge, now - d.nudge.due > grace
        if n.kind == "reengage" and (later := _reengage_later(d, now)) is not None:
            out.moves.append((n.id, later))
        elif late and n.kind == "checkin":
            out.moves.append((n.id, next_slot(now, d)))  # old news: tomorrow's instead
        elif late and n.kind in EXEMPT:
            out.marks.append((n.id, "skipped"))
        elif quiet:
            out.moves.append((n.id, defer_past_quiet_hours(now, zone, u.quiet_start, u.quiet_end)))
        else:
            ready.append(d)
    had_one = u.last_nudge is not None and local_day(u.last_nudge, zone) == local_day(now, zone)
    for d in ready:
        if d.nudge.kind in EXEMPT:
            out.fire.append(d)
        elif not had_one:
            out.fire.append(d)
            had_one = True
        else:
            out.moves.append((d.nudge.id, next_slot(now, d, next_day=True)))


def _reengage_later(d: DueNudge, now: datetime) -> datetime | None:
    """When the re-engagement should really be due, or None if it should go now."""
    after = d.nudge.payload.get("after")
    if after is not None and d.last_seen.timestamp() <= after:
        return now + REENGAGE_AFTER  # silent since our last one: never a second
    if now - d.last_seen < REENGAGE_AFTER:
        return d.last_seen + REENGAGE_AFTER  # they wrote since it was armed
    return None


# ---------------------------------------------------------------------------------------------
# Sending
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """Where a nudge's messages go."""

    nudge_id: int
    user_id: int
    external_id: str
    chat_id: int | None


# Send one reply; False when the user has blocked the bot.
SendReply = Callable[[Target, Reply], Awaitable[bool]]


class RateCap:
    """The global send cap: at most ``rate`` messages in any one-second window.

    Two rules. Sends start evenly spaced (a burst is what trips Telegram's flood control).
    And a send counts against the cap from its start until one second after it completes;
    a new one starts only while fewer than ``rate`` count. Telegram sees each request
    somewhere between its start and its completion, so no second of its clock can then see
    more than ``rate`` of ours, even after the event loop stalled or PTB's limiter held
    requests back and released them together. The price is a rate of ``cap / (1 + RTT)``
    (e.g. 99 % of the cap at 10 ms, 91 % at 100 ms). ``None`` means no cap.
    """

    def __init__(self, rate: float | None) -> None:
        self.rate = rate
        self.limit = max(1, int(rate)) if rate else 0
        self.interval = 1.0 / rate if rate else 0.0
        self._next = 0.0
        self._in_flight = 0
        self._done: collections.deque[float] = collections.deque()

    @contextlib.asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Hold a place for one send (wait for it first)."""
        if not self.rate:
            yield
            return
        now = time.monotonic()
        start = max(self._next, now)
        self._next = start + self.interval  # reserve the slot before sleeping
        if start > now:
            await asyncio.sleep(start - now)
        while True:
            now = time.monotonic()
            while self._done and self._done[0] <= now - 1.0:
                self._done.popleft()
            if self._in_flight + len(self._done) < self.limit:
                break
            wait = self._done[0] + 1.0 - now if self._done else self.interval
            await asyncio.sleep(max(wait, 0.001))
        self._in_flight += 1
        try:
            yield
        finally:
            self._in_flight -= 1
            self._done.append(time.monotonic())


# ---------------------------------------------------------------------------------------------
# The dispatcher
# ---------------------------------------------------------------------------------------------


@dataclass
class Stats:
    fired: int = 0  # engine turns run for due nudges
    sent: int = 0  # nudges whose messages all went out
    blocked: int = 0
    messages: int = 0


class Dispatcher:
    """Sends what is due: decide, run each nudge's turn, send through the rate cap.

    ``user_id`` limits it to one user (the terminal chat). ``workers`` sends run at once (a
    Bot API call takes ~100 ms, so one at a time could not reach 25/s); one user's messages
    stay in order because one nudge is sent by one worker.
    """

    def __init__(
        self,
        coach: Coach,
        send: SendReply,
        *,
        rate: float | None = 25.0,
        grace: timedelta = GRACE,
        batch: int = 500,
        workers: int = 8,
        user_id: int | None = None,
    ) -> None:
        self.coach = coach
        self.store: Store = coach.store
        self.clock: Clock = coach.clock
        self.send = send
        self.cap = RateCap(rate)
        self.grace = grace
        self.batch = batch
        self.workers = workers
        self.user_id = user_id
        self.stats = Stats()

    async def next_due(self) -> datetime | None:
        return await self.store.next_due()

    async def recover(self) -> int:
        """Re-send nudges a crash left 'sending' (committed, maybe not sent). Call at start."""
        left = await self.store.sending_nudges(user_id=self.user_id)
        for s in left:
            log.info("nudge-resend id=%s kind=%s user=%s", s.id, s.kind, s.user_id)
            target = Target(s.id, s.user_id, s.external_id, s.chat_id)
            await self._deliver(target, decode_replies(s.replies))
        return len(left)

    async def run_due(self) -> int:
        """Dispatch everything due now, batch by batch. Returns the nudges sent."""
        queue: asyncio.Queue[tuple[Target, list[Reply]] | None] = asyncio.Queue(
            maxsize=self.workers * 4  # bounds what a crash can leave 'sending'
        )
        tasks = [asyncio.create_task(self._worker(queue)) for _ in range(self.workers)]
        before = self.stats.sent
        try:
            while True:
                now = self.clock.now()
                rows = await self.store.due_for_dispatch(
                    now, user_id=self.user_id, limit=self.batch
                )
                if not rows:
                    break
                decided = plan(rows, now, grace=self.grace)
                await self.store.settle_nudges(decided.moves, decided.marks, now)
                for row in rows:  # their next nudge moved: /status must not read a stale copy
                    self.coach.forget(row.nudge.user_id)
                for d in decided.fire:
                    item = await self._fire(d)
                    if item is not None:
                        await queue.put(item)
            for _ in tasks:
                await queue.put(None)
            await asyncio.gather(*tasks)
        finally:
            for task in tasks:
                task.cancel()
        return self.stats.sent - before

    async def _fire(self, d: DueNudge) -> tuple[Target, list[Reply]] | None:
        """The nudge's engine turn, committed with the nudge as 'sending' (see module doc)."""
        n = d.nudge
        try:
            replies = await self.coach.fire(n, d.external_id)
        except Exception:
            # A bug in a handler must not stall everyone's nudges: park this one.
            log.exception("nudge-failed id=%s kind=%s user=%s", n.id, n.kind, n.user_id)
            now = self.clock.now()
            if n.kind == "checkin":  # keep the daily chain alive: try tomorrow
                await self.store.settle_nudges([(n.id, next_slot(now, d, next_day=True))], [], now)
            else:
                await self.store.settle_nudges([], [(n.id, "failed")], now)
            return None
        if replies is None:
            return None  # cancelled or handled meanwhile
        self.stats.fired += 1
        if not replies:
            return None
        return Target(n.id, n.user_id, d.external_id, d.chat_id), replies

    async def _worker(self, queue: asyncio.Queue[tuple[Target, list[Reply]] | None]) -> None:
        while (item := await queue.get()) is not None:
            await self._deliver(*item)

    async def _deliver(self, target: Target, replies: list[Reply]) -> None:
        ok = True
        for reply in replies:
            async with self.cap.slot():
                ok = await self.send(target, reply)
            if not ok:
                break
            self.stats.messages += 1
        await self.store.finish_nudge(
            target.nudge_id, "sent" if ok else "blocked", self.clock.now()
        )
        if ok:
            self.stats.sent += 1
        else:
            self.stats.blocked += 1


# ---------------------------------------------------------------------------------------------
# APScheduler: when to wake the dispatcher
# ---------------------------------------------------------------------------------------------


class NudgeScheduler:
    """Runs a :class:`Dispatcher` whenever nudges are due, until stopped."""

    POLL, NEXT, PRUNE = "rekindle-nudges-poll", "rekindle-nudges-next", "rekindle-prune"
    KEEP_UPDATES = timedelta(days=2)

    def __init__(self, dispatcher: Dispatcher, *, poll_s: float = 30.0) -> None:
        self.dispatcher = dispatcher
        self.poll_s = poll_s
        self.aps: AsyncIOScheduler | None = None
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Start APScheduler and the dispatcher task; the first run recovers and catches up."""
        self.aps = AsyncIOScheduler(
            timezone=UTC,
            job_defaults={"misfire_grace_time": None, "coalesce": True, "max_instances": 1},
        )
        self.aps.add_job(self._wake_job, "interval", seconds=self.poll_s, id=self.POLL)
        # Housekeeping: update ids (and their kept replies) are only needed while Telegram
        # might deliver them again, which is at most a day.
        self.aps.add_job(
            self._prune, "interval", hours=1, id=self.PRUNE, next_run_time=datetime.now(UTC)
        )
        self.aps.start()
        self._task = asyncio.create_task(self._loop(), name="rekindle-nudges")
        self.wake()

    def wake(self) -> None:
        """Look for due nudges now (also after a development clock jump)."""
        self._idle.clear()
        self._wake.set()

    async def idle(self) -> None:
        """Wait until the dispatcher has handled everything it was woken for (tests)."""
        await self._idle.wait()

    async def stop(self) -> None:
        """Stop waking; a send in flight is cut off and its nudge re-sent at the next start."""
        if self.aps is not None:
            self.aps.shutdown(wait=False)
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _wake_job(self) -> None:  # a coroutine: APScheduler runs it on the loop
        self._wake.set()

    async def _prune(self) -> None:
        d = self.dispatcher
        try:
            gone = await d.store.prune_updates(d.clock.now() - self.KEEP_UPDATES)
            log.info("pruned updates=%d", gone)
        except Exception:
            log.exception("prune-failed")

    async def _loop(self) -> None:
        try:
            await self.dispatcher.recover()
        except Exception:
            log.exception("nudge-recover-failed")
        while True:
            await self._wake.wait()
            self._wake.clear()
            try:
                await self.dispatcher.run_due()
                await self._arm()
            except Exception:
                log.exception("nudge-dispatch-failed")
            if not self._wake.is_set():
                self._idle.set()

    async def _arm(self) -> None:
        """A date job at the next due time, if the poll would come later."""
        nxt = await self.dispatcher.next_due()
        if nxt is None or self.aps is None:
            return
        delay = (nxt - self.dispatcher.clock.now()).total_seconds()
        if delay < self.poll_s:
            run_at = datetime.now(UTC) + timedelta(seconds=max(0.0, delay))
            self.aps.add_job(
                self._wake_job, "date", run_date=run_at, id=self.NEXT, replace_existing=True
            )


# ---------------------------------------------------------------------------------------------
# Wiring into the Telegram transport
# ---------------------------------------------------------------------------------------------


def telegram_sender(bot: Any, store: Store) -> SendReply:
    """Send one nudge reply through bot/telegram.py's ``send_replies``."""
    from bot.telegram import send_replies

    async def send(target: Target, reply: Reply) -> bool:
        chat_id = target.chat_id if target.chat_id is not None else int(target.external_id)
        return await send_replies(bot, chat_id, [reply], store=store)

    return send


def telegram_hooks(
    *, rate: float | None, grace: timedelta = GRACE, poll_s: float = 30.0, workers: int = 8
) -> tuple[Callable[[Any], Awaitable[None]], Callable[[Any], Awaitable[None]]]:
    """(on_start, on_stop) hooks for ``build_application``: the scheduler runs while the bot
    does, sharing the Application's Coach (and so its per-user order)."""

    async def on_start(app: Any) -> None:
        coach: Coach = app.bot_data["coach"]
        send = telegram_sender(app.bot, coach.store)
        dispatcher = Dispatcher(coach, send, rate=rate, grace=grace, workers=workers)
        scheduler = NudgeScheduler(dispatcher, poll_s=poll_s)
        app.bot_data["scheduler"] = scheduler
        await scheduler.start()
        log.info("scheduler-started rate=%s grace_h=%.1f", rate, grace.total_seconds() / 3600)

    async def on_stop(app: Any) -> None:
        scheduler: NudgeScheduler | None = app.bot_data.pop("scheduler", None)
        if scheduler is not None:
            await scheduler.stop()

    return on_start, on_stop
