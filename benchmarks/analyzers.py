"""Benchmark: the offline text analyzers on long and typical messages.

Every typed message passes the safety detectors; drafts and talks pass the
coaching checks; questions the Q&A matcher; onboarding the zone parser. This
prints the median and worst time of each on a typical message and on 5,000
characters (more than Telegram's 4,096 limit). Last line: one JSON object.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dialogs.coaching import check_i_language, review_draft
from dialogs.qa import answer_question, looks_like_question
from dialogs.safety import detect_abuse, detect_crisis, detect_unwanted_contact, normalise
from dialogs.timezones import parse_timezone

TYPICAL = "I keep thinking about texting her tonight, is that a bad idea?"
LONG = {
    "prose": ("We talked for hours about music and travel, and I wonder if she misses it. " * 70)[
        :5000
    ],
    "one-token": "a" * 5000,
    "quotes": ('"la la" ' * 700)[:5000],
}

FUNCTIONS: dict[str, Callable[[str], object]] = {
    "detect_crisis": detect_crisis,
    "detect_abuse": detect_abuse,
    "detect_unwanted_contact": detect_unwanted_contact,
    "review_draft": lambda t: review_draft(t, local_hour=23),
    "check_i_language": check_i_language,
    "answer_question": answer_question,
    "looks_like_question": looks_like_question,
    "parse_timezone": parse_timezone,
}


def measure(fn: Callable[[str], object], text: str, runs: int = 20) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        normalise.cache_clear()  # the full cost, not a cache hit
        start = time.perf_counter()
        fn(text)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), max(times)


def main() -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for name, fn in FUNCTIONS.items():
        fn(TYPICAL)  # build indexes once
        med, _ = measure(fn, TYPICAL)
        row = {"typical_ms": round(med, 3)}
        for label, text in LONG.items():
            med, worst = measure(fn, text)
            row[f"{label}_5000_ms"] = round(med, 3)
            row[f"{label}_5000_worst_ms"] = round(worst, 3)
        out[name] = row
        cells = "  ".join(f"{k}={v}" for k, v in row.items())
        print(f"{name:24} {cells}")
    return out


if __name__ == "__main__":
    print(json.dumps(main()))
