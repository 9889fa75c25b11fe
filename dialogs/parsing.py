"""Turning typed text into answers: buttons by word or number, hours, names, zones."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from dialogs.stages import Opt

MAX_NAME = 40
MAX_ITEM = 1000
MAX_NOTE = 10_000

_SPACES = re.compile(r"\s+")
_TRAILING = re.compile(r"[\s.!?,;:…]+$")


def normalise(text: str) -> str:
    """Lower case, straight quotes, single spaces, no trailing punctuation."""
    text = unicodedata.normalize("NFKC", text).replace("’", "'").replace("‘", "'")
    return _TRAILING.sub("", _SPACES.sub(" ", text.strip().lower()))


def match_option(text: str, options: Sequence[Opt], *, by_number: bool = True) -> Opt | None:
    """The option a typed answer means: its label, a synonym, or its number (1-based)."""
    said = normalise(text)
    if not said:
        return None
    for opt in options:
        if said == normalise(opt.label) or said == opt.id or said in opt.says:
            return opt
    if by_number and said.isdigit() and 1 <= int(said) <= len(options):
        return options[int(said) - 1]
    # a short answer that starts with a synonym: "yes I think so", "nope, never"
    head = said.split(" ", 1)[0].strip(",")
    for opt in options:
        if head in opt.says and len(said) <= 30:
            return opt
    return None


@dataclass(frozen=True)
class Parsed:
    value: Any


@dataclass(frozen=True)
class Invalid:
    reason: str  # a short key the templates turn into a kind re-ask


_HOUR = re.compile(
    r"^(?:at\s+)?(\d{1,2})(?:[:.h](\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?(?:\s*o'?clock)?$"
)


def parse_hour(text: str) -> Parsed | Invalid:
    said = normalise(text)
    words = {"noon": 12, "midday": 12, "morning": 9, "evening": 19, "lunchtime": 12}
    if said in words:
        return Parsed(words[said])
    m = _HOUR.match(said)
    if not m:
        return Invalid("hour")
    hour, minutes, half = int(m.group(1)), int(m.group(2) or 0), (m.group(3) or "")[:1]
    if minutes > 59 or hour > 23 or (half and not 1 <= hour <= 12):
        return Invalid("hour")
    if half == "p" and hour != 12:
        hour += 12
    elif half == "a" and hour == 12:
        hour = 0
    return Parsed(hour)


def parse_name(text: str) -> Parsed | Invalid:
    name = " ".join(text.split())
    if not name or name.startswith("/"):
        return Invalid("empty")
    if len(name) > MAX_NAME:
        return Invalid("long_name")
    return Parsed(name)


def parse_timezone(text: str) -> Parsed | Invalid:
    from dialogs.timezones import parse_timezone as find_zone

    if len(text) > 200:
        return Invalid("timezone")
    key = find_zone(text)
    return Parsed(key) if key else Invalid("timezone")


def parse_note(text: str) -> Parsed | Invalid:
    note = text.strip()
    if not note:
        return Invalid("empty")
    if len(note) > MAX_NOTE:
        return Invalid("too_long")
    return Parsed(note)


def parse_item(text: str) -> Parsed | Invalid:
    item = " ".join(text.split())
    if not item:
        return Invalid("empty")
    if len(item) > MAX_ITEM:
        return Invalid("long_item")
    return Parsed(item)


def parse_int(text: str, low: int, high: int) -> Parsed | Invalid:
    said = normalise(text)
    m = re.fullmatch(r"(-?\d{1,3})(?:\s*(?:/|out of|of)\s*\d{1,3})?", said)
    if not m:
        return Invalid("number")
    value = int(m.group(1))
    return Parsed(value) if low <= value <= high else Invalid("range")


PARSERS: dict[str, Callable[[str], Parsed | Invalid]] = {
    "hour": parse_hour,
    "name": parse_name,
    "timezone": parse_timezone,
    "note": parse_note,
    "question": parse_note,
    "item": parse_item,
}
