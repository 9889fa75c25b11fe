"""The /progress chart: a real PNG a phone can show, with exactly the user's data on it."""

from __future__ import annotations

import io
import struct
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest
from PIL import Image

from bot.chart import WINDOW_DAYS, ProgressData, render_progress, render_progress_png

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Late afternoon in Berlin, a Monday.
NOW = datetime(2026, 6, 1, 16, 0, tzinfo=UTC)


def daily(
    days: int, *, now: datetime = NOW, hour_offset: int = 2
) -> list[tuple[datetime, int, int]]:
    """One check-in a day for ``days`` days up to today, moods and urges varying."""
    return [
        (now - timedelta(days=days - 1 - i, hours=hour_offset), 1 + i % 5, (3 * i) % 11)
        for i in range(days)
    ]


def data(**kwargs: object) -> ProgressData:
    fields: dict[str, object] = {
        "tz": "Europe/Berlin",
        "checkins": [],
        "slips": [],
        "no_contact_start": None,
    }
    fields.update(kwargs)
    return ProgressData(**fields)  # type: ignore[arg-type]


def decode(png: bytes) -> Image.Image:
    assert png.startswith(PNG_SIGNATURE)
    image = Image.open(io.BytesIO(png))
    image.load()  # raises on a truncated or corrupt file
    return image


def png_chunk_types(png: bytes) -> list[bytes]:
    types, i = [], len(PNG_SIGNATURE)
    while i < len(png):
        (length,) = struct.unpack(">I", png[i : i + 4])
        types.append(png[i + 4 : i + 8])
        i += 12 + length
    return types


def colour_pixels(image: Image.Image, hex_colour: str, tolerance: int = 12) -> int:
    """How many pixels are within ``tolerance`` of ``hex_colour`` on every channel."""
    target = np.array([int(hex_colour[k : k + 2], 16) for k in (1, 3, 5)], dtype=np.int16)
    rgb = np.asarray(image.convert("RGB"), dtype=np.int16)
    return int(np.all(np.abs(rgb - target) <= tolerance, axis=-1).sum())


# --- the picture itself -------------------------------------------------------------


def test_png_is_valid_phone_sized_and_shows_the_lines() -> None:
    png = render_progress_png(data(checkins=daily(30)), now=NOW)
    image = decode(png)
    assert image.format == "PNG"
    assert image.size == (1000, 700)
    # The mood line is blue and the urge line reddish purple: both must actually be drawn.
    from bot.chart import MOOD_COLOUR, URGE_COLOUR

    assert colour_pixels(image, MOOD_COLOUR) > 500
    assert colour_pixels(image, URGE_COLOUR) > 500


def test_render_progress_reports_size_of_the_png_it_returns() -> None:
    png, info = render_progress(data(checkins=daily(10)), now=NOW)
    assert decode(png).size == (info.width_px, info.height_px)


def test_png_carries_no_text_metadata() -> None:
    # The photo is forwarded as-is: no tEXt/iTXt/zTXt chunks (software name, comments).
    png = render_progress_png(data(checkins=daily(5)), now=NOW)
    chunks = png_chunk_types(png)
    assert chunks[0] == b"IHDR" and chunks[-1] == b"IEND"
    assert not {b"tEXt", b"iTXt", b"zTXt"} & set(chunks)


def test_same_data_gives_the_same_picture() -> None:
    d = data(checkins=daily(20), slips=[NOW - timedelta(days=3)], no_contact_start=NOW)
    assert render_progress_png(d, now=NOW) == render_progress_png(d, now=NOW)


def test_concurrent_renders_in_a_thread_pool_match_sequential_ones() -> None:
    inputs = [
        data(checkins=daily(n), no_contact_start=NOW - timedelta(days=n // 2)) for n in (3, 30, 90)
    ] * 2
    expected = [render_progress_png(d, now=NOW) for d in inputs]
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda d: render_progress_png(d, now=NOW), inputs))
    assert results == expected


# --- what is plotted ----------------------------------------------------------------


def test_every_checkin_in_the_window_is_one_point() -> None:
    _, info = render_progress(data(checkins=daily(45)), now=NOW)
    assert info.mood_points == 45
    assert info.urge_points == 45
    assert info.title == "Your last 45 days"
    assert info.days == 45


def test_checkins_older_than_the_window_are_left_out() -> None:
    checkins = daily(WINDOW_DAYS + 30)
    _, info = render_progress(data(checkins=checkins), now=NOW)
    assert info.mood_points == WINDOW_DAYS
    assert info.urge_points == WINDOW_DAYS
    assert info.days == WINDOW_DAYS
    today = NOW.date()
    assert info.first_day == today - timedelta(days=WINDOW_DAYS - 1)
    assert min(info.checkin_days) == info.first_day
    assert max(info.checkin_days) == today


def test_checkins_after_now_are_not_plotted() -> None:
    checkins = [*daily(5), (NOW + timedelta(hours=1), 3, 3)]
    _, info = render_progress(data(checkins=checkins), now=NOW)
    assert info.mood_points == 5


def test_unsorted_checkins_are_plotted_in_time_order() -> None:
    checkins = daily(12)
    _, info = render_progress(data(checkins=list(reversed(checkins))), now=NOW)
    assert list(info.checkin_days) == sorted(info.checkin_days)
    assert info.mood_points == 12


def test_a_short_history_still_spans_a_week() -> None:
    _, info = render_progress(data(checkins=daily(2)), now=NOW)
    assert info.mood_points == 2
    assert info.days == 7
    assert info.title == "Your last 7 days"


def test_axis_reaches_back_to_the_no_contact_start() -> None:
    start = NOW - timedelta(days=20)
    _, info = render_progress(data(checkins=daily(3), no_contact_start=start), now=NOW)
    assert info.first_day == date(2026, 5, 12)
    assert info.days == 21
    assert info.no_contact_shaded


def test_no_contact_span_only_when_there_is_one() -> None:
    _, without = render_progress(data(checkins=daily(10)), now=NOW)
    assert not without.no_contact_shaded
    long_ago = NOW - timedelta(days=WINDOW_DAYS + 40)  # 30 days ended well before the window
    _, ended = render_progress(data(checkins=daily(10), no_contact_start=long_ago), now=NOW)
    assert not ended.no_contact_shaded


def test_no_contact_is_visible_in_the_picture() -> None:
    from bot.chart import NO_CONTACT_COLOUR

    plain = decode(render_progress_png(data(checkins=daily(30)), now=NOW))
    shaded = decode(
        render_progress_png(
            data(checkins=daily(30), no_contact_start=NOW - timedelta(days=10)), now=NOW
        )
    )
    # The light green fill is NO_CONTACT_COLOUR at low alpha over white.
    tint = "#" + "".join(
        f"{round(255 + 0.18 * (int(NO_CONTACT_COLOUR[k : k + 2], 16) - 255)):02x}"
        for k in (1, 3, 5)
    )
    assert colour_pixels(plain, tint, tolerance=4) == 0
    assert colour_pixels(shaded, tint, tolerance=4) > 10_000


def test_slips_in_the_window_are_marked_once_each() -> None:
    slips = [
        NOW - timedelta(days=2),
        NOW - timedelta(days=20),
        NOW - timedelta(days=WINDOW_DAYS + 5),  # too old
        NOW + timedelta(days=1),  # not yet
    ]
    _, info = render_progress(data(checkins=daily(30), slips=slips), now=NOW)
    assert info.slip_markers == 2


def test_slips_are_visible_in_the_picture() -> None:
    from bot.chart import SLIP_COLOUR

    d = data(checkins=daily(30))
    with_slip = data(checkins=daily(30), slips=[NOW - timedelta(days=9)])
    assert colour_pixels(decode(render_progress_png(d, now=NOW)), SLIP_COLOUR) == 0
    assert colour_pixels(decode(render_progress_png(with_slip, now=NOW)), SLIP_COLOUR) > 100


@pytest.mark.parametrize(
    ("days_ago", "expected"),
    [
        (0, 0),  # day 1 today: no milestone reached yet
        (6, 1),  # today is day 7
        (5, 0),  # today is day 6
        (20, 3),  # day 21: 7, 14, 21
        (29, 4),  # day 30: all four
        (70, 4),  # long over: still shown where they happened
    ],
)
def test_milestones_reached_are_marked(days_ago: int, expected: int) -> None:
    start = NOW - timedelta(days=days_ago)
    _, info = render_progress(data(checkins=daily(5), no_contact_start=start), now=NOW)
    assert info.milestone_lines == expected


def test_milestones_beyond_the_planned_length_are_not_marked() -> None:
    start = NOW - timedelta(days=40)
    d = data(checkins=daily(5), no_contact_start=start, no_contact_days=14)
    _, info = render_progress(d, now=NOW)
    assert info.milestone_lines == 2  # 7 and 14; 21 and 30 were never part of the plan


def test_milestones_before_the_window_are_not_marked() -> None:
    # Day k falls on start + (k - 1) days: with a start 130 days ago, day 30 was 101 days ago.
    start = NOW - timedelta(days=130)
    d = data(checkins=daily(5), no_contact_start=start, no_contact_days=120)
    _, info = render_progress(d, now=NOW)
    assert info.no_contact_shaded
    assert info.milestone_lines == 0
    d = data(
        checkins=daily(5), no_contact_start=start, no_contact_days=120, milestones=(7, 30, 60, 90)
    )
    _, info = render_progress(d, now=NOW)
    assert info.milestone_lines == 2  # day 60 (71 days ago) and day 90 (41 days ago)


def test_custom_milestones() -> None:
    start = NOW - timedelta(days=45)
    d = data(checkins=daily(5), no_contact_start=start, no_contact_days=60, milestones=(10, 40))
    _, info = render_progress(d, now=NOW)
    assert info.milestone_lines == 2


# --- empty data ---------------------------------------------------------------------


def test_no_checkins_yet_gives_a_friendly_png() -> None:
    png, info = render_progress(data(), now=NOW)
    assert decode(png).size == (1000, 700)
    assert info.title == "No check-ins yet"
    assert (info.mood_points, info.urge_points, info.slip_markers, info.milestone_lines) == (
        0,
        0,
        0,
        0,
    )


def test_only_old_checkins_say_so() -> None:
    old = [(NOW - timedelta(days=WINDOW_DAYS + 3), 3, 4)]
    png, info = render_progress(
        data(checkins=old, slips=[NOW - timedelta(days=1)], no_contact_start=NOW), now=NOW
    )
    assert decode(png).size == (1000, 700)
    assert info.mood_points == 0
    assert info.title == "No check-ins in the last 90 days"


def test_unknown_zone_key_still_renders() -> None:
    png, info = render_progress(data(tz="Mars/Olympus", checkins=daily(3)), now=NOW)
    assert decode(png).size == (1000, 700)
    assert info.mood_points == 3


# --- time zones ---------------------------------------------------------------------


def test_late_utc_checkin_lands_on_the_next_day_in_tokyo() -> None:
    at = datetime(2026, 5, 20, 23, 30, tzinfo=UTC)  # 08:30 on 21 May in Tokyo
    d_tokyo = data(tz="Asia/Tokyo", checkins=[(at, 4, 2)])
    d_utc = data(tz="UTC", checkins=[(at, 4, 2)])
    assert render_progress(d_tokyo, now=NOW)[1].checkin_days == (date(2026, 5, 21),)
    assert render_progress(d_utc, now=NOW)[1].checkin_days == (date(2026, 5, 20),)


def test_today_is_the_users_local_today() -> None:
    now = datetime(2026, 6, 1, 22, 0, tzinfo=UTC)  # already 2 June in Tokyo
    _, info = render_progress(data(tz="Asia/Tokyo", checkins=daily(3, now=now)), now=now)
    assert info.last_day == date(2026, 6, 2)
    _, info = render_progress(data(tz="America/New_York", checkins=daily(3, now=now)), now=now)
    assert info.last_day == date(2026, 6, 1)


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        # 2 November 2025, 04:30 UTC: still EDT (UTC-4) so 00:30 on 2 Nov, not 23:30 on 1 Nov.
        (datetime(2025, 11, 2, 4, 30, tzinfo=UTC), date(2025, 11, 2)),
        # 8 March 2026, 04:30 UTC: EST (UTC-5) until 07:00 UTC, so 23:30 on 7 March.
        (datetime(2026, 3, 8, 4, 30, tzinfo=UTC), date(2026, 3, 7)),
        # Same wall-clock check the day after the switch: EDT, 00:30 on 9 March.
        (datetime(2026, 3, 9, 4, 30, tzinfo=UTC), date(2026, 3, 9)),
    ],
)
def test_dst_decides_the_local_day(at: datetime, expected: date) -> None:
    now = at + timedelta(days=2)
    _, info = render_progress(data(tz="America/New_York", checkins=[(at, 3, 5)]), now=now)
    assert info.checkin_days == (expected,)


def test_fixed_offset_zone_key() -> None:
    at = datetime(2026, 5, 20, 19, 0, tzinfo=UTC)  # 00:30 on 21 May at UTC+05:30
    _, info = render_progress(data(tz="UTC+05:30", checkins=[(at, 2, 8)]), now=NOW)
    assert info.checkin_days == (date(2026, 5, 21),)


def test_window_is_counted_in_local_days() -> None:
    # 89 local days back in Tokyo starts at local midnight; a check-in 30 minutes after that
    # midnight is in, one 30 minutes before it is out, whatever the UTC date says.
    now = datetime(2026, 6, 1, 3, 0, tzinfo=UTC)  # 12:00 on 1 June in Tokyo
    first_local_day = date(2026, 6, 1) - timedelta(days=WINDOW_DAYS - 1)
    midnight_utc = datetime.combine(first_local_day, datetime.min.time(), UTC) - timedelta(hours=9)
    inside = (midnight_utc + timedelta(minutes=30), 3, 3)
    outside = (midnight_utc - timedelta(minutes=30), 3, 3)
    _, info = render_progress(data(tz="Asia/Tokyo", checkins=[outside, inside]), now=now)
    assert info.checkin_days == (first_local_day,)
