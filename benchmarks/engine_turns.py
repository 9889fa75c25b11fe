"""Benchmark: many simulated users walking the guide through engine + storage.

Every turn goes the real path (Coach.handle: load, engine step, one committed
transaction) on a real SQLite file in WAL mode. Prints turns/s and p50/p99
turn latency; the last line is one JSON object.

    python benchmarks/engine_turns.py [--users 200] [--concurrency 4]

Target on a 2-core machine: >= 3,000 turns/s, p99 <= 5 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.clock import FakeClock
from bot.coach import Coach
from dialogs.model import Command, Event, Text
from storage import Store

# One user's walk: onboarding, the whole of Part 1, a few tools, into no contact.
SCRIPT: list[Event] = [
    Command("start"),
    *map(Text, ["yes", "Sam", "Alex", "Berlin", "9", "no", "1", "3", "done"]),
    *map(Text, ["no", "yes", "yes", "yes", "no", "1", "kind", "funny", "done"]),
    *map(Text, ["flaky", "done", "1", "1", "1", "done"]),
    Command("status"),
    Command("journal"),
    Text("A calm day, mostly."),
    Command("checkin"),
    *map(Text, ["3", "4", "skip"]),
    Command("pros"),
    Text("great with my parents"),
    Text("done"),
    Text("an evening note for the journal"),
    Command("help"),
]


async def user(coach: Coach, name: str, gate: asyncio.Semaphore, lat: list[float]) -> int:
    async with gate:
        for event in SCRIPT:
            t0 = time.perf_counter()
            await coach.handle(name, event)
            lat.append(time.perf_counter() - t0)
    return len(SCRIPT)


async def main(users: int, concurrency: int) -> dict[str, float | int]:
    with tempfile.TemporaryDirectory() as tmp:
        store = await Store.open(Path(tmp) / "bench.db")
        coach = Coach(store, FakeClock(datetime(2026, 3, 2, 8, tzinfo=UTC)), channel="bench")
        await user(coach, "warm-up", asyncio.Semaphore(1), [])  # templates, zone index
        gate = asyncio.Semaphore(concurrency)
        lat: list[float] = []
        t0 = time.perf_counter()
        counts = await asyncio.gather(*(user(coach, f"u{i}", gate, lat) for i in range(users)))
        elapsed = time.perf_counter() - t0
        await store.close()
    turns = sum(counts)
    q = statistics.quantiles(lat, n=100)
    return {
        "turns_per_s": round(turns / elapsed, 1),
        "p50_ms": round(statistics.median(lat) * 1000, 3),
        "p99_ms": round(q[98] * 1000, 3),
        "users": users,
        "turns": turns,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args()
    result = asyncio.run(main(args.users, args.concurrency))
    print(
        f"{result['turns']} turns by {result['users']} users "
        f"(concurrency {args.concurrency}): {result['turns_per_s']} turns/s, "
        f"p50 {result['p50_ms']} ms, p99 {result['p99_ms']} ms"
    )
    print(json.dumps(result))
