"""Benchmark: the real Rekindle Application vs a bare PTB echo bot, against the fake Bot API.

Run ``python benchmarks/telegram_e2e.py [--users 50] [--steps 22] [--rounds 3] [--profile]``.

Simulated users walk the guide by typing (onboarding, then the Reflect steps), each waiting
for the bot to finish answering before typing the next message, like a person in a chat.
The coach runs with a temporary SQLite database; the echo bot (benchmarks/echo_bot.py)
answers the very same texts, in the same run and the same way of measuring:

- updates/s: all users' messages / wall time;
- latency: from the update entering the fake server to the fake receiving the bot's first
  message for it (the coach may send more than one message per update).

Both bots run without a client-side send limit here: production keeps AIORateLimiter's
30 requests/s overall, which would measure the limiter, not the bot. Its 429 retry logic is
still in the path. The fake runs in this process, so its CPU is in both figures.

The last line is one JSON object with the headline figures.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import pstats
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
for path in (REPO_ROOT, REPO_ROOT / "benchmarks"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from telegram import Update
from telegram.ext import AIORateLimiter, Application, ContextTypes, TypeHandler

from benchmarks.echo_bot import build_echo_application
from bot.clock import SystemClock
from bot.config import Settings
from bot.telegram import build_application, running
from storage import Store
from tests.fakebot import FakeBotApi

# What a user types through onboarding and the Reflect steps (buttons can be typed too). It
# opens with "Hi" rather than /start because the echo bot ignores commands; to the coach any
# first message starts onboarding.
WALK = [
    "Hi", "yes", "Robin", "skip", "Berlin", "9",  # onboarding
    "no", "The timing was off", "I see them in a new light", "done",  # R1, R2
    "no", "yes", "yes", "yes", "no",  # R3
    "Let's make the lists", "They listened when it mattered", "done",  # R4 pros
    "We argued about money", "done",  # R4 cons
    "I want to go on", "Start today",  # R4 summary, R5
]  # fmt: skip

Runner = Callable[[FakeBotApi, Path], AbstractAsyncContextManager[Application]]


@dataclass
class Result:
    name: str
    updates: int
    elapsed_s: float
    latencies_ms: list[float]
    messages: int
    cpu_s: float

    @property
    def per_s(self) -> float:
        return self.updates / self.elapsed_s

    def pct(self, q: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]

    def describe(self) -> str:
        return (
            f"{self.name:>6}: {self.updates} updates in {self.elapsed_s:.2f} s = "
            f"{self.per_s:.0f} updates/s; first reply p50 "
            f"{statistics.median(self.latencies_ms):.1f}"
            f" ms, p99 {self.pct(0.99):.1f} ms, max {max(self.latencies_ms):.1f} ms; "
            f"{self.messages / self.updates:.2f} messages/update; CPU "
            f"{1000 * self.cpu_s / self.updates:.2f} ms/update"
        )


@asynccontextmanager
async def echo_bot(api: FakeBotApi, db: Path) -> Any:
    """The baseline, with PTB's own Updater and default settings."""
    app = build_echo_application(api.token, api.base_url)
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0)
        try:
            yield app
        finally:
            await app.updater.stop()
            await app.stop()


def coach_bot() -> Runner:
    @asynccontextmanager
    async def run(api: FakeBotApi, db: Path) -> Any:
        settings = Settings(
            token=api.token, api_base_url=api.base_url, file_base_url=api.base_file_url,
            db_path=db,
        )  # fmt: skip
        store = await Store.open(db)
        limiter = AIORateLimiter(overall_max_rate=0, group_max_rate=0, max_retries=3)
        app = build_application(settings, store, SystemClock(), rate_limiter=limiter)
        try:
            async with running(app, poll_timeout=10):
                yield app
        finally:
            await store.close()

    return run


async def measure(
    name: str, runner: Runner, users: int, steps: int, deadline_s: float, profile: bool = False
) -> Result:
    """Every user walks ``steps`` messages of WALK; returns the figures."""
    script = (WALK * (steps // len(WALK) + 1))[:steps]
    done: dict[int, asyncio.Event] = {}
    latencies: list[float] = []

    async def finished(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        if isinstance(update, Update) and update.update_id in done:
            done[update.update_id].set()

    with tempfile.TemporaryDirectory() as tmp:
        async with FakeBotApi() as api:
            async with runner(api, Path(tmp) / "bench.db") as app:
                # Runs after the bot's own handler (group 0) has answered the update.
                app.add_handler(TypeHandler(Update, finished), group=99)

                async def walk(user: int, lines: list[str]) -> None:
                    for text in lines:
                        before = api._bot_sent[user]
                        event = asyncio.Event()
                        sent_at = time.perf_counter()
                        update_id = api.user_sends_text(user, text)
                        done[update_id] = event
                        replies = await api.wait_for_messages(user, before + 1, deadline_s)
                        latencies.append(1000 * (replies[before].received_at - sent_at))
                        await asyncio.wait_for(event.wait(), deadline_s)

                # Warm-up outside the measurement: one whole walk (lazy imports, templates).
                await walk(1, WALK)
                latencies.clear()
                profiler = cProfile.Profile() if profile else None
                cpu0, t0 = time.process_time(), time.perf_counter()
                if profiler:
                    profiler.enable()
                await asyncio.gather(*(walk(10_000 + u, script) for u in range(users)))
                if profiler:
                    profiler.disable()
                elapsed, cpu = time.perf_counter() - t0, time.process_time() - cpu0
                sent = sum(api._bot_sent[10_000 + u] for u in range(users))
            api.assert_no_400()
    if profiler:
        stats = pstats.Stats(profiler).sort_stats("cumulative")
        stats.print_stats(40)
    return Result(name, users * steps, elapsed, latencies, sent, cpu)


async def main_async(args: argparse.Namespace) -> dict[str, float]:
    """Alternate coach and echo runs (the machine's load drifts) and report the median round
    of each by throughput."""
    coach_runs: list[Result] = []
    echo_runs: list[Result] = []
    for n in range(args.rounds):
        coach_runs.append(
            await measure(
                "coach", coach_bot(), args.users, args.steps, args.deadline, args.profile and n == 0
            )
        )
        echo_runs.append(await measure("echo", echo_bot, args.users, args.steps, args.deadline))
        print(f"round {n + 1}:\n{coach_runs[-1].describe()}\n{echo_runs[-1].describe()}")
    coach = sorted(coach_runs, key=lambda r: r.per_s)[len(coach_runs) // 2]
    echo = sorted(echo_runs, key=lambda r: r.per_s)[len(echo_runs) // 2]
    print(
        f"median of {args.rounds} rounds, {args.users} users x {args.steps} typed messages each "
        "(onboarding + Reflect walk):"
    )
    print(coach.describe())
    print(echo.describe())
    return {
        "coach_updates_per_s": round(coach.per_s, 1),
        "echo_updates_per_s": round(echo.per_s, 1),
        "throughput_ratio": round(coach.per_s / echo.per_s, 3),
        "coach_p99_ms": round(coach.pct(0.99), 1),
        "echo_p99_ms": round(echo.pct(0.99), 1),
        "p99_ratio": round(coach.pct(0.99) / echo.pct(0.99), 3),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--steps", type=int, default=len(WALK), help="messages per user")
    parser.add_argument("--deadline", type=float, default=120.0)
    parser.add_argument("--rounds", type=int, default=3, help="alternating runs of each bot")
    parser.add_argument("--profile", action="store_true", help="cProfile the first coach run")
    args = parser.parse_args(argv)
    figures = asyncio.run(main_async(args))
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
