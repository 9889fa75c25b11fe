"""Benchmark: the nudge scheduler's start-up with many pending nudges, and dispatch speed.

1. Start-up: for N = 10^4, 10^5, 10^6 pending nudges (one per user, due over the next
   day), a fresh subprocess opens the database, starts the scheduler (APScheduler + the
   dispatcher's first pass: recover, nothing due yet, arm the next wake) and reports the
   time and its peak RSS. Target at 10^6: < 1 s and < 150 MB, flat in N.
2. Dispatch: ``--count`` nudges (default 10,000) all due at once, sent through the real PTB
   Application to the fake Bot API with a 30 messages/s limit (Telegram's bulk limit) and our
   cap (``--cap``, default 29/s). Reports achieved messages/s vs the cap (target >= 95 %) and
   the 429s (target 0). 10,000 at 29/s takes about six minutes; progress is printed.

    python benchmarks/nudges.py [--count 10000] [--cap 29] [--sizes 10000,100000,1000000]

The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

NOW = datetime(2026, 3, 2, 8, tzinfo=UTC)


async def _migrate(db: Path) -> None:
    from storage import Store

    store = await Store.open(db)
    await store.close()


def build_db(db: Path, n: int, *, kind: str, due_in_s: int, stage: str) -> None:
    """``n`` users with one pending nudge each, written with executemany in big batches."""
    asyncio.run(_migrate(db))
    now = int(NOW.timestamp())
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA synchronous = OFF")
    step = 100_000
    for lo in range(1, n + 1, step):
        ids = range(lo, min(n, lo + step - 1) + 1)
        conn.executemany(
            "INSERT INTO users (id, channel, external_id, chat_id, tz, checkin_hour, stage,"
            " created_at, updated_at, last_seen_at) VALUES (?, 'telegram', ?, ?,"
            " 'Europe/Berlin', 9, ?, ?, ?, ?)",
            ((i, str(10**6 + i), 10**6 + i, stage, now, now, now) for i in ids),
        )
        conn.executemany(
            "INSERT INTO nudges (user_id, kind, due_at, created_at) VALUES (?, ?, ?, ?)",
            ((i, kind, now + due_in_s + i % 86_400, now) for i in ids),
        )
        conn.commit()
    conn.close()


# -- 1. start-up, measured in a fresh process -------------------------------------------------


async def _startup_child(db: Path) -> dict[str, float]:
    from bot.clock import FakeClock
    from bot.coach import Coach
    from bot.scheduler import Dispatcher, NudgeScheduler, Target
    from dialogs.model import Reply
    from storage import Store

    async def nowhere(target: Target, reply: Reply) -> bool:
        return True

    t0 = time.perf_counter()
    store = await Store.open(db)
    coach = Coach(store, FakeClock(NOW), channel="telegram")
    scheduler = NudgeScheduler(Dispatcher(coach, nowhere))
    await scheduler.start()
    await scheduler.idle()  # recovered, looked for due nudges, armed the next wake
    elapsed = time.perf_counter() - t0
    pending = await store.conn.execute_fetchall(
        "SELECT count(*) FROM nudges WHERE status = 'pending'"
    )
    await scheduler.stop()
    await store.close()
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"startup_s": elapsed, "rss_mb": rss_mb, "pending": next(iter(pending))[0]}


def startup(sizes: list[int], tmp: Path) -> tuple[dict[str, float], dict[str, float]]:
    times, rss = {}, {}
    for n in sizes:
        db = tmp / f"startup-{n}.db"
        t0 = time.perf_counter()
        build_db(db, n, kind="checkin", due_in_s=3600, stage="no_contact")
        print(f"built {n:,} pending nudges in {time.perf_counter() - t0:.1f} s", flush=True)
        out = subprocess.run(
            [sys.executable, __file__, "--child-startup", str(db)],
            check=True, capture_output=True, text=True,
        )  # fmt: skip
        result = json.loads(out.stdout.strip().splitlines()[-1])
        assert result["pending"] == n, result
        times[str(n)], rss[str(n)] = round(result["startup_s"], 3), round(result["rss_mb"], 1)
        print(f"N={n:>9,}: start-up {result['startup_s']:.3f} s, peak RSS {result['rss_mb']:.1f}"
              " MB", flush=True)  # fmt: skip
        db.unlink()
    return times, rss


# -- 2. dispatch through the fake Bot API --------------------------------------------------


async def dispatch(count: int, cap: float, tmp: Path) -> dict[str, float]:
    from bot.clock import FakeClock
    from bot.config import Settings
    from bot.scheduler import Dispatcher, telegram_sender
    from bot.telegram import build_application
    from fakebot import FakeBotApi
    from storage import Store

    db = tmp / "dispatch.db"
    clock = FakeClock(NOW + timedelta(seconds=1))
    async with FakeBotApi(rate_limit_per_s=30) as api:
        store = await Store.open(db)
        settings = Settings(
            token=api.token, api_base_url=api.base_url, file_base_url=api.base_file_url,
            db_path=db, send_rate=cap,
        )  # fmt: skip
        app = build_application(settings, store, clock)  # PTB's default limiter, as in prod
        async with app:
            coach = app.bot_data["coach"]
            dispatcher = Dispatcher(coach, telegram_sender(app.bot, store), rate=cap)

            async def progress() -> None:
                while True:
                    await asyncio.sleep(15)
                    m = dispatcher.stats.messages
                    print(f"  {m:,}/{count:,} sent, {m / (time.perf_counter() - t0):.1f}/s, "
                          f"429s so far: {api.rate_limited_count}", flush=True)  # fmt: skip

            t0 = time.perf_counter()
            reporter = asyncio.create_task(progress())
            await dispatcher.run_due()
            elapsed = time.perf_counter() - t0
            reporter.cancel()
        await store.close()
        sent = len(api.requests_for("sendMessage"))
        rate = dispatcher.stats.messages / elapsed
        print(f"dispatched {dispatcher.stats.messages:,} messages ({sent:,} sendMessage calls) "
              f"in {elapsed:.1f} s: {rate:.2f}/s against a cap of {cap}/s; "
              f"429s: {api.rate_limited_count}", flush=True)  # fmt: skip
        return {
            "dispatch_per_s": round(rate, 2),
            "cap_per_s": cap,
            "fraction_of_cap": round(rate / cap, 3),
            "http_429": api.rate_limited_count,
            "count": count,
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000, help="nudges to dispatch")
    parser.add_argument("--cap", type=float, default=29.0, help="our send cap, messages/s")
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--child-startup", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_startup:
        print(json.dumps(asyncio.run(_startup_child(args.child_startup))))
        return
    with tempfile.TemporaryDirectory() as tmp:
        sizes = [int(x) for x in args.sizes.split(",")]
        times, rss = startup(sizes, Path(tmp))
        # All due within the last day (none stale for a follow-up, so all of them go).
        due = -86_400 - 60
        build_db(Path(tmp) / "dispatch.db", args.count, kind="meetup_followup", due_in_s=due,
                 stage="meet_up")  # fmt: skip
        result = asyncio.run(dispatch(args.count, args.cap, Path(tmp)))
    print(json.dumps({"startup_s": times, "rss_mb": rss, **result}))


if __name__ == "__main__":
    main()
