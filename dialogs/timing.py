"""Local-time arithmetic for check-ins, quiet hours and "day N of 30".

Every function takes timezone-aware datetimes and a zone key from
``dialogs.timezones.parse_timezone``; instants come back in UTC. Naive datetimes are refused
because guessing their zone is exactly the bug this module exists to prevent.

DST rules, chosen so a user sees the same wall-clock time every day:

* a wall time that does not exist (02:30 in Berlin on the spring-forward Sunday) fires at the
  first instant after the gap, i.e. when the clock jumps (03:00 local);
* a wall time that happens twice (02:30 on the fall-back Sunday) fires once, at the first
  occurrence (fold=0);
* if a whole local day is skipped (Samoa, 30 Dec 2011) that day simply gets no check-in.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo

from dialogs.timezones import zone_for

__all__ = [
    "days_between_local",
    "defer_past_quiet_hours",
    "format_local",
    "in_quiet_hours",
    "local_day",
    "local_now",
    "next_local_time",
]

DEFAULT_FORMAT = "%a %d %b, %H:%M"


def _aware(value: datetime, name: str) -> datetime:
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime, got {value!r}")
    return value


def _check_hour(value: int, name: str) -> None:
    if not isinstance(value, int) or not 0 <= value <= 23:
        raise ValueError(f"{name} must be an hour 0-23, got {value!r}")


def _offset_at(instant: datetime, tz: tzinfo) -> timedelta:
    return instant.astimezone(tz).utcoffset() or timedelta(0)


def _wall_clock_instant(day: date, at: time, tz: tzinfo) -> datetime | None:
    """The UTC instant when the clock in ``tz`` first reads ``at`` on ``day``.

    None when the DST gap pushes that moment onto another local date.
    """
    naive = datetime.combine(day, at)
    first = naive.replace(tzinfo=tz, fold=0).astimezone(UTC)
    if first.astimezone(tz).replace(tzinfo=None) == naive:
        return first  # exists; fold=0 is the earlier of two readings on fall-back day
    # Inside a gap: fold=0 and fold=1 map the missing wall time with the offsets from before
    # and after the jump, so the transition lies between the two instants. Find it to the
    # second (gaps are at most a day, so this is under 20 steps).
    second = naive.replace(tzinfo=tz, fold=1).astimezone(UTC)
    lo, hi = sorted((first, second))
    after_offset = _offset_at(hi, tz)
    while hi - lo > timedelta(seconds=1):
        mid = lo + (hi - lo) / 2
        mid = mid.replace(microsecond=0)
        if mid <= lo:
            break
        if _offset_at(mid, tz) == after_offset:
            hi = mid
        else:
            lo = mid
    if hi.astimezone(tz).date() != day:
        return None
    return hi


def local_now(now_utc: datetime, zone_key: str) -> datetime:
    """``now_utc`` as the user's wall clock shows it (aware, in their zone)."""
    return _aware(now_utc, "now_utc").astimezone(zone_for(zone_key))


def next_local_time(after_utc: datetime, zone_key: str, hour: int, minute: int = 0) -> datetime:
    """The next UTC instant strictly after ``after_utc`` when the local clock reads hour:minute.

    DST-correct (see the module docstring for missing and repeated wall times).
    """
    _aware(after_utc, "after_utc")
    _check_hour(hour, "hour")
    if not isinstance(minute, int) or not 0 <= minute <= 59:
        raise ValueError(f"minute must be 0-59, got {minute!r}")
    tz = zone_for(zone_key)
    at = time(hour, minute)
    today = after_utc.astimezone(tz).date()
    # Start a day early: around a fall-back at midnight the previous date can still be ahead.
    for days in range(-1, 4):
        candidate = _wall_clock_instant(today + timedelta(days=days), at, tz)
        if candidate is not None and candidate > after_utc:
            return candidate
    raise RuntimeError(f"no {at:%H:%M} in {zone_key} within 4 days of {after_utc}")


def _quiet(local_hour: int, start_hour: int, end_hour: int) -> bool:
    if start_hour == end_hour:
        return False
    if start_hour < end_hour:  # e.g. 13-15, same day
        return start_hour <= local_hour < end_hour
    return local_hour >= start_hour or local_hour < end_hour  # crosses midnight, e.g. 22-8


def in_quiet_hours(
    at_utc: datetime, zone_key: str, start_hour: int = 22, end_hour: int = 8
) -> bool:
    """True when the local clock is in [start_hour:00, end_hour:00); start == end means never."""
    _check_hour(start_hour, "start_hour")
    _check_hour(end_hour, "end_hour")
    return _quiet(local_now(at_utc, zone_key).hour, start_hour, end_hour)


def defer_past_quiet_hours(
    due_utc: datetime, zone_key: str, start_hour: int = 22, end_hour: int = 8
) -> datetime:
    """Move ``due_utc`` to when quiet hours end locally, or return it (in UTC) if not quiet."""
    if not in_quiet_hours(due_utc, zone_key, start_hour, end_hour):
        return due_utc.astimezone(UTC)
    # If a spring-forward gap swallows end_hour:00, this is the moment the clock jumps.
    return next_local_time(due_utc, zone_key, end_hour)


def local_day(at_utc: datetime, zone_key: str) -> date:
    """The user's calendar date at ``at_utc`` (for "one proactive message per local day")."""
    return local_now(at_utc, zone_key).date()


def days_between_local(start_utc: datetime, now_utc: datetime, zone_key: str) -> int:
    """Whole local calendar days from start to now: 0 on the start day, so day N = result + 1.

    Counts midnights on the user's clock, not 24-hour blocks, so starting at 23:50 makes the
    next morning day 2. Negative if ``now_utc`` is before ``start_utc``'s local date.
    """
    return (local_day(now_utc, zone_key) - local_day(start_utc, zone_key)).days


def format_local(at_utc: datetime, zone_key: str, fmt: str = DEFAULT_FORMAT) -> str:
    """``at_utc`` on the user's clock, e.g. "Mon 31 Mar, 09:00"."""
    return local_now(at_utc, zone_key).strftime(fmt)
