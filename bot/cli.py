"""The ``rekindle`` command: start, chat, run (Telegram), diagram."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from datetime import UTC, datetime
from pathlib import Path

from bot.clock import FakeClock, OffsetClock, SystemClock
from bot.config import ConfigError, Settings


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="rekindle", description=__doc__)
    sub = p.add_subparsers(dest="command")

    start = sub.add_parser("start", help="Telegram if TELEGRAM_BOT_TOKEN is set, else terminal")
    start.add_argument("--db", type=Path, help="database file (default: $REKINDLE_DB)")

    chat = sub.add_parser("chat", help="chat with the coach in this terminal")
    chat.add_argument("--db", type=Path, help="database file (default: $REKINDLE_DB)")
    chat.add_argument("--profile", default="local", help="whose conversation (default: local)")
    chat.add_argument(
        "--now",
        help="DEVELOPMENT ONLY: pretend it is this UTC time (ISO 8601); the clock then "
        "stands still except for ':advance 30d' lines",
    )

    run = sub.add_parser("run", help="run the Telegram bot")
    run.add_argument("--db", type=Path, help="database file (default: $REKINDLE_DB)")
    run.add_argument("--webhook-url", help="serve a webhook at this public URL instead of polling")
    run.add_argument("--port", type=int, default=8443, help="webhook listen port")
    run.add_argument("--listen", default="127.0.0.1", help="webhook listen address")

    sub.add_parser("diagram", help="print the stage diagram (Mermaid)")
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    settings = Settings.from_env()
    if getattr(args, "db", None):
        settings = Settings(**{**settings.__dict__, "db_path": args.db})
    command = args.command or "start"
    if command == "diagram":
        from dialogs.diagram import mermaid

        sys.stdout.write(mermaid())
        return 0
    if command == "start":
        command = "run" if settings.token else "chat"
        if command == "chat":
            args.profile, args.now = "local", None
        else:
            args.webhook_url, args.port, args.listen = None, 8443, "127.0.0.1"
    if command == "chat":
        return _chat(settings, args)
    return _run(settings, args)


def _chat(settings: Settings, args: argparse.Namespace) -> int:
    from bot.console import run_chat

    logging.basicConfig(level=logging.WARNING)
    if args.now:
        moment = datetime.fromisoformat(args.now)
        clock: FakeClock | OffsetClock = FakeClock(
            moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        )
    else:
        clock = OffsetClock()
    if sys.stdin.isatty():
        print(f"(Rekindle in the terminal; saving to {settings.db_path}. Ctrl-D to leave.)")
    try:
        asyncio.run(run_chat(settings.db_path, clock=clock, profile=args.profile))
    except KeyboardInterrupt:
        print("\nBye for now. Your progress is saved.")
    return 0


def _run(settings: Settings, args: argparse.Namespace) -> int:
    try:
        settings.require_token()
    except ConfigError as err:
        print(err, file=sys.stderr)
        return 2
    from bot.telegram import run_bot

    run_bot(settings, clock=SystemClock(), webhook_url=args.webhook_url, port=args.port,
            listen=args.listen)  # fmt: skip
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
