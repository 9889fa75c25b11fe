"""What a user types when asked where they live, and the zone the coach takes from it."""

from __future__ import annotations

import zoneinfo
from datetime import UTC, datetime, timedelta

import pytest

from dialogs.timezones import MAX_INPUT_CHARS, describe_zone, parse_timezone, zone_for

WINTER = datetime(2025, 1, 15, 12, tzinfo=UTC)
SUMMER = datetime(2025, 7, 15, 12, tzinfo=UTC)


def offsets(key: str) -> tuple[timedelta | None, timedelta | None]:
    """The zone's UTC offset in winter and in summer: two keys that agree are the same clock."""
    tz = zone_for(key)
    return WINTER.astimezone(tz).utcoffset(), SUMMER.astimezone(tz).utcoffset()


def same_clock_as(iana: str) -> tuple[timedelta | None, timedelta | None]:
    tz = zoneinfo.ZoneInfo(iana)
    return WINTER.astimezone(tz).utcoffset(), SUMMER.astimezone(tz).utcoffset()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("europe/berlin", "Europe/Berlin"),
        ("EUROPE/BERLIN", "Europe/Berlin"),
        ("America/New_York", "America/New_York"),
        ("america/new york", "America/New_York"),
        ("Asia/Kolkata", "Asia/Kolkata"),
        ("America/Argentina/Buenos_Aires", "America/Argentina/Buenos_Aires"),
        ("my timezone is Asia/Tokyo", "Asia/Tokyo"),
    ],
)
def test_iana_names_in_any_case(text: str, expected: str) -> None:
    assert parse_timezone(text) == expected


@pytest.mark.parametrize(
    ("legacy", "clock"),
    [
        ("US/Eastern", "America/New_York"),
        ("US/Pacific", "America/Los_Angeles"),
        ("Canada/Mountain", "America/Edmonton"),
        ("GB", "Europe/London"),
    ],
)
def test_legacy_names_become_a_usable_modern_zone(legacy: str, clock: str) -> None:
    key = parse_timezone(legacy)
    assert key is not None
    assert "/" in key and not key.startswith(("US/", "Canada/"))
    assert offsets(key) == same_clock_as(clock)


def test_etc_names_keep_their_posix_sign() -> None:
    # tzdata's Etc/GMT+3 is three hours *behind* UTC; reading it as UTC+3 would be wrong.
    key = parse_timezone("Etc/GMT+3")
    assert key is not None
    assert offsets(key) == (timedelta(hours=-3), timedelta(hours=-3))


@pytest.mark.parametrize(
    ("text", "clock"),
    [
        ("Berlin", "Europe/Berlin"),
        ("berlin", "Europe/Berlin"),
        ("  BERLIN  ", "Europe/Berlin"),
        ("new york", "America/New_York"),
        ("New-York", "America/New_York"),
        ("newyork", "America/New_York"),
        ("Sao Paulo", "America/Sao_Paulo"),
        ("são paulo", "America/Sao_Paulo"),
        ("SÃO PAULO", "America/Sao_Paulo"),
        ("los angeles", "America/Los_Angeles"),
        ("los_angeles", "America/Los_Angeles"),
        ("Zürich", "Europe/Zurich"),
        ("København", "Europe/Copenhagen"),
        ("St. John's", "America/St_Johns"),
        ("N'Djamena", "Africa/Ndjamena"),
        ("Port of Spain", "America/Port_of_Spain"),
        ("Ho Chi Minh City", "Asia/Ho_Chi_Minh"),
        ("Calcutta", "Asia/Kolkata"),
        ("Kiev", "Europe/Kyiv"),
        ("Buenos Aires", "America/Argentina/Buenos_Aires"),
    ],
)
def test_zone_cities_in_any_spelling(text: str, clock: str) -> None:
    key = parse_timezone(text)
    assert key is not None
    assert offsets(key) == same_clock_as(clock)


@pytest.mark.parametrize(
    ("clock", "cities"),
    [
        ("Europe/Berlin", "Munich, München, Hamburg, Cologne, Frankfurt, Stuttgart"),
        ("America/Los_Angeles", "San Francisco, Seattle, San Diego, Portland, Las Vegas, SF, LA"),
        ("America/New_York", "Boston, Washington, Miami, Philadelphia, Atlanta, NYC, Brooklyn"),
        ("America/Chicago", "Houston, Dallas, Austin, Minneapolis, New Orleans, St. Louis"),
        ("America/Denver", "Salt Lake City, Albuquerque"),
        ("Asia/Kolkata", "Delhi, New Delhi, Mumbai, Bangalore, Bengaluru, Chennai, Hyderabad"),
        ("Asia/Shanghai", "Beijing, Guangzhou, Shenzhen"),
        ("Europe/London", "Manchester, Edinburgh, Glasgow, Birmingham, Liverpool"),
        ("Europe/Madrid", "Barcelona, Valencia, Seville"),
        ("Europe/Rome", "Milan, Naples, Florence, Venice"),
        ("Asia/Tokyo", "Osaka, Kyoto, Yokohama"),
        ("America/Toronto", "Montreal, Ottawa"),
        ("Australia/Melbourne", "Melbourne"),
        ("Australia/Sydney", "Sydney, Canberra"),
        ("Asia/Jerusalem", "Tel Aviv"),
        ("Africa/Johannesburg", "Cape Town, Durban"),
        ("America/Sao_Paulo", "Rio de Janeiro, Brasilia"),
        ("Pacific/Auckland", "Wellington, Christchurch"),
    ],
)
def test_big_cities_that_are_not_zone_names(clock: str, cities: str) -> None:
    for city in cities.split(", "):
        key = parse_timezone(city)
        assert key is not None, city
        assert offsets(key) == same_clock_as(clock), city


@pytest.mark.parametrize(
    ("country", "clock"),
    [
        ("Germany", "Europe/Berlin"),
        ("France", "Europe/Paris"),
        ("India", "Asia/Kolkata"),
        ("Japan", "Asia/Tokyo"),
        ("UK", "Europe/London"),
        ("United Kingdom", "Europe/London"),
        ("Ireland", "Europe/Dublin"),
        ("Italy", "Europe/Rome"),
        ("Spain", "Europe/Madrid"),
        ("Poland", "Europe/Warsaw"),
        ("Ukraine", "Europe/Kyiv"),
        ("New Zealand", "Pacific/Auckland"),
        ("South Korea", "Asia/Seoul"),
    ],
)
def test_single_zone_countries(country: str, clock: str) -> None:
    key = parse_timezone(country)
    assert key is not None
    assert offsets(key) == same_clock_as(clock)


@pytest.mark.parametrize(
    "text",
    ["USA", "US", "United States", "Canada", "Russia", "Brazil", "Australia", "Mexico", "Georgia"],
)
def test_countries_with_several_zones_are_not_guessed(text: str) -> None:
    # Better to ask for a city than to put someone in New York when they live in Denver.
    assert parse_timezone(text) is None


@pytest.mark.parametrize(
    ("text", "clock"),
    [
        ("I'm in Berlin", "Europe/Berlin"),
        ("i am in berlin", "Europe/Berlin"),
        ("I live in Munich", "Europe/Berlin"),
        ("berlin, germany", "Europe/Berlin"),
        ("Berlin Germany", "Europe/Berlin"),
        ("Berlin time", "Europe/Berlin"),
        ("it's berlin time here", "Europe/Berlin"),
        ("Seattle, USA", "America/Los_Angeles"),
        ("Atlanta, Georgia", "America/New_York"),
        ("I live in the UK", "Europe/London"),
        ("near Lyon, France", "Europe/Paris"),
        ("Berlin (UTC+1)", "Europe/Berlin"),
        ("New Jersey", "America/New_York"),
        ("eastern standard time", "America/New_York"),
        ("PST", "America/Los_Angeles"),
    ],
)
def test_filler_around_a_place_is_ignored(text: str, clock: str) -> None:
    key = parse_timezone(text)
    assert key is not None
    assert offsets(key) == same_clock_as(clock)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("UTC+3", "UTC+03:00"),
        ("utc -5", "UTC-05:00"),
        ("GMT+05:30", "UTC+05:30"),
        ("gmt+5:45", "UTC+05:45"),
        ("UTC+5.5", "UTC+05:30"),
        ("+05:30", "UTC+05:30"),
        ("-0800", "UTC-08:00"),
        ("+3", "UTC+03:00"),
        ("−3", "UTC-03:00"),  # a phone keyboard's minus sign
        ("UTC-12", "UTC-12:00"),
        ("UTC+14:00", "UTC+14:00"),
        ("I'm on UTC+2", "UTC+02:00"),
        ("UTC", "UTC"),
        ("utc", "UTC"),
        ("GMT", "UTC"),
        ("Z", "UTC"),
        ("UTC+0", "UTC"),
        ("Etc/UTC", "UTC"),
    ],
)
def test_offsets(text: str, key: str) -> None:
    assert parse_timezone(text) == key


@pytest.mark.parametrize(
    ("key", "hours"),
    [("UTC+03:00", 3), ("UTC-05:00", -5), ("UTC+05:30", 5.5), ("UTC-03:30", -3.5), ("UTC", 0)],
)
def test_offset_keys_become_fixed_clocks(key: str, hours: float) -> None:
    assert offsets(key) == (timedelta(hours=hours), timedelta(hours=hours))


@pytest.mark.parametrize(
    "text",
    [
        "asdf",
        "Mars",
        "UTC+15",
        "UTC-13",
        "UTC-12:30",
        "GMT+05:20",
        "utc+123",
        "",
        "   ",
        "<b>",
        "{{7*7}}",
        "${7*7}",
        "'; DROP TABLE users; --",
        "../../etc/passwd",
        "I don't know",
        "not sure",
        "et cetera",  # "ET" alone means US Eastern, but not inside a sentence
        "I had a ct scan",
        "wake up",
        "3",
        "x" * 5000,
        "Berlin " * 1000,
    ],
)
def test_nonsense_is_refused(text: str) -> None:
    assert parse_timezone(text) is None


def test_non_text_is_refused() -> None:
    assert parse_timezone(None) is None  # type: ignore[arg-type]
    assert parse_timezone(42) is None  # type: ignore[arg-type]


def test_long_messages_are_not_read() -> None:
    assert parse_timezone("Berlin".ljust(MAX_INPUT_CHARS, "!")) == "Europe/Berlin"
    assert parse_timezone("Berlin".ljust(MAX_INPUT_CHARS + 1, "!")) is None


def test_every_city_zone_is_found_by_its_city_name() -> None:
    # Everything a user could see in a list of zones should work when typed back.
    generic = {"Center", "ACT", "LHI", "NSW", "North", "South", "West", "Yancowinna"}
    areas = ("Africa/", "America/", "Asia/", "Atlantic/", "Australia/", "Europe/", "Indian/")
    missed = []
    for zone in sorted(zoneinfo.available_timezones()):
        city = zone.rsplit("/", 1)[-1]
        if not zone.startswith(areas) or city in generic:
            continue
        key = parse_timezone(city.replace("_", " "))
        if key is None or offsets(key) != same_clock_as(zone):
            missed.append((zone, key))
    assert missed == []


@pytest.mark.parametrize(
    ("text", "primary"),
    [
        ("Istanbul", "Europe/Istanbul"),
        ("Buenos Aires", "America/Argentina/Buenos_Aires"),
        ("Indianapolis", "America/Indiana/Indianapolis"),
        ("Nicosia", "Asia/Nicosia"),
    ],
)
def test_names_shared_by_two_zones_pick_the_primary_one(text: str, primary: str) -> None:
    # The other spelling is a backward-compatible alias tzdata may one day drop.
    assert parse_timezone(text) == primary


def test_samoa_means_the_country_not_american_samoa() -> None:
    # Pacific/Samoa is a tzdata alias for American Samoa, a day behind the country Samoa.
    key = parse_timezone("Samoa")
    assert key is not None
    assert offsets(key) == same_clock_as("Pacific/Apia")
    assert offsets(parse_timezone("American Samoa") or "") == same_clock_as("Pacific/Pago_Pago")


def test_every_answer_can_be_turned_back_into_a_clock() -> None:
    answers = ["Berlin", "UTC+05:30", "UTC-08:00", "UTC", "US/Eastern", "Japan", "Etc/GMT-14"]
    for text in answers:
        key = parse_timezone(text)
        assert key is not None
        assert zone_for(key) is zone_for(key)  # cached, so the scheduler can call it freely
        assert WINTER.astimezone(zone_for(key)).utcoffset() is not None


@pytest.mark.parametrize(
    "key",
    ["Mars/Base", "../../etc/passwd", "UTC+15:00", "UTC+05:20", "utc+03:00", "", "posixrules"],
)
def test_zone_for_rejects_unknown_keys(key: str) -> None:
    with pytest.raises(ValueError):
        zone_for(key)


def test_describe_zone_shows_the_offset_in_force() -> None:
    assert describe_zone("Europe/Berlin", WINTER) == "Berlin (UTC+01:00)"
    assert describe_zone("Europe/Berlin", SUMMER) == "Berlin (UTC+02:00)"
    assert describe_zone("America/New_York", WINTER) == "New York (UTC-05:00)"
    assert describe_zone("America/St_Johns", WINTER) == "St Johns (UTC-03:30)"
    assert describe_zone("UTC+05:30", WINTER) == "UTC+05:30"
    assert describe_zone("UTC", SUMMER) == "UTC"
    # A naive "now" is read as UTC rather than crashing the confirmation message.
    assert describe_zone("Asia/Kolkata", datetime(2025, 1, 1)) == "Kolkata (UTC+05:30)"
