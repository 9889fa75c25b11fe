"""The terminal chat: the same engine and storage, with buttons printed as numbers.

Works interactively and with piped input (EOF ends the chat), so a whole
conversation can be scripted. Lines starting with ':' are development-only
controls (``:advance 30d``, ``:now``) that move the clock to show scheduled nudges.
"""

from __future__ import annotations

import asyncio
import html
import re
import sys
from datetime import timedelta
from pathlib import Path
from typing import IO

from bot.clock import Clock, FakeClock, OffsetClock
from bot.coach import Coach
from bot.scheduler import Dispatcher, Target
from dialogs.model import Button, Choice, Command, Event, Reply, Text
from storage import Store

_TAG = re.compile(r"<[^>]+>")
_DURATION = re.compile(r"^(\d+)\s*([dhm])$")


def to_plain(text: str, *, ansi: bool = False) -> str:
    """Telegram HTML -> terminal text (bold shown with ANSI when on a terminal)."""
    if ansi:
        text = text.replace("<b>", "\033[1m").replace("</b>", "\033[0m")
    return html.unescape(_TAG.sub("", text))


def parse_duration(text: str) -> timedelta | None:
    m = _DURATION.match(text.strip().lower())
    if not m:
        return None
    n, unit = int(m.group(1)), m.group(2)
    return {"d": timedelta(days=n), "h": timedelta(hours=n), "m": timedelta(minutes=n)}[unit]


def to_event(line: str, buttons: list[Button], state: str | None, ver: int) -> Event:
    """A typed line: a button's number or label picks it; '/x' is a command; else text."""
    said = line.strip()
    if said.startswith("/"):
        name, _, arg = said[1:].partition(" ")
        return Command(name.lower(), arg.strip())
    if buttons:
        for b in buttons:
            if (
                said.lower() == b.label.lower().lstrip("✓ ").strip()
                or said.lower() == b.label.lower()
            ):
                return Choice(b.choice, state, ver)
        numeric_labels = any(b.label.strip().isdigit() for b in buttons)
        if said.isdigit() and not numeric_labels and 1 <= int(said) <= len(buttons):
            return Choice(buttons[int(said) - 1].choice, state, ver)
    return Text(line.rstrip("\n"))


class ConsoleChat:
    def __init__(
        self,
        store: Store,
        clock: Clock,
        out: IO[str],
        *,
        profile: str = "local",
        export_dir: Path | None = None,
    ) -> None:
        self.coach = Coach(store, clock, channel="console")
        self.store = store
        self.clock = clock
        self.out = out
        self.profile = profile
        self.export_dir = export_dir or Path.cwd()
        self.ansi = out.isatty() if hasattr(out, "isatty") else False
        self.buttons: list[Button] = []
        self._last_nudge: int | None = None
        self.state: str | None = None
        self.ver = 0

    def show(self, replies: list[Reply]) -> None:
        for reply in replies:
            if reply.text and not reply.edit:
                self.out.write("\n" + to_plain(reply.text, ansi=self.ansi) + "\n")
            if reply.buttons:
                self.buttons = reply.flat_buttons
                self.state, self.ver = reply.state, reply.ver
                numbered = "  ".join(f"[{i}] {b.label}" for i, b in enumerate(self.buttons, 1))
                self.out.write(numbered + "\n")
            if reply.attachment is not None:
                self._save(reply.attachment.filename, reply.attachment.data)
        self.out.flush()

    def _save(self, filename: str, data: bytes) -> None:
        self.export_dir.mkdir(parents=True, exist_ok=True)
        path = self.export_dir / filename
        path.write_bytes(data)
        path.chmod(0o600)
        self.out.write(f"(saved to {path})\n")

    async def send(self, event: Event) -> list[Reply]:
        replies = await self.coach.handle(self.profile, event)
        self.show(replies)
        await self.deliver_due()
        return replies

    async def deliver_due(self) -> None:
        """Nudges whose time has come (on this clock) appear in the chat, decided by the same
        dispatcher as on Telegram (quiet hours, one a day, collapsing after a long gap)."""
        uid = await self.store.find_user("console", self.profile)
        if uid is None:
            return
        dispatcher = Dispatcher(self.coach, self._show_nudge, rate=None, workers=1, user_id=uid)
        await dispatcher.recover()
        await dispatcher.run_due()

    async def _show_nudge(self, target: Target, reply: Reply) -> bool:
        if target.nudge_id != self._last_nudge:  # a heading once per nudge
            self._last_nudge = target.nudge_id
            self.out.write("\n⏰ (scheduled message)")
        self.show([reply])
        return True

    async def control(self, line: str) -> bool:
        """Development-only clock controls. Returns False to quit."""
        cmd, _, arg = line[1:].strip().partition(" ")
        if cmd in ("quit", "q", "exit"):
            return False
        if cmd == "advance" and (delta := parse_duration(arg)) is not None:
            if isinstance(self.clock, FakeClock | OffsetClock):
                self.clock.advance(delta)
                self.out.write(f"[dev] clock moved to {self.clock.now():%Y-%m-%d %H:%M} UTC\n")
                await self.deliver_due()
            return True
        if cmd == "now":
            self.out.write(f"[dev] {self.clock.now():%Y-%m-%d %H:%M} UTC\n")
            return True
        if cmd == "state":
            uid = await self.store.find_user("console", self.profile)
            state = await self.store.load(uid) if uid else None
            self.out.write(f"[dev] stage={state.stage if state else 'new'}\n")
            return True
        self.out.write("[dev] controls: :advance 30d | :advance 5h | :now | :state | :quit\n")
        return True

    async def run(self, lines: IO[str], *, poll_s: float | None = None) -> None:
        """Chat until EOF or ':quit'. With ``poll_s`` (an interactive terminal), nudges that
        come due while the user is idle appear on their own, as they would on Telegram."""
        await self.send(Command("start"))
        poller = asyncio.create_task(self._poll(poll_s)) if poll_s else None
        try:
            await self._read(lines)
        finally:
            if poller is not None:
                poller.cancel()

    async def _poll(self, every: float) -> None:
        while True:
            await asyncio.sleep(every)
            await self.deliver_due()

    async def _read(self, lines: IO[str]) -> None:
        while True:
            if self.ansi:
                self.out.write("> ")
                self.out.flush()
            line = await asyncio.to_thread(lines.readline)
            if not line:  # EOF: piped input ended, or Ctrl-D
                self.out.write("\nBye for now. Your progress is saved.\n")
                return
            if line.startswith(":"):
                if not await self.control(line):
                    self.out.write("Bye for now. Your progress is saved.\n")
                    return
                continue
            if not line.strip():
                continue
            await self.send(to_event(line, self.buttons, self.state, self.ver))


async def run_chat(
    db: Path, *, clock: Clock, profile: str = "local", lines: IO[str] | None = None
) -> None:
    store = await Store.open(db)
    try:
        chat = ConsoleChat(store, clock, sys.stdout, profile=profile)
        interactive = lines is None and sys.stdin.isatty()
        await chat.run(lines or sys.stdin, poll_s=30.0 if interactive else None)
    finally:
        await store.close()
