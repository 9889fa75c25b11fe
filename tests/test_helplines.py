"""Crisis and abuse lines are chosen from the user's time zone, with a safe fallback."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from dialogs.safety import Helpline, Resources, country_for_timezone, resources_for

DIRECTORY = "https://findahelpline.com"


def _numbers(lines: tuple[Helpline, ...]) -> set[str]:
    return {line.number for line in lines}


@pytest.mark.parametrize(
    ("zone", "country"),
    [
        ("Europe/Berlin", "DE"),
        ("America/Toronto", "CA"),
        ("Europe/London", "GB"),
        ("Asia/Kolkata", "IN"),
        ("Asia/Calcutta", "IN"),  # legacy name, a link in tzdata
        ("US/Eastern", "US"),
        ("europe/berlin", "DE"),
        ("Asia/Tokyo", "JP"),
        ("UTC", None),
        ("UTC+3", None),
        ("UTC+05:30", None),
        ("Etc/GMT-3", None),
        ("Mars/Olympus_Mons", None),
        ("../../etc/passwd", None),
        ("", None),
        (None, None),
    ],
)
def test_country_for_timezone(zone: str | None, country: str | None) -> None:
    assert country_for_timezone(zone) == country


def test_berlin_gets_german_lines() -> None:
    res = resources_for("Europe/Berlin")
    assert res.country == "DE"
    assert {"0800 111 0 111", "0800 111 0 222"} <= _numbers(res.crisis)
    assert res.emergency == "112"


def test_new_york_gets_988_and_the_domestic_violence_hotline() -> None:
    res = resources_for("America/New_York")
    assert res.country == "US"
    assert "988" in _numbers(res.crisis)
    assert "1-800-799-7233" in _numbers(res.abuse)
    text_line = next(line for line in res.abuse if line.how == "text")
    assert text_line.number == "88788" and "START" in text_line.note
    assert res.emergency == "911"


@pytest.mark.parametrize(
    ("zone", "crisis_number", "emergency"),
    [
        ("America/Toronto", "988", "911"),
        ("Europe/London", "116 123", "999"),
        ("Europe/Dublin", "116 123", "112"),
        ("Australia/Sydney", "13 11 14", "000"),
        ("Europe/Paris", "3114", "112"),
        ("Asia/Kolkata", "14416", "112"),
    ],
)
def test_covered_countries(zone: str, crisis_number: str, emergency: str) -> None:
    res = resources_for(zone)
    assert crisis_number in _numbers(res.crisis)
    assert res.emergency == emergency
    assert res.directory == DIRECTORY


def test_uk_gets_the_domestic_abuse_helpline() -> None:
    assert "0808 2000 247" in _numbers(resources_for("Europe/London").abuse)


@pytest.mark.parametrize("zone", ["Asia/Tokyo", None, "UTC+03:00", "nonsense"])
def test_uncovered_zones_fall_back_to_the_directory_and_emergency_numbers(
    zone: str | None,
) -> None:
    res = resources_for(zone)
    assert res.country is None
    assert res.crisis == () and res.abuse == ()
    assert res.directory == DIRECTORY
    assert "112" in res.emergency and "911" in res.emergency


def test_every_listed_country_is_reachable_and_well_formed() -> None:
    raw = json.loads(
        resources.files("dialogs").joinpath("data", "helplines.json").read_text("utf-8")
    )
    # A country no time zone maps to would never be shown to anyone.
    reachable = {
        line.split("\t")[0]
        for line in resources.files("tzdata")
        .joinpath("zoneinfo", "zone.tab")
        .read_text("utf-8")
        .splitlines()
        if line and not line.startswith("#")
    }
    for code, entry in raw["countries"].items():
        assert code in reachable, code
        assert entry["emergency"].strip(), code
        assert entry["crisis"], f"{code} has no crisis line"
        for line in entry["crisis"] + entry["abuse"]:
            assert line["how"] in {"call", "text", "call or text"}, (code, line)
            assert line["name"].strip() and line["number"].strip(), (code, line)


def test_resources_are_immutable_values() -> None:
    res = resources_for("Europe/Berlin")
    assert isinstance(res, Resources)
    assert resources_for("Europe/Berlin") is res  # loaded once, shared
