"""The ``/progress`` chart: mood and urge over the user's own calendar days, as a PNG.

The picture goes out as a Telegram photo, so it carries no user text at all (no names, no
notes): only numbers, dates and fixed labels. Positions on the x axis are local wall-clock
times (naive datetimes in the user's zone), so a check-in lands on the day the user lived it,
DST included.

matplotlib is imported on first use, not with this module: importing it costs most of a second
and the bot should not pay that at start-up for a command few people run. Only the
object-oriented API is used (``Figure`` + ``FigureCanvasAgg``, never pyplot and never
``rcParams``), because renders run in a thread pool and pyplot keeps global state. matplotlib
itself serialises ``Figure.draw`` with a class-wide lock, so concurrent renders are safe but do
not run in parallel.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from itertools import pairwise
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["WINDOW_DAYS", "ChartInfo", "ProgressData", "render_progress", "render_progress_png"]

# The longest stretch shown; older check-ins are left out.
WINDOW_DAYS = 90
# A chart of one or two days looks broken, so the axis never spans less than this.
MIN_DAYS = 7

# 1000 x 700 px: fills a phone screen in landscape-ish photo view without Telegram
# downscaling it much. Font sizes below are chosen for that pixel size.
FIG_SIZE_IN = (10.0, 7.0)
DPI = 100

# Okabe-Ito palette (safe for the common colour-vision deficiencies). Each series also differs
# in marker or line style, so nothing relies on colour alone.
MOOD_COLOUR = "#0072B2"  # blue, circles, solid
URGE_COLOUR = "#CC79A7"  # reddish purple, squares, solid
SLIP_COLOUR = "#D55E00"  # vermillion, dashed
NO_CONTACT_COLOUR = "#009E73"  # bluish green, light fill
MILESTONE_COLOUR = "#555555"  # grey, dotted
TEXT_COLOUR = "#222222"

_TITLE_SIZE = 22
_LABEL_SIZE = 16
_TICK_SIZE = 14
_SMALL_SIZE = 13

# gids tag the marks ChartInfo counts, so the counts come from what was actually drawn.
_GID_SLIP = "slip"
_GID_MILESTONE = "milestone"
_GID_NO_CONTACT = "no_contact"

# Axes span 87 % of the 1000 px width (see subplots_adjust); used to space milestone labels.
_AXIS_WIDTH_PX = 870
_LONG_LABEL_PX = 80


@dataclass(frozen=True)
class ProgressData:
    """Everything the chart needs, with times as stored (UTC aware)."""

    tz: str  # the user's zone key, e.g. "Europe/Berlin" or "UTC+05:30"
    checkins: list[tuple[datetime, int, int]]  # (UTC aware time, mood 1-5, urge 0-10)
    slips: list[datetime]  # UTC aware
    no_contact_start: datetime | None
    no_contact_days: int = 30
    milestones: tuple[int, ...] = (7, 14, 21, 30)


@dataclass(frozen=True)
class ChartInfo:
    """What ended up on the chart: read back from the drawn artists, for tests and logs."""

    width_px: int
    height_px: int
    days: int  # N in "Your last N days"; 0 for the "no check-ins" picture
    first_day: date | None  # leftmost local day on the axis
    last_day: date | None  # the user's local today
    mood_points: int
    urge_points: int
    slip_markers: int
    milestone_lines: int
    no_contact_shaded: bool
    checkin_days: tuple[date, ...]  # local day of each plotted check-in, oldest first
    title: str


def render_progress_png(data: ProgressData, *, now: datetime) -> bytes:
    """The progress chart as PNG bytes (about 1000x700 px)."""
    png, _ = render_progress(data, now=now)
    return png


def render_progress(data: ProgressData, *, now: datetime) -> tuple[bytes, ChartInfo]:
    """Render the chart and report what was drawn on it.

    Shows at most the last ``WINDOW_DAYS`` local days up to ``now``; anything later than
    ``now`` is ignored. With no check-ins in that window the PNG is a friendly placeholder.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    zone = _zone(data.tz)
    now_local = _local(now, zone)
    today = now_local.date()
    window_start = today - timedelta(days=WINDOW_DAYS - 1)

    checkins = [
        (local, mood, urge)
        for when, mood, urge in data.checkins
        if window_start <= (local := _local(when, zone)).date() and local <= now_local
    ]
    checkins.sort(key=lambda c: c[0])
    slips = sorted(
        local
        for when in data.slips
        if window_start <= (local := _local(when, zone)).date() and local <= now_local
    )

    fig = Figure(figsize=FIG_SIZE_IN, dpi=DPI, facecolor="white")
    FigureCanvasAgg(fig)
    if checkins:
        first_day = _first_day(checkins, slips, data, zone, today, window_start)
        title = f"Your last {(today - first_day).days + 1} days"
        info = _draw_chart(fig, data, zone, checkins, slips, first_day, today, title)
    else:
        had_older = bool(data.checkins)
        info = _draw_empty(fig, had_older)

    buf = io.BytesIO()
    # No "Software" tag: the photo should say nothing beyond the picture itself.
    fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": None})
    width, height = fig.canvas.get_width_height()
    return buf.getvalue(), _with_size(info, width, height)


# --- helpers ------------------------------------------------------------------------


def _zone(key: str) -> tzinfo:
    from dialogs.timezones import zone_for

    try:
        return zone_for(key)
    except ValueError:
        # A stale or odd key must not cost the user their chart; UTC is off by hours at worst.
        return UTC


def _local(when: datetime, zone: tzinfo) -> datetime:
    """Naive local wall-clock time: what matplotlib should place on the axis."""
    if when.tzinfo is None:  # stored times are UTC; be forgiving about a missing tzinfo
        when = when.replace(tzinfo=UTC)
    return when.astimezone(zone).replace(tzinfo=None)


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time())


def _first_day(
    checkins: list[tuple[datetime, int, int]],
    slips: list[datetime],
    data: ProgressData,
    zone: tzinfo,
    today: date,
    window_start: date,
) -> date:
    """Leftmost day: the earliest thing worth showing, within the window, at least MIN_DAYS."""
    candidates = [checkins[0][0].date()]
    if slips:
        candidates.append(slips[0].date())
    if data.no_contact_start is not None:
        candidates.append(_local(data.no_contact_start, zone).date())
    first = max(min(candidates), window_start)
    return min(first, today - timedelta(days=MIN_DAYS - 1))


def _draw_chart(
    fig: Figure,
    data: ProgressData,
    zone: tzinfo,
    checkins: list[tuple[datetime, int, int]],
    slips: list[datetime],
    first_day: date,
    today: date,
    title: str,
) -> ChartInfo:
    from matplotlib import dates as mdates
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    x_left = _midnight(first_day)
    x_right = _midnight(today + timedelta(days=1))
    ax_mood, ax_urge = fig.subplots(2, 1, sharex=True)
    # Fixed margins instead of a layout engine: cheaper, and the size never shifts.
    fig.subplots_adjust(left=0.1, right=0.97, top=0.82, bottom=0.1, hspace=0.12)
    fig.suptitle(title, fontsize=_TITLE_SIZE, color=TEXT_COLOUR, y=0.98)

    times = [c[0] for c in checkins]
    moods = [min(max(c[1], 1), 5) for c in checkins]
    urges = [min(max(c[2], 0), 10) for c in checkins]
    (mood_line,) = ax_mood.plot(
        times, moods, color=MOOD_COLOUR, marker="o", markersize=7, linewidth=2.2, zorder=3
    )
    (urge_line,) = ax_urge.plot(
        times, urges, color=URGE_COLOUR, marker="s", markersize=6, linewidth=2.2, zorder=3
    )

    ax_mood.set_ylim(0.6, 5.4)
    ax_mood.set_yticks([1, 2, 3, 4, 5])
    ax_mood.set_ylabel("Mood", fontsize=_LABEL_SIZE, color=TEXT_COLOUR)
    ax_urge.set_ylim(-0.6, 10.6)
    ax_urge.set_yticks([0, 2, 4, 6, 8, 10])
    ax_urge.set_ylabel("Urge to reach out", fontsize=_LABEL_SIZE, color=TEXT_COLOUR)
    for ax in (ax_mood, ax_urge):
        ax.set_xlim(x_left, x_right)
        ax.grid(axis="y", color="#dddddd", linewidth=1)
        ax.tick_params(labelsize=_TICK_SIZE, colors=TEXT_COLOUR)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)

    locator = mdates.AutoDateLocator(minticks=3, maxticks=8)
    ax_urge.xaxis.set_major_locator(locator)
    ax_urge.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    ax_urge.xaxis.get_offset_text().set_fontsize(_SMALL_SIZE)

    shaded = _draw_no_contact(data, zone, (ax_mood, ax_urge), x_left, x_right)
    for slip in slips:
        for ax in (ax_mood, ax_urge):
            ax.axvline(slip, color=SLIP_COLOUR, linestyle="--", linewidth=2, gid=_GID_SLIP)
    milestones = _draw_milestones(data, zone, (ax_mood, ax_urge), x_left, x_right)

    handles: list[Any] = [
        Line2D([], [], color=MOOD_COLOUR, marker="o", linewidth=2.2, label="Mood"),
        Line2D([], [], color=URGE_COLOUR, marker="s", linewidth=2.2, label="Urge"),
    ]
    if shaded:
        handles.append(Patch(facecolor=NO_CONTACT_COLOUR, alpha=0.18, label="No contact"))
    if slips:
        handles.append(Line2D([], [], color=SLIP_COLOUR, linestyle="--", lw=2, label="Slip"))
    if milestones:
        handles.append(
            Line2D([], [], color=MILESTONE_COLOUR, linestyle=":", lw=1.8, label="Milestone day")
        )
    fig.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, 0.925),
        ncol=len(handles),
        frameon=False,
        fontsize=_SMALL_SIZE + 1,
    )

    plotted_days = tuple(mdates.num2date(x).date() for x in mdates.date2num(mood_line.get_xdata()))
    return ChartInfo(
        width_px=0,
        height_px=0,
        days=(today - first_day).days + 1,
        first_day=first_day,
        last_day=today,
        mood_points=len(mood_line.get_xdata()),
        urge_points=len(urge_line.get_xdata()),
        slip_markers=_count_gid(ax_mood, _GID_SLIP),
        milestone_lines=_count_gid(ax_mood, _GID_MILESTONE),
        no_contact_shaded=shaded,
        checkin_days=plotted_days,
        title=title,
    )


def _draw_no_contact(
    data: ProgressData,
    zone: tzinfo,
    axes: tuple[Axes, Axes],
    x_left: datetime,
    x_right: datetime,
) -> bool:
    """Shade the no-contact days (day 1 = the local start day) that fall on the axis."""
    if data.no_contact_start is None or data.no_contact_days <= 0:
        return False
    start_day = _local(data.no_contact_start, zone).date()
    start = max(_midnight(start_day), x_left)
    end = min(_midnight(start_day + timedelta(days=data.no_contact_days)), x_right)
    if start >= end:
        return False
    for ax in axes:
        ax.axvspan(
            start, end, color=NO_CONTACT_COLOUR, alpha=0.18, linewidth=0, zorder=0,
            gid=_GID_NO_CONTACT,
        )  # fmt: skip
    return True


def _draw_milestones(
    data: ProgressData,
    zone: tzinfo,
    axes: tuple[Axes, Axes],
    x_left: datetime,
    x_right: datetime,
) -> bool:
    """A dotted line where each milestone day of no contact begins, labelled on top."""
    if data.no_contact_start is None:
        return False
    start_day = _local(data.no_contact_start, zone).date()
    shown = [
        (day_n, x)
        for day_n in sorted(set(data.milestones))
        if 1 <= day_n <= data.no_contact_days
        # before the axis, or not reached yet: nothing to mark
        and x_left <= (x := _midnight(start_day + timedelta(days=day_n - 1))) < x_right
    ]
    # "Day 14" needs about 60 px plus a gap: when milestones sit closer than that on a long
    # axis, bare numbers keep neighbouring labels from running into each other.
    axis_days = (x_right - x_left).days
    gaps = [b - a for (a, _), (b, _) in pairwise(shown)]
    px_per_day = _AXIS_WIDTH_PX / max(axis_days, 1)
    short = bool(gaps) and min(gaps) * px_per_day < _LONG_LABEL_PX
    for day_n, x in shown:
        for ax in axes:
            ax.axvline(x, color=MILESTONE_COLOUR, linestyle=":", linewidth=1.8, gid=_GID_MILESTONE)
        axes[0].annotate(
            str(day_n) if short else f"Day {day_n}",
            xy=(x, 1.0),
            xycoords=("data", "axes fraction"),
            xytext=(0, 3),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=_SMALL_SIZE,
            color=MILESTONE_COLOUR,
        )
    return bool(shown)


def _count_gid(ax: Axes, gid: str) -> int:
    return sum(1 for artist in ax.get_children() if artist.get_gid() == gid)


def _draw_empty(fig: Figure, had_older: bool) -> ChartInfo:
    """The placeholder picture: no axes, just a kind word about what will appear here."""
    headline = "No check-ins in the last 90 days" if had_older else "No check-ins yet"
    fig.text(0.5, 0.56, headline, ha="center", va="center", fontsize=30, color=TEXT_COLOUR)
    fig.text(
        0.5,
        0.44,
        "Do a quick /checkin and your chart will start here.",
        ha="center",
        va="center",
        fontsize=_LABEL_SIZE + 2,
        color=MILESTONE_COLOUR,
    )
    return ChartInfo(
        width_px=0,
        height_px=0,
        days=0,
        first_day=None,
        last_day=None,
        mood_points=0,
        urge_points=0,
        slip_markers=0,
        milestone_lines=0,
        no_contact_shaded=False,
        checkin_days=(),
        title=headline,
    )


def _with_size(info: ChartInfo, width: int, height: int) -> ChartInfo:
    from dataclasses import replace

    return replace(info, width_px=width, height_px=height)
