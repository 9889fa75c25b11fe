"""One turn of the engine: a working copy of the user's state plus what to say and do."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from dialogs.model import Cancel, Effect, Record, Reply, Schedule, ServiceAction, UserState
from dialogs.render import render


@dataclass
class Turn:
    state: UserState
    now: datetime
    replies: list[Reply] = field(default_factory=list)
    effects: list[Effect] = field(default_factory=list)
    prompt: bool = False  # re-render the current state's question at the end
    note: str | None = None  # a line to put above the prompt ("That button has expired")
    edit: bool = False  # the prompt only updates the previous question (ticks in a list)
    extra: dict[str, Any] = field(default_factory=dict)  # more context for the prompt

    # -- talking ---------------------------------------------------------------------
    def say(self, template: str, **context: Any) -> None:
        self.replies.append(Reply(render(template, **self.context(), **context)))

    def context(self) -> dict[str, Any]:
        s = self.state
        return {
            "user": s,
            "name": s.name or "friend",
            "ex": s.ex_name or "your ex",
            "lists": s.lists,
            "now": self.now,
            "day": self.no_contact_day(),
            "variant": s.ver + self.now.toordinal(),
        }

    # -- doing -----------------------------------------------------------------------
    def record(self, table: str, **fields: Any) -> None:
        self.effects.append(Record(table, {"created_at": self.now, **fields}))

    def schedule(self, kind: str, due: datetime, **payload: Any) -> None:
        self.effects.append(Schedule(kind, due, payload))
        nxt = self.state.next_nudge
        if nxt is None or nxt[0] == kind or due < nxt[1]:  # keep /status true within the turn
            self.state.next_nudge = (kind, due)

    def cancel(self, *kinds: str) -> None:
        self.effects.append(Cancel(tuple(kinds)))
        nxt = self.state.next_nudge
        if nxt is not None and (not kinds or nxt[0] in kinds):
            self.state.next_nudge = None

    def service(self, name: str, **args: Any) -> None:
        self.effects.append(ServiceAction(name, args))

    # -- reading -----------------------------------------------------------------------
    def no_contact_day(self) -> int | None:
        """Day N of no contact, counted in the user's own calendar days (day 1 = start)."""
        start = self.state.no_contact_start
        if start is None:
            return None
        from dialogs.timing import days_between_local

        return days_between_local(start, self.now, self.state.tz or "UTC") + 1
