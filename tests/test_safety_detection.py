"""The safety detectors: measured on labelled sets, plus the idioms users actually type.

Run with ``pytest -s`` to see the precision / recall figures.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dialogs.safety import detect_abuse, detect_crisis, detect_unwanted_contact, normalise

DATA = Path(__file__).parent / "data"


def _load(name: str) -> list[tuple[str, str]]:
    rows = []
    for line in (DATA / name).read_text("utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        label, text = line.split("\t", 1)
        rows.append((label, text))
    return rows


def _binary_scores(rows: list[tuple[str, str]], detect) -> dict[str, float]:
    tp = fp = fn = tn = 0
    misses = []
    for label, text in rows:
        predicted, actual = detect(text), label == "1"
        tp += predicted and actual
        fp += predicted and not actual
        fn += actual and not predicted
        tn += not predicted and not actual
        if predicted != actual:
            misses.append(("missed" if actual else "false alarm", text))
    for kind, text in misses:
        print(f"  {kind}: {text}")
    return {
        "n": len(rows),
        "positives": tp + fn,
        "negatives": fp + tn,
        "recall": tp / (tp + fn),
        "precision": tp / (tp + fp),
        "false_alarm_rate": fp / (fp + tn),
    }


def _report(name: str, s: dict[str, float]) -> None:
    print(
        f"\n{name}: n={s['n']} (+{s['positives']}/-{s['negatives']}) "
        f"recall={s['recall']:.3f} precision={s['precision']:.3f} "
        f"false-alarm={s['false_alarm_rate']:.3f}"
    )


# --- labelled sets ------------------------------------------------------------------------


def test_crisis_labelled_set_recall_and_false_alarms() -> None:
    rows = _load("crisis_labelled.tsv")
    scores = _binary_scores(rows, detect_crisis)
    _report("crisis", scores)
    assert scores["positives"] >= 60 and scores["negatives"] >= 80 and scores["n"] >= 150
    # Missing someone in crisis costs far more than a needless kind message.
    assert scores["recall"] >= 0.95
    assert scores["false_alarm_rate"] <= 0.05
    assert scores["precision"] >= 0.90


def test_abuse_labelled_set_recall_and_false_alarms() -> None:
    rows = _load("abuse_labelled.tsv")
    scores = _binary_scores(rows, detect_abuse)
    _report("abuse", scores)
    assert scores["n"] >= 80 and scores["positives"] >= 30 and scores["negatives"] >= 30
    assert scores["recall"] >= 0.95
    assert scores["false_alarm_rate"] <= 0.05


def test_unwanted_contact_labelled_set() -> None:
    rows = _load("unwanted_contact_labelled.tsv")
    assert len(rows) >= 40
    kinds = {"blocked", "asked_to_stop", "said_no", "new_partner"}
    correct = 0
    per_kind: dict[str, list[int]] = {kind: [0, 0] for kind in kinds}
    false_flags = nones = 0
    for label, text in rows:
        got = detect_unwanted_contact(text) or "none"
        correct += got == label
        if label in kinds:
            per_kind[label][0] += got == label
            per_kind[label][1] += 1
        else:
            nones += 1
            false_flags += got != "none"
        if got != label:
            print(f"  expected {label}, got {got}: {text}")
    accuracy = correct / len(rows)
    print(f"\nunwanted contact: n={len(rows)} accuracy={accuracy:.3f} ", end="")
    print(" ".join(f"{k}={hit}/{total}" for k, (hit, total) in sorted(per_kind.items())), end="")
    print(f" false flags on 'none'={false_flags}/{nones}")
    assert accuracy >= 0.90
    for kind, (hit, total) in per_kind.items():
        assert total >= 8, kind
        assert hit / total >= 0.85, kind
    assert false_flags / nones <= 0.05


# --- crisis: specific phrasings ----------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "I don't want to live anymore",
        "I don’t want to live anymore",  # curly apostrophe
        "i dont want to live anymore",
        "I  don't   want to  live anymore",  # extra spaces
        "I DON'T WANT TO LIVE ANYMORE",
        "what's the point of going on",
        "I want to hurt myself",
        "i wanna die",
        "kms",
        "i keep thinking about suicde",
        "su1c1dal again tonight",
        "dont wanna be here anymore",
        "I'm not sure I want to live",
        "I'm not suicidal but sometimes I want to die",
        "I'm not okay and I want to die",
        'I keep thinking "I want to die"',
        "i want to kill myself by jumping",
    ],
)
def test_crisis_fires(text: str) -> None:
    assert detect_crisis(text)


@pytest.mark.parametrize(
    "text",
    [
        "this song is killing me",
        "I'm dying to see them",
        "I could kill for a coffee",
        "I'd die of embarrassment",
        "dead tired",
        "I'm not suicidal, just sad",
        "I would never hurt myself",
        "I don't want to die alone",
        'the song "I want to die" by some band',
        "listening to the song called i want to die",
        "she texted me 'I want to die' after her team lost",
        "he said he wants to die",
        "I ran 10 kms today",
        "Texting him would be social suicide",
        "I cut myself off from my friends",
        "I don't want to live in this city anymore",
        "I can't go on a date yet",
        "what's the point of texting him",
        "She's better off without me",
        "I'd rather die than text him first",
        "",
    ],
)
def test_crisis_ignores_idioms_denials_and_quotes(text: str) -> None:
    assert not detect_crisis(text)


# --- abuse: specific phrasings -----------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "he hit me",
        "she used to check my phone and wouldn't let me see friends",
        "I was scared of him",
        "he threatened to kill me",
        "they followed me home",
        "he forced me",
        "I'm afraid of what he'll do",
        "He said he'd kill himself if I left him",
    ],
)
def test_abuse_fires(text: str) -> None:
    assert detect_abuse(text)


@pytest.mark.parametrize(
    "text",
    [
        "I'm afraid they won't text back",
        "I'm scared of being alone",
        "we fought about dishes",
        "he hit me up last night",
        "It hit me that she's gone",
        "He never hit me, he was just distant",
        "I went through my phone and deleted our photos",
        "I stalk her instagram every night",
        "She threatened to leave me if I didn't change",
        "",
    ],
)
def test_abuse_ignores_ordinary_conflict_and_worry(text: str) -> None:
    assert not detect_abuse(text)


# --- unwanted contact --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("she blocked me everywhere", "blocked"),
        ("he told me to stop texting him", "asked_to_stop"),
        ("she has a restraining order against me", "asked_to_stop"),
        ("she said she doesn't want to get back together", "said_no"),
        ("he's dating someone else now", "new_partner"),
        ("I blocked her", None),
        ("should I text him?", None),
        ("I'm on day 12 of no contact", None),
        ("what if she says no?", None),
        ("", None),
    ],
)
def test_unwanted_contact_kinds(text: str, kind: str | None) -> None:
    assert detect_unwanted_contact(text) == kind


def test_most_binding_unwanted_signal_wins() -> None:
    # A legal order outranks a block, which outranks a new partner.
    text = "she blocked me, has a new boyfriend and got a restraining order"
    assert detect_unwanted_contact(text) == "asked_to_stop"
    assert detect_unwanted_contact("she blocked me and is dating someone new") == "blocked"


# --- normalisation and speed -------------------------------------------------------------


def test_normalise_folds_quotes_case_spacing_and_leetspeak() -> None:
    assert normalise("I DON’T   want\tto  k1ll mys3lf") == "i dont want to kill myself"
    assert normalise("wanna die") == "want to die"
