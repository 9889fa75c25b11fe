"""Check-ins land at the same wall-clock time for the user, whatever the clocks do."""

from __future__ import annotations

import calendar
import itertools
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from dialogs.timezones import zone_for
from dialogs.timing import (
    days_between_local,
    defer_past_quiet_hours,
    format_local,
    in_quiet_hours,
    local_day,
    local_now,
    next_local_time,
)

BERLIN = "Europe/Berlin"
NEW_YORK = "America/New_York"


def last_sunday(year: int, month: int) -> date:
    last = date(year, month, calendar.monthrange(year, month)[1])
    return last - timedelta(days=(last.weekday() - calendar.SUNDAY) % 7)


def nth_sunday(year: int, month: int, n: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(calendar.SUNDAY - first.weekday()) % 7 + 7 * (n - 1))


# The EU changes clocks on the last Sundays of March and October, the US on the second
# Sunday of March and the first Sunday of November.
DST_CHANGES = {
    (BERLIN, "spring"): last_sunday(2025, 3),
    (BERLIN, "autumn"): last_sunday(2025, 10),
    (NEW_YORK, "spring"): nth_sunday(2025, 3, 2),
    (NEW_YORK, "autumn"): nth_sunday(2025, 11, 1),
}


def at_local(zone: str, day: date, hour: int, minute: int = 0, fold: int = 0) -> datetime:
    """A wall-clock reading in ``zone`` as a UTC instant."""
    wall = datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZoneInfo(zone), fold=fold)
    return wall.astimezone(UTC)


def daily_checkins(zone: str, start: datetime, days: int, hour: int, minute: int = 0):
    fired, cursor = [], start
    for _ in range(days):
        cursor = next_local_time(cursor, zone, hour, minute)
        fired.append(cursor)
    return fired


def test_the_dst_dates_used_below_really_change_the_clock() -> None:
    for (zone, _season), day in DST_CHANGES.items():
        before = at_local(zone, day - timedelta(days=1), 12).astimezone(ZoneInfo(zone))
        after = at_local(zone, day + timedelta(days=1), 12).astimezone(ZoneInfo(zone))
        assert before.utcoffset() != after.utcoffset()


@pytest.mark.parametrize("zone", [BERLIN, NEW_YORK])
@pytest.mark.parametrize(("season", "gap_hours"), [("spring", 23), ("autumn", 25)])
def test_nine_am_stays_nine_am_across_a_clock_change(zone: str, season: str, gap_hours: int):
    change = DST_CHANGES[(zone, season)]
    start = at_local(zone, change - timedelta(days=5), 12)
    fired = daily_checkins(zone, start, days=10, hour=9)

    local = [f.astimezone(ZoneInfo(zone)) for f in fired]
    assert all((t.hour, t.minute) == (9, 0) for t in local)
    assert all(f.tzinfo is UTC for f in fired)
    # One check-in on each of ten consecutive local days, none skipped or doubled.
    assert [t.date() for t in local] == [
        change - timedelta(days=4) + timedelta(days=i) for i in range(10)
    ]
    gaps = [(b - a) / timedelta(hours=1) for a, b in itertools.pairwise(fired)]
    # Only the night the clocks change is shorter (spring) or longer (autumn) than a day.
    assert gaps.count(gap_hours) == 1
    assert gaps.count(24) == len(gaps) - 1
    changed_night = gaps.index(gap_hours)
    assert local[changed_night + 1].date() == change


@pytest.mark.parametrize("zone", [BERLIN, NEW_YORK])
def test_a_time_skipped_by_spring_forward_fires_when_the_clock_jumps(zone: str) -> None:
    change = DST_CHANGES[(zone, "spring")]
    fired = daily_checkins(zone, at_local(zone, change - timedelta(days=2), 12), 4, 2, 30)
    local = [f.astimezone(ZoneInfo(zone)) for f in fired]

    assert [t.date() for t in local] == [change + timedelta(days=i) for i in range(-1, 3)]
    on_change_day = local[1]
    # 02:30 does not exist that night: the check-in comes at 03:00, the first valid minute.
    assert (on_change_day.hour, on_change_day.minute) == (3, 0)
    assert all((t.hour, t.minute) == (2, 30) for t in local if t.date() != change)


@pytest.mark.parametrize("zone", [BERLIN, NEW_YORK])
def test_a_time_repeated_by_fall_back_fires_once_at_its_first_occurrence(zone: str) -> None:
    change = DST_CHANGES[(zone, "autumn")]
    hour = 1 if zone == NEW_YORK else 2  # the wall hour each zone lives through twice
    first = at_local(zone, change, hour, 30, fold=0)
    second = at_local(zone, change, hour, 30, fold=1)
    assert second - first == timedelta(hours=1)

    fired = next_local_time(first - timedelta(hours=3), zone, hour, 30)
    assert fired == first
    # Asked again right after it fired, or between the two readings, it moves to tomorrow.
    for after in (first, first + timedelta(minutes=30), second):
        again = next_local_time(after, zone, hour, 30).astimezone(ZoneInfo(zone))
        assert again.date() == change + timedelta(days=1)
        assert (again.hour, again.minute) == (hour, 30)


def test_next_local_time_is_strictly_after() -> None:
    nine = at_local(BERLIN, date(2025, 6, 2), 9)
    assert next_local_time(nine - timedelta(seconds=1), BERLIN, 9) == nine
    assert next_local_time(nine, BERLIN, 9) == nine + timedelta(days=1)


@pytest.mark.parametrize(
    ("zone", "expected"),
    [
        ("UTC", datetime(2025, 6, 2, 9, tzinfo=UTC)),
        ("UTC+05:30", datetime(2025, 6, 2, 3, 30, tzinfo=UTC)),  # it is 17:30 there already
        ("UTC-08:00", datetime(2025, 6, 1, 17, tzinfo=UTC)),  # it is 04:00 there
        ("Asia/Kolkata", datetime(2025, 6, 2, 3, 30, tzinfo=UTC)),
    ],
)
def test_fixed_offset_users_get_their_own_nine_am(zone: str, expected: datetime) -> None:
    fired = next_local_time(datetime(2025, 6, 1, 12, tzinfo=UTC), zone, 9)
    assert fired == expected
    assert (local_now(fired, zone).hour, local_now(fired, zone).minute) == (9, 0)


def test_a_day_skipped_entirely_gets_no_checkin_and_no_double() -> None:
    # Samoa jumped from 29 to 31 December 2011: there was no 30 December to check in on.
    zone = "Pacific/Apia"
    start = datetime(2011, 12, 27, 12, tzinfo=UTC)  # 02:00 on the 27th in Apia
    local = [f.astimezone(ZoneInfo(zone)) for f in daily_checkins(zone, start, 4, 9)]
    assert [t.day for t in local] == [27, 28, 29, 31]
    assert all(t.hour == 9 for t in local)


@pytest.mark.parametrize("bad", [{"hour": 24}, {"hour": -1}, {"hour": 9, "minute": 60}])
def test_impossible_clock_times_are_refused(bad: dict[str, int]) -> None:
    with pytest.raises(ValueError):
        next_local_time(datetime(2025, 1, 1, tzinfo=UTC), BERLIN, **bad)


def test_naive_datetimes_are_refused() -> None:
    naive = datetime(2025, 1, 1, 12)
    for call in (
        lambda: local_now(naive, BERLIN),
        lambda: next_local_time(naive, BERLIN, 9),
        lambda: in_quiet_hours(naive, BERLIN),
        lambda: local_day(naive, BERLIN),
        lambda: defer_past_quiet_hours(naive, BERLIN),
    ):
        with pytest.raises(ValueError, match="timezone-aware"):
            call()


def test_local_now_shows_the_users_wall_clock() -> None:
    now = datetime(2025, 7, 1, 12, tzinfo=UTC)
    assert local_now(now, BERLIN).hour == 14
    assert local_now(now, "UTC-05:00").hour == 7
    assert local_now(now, BERLIN) == now  # same instant, different clock


@pytest.mark.parametrize(
    ("zone", "day"),
    [
        (BERLIN, date(2025, 1, 15)),
        (BERLIN, date(2025, 7, 15)),
        (NEW_YORK, date(2025, 1, 15)),
        ("Pacific/Auckland", date(2025, 7, 15)),
        ("UTC+05:30", date(2025, 7, 15)),
        ("UTC-09:30", date(2025, 7, 15)),
    ],
)
def test_default_quiet_hours_run_from_ten_pm_to_eight_am_local(zone: str, day: date) -> None:
    def at(hour: int, minute: int = 0, days: int = 0) -> datetime:
        when = datetime.combine(day + timedelta(days=days), time(hour, minute))
        return when.replace(tzinfo=zone_for(zone)).astimezone(UTC)

    assert not in_quiet_hours(at(21, 59), zone)
    assert in_quiet_hours(at(22, 0), zone)
    assert in_quiet_hours(at(23, 30), zone)
    assert in_quiet_hours(at(3, 0, days=1), zone)
    assert in_quiet_hours(at(7, 59, days=1), zone)
    assert not in_quiet_hours(at(8, 0, days=1), zone)
    assert not in_quiet_hours(at(13, 0), zone)


def test_quiet_hours_follow_the_users_clock_not_utc() -> None:
    instant = datetime(2025, 7, 15, 23, tzinfo=UTC)  # 23:00 in London's UTC, but:
    assert in_quiet_hours(instant, "UTC")
    assert not in_quiet_hours(instant, "Pacific/Auckland")  # 11:00 next morning
    assert not in_quiet_hours(instant, "America/Los_Angeles")  # 16:00
    assert in_quiet_hours(instant, "UTC+05:30")  # 04:30


def test_daytime_quiet_window_and_disabled_window() -> None:
    def berlin(hour: int, minute: int = 0) -> datetime:
        return at_local(BERLIN, date(2025, 5, 5), hour, minute)

    assert not in_quiet_hours(berlin(12, 59), BERLIN, 13, 15)
    assert in_quiet_hours(berlin(13, 0), BERLIN, 13, 15)
    assert in_quiet_hours(berlin(14, 59), BERLIN, 13, 15)
    assert not in_quiet_hours(berlin(15, 0), BERLIN, 13, 15)
    assert not in_quiet_hours(berlin(23, 0), BERLIN, 13, 15)
    assert not any(in_quiet_hours(berlin(h), BERLIN, 22, 22) for h in range(24))


def test_quiet_hours_reject_impossible_hours() -> None:
    with pytest.raises(ValueError):
        in_quiet_hours(datetime(2025, 1, 1, tzinfo=UTC), BERLIN, 25, 8)


def test_a_message_due_at_night_waits_for_the_morning() -> None:
    due = at_local(BERLIN, date(2025, 5, 5), 23, 15)
    sent = defer_past_quiet_hours(due, BERLIN)
    local = sent.astimezone(ZoneInfo(BERLIN))
    assert (local.date(), local.hour, local.minute) == (date(2025, 5, 6), 8, 0)
    assert sent.tzinfo is UTC


def test_a_message_due_in_the_daytime_is_not_moved() -> None:
    due = at_local(BERLIN, date(2025, 5, 5), 10, 17)
    assert defer_past_quiet_hours(due, BERLIN) == due
    assert defer_past_quiet_hours(due.astimezone(ZoneInfo(BERLIN)), BERLIN).tzinfo is UTC


@pytest.mark.parametrize(
    ("zone", "season", "night_hours"),
    [
        (BERLIN, "spring", 8),
        (BERLIN, "autumn", 10),
        (NEW_YORK, "spring", 8),
        (NEW_YORK, "autumn", 10),
    ],
)
def test_deferring_across_a_clock_change_still_wakes_at_eight(
    zone: str, season: str, night_hours: int
) -> None:
    change = DST_CHANGES[(zone, season)]
    due = at_local(zone, change - timedelta(days=1), 23)
    sent = defer_past_quiet_hours(due, zone)
    local = sent.astimezone(ZoneInfo(zone))
    assert (local.date(), local.hour, local.minute) == (change, 8, 0)
    # Nine wall-clock hours, but the real night is an hour shorter or longer.
    assert sent - due == timedelta(hours=night_hours)


def test_quiet_hours_ending_inside_the_spring_gap_end_when_the_clock_jumps() -> None:
    change = DST_CHANGES[(NEW_YORK, "spring")]
    due = at_local(NEW_YORK, change, 0, 30)  # quiet hours 22-02, but 02:00 never happens
    sent = defer_past_quiet_hours(due, NEW_YORK, start_hour=22, end_hour=2)
    local = sent.astimezone(ZoneInfo(NEW_YORK))
    assert (local.date(), local.hour, local.minute) == (change, 3, 0)
    assert not in_quiet_hours(sent, NEW_YORK, 22, 2)


def test_defer_with_a_half_hour_offset() -> None:
    due = datetime(2025, 7, 15, 18, tzinfo=UTC)  # 23:30 in UTC+05:30
    sent = defer_past_quiet_hours(due, "UTC+05:30")
    assert sent == datetime(2025, 7, 16, 2, 30, tzinfo=UTC)  # 08:00 local


def test_local_day_across_the_date_line() -> None:
    instant = datetime(2025, 6, 15, 20, tzinfo=UTC)
    auckland = local_day(instant, "Pacific/Auckland")
    los_angeles = local_day(instant, "America/Los_Angeles")
    assert auckland - los_angeles == timedelta(days=1)
    assert auckland == date(2025, 6, 16)
    # The two ends of the offset range can be two calendar days apart at the same instant.
    instant = datetime(2025, 6, 15, 11, 30, tzinfo=UTC)
    assert local_day(instant, "UTC+14:00") - local_day(instant, "UTC-12:00") == timedelta(days=2)


def test_one_message_a_day_means_one_per_local_day() -> None:
    # 23:30 and 00:30 in Auckland are different days for the user, though 1 h apart.
    late = at_local("Pacific/Auckland", date(2025, 6, 15), 23, 30)
    early = late + timedelta(hours=1)
    assert local_day(early, "Pacific/Auckland") != local_day(late, "Pacific/Auckland")
    assert local_day(early, "UTC") == local_day(late, "UTC")


def test_program_day_counts_local_midnights() -> None:
    start = at_local(BERLIN, date(2025, 3, 1), 23, 50)
    assert days_between_local(start, start, BERLIN) == 0  # day 1
    assert days_between_local(start, start + timedelta(minutes=15), BERLIN) == 1  # day 2
    assert days_between_local(start, at_local(BERLIN, date(2025, 3, 30), 23, 59), BERLIN) == 29
    assert days_between_local(start, at_local(BERLIN, date(2025, 3, 31), 0, 1), BERLIN) == 30
    assert days_between_local(start, start - timedelta(days=2), BERLIN) == -2


def test_program_day_depends_on_where_the_user_is() -> None:
    start = datetime(2025, 6, 1, 10, tzinfo=UTC)
    now = datetime(2025, 6, 1, 13, tzinfo=UTC)
    assert days_between_local(start, now, "Pacific/Auckland") == 1  # 22:00 -> 01:00
    assert days_between_local(start, now, "America/Los_Angeles") == 0  # 03:00 -> 06:00


def test_format_local() -> None:
    instant = datetime(2025, 3, 31, 7, tzinfo=UTC)
    assert format_local(instant, BERLIN) == "Mon 31 Mar, 09:00"
    assert format_local(instant, "UTC-05:00", "%H:%M") == "02:00"
    assert format_local(instant, "Asia/Kolkata", "%Y-%m-%d %H:%M") == "2025-03-31 12:30"
