"""Turn what a user types about where they live into a time zone key.

Keys are plain strings so storage can keep them as TEXT:

* an IANA name such as ``"Europe/Berlin"`` (returned exactly as tzdata spells it), or
* ``"UTC"``, or a fixed offset ``"UTC+05:30"`` / ``"UTC-08:00"``.

``zone_for(key)`` turns a key back into a ``tzinfo``. Everything here is offline: it only
reads the tzdata that ships with the ``tzdata`` package.
"""

from __future__ import annotations

import functools
import re
import unicodedata
import zoneinfo
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from typing import NamedTuple

__all__ = ["describe_zone", "parse_timezone", "zone_for"]

# Longer messages are not an answer to "where are you?"; refusing them keeps the parser
# cheap no matter what someone pastes in.
MAX_INPUT_CHARS = 200
# A place name never needs more words than this; it bounds the sub-phrase search.
_MAX_WORDS = 12

_UTC_KEY = "UTC"
_OFFSET_KEY_RE = re.compile(r"^UTC([+-])(\d{2}):(\d{2})$")
_ALLOWED_MINUTES = frozenset({0, 15, 30, 45})
_MIN_OFFSET = timedelta(hours=-12)
_MAX_OFFSET = timedelta(hours=14)

# "UTC+3", "gmt -05:30", "utc+5.5" anywhere in the text. The sign is required so a bare
# "UTC 3" is not guessed at.
_PREFIXED_OFFSET_RE = re.compile(
    r"(?<![a-z0-9])(?:utc|gmt)\s*([+-])\s*(\d{1,2})(?::?(\d{2})|[.,](\d{1,2}))?(?!\d)"
)
# "+3", "-0800", "+05:30" only when that is the whole answer: in a sentence a signed
# number is more likely something else.
_BARE_OFFSET_RE = re.compile(r"^([+-])\s*(\d{1,2})(?::?(\d{2})|[.,](\d{1,2}))?$")
_DECIMAL_MINUTES = {"5": 30, "50": 30, "25": 15, "75": 45}

# Zones whose last component becomes a city name in the index. Legacy areas (US/, Canada/,
# Brazil/ ...) and Etc/ are left out: "Etc/GMT+3" means UTC-3, and "Central" or "West" are
# not cities. Antarctic station names ("Casey", "Davis", "Troll") read like ordinary words.
_CITY_AREAS = frozenset(
    {"Africa", "America", "Arctic", "Asia", "Atlantic", "Australia", "Europe", "Indian", "Pacific"}
)
_CITY_EXCLUDE = frozenset({"north", "south", "west", "center", "act", "nsw", "lhi", "yancowinna"})
_NOT_ZONES = frozenset({"Factory", "localtime", "posixrules"})

# Filler a person wraps around a place name: stripped from either end only, so names with
# these words inside ("Port of Spain", "Isle of Man") survive.
_EDGE_FILLER = frozenset(
    """
    i im am m me my we re are our us live lives living stay staying based located currently
    now right at the moment moved just in from near around close to by outside somewhere
    is its it s timezone timezones time zone tz clock local standard daylight summer winter
    area here there greater metro region downtown centre center suburbs country state
    province hi hello hey ok okay um uh hmm well so oh yes yeah please thanks thank you
    actually mostly usually think guess probably
    """.split()
)

# Big cities, countries, regions and abbreviations that are not zone names themselves.
# Each target is an IANA key; entries whose target a tzdata release lacks are dropped.
_ALIASES: dict[str, str] = {}


def _alias(zone: str, names: str) -> None:
    for name in names.split(","):
        _ALIASES[name.strip()] = zone


_alias("UTC", "utc, gmt, z, zulu, uct, universal, greenwich, greenwich mean, coordinated universal")
# Germany
_alias(
    "Europe/Berlin",
    "germany, deutschland, munich, munchen, muenchen, hamburg, cologne, koln, koeln, frankfurt, "
    "stuttgart, dusseldorf, duesseldorf, leipzig, dresden, hanover, hannover, nuremberg, "
    "nurnberg, bonn, bremen, essen, dortmund, cet, cest, central european, german",
)
# UK and Ireland
_alias(
    "Europe/London",
    "uk, united kingdom, great britain, britain, british, england, scotland, wales, gb, "
    "northern ireland, manchester, edinburgh, glasgow, birmingham, liverpool, leeds, bristol, "
    "cardiff, newcastle, sheffield, nottingham, oxford, cambridge, brighton, leicester, "
    "aberdeen, southampton, bst",
)
_alias("Europe/Dublin", "ireland, eire, cork, galway, limerick, irish")
# Rest of Europe
_alias(
    "Europe/Paris",
    "france, french, lyon, marseille, toulouse, nice, bordeaux, lille, nantes, strasbourg, "
    "montpellier",
)
_alias(
    "Europe/Madrid",
    "spain, espana, barcelona, valencia, seville, sevilla, bilbao, malaga, zaragoza",
)
_alias(
    "Europe/Rome",
    "italy, italia, milan, milano, naples, napoli, turin, torino, florence, firenze, venice, "
    "venezia, bologna, genoa, palermo, roma",
)
_alias(
    "Europe/Amsterdam",
    "netherlands, holland, dutch, rotterdam, the hague, hague, den haag, utrecht, eindhoven",
)
_alias("Europe/Brussels", "belgium, antwerp, ghent, bruges, bruxelles, liege")
_alias("Europe/Zurich", "switzerland, swiss, geneva, geneve, basel, bern, lausanne")
_alias("Europe/Vienna", "austria, wien, salzburg, graz, innsbruck")
_alias("Europe/Warsaw", "poland, polska, krakow, cracow, wroclaw, gdansk, poznan, lodz, warszawa")
_alias("Europe/Prague", "czechia, czech republic, praha, brno")
_alias("Europe/Lisbon", "portugal, porto, lisboa, wet, west european")
_alias("Europe/Stockholm", "sweden, gothenburg, goteborg, malmo")
_alias("Europe/Oslo", "norway, bergen")
_alias("Europe/Copenhagen", "denmark, aarhus, kobenhavn")
_alias("Europe/Helsinki", "finland, espoo, tampere")
_alias("Europe/Athens", "greece, thessaloniki, eet, eest, east european")
_alias("Europe/Istanbul", "turkey, turkiye, ankara, izmir, antalya")
_alias("Europe/Kyiv", "ukraine, kharkiv, kharkov, odesa, odessa, lviv, dnipro")
_alias(
    "Europe/Moscow",
    "st petersburg, saint petersburg, moskva, kazan, nizhny novgorod, msk",
)
_alias("Europe/Bucharest", "romania, cluj")
_alias("Europe/Budapest", "hungary")
_alias("Europe/Sofia", "bulgaria")
_alias("Europe/Bratislava", "slovakia")
_alias("Europe/Zagreb", "croatia")
_alias("Europe/Belgrade", "serbia")
_alias("Europe/Ljubljana", "slovenia")
_alias("Europe/Sarajevo", "bosnia, bosnia and herzegovina")
_alias("Europe/Skopje", "north macedonia, macedonia")
_alias("Europe/Tirane", "albania, tirana")
_alias("Europe/Podgorica", "montenegro")
_alias("Europe/Chisinau", "moldova")
_alias("Europe/Minsk", "belarus")
_alias("Europe/Tallinn", "estonia")
_alias("Europe/Riga", "latvia")
_alias("Europe/Vilnius", "lithuania")
_alias("Europe/Malta", "malta")
_alias("Europe/Luxembourg", "luxembourg")
_alias("Asia/Nicosia", "cyprus")
_alias("Atlantic/Reykjavik", "iceland")
# North America
_alias(
    "America/New_York",
    "boston, washington, washington dc, dc, miami, philadelphia, atlanta, orlando, tampa, "
    "charlotte, pittsburgh, baltimore, brooklyn, manhattan, nyc, new york city, raleigh, "
    "richmond, jacksonville, cleveland, columbus, cincinnati, buffalo, newark, jersey city, "
    "hartford, providence, new jersey, new york state, massachusetts, pennsylvania, florida, "
    "ohio, virginia, north carolina, south carolina, maryland, connecticut, new england, "
    "east coast, est, edt, et, eastern",
)
_alias(
    "America/Chicago",
    "houston, dallas, austin, san antonio, minneapolis, st louis, saint louis, kansas city, "
    "new orleans, nashville, memphis, milwaukee, oklahoma city, fort worth, omaha, texas, "
    "illinois, minnesota, louisiana, wisconsin, missouri, iowa, oklahoma, cst, cdt, ct, central",
)
_alias(
    "America/Denver",
    "salt lake city, albuquerque, el paso, boulder, colorado, utah, new mexico, mst, mdt, mt, "
    "mountain",
)
_alias("America/Phoenix", "tucson, scottsdale, arizona")
_alias(
    "America/Los_Angeles",
    "san francisco, sf, seattle, san diego, portland, las vegas, san jose, sacramento, oakland, "
    "la, hollywood, silicon valley, bay area, palo alto, california, oregon, washington state, "
    "nevada, west coast, pst, pdt, pt, pacific",
)
_alias("America/Anchorage", "alaska, akst, akdt")
_alias("Pacific/Honolulu", "hawaii, hst")
_alias("America/Toronto", "montreal, ottawa, mississauga, quebec city, ontario, quebec")
_alias("America/Edmonton", "calgary, alberta")
_alias("America/Vancouver", "british columbia")
_alias("America/Winnipeg", "manitoba")
_alias("America/Regina", "saskatoon, saskatchewan")
_alias("America/Halifax", "nova scotia")
_alias("America/St_Johns", "newfoundland")
_alias("America/Mexico_City", "guadalajara, puebla")
# Latin America
_alias(
    "America/Sao_Paulo",
    "rio, rio de janeiro, brasilia, belo horizonte, curitiba, porto alegre",
)
_alias("America/Bogota", "colombia, medellin, cali")
_alias("America/Lima", "peru")
_alias("America/Caracas", "venezuela")
_alias("America/Guayaquil", "ecuador, quito")
_alias("America/Argentina/Buenos_Aires", "argentina")
_alias("America/Montevideo", "uruguay")
_alias("America/Asuncion", "paraguay")
_alias("America/La_Paz", "bolivia")
_alias("America/Santiago", "chile")
_alias("America/Havana", "cuba")
_alias("America/Santo_Domingo", "dominican republic")
# Asia and the Middle East
_alias(
    "Asia/Kolkata",
    "india, delhi, new delhi, mumbai, bombay, bangalore, bengaluru, chennai, madras, hyderabad, "
    "pune, ahmedabad, jaipur, lucknow, goa, noida, gurgaon, gurugram, kochi, ist",
)
_alias(
    "Asia/Shanghai",
    "china, prc, beijing, peking, guangzhou, shenzhen, chengdu, wuhan, hangzhou, nanjing, "
    "xian, tianjin",
)
_alias(
    "Asia/Tokyo",
    "japan, osaka, kyoto, yokohama, nagoya, sapporo, fukuoka, kobe, jst",
)
_alias("Asia/Seoul", "south korea, korea, rok, busan, incheon, kst")
_alias("Asia/Pyongyang", "north korea")
_alias("Asia/Taipei", "taiwan, roc, kaohsiung, taichung")
_alias("Asia/Hong_Kong", "hongkong, hkt")
_alias("Asia/Singapore", "sgt")
_alias("Asia/Ho_Chi_Minh", "vietnam, hanoi, ho chi minh city")
_alias("Asia/Bangkok", "thailand, phuket, chiang mai")
_alias("Asia/Manila", "philippines, cebu, quezon city")
_alias("Asia/Jakarta", "bandung, surabaya, wib")
_alias("Asia/Makassar", "bali, denpasar")
_alias("Asia/Kuala_Lumpur", "malaysia, penang")
_alias("Asia/Karachi", "pakistan, lahore, islamabad, rawalpindi, faisalabad, pkt")
_alias("Asia/Dhaka", "bangladesh, chittagong")
_alias("Asia/Colombo", "sri lanka")
_alias("Asia/Kathmandu", "nepal")
_alias("Asia/Dubai", "uae, united arab emirates, emirates, abu dhabi, sharjah")
_alias("Asia/Riyadh", "saudi arabia, saudi, jeddah, mecca, medina")
_alias("Asia/Muscat", "oman")
_alias("Asia/Amman", "jordan")
_alias("Asia/Beirut", "lebanon")
_alias("Asia/Baghdad", "iraq")
_alias("Asia/Tehran", "iran, isfahan, mashhad, shiraz")
_alias("Asia/Kabul", "afghanistan")
_alias("Asia/Jerusalem", "israel, tel aviv, haifa")
_alias("Asia/Yerevan", "armenia")
_alias("Asia/Baku", "azerbaijan")
_alias("Asia/Almaty", "astana")
# Oceania
_alias("Australia/Sydney", "new south wales, canberra, aest, aedt")
_alias("Australia/Brisbane", "queensland, gold coast")
_alias("Australia/Perth", "western australia, awst")
_alias("Australia/Adelaide", "south australia, acst")
_alias("Australia/Hobart", "tasmania")
_alias("Australia/Darwin", "northern territory")
_alias("Pacific/Auckland", "new zealand, nz, wellington, christchurch, nzst, nzdt")
_alias("Pacific/Apia", "samoa")
_alias("Pacific/Pago_Pago", "american samoa")
_alias("Pacific/Noumea", "new caledonia")
_alias("Pacific/Port_Moresby", "papua new guinea")
# Africa
_alias("Africa/Johannesburg", "south africa, cape town, durban, pretoria, sast")
_alias("Africa/Lagos", "nigeria, abuja")
_alias("Africa/Cairo", "egypt, alexandria")
_alias("Africa/Nairobi", "kenya, mombasa")
_alias("Africa/Accra", "ghana")
_alias("Africa/Addis_Ababa", "ethiopia")
_alias("Africa/Casablanca", "morocco, marrakech, marrakesh, rabat")
_alias("Africa/Tunis", "tunisia")
_alias("Africa/Algiers", "algeria")
_alias("Africa/Tripoli", "libya")
_alias("Africa/Kampala", "uganda")
_alias("Africa/Dar_es_Salaam", "tanzania")
_alias("Africa/Kigali", "rwanda")
_alias("Africa/Harare", "zimbabwe")
_alias("Africa/Lusaka", "zambia")
_alias("Africa/Dakar", "senegal")
_alias("Africa/Juba", "south sudan")
_alias("Africa/Khartoum", "sudan")
_alias("Africa/Malabo", "equatorial guinea")
_alias("Africa/Bissau", "guinea bissau")

# Deliberately absent: countries spanning several zones (USA, Canada, Russia, Brazil,
# Australia, Mexico, Indonesia ...) and names of two places (Georgia). Asking for a city beats
# putting someone in New York when they live in Denver.

# Zone names that are also everyday words: trusted only as the whole answer, never picked
# out of a longer sentence ("a family reunion", "wake up").
_WHOLE_ANSWER_ONLY = frozenset(
    {"reunion", "christmas", "easter", "wake", "midway", "virgin", "regina", "johnston"}
)

# Transliterations NFKD does not do on its own.
_TRANSLIT = str.maketrans(
    {"ø": "o", "æ": "ae", "ß": "ss", "ł": "l", "đ": "d", "ı": "i", "œ": "oe", "þ": "th"}
)
_DASHES = str.maketrans({"−": "-", "–": "-", "—": "-", "＋": "+"})
_NON_WORD_RE = re.compile(r"[^a-z0-9]+")
_PART_SPLIT_RE = re.compile(r"[,;()|\[\]\n]+")


def _fold(text: str) -> str:
    """Lower-case, strip accents, unify dashes: "São Paulo" -> "sao paulo"."""
    text = text.lower().translate(_TRANSLIT).translate(_DASHES)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _words(folded: str) -> list[str]:
    # Apostrophes vanish ("N'Djamena" -> "ndjamena", "St. John's" -> "st johns"); every
    # other non-alphanumeric run separates words ("new-york", "Dar_es_Salaam").
    return _NON_WORD_RE.sub(" ", folded.replace("'", "").replace("’", "")).split()


def _name_key(name: str) -> str:
    words = _words(_fold(name))
    if words and words[0] == "saint":
        words[0] = "st"
    return " ".join(words)


def _offset_key(sign: str, hours: str, minutes: str | None, decimal: str | None) -> str | None:
    """Build "UTC+05:30" from regex groups; None when out of range or an odd minute count."""
    if decimal is not None:
        if decimal not in _DECIMAL_MINUTES and decimal.strip("0"):
            return None
        mins = _DECIMAL_MINUTES.get(decimal, 0)
    else:
        mins = int(minutes) if minutes else 0
    if mins not in _ALLOWED_MINUTES:
        return None
    delta = timedelta(hours=int(hours), minutes=mins)
    if sign == "-":
        delta = -delta
    if not _MIN_OFFSET <= delta <= _MAX_OFFSET:
        return None
    return _format_offset_key(delta)


def _format_offset_key(delta: timedelta) -> str:
    if not delta:
        return _UTC_KEY
    return "UTC" + _format_offset(delta)


def _format_offset(delta: timedelta) -> str:
    total = int(delta.total_seconds()) // 60
    sign = "-" if total < 0 else "+"
    hours, minutes = divmod(abs(total), 60)
    return f"{sign}{hours:02d}:{minutes:02d}"


@functools.cache
def _links() -> dict[str, str]:
    """Backward-compatible zone names tzdata defines as links: link name -> target."""
    # Imported here: importlib.resources costs ~10 ms at import time, only the index needs it.
    from importlib import resources

    try:
        text = resources.files("tzdata").joinpath("zoneinfo", "tzdata.zi").read_text("utf-8")
    except (ModuleNotFoundError, FileNotFoundError, OSError):
        return {}
    # Lines look like "L Europe/Brussels Europe/Amsterdam": L, target, link name.
    rows = (line.split() for line in text.splitlines() if line.startswith("L "))
    return {row[2]: row[1] for row in rows if len(row) == 3}


def _canonical(key: str) -> str:
    """Swap legacy names ("US/Eastern", "GB", "Etc/UTC") for the zone they point at.

    Links inside a real area ("Europe/Kiev", "Europe/Amsterdam") are kept: they carry the
    city the user named, which reads better in confirmations.
    """
    target = _links().get(key, key)
    if key.partition("/")[0] in _CITY_AREAS:
        return key
    if target in {"Etc/UTC", "Etc/GMT"}:
        return _UTC_KEY
    return target


class _Index(NamedTuple):
    zones: frozenset[str]  # every usable IANA key
    iana: dict[str, str]  # folded IANA name -> key
    places: dict[str, str]  # folded place name -> key


@functools.cache
def _index() -> _Index:
    """Build the lookups once per process (about 600 zones plus the alias table)."""
    zones = frozenset(zoneinfo.available_timezones() - _NOT_ZONES)
    links = _links()
    iana = {_iana_key(key): _canonical(key) for key in sorted(zones)}

    places: dict[str, str] = {}
    for key in sorted(zones):
        area, _, rest = key.partition("/")
        if area not in _CITY_AREAS or not rest:
            continue
        name = _name_key(rest.rsplit("/", 1)[-1])
        if not name or name in _CITY_EXCLUDE:
            continue
        current = places.get(name)
        # On a clash ("Buenos_Aires" is both America/ and America/Argentina/), keep the zone
        # tzdata treats as primary rather than the backward-compatible link.
        if current is None or (current in links and key not in links):
            places[name] = key
    available = zones | {_UTC_KEY}
    for name, target in _ALIASES.items():
        if target in available:
            places[_name_key(name) or name] = target
    # "newyork", "saopaulo", "hongkong": people drop the space too.
    for name, target in list(places.items()):
        if " " in name:
            places.setdefault(name.replace(" ", ""), target)
    return _Index(zones, iana, places)


def _iana_key(text: str) -> str:
    return _fold(text).strip().replace(" ", "_")


def _strip_edges(words: list[str]) -> list[str]:
    start, end = 0, len(words)
    while start < end and words[start] in _EDGE_FILLER:
        start += 1
    while end > start and words[end - 1] in _EDGE_FILLER:
        end -= 1
    return words[start:end]


def _lookup_phrase(words: list[str], places: dict[str, str]) -> str | None:
    """Match a whole phrase, then its sub-phrases longest first ("berlin germany" -> Berlin)."""
    if not words:
        return None
    phrase = " ".join(words)
    if phrase in places:
        return places[phrase]
    words = words[:_MAX_WORDS]
    for size in range(len(words) - 1, 0, -1):
        for start in range(len(words) - size + 1):
            sub = " ".join(words[start : start + size])
            # Short tokens ("la", "et", "pt") are only trusted as the whole answer.
            if len(sub) < 4 or sub in _WHOLE_ANSWER_ONLY:
                continue
            found = places.get(sub)
            if found is not None:
                return found
    return None


def parse_timezone(text: str) -> str | None:
    """Return a zone key for what the user typed, or None if it names no place we know.

    Accepts IANA names in any case ("europe/berlin"), place names ("São Paulo", "new-york",
    "I'm in Munich", "Berlin, Germany", "Berlin time"), single-zone countries ("Japan"),
    common abbreviations ("PST", "CET") and UTC/GMT offsets ("UTC+3", "GMT-05:30", "+0530").
    Offsets must lie in -12:00..+14:00 with 00/15/30/45 minutes.
    """
    if not isinstance(text, str):
        return None
    text = text.strip()
    if not text or len(text) > MAX_INPUT_CHARS:
        return None
    folded = _fold(text)
    index = _index()

    # IANA names first, also inside a sentence ("I'm on America/New_York"). They win over the
    # offset parser because "Etc/GMT+3" means UTC-3 in tzdata.
    for token in (folded, *folded.split()):
        if "/" in token:
            key = index.iana.get(_iana_key(token).strip("_.,;:!?"))
            if key is not None:
                return key

    match = _PREFIXED_OFFSET_RE.search(folded) or _BARE_OFFSET_RE.match(folded.strip())
    if match:
        # "Berlin (UTC+1)": the place is better, it knows about summer time.
        rest = folded[: match.start()] + " " + folded[match.end() :]
        return _lookup_place(rest, index) or _offset_key(*match.groups())

    found = _lookup_place(folded, index)
    if found is not None:
        return found
    # Legacy single-word zone names such as "EST5EDT" or "W-SU".
    return index.iana.get(_iana_key(folded))


def _lookup_place(folded: str, index: _Index) -> str | None:
    whole = _strip_edges(_words(folded))
    found = _lookup_phrase(whole, index.places)
    if found is not None:
        return found
    # "Austin, Texas" or "usa, seattle": try each part on its own.
    parts = _PART_SPLIT_RE.split(folded)
    if len(parts) > 1:
        for part in parts:
            found = _lookup_phrase(_strip_edges(_words(part)), index.places)
            if found is not None:
                return found
    return None


@functools.lru_cache(maxsize=1024)
def zone_for(key: str) -> tzinfo:
    """Return the tzinfo for a key made by ``parse_timezone``; ValueError if it is not one."""
    if key == _UTC_KEY:
        return UTC
    match = _OFFSET_KEY_RE.match(key)
    if match:
        sign, hours, minutes = match.groups()
        delta = timedelta(hours=int(hours), minutes=int(minutes))
        if sign == "-":
            delta = -delta
        if int(minutes) not in _ALLOWED_MINUTES or not _MIN_OFFSET <= delta <= _MAX_OFFSET:
            raise ValueError(f"offset out of range: {key!r}")
        return timezone(delta)
    # Only names tzdata lists, so a stored key can never reach the file system as a path.
    if key not in _index().zones:
        raise ValueError(f"unknown time zone key: {key!r}")
    return zoneinfo.ZoneInfo(key)


def describe_zone(key: str, now: datetime) -> str:
    """Short label for confirmations, e.g. "Berlin (UTC+01:00)" or "UTC+05:30".

    The offset is the one in force at ``now`` (a naive ``now`` is taken as UTC), so a summer
    confirmation for Berlin says UTC+02:00.
    """
    tz = zone_for(key)
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    offset = now.astimezone(tz).utcoffset() or timedelta(0)
    if key == _UTC_KEY:
        return "UTC"
    if _OFFSET_KEY_RE.match(key) or key.startswith("Etc/"):
        return "UTC" + _format_offset(offset)
    label = key.rsplit("/", 1)[-1].replace("_", " ")
    return f"{label} (UTC{_format_offset(offset)})"
