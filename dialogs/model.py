"""Value types that cross the engine's boundary: events in, replies and effects out."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

# --- events: what happened -------------------------------------------------


@dataclass(frozen=True)
class Command:
    """A slash command such as ``/status``; ``arg`` is the rest of the line."""

    name: str
    arg: str = ""


@dataclass(frozen=True)
class Text:
    """Free text the user typed."""

    text: str


@dataclass(frozen=True)
class Choice:
    """A button press. ``state`` and ``ver`` say which question the button belonged to,
    so a stale or repeated press can be recognised; None means "the current question"."""

    choice: str
    state: str | None = None
    ver: int | None = None


@dataclass(frozen=True)
class Timer:
    """A scheduled nudge came due (no contact ended, daily check-in, ...)."""

    kind: str
    payload: dict[str, Any] = field(default_factory=dict)
    nudge_id: int | None = None
    due: datetime | None = None


@dataclass(frozen=True)
class Unsupported:
    """Something the coach cannot read: a sticker, photo, voice note, location..."""

    kind: str


Event = Command | Text | Choice | Timer | Unsupported


# --- replies ------------------------------------------------------------------


@dataclass(frozen=True)
class Button:
    label: str
    choice: str


@dataclass(frozen=True)
class Attachment:
    """A file to send with a reply (an export, a chart). Filled in by the service."""

    filename: str
    data: bytes
    kind: str = "document"  # "document" | "photo"


@dataclass(frozen=True)
class Reply:
    """One message to the user: Telegram-HTML text (already escaped) and button rows.

    ``state``/``ver`` identify the question the buttons answer; transports put them
    into callback data so a later press can be checked against the current question.
    """

    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    state: str | None = None
    ver: int = 0
    attachment: Attachment | None = None
    # True when this reply only updates the question just answered (a tick in a
    # multi-select): Telegram edits that message in place, the terminal reprints buttons.
    edit: bool = False

    @property
    def flat_buttons(self) -> list[Button]:
        return [b for row in self.buttons for b in row]


# --- effects: what storage (or the service) must do, in the same transaction ----


@dataclass(frozen=True)
class Record:
    """Append a row to one of the user's logs (journal, checkins, slips, ...)."""

    table: str
    fields: dict[str, Any]


@dataclass(frozen=True)
class Schedule:
    """Schedule a nudge. With ``replace`` any pending nudge of the same kind goes first."""

    kind: str
    due: datetime
    payload: dict[str, Any] = field(default_factory=dict)
    replace: bool = True


@dataclass(frozen=True)
class Cancel:
    """Cancel pending nudges of these kinds (all kinds when empty)."""

    kinds: tuple[str, ...] = ()


@dataclass(frozen=True)
class Hold:
    """/pause: every pending nudge of the user waits, untouched, until released."""


@dataclass(frozen=True)
class Release:
    """/resume: held nudges come back, none due before ``not_before``."""

    not_before: datetime


@dataclass(frozen=True)
class Retime:
    """New time zone, check-in hour or quiet hours: pending nudges keep their local day and
    move to the new hour. ``args`` carries the new settings (see storage)."""

    args: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ServiceAction:
    """Work only the service can do after the commit: export, delete, chart."""

    name: str
    args: dict[str, Any] = field(default_factory=dict)


Effect = Record | Schedule | Cancel | Hold | Release | Retime | ServiceAction


# --- the user's stored state ----------------------------------------------------


@dataclass
class UserState:
    """Everything the engine needs to know about one user, loaded fresh every turn."""

    stage: str = "new"
    ver: int = 0
    resume: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)
    scratch: dict[str, Any] = field(default_factory=dict)
    # profile
    name: str | None = None
    ex_name: str | None = None
    tz: str | None = None
    checkin_hour: int | None = None
    quiet_start: int = 22
    quiet_end: int = 8
    # journey
    no_contact_start: datetime | None = None
    no_contact_days: int = 30
    paused: bool = False
    lists: dict[str, list[str]] = field(default_factory=dict)
    answers: dict[str, str] = field(default_factory=dict)
    # read-only summaries storage fills in for /status and friends
    recent_checkins: list[tuple[datetime, int, int]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    next_nudge: tuple[str, datetime] | None = None
    signs_history: list[int] = field(default_factory=list)

    def items(self, name: str) -> list[str]:
        return self.lists.setdefault(name, [])

    def clone(self) -> UserState:
        """A copy the engine may change freely (cheaper than copy.deepcopy: values are flat)."""
        return replace(
            self,
            resume=list(self.resume),
            flags=set(self.flags),
            scratch={k: list(v) if isinstance(v, list) else v for k, v in self.scratch.items()},
            lists={k: list(v) for k, v in self.lists.items()},
            answers=dict(self.answers),
            recent_checkins=list(self.recent_checkins),
            counts=dict(self.counts),
            signs_history=list(self.signs_history),
        )


@dataclass(frozen=True)
class Step:
    """The engine's answer to one event."""

    state: UserState
    replies: list[Reply]
    effects: list[Effect]
