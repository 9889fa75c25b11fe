"""Baseline: a bare python-telegram-bot echo bot against the fake Bot API.

Run ``python benchmarks/echo_bot.py [--users 50] [--messages 20] [--burst]``. It starts the
fake server (tests/fakebot.py) in-process, runs the echo bot with polling and default settings,
has every simulated user send messages, and prints updates/s and reply latency.

Latency is measured from injecting a user's update into the fake to the fake receiving the
bot's sendMessage for that chat, so it covers polling, PTB's dispatch and the HTTP reply. The
fake runs in the same process and event loop as the bot, so its CPU is included in the figures:
compare runs with each other, not with production.

By default each user waits for the echo before sending the next message (a chat); ``--burst``
injects everything at once to find the throughput ceiling.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from telegram import Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from tests.fakebot import FakeBotApi


async def _echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is not None and message.text is not None:
        await message.reply_text(message.text)


def build_echo_application(token: str, base_url: str) -> Application:
    """A bare echo bot with PTB's default settings (sequential updates, default HTTPX pool)."""
    app = (
        Application.builder()
        .token(token)
        .base_url(base_url)
        # Telegram and the fake both serve files from /file/bot next to /bot.
        .base_file_url(base_url.removesuffix("/bot") + "/file/bot")
        .build()
    )
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, _echo))
    return app


@dataclass
class EchoResult:
    """Figures of one benchmark run."""

    users: int
    messages_per_user: int
    burst: bool
    elapsed_s: float
    updates_per_s: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    cpu_s: float

    def describe(self) -> str:
        """One line for the terminal."""
        mode = "burst" if self.burst else "chat (wait for each reply)"
        total = self.users * self.messages_per_user
        return (
            f"{self.users} users x {self.messages_per_user} messages, {mode}: {total} updates in "
            f"{self.elapsed_s:.2f} s = {self.updates_per_s:.0f} updates/s; reply latency p50 "
            f"{self.p50_ms:.1f} ms, p99 {self.p99_ms:.1f} ms, max {self.max_ms:.1f} ms; "
            f"CPU {self.cpu_s:.2f} s ({1000 * self.cpu_s / total:.2f} ms/update)"
        )


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


async def measure(
    app_factory: Callable[[str, str], Application] = build_echo_application,
    users: int = 50,
    messages: int = 20,
    *,
    burst: bool = False,
    deadline_s: float = 50.0,
) -> EchoResult:
    """Run an app that answers every text with one message and measure it against the fake.

    ``app_factory(token, base_url)`` builds the application; later benchmarks can pass their
    own bot here to compare against this echo baseline.
    """
    first_user = 10_000
    chats = [first_user + n for n in range(users)]
    latencies: list[float] = []
    async with FakeBotApi() as api:
        app = app_factory(api.token, api.base_url)
        async with app:
            await app.start()
            assert app.updater is not None
            await app.updater.start_polling(poll_interval=0)
            # Warm up connections and code paths outside the measurement.
            api.user_sends_text(1, "warm-up")
            await api.wait_for_messages(1, 1, timeout=10)

            async def chat(user_id: int) -> None:
                for n in range(messages):
                    sent_at = time.perf_counter()
                    api.user_sends_text(user_id, f"message {n} from {user_id}")
                    replies = await api.wait_for_messages(user_id, n + 1, timeout=deadline_s)
                    latencies.append(replies[n].received_at - sent_at)

            async def flood() -> None:
                sent_at: dict[tuple[int, int], float] = {}
                for n in range(messages):
                    for user_id in chats:
                        sent_at[user_id, n] = time.perf_counter()
                        api.user_sends_text(user_id, f"message {n} from {user_id}")
                for user_id in chats:
                    replies = await api.wait_for_messages(user_id, messages, timeout=deadline_s)
                    latencies.extend(
                        reply.received_at - sent_at[user_id, n] for n, reply in enumerate(replies)
                    )

            cpu_before = time.process_time()
            started = time.perf_counter()
            async with asyncio.timeout(deadline_s):
                if burst:
                    await flood()
                else:
                    await asyncio.gather(*(chat(user_id) for user_id in chats))
            elapsed = time.perf_counter() - started
            cpu = time.process_time() - cpu_before
            await app.updater.stop()
            await app.stop()
        api.assert_no_400()
    total = users * messages
    return EchoResult(
        users=users,
        messages_per_user=messages,
        burst=burst,
        elapsed_s=elapsed,
        updates_per_s=total / elapsed,
        p50_ms=1000 * statistics.median(latencies),
        p99_ms=1000 * _percentile(latencies, 0.99),
        max_ms=1000 * max(latencies),
        cpu_s=cpu,
    )


def main(argv: list[str] | None = None) -> None:
    """Command-line entry: print one line of figures per mode."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--messages", type=int, default=20, help="messages per user")
    parser.add_argument("--burst", action="store_true", help="inject everything at once")
    args = parser.parse_args(argv)
    result = asyncio.run(measure(users=args.users, messages=args.messages, burst=args.burst))
    print(result.describe())


if __name__ == "__main__":
    main()
