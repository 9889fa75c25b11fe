"""Data for templates that need more than the user's state (aiogram_dialog's "getters")."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dialogs.turn import Turn

GETTERS: dict[str, Callable[[Turn], dict[str, Any]]] = {}


def getter(name: str) -> Callable[[Callable[[Turn], dict[str, Any]]], Callable[..., Any]]:
    def register(fn: Callable[[Turn], dict[str, Any]]) -> Callable[[Turn], dict[str, Any]]:
        GETTERS[name] = fn
        return fn

    return register


@getter("resources")
def _resources(t: Turn) -> dict[str, Any]:
    from dialogs.safety import resources_for

    return {"resources": resources_for(t.state.tz)}


@getter("replay")
def _replay(t: Turn) -> dict[str, Any]:
    lists = t.state.lists
    return {
        "reasons": lists.get("reasons", []),
        "pros": lists.get("pros", []),
        "cons": lists.get("cons", []),
    }


@getter("zone")
def _zone(t: Turn) -> dict[str, Any]:
    from dialogs.timezones import describe_zone

    return {"zone_label": describe_zone(t.state.tz, t.now) if t.state.tz else "not set"}


def status(t: Turn) -> dict[str, Any]:
    """What /status shows besides the stage: next nudge, moods, the signs trend."""
    from dialogs.timing import format_local

    s = t.state
    nxt = None
    if s.next_nudge is not None and not s.paused:
        nxt = format_local(s.next_nudge[1], s.tz or "UTC")
    trend = ""
    if s.signs_history:
        trend = " → ".join(str(x) for x in s.signs_history[-5:]) + " of 5"
    return {
        "next_nudge": nxt,
        "recent_moods": [m for _, m, _ in s.recent_checkins[-5:]],
        "signs_trend": trend,
    }


@getter("i_language")
def _i_language(t: Turn) -> dict[str, Any]:
    """T2/T3: check the point just added for blame and for vague promises."""
    from dialogs.coaching import check_i_language

    added = t.extra.get("added")
    return {"i_check": check_i_language(added) if added else None}
