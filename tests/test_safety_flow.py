"""Safety in the conversation: crisis care anywhere, the abuse gate, refused contact."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest

from conftest import ONBOARDING, REFLECT_HEALTHY, START
from dialogs import engine
from dialogs.model import Command, Text, Timer, UserState
from dialogs.stages import STAGES, Part

ROOT = Path(__file__).resolve().parents[1]
CRISIS = "honestly i dont want to live anymore"


def onboarded(tz: str = "America/New_York") -> UserState:
    state = UserState()
    for typed in ["/start", "yes", "Sam", "Alex", tz, "9"]:
        event = Command("start") if typed == "/start" else Text(typed)
        state = engine.step(state, event, START).state
    return state


def say(state: UserState, text: str) -> tuple[UserState, str]:
    event = Command(text[1:]) if text.startswith("/") else Text(text)
    result = engine.step(state, event, START)
    return result.state, html.unescape("\n".join(r.text for r in result.replies))


@pytest.mark.parametrize("stage", [s.id for s in STAGES if s.id != "crisis"])
def test_crisis_in_the_middle_of_every_stage_stops_it_and_resumes_on_request(stage: str) -> None:
    state = onboarded()
    state.stage = stage
    state, said = say(state, CRISIS)
    assert state.stage == "crisis"
    assert "988" in said and "Are you safe right now?" in said
    state, said = say(state, "ok whatever")  # anything but "I'm safe" keeps the care on screen
    assert state.stage == "crisis"
    state, _ = say(state, "I'm safe, let's go on")
    assert state.stage == stage


def test_sos_works_even_before_setup_is_done() -> None:
    state = engine.step(UserState(), Command("start"), START).state
    state, said = say(state, "/sos")
    assert state.stage == "crisis"
    assert "findahelpline.com" in said  # no time zone yet: the international fallback


@pytest.mark.parametrize(
    ("tz", "expected"),
    [
        ("Berlin", "0800 111 0 111"),
        ("London", "116 123"),
        ("Sydney", "13 11 14"),
        ("Paris", "3114"),
        ("Mumbai", "14416"),
        ("Tokyo", "findahelpline.com"),
    ],
)
def test_crisis_numbers_follow_the_users_country(tz: str, expected: str) -> None:
    _, said = say(onboarded(tz), "/sos")
    assert expected in said


@pytest.mark.parametrize(
    "text",
    ["this song is killing me", "I'm dying to see them", "I could kill for a coffee"],
)
def test_ordinary_breakup_talk_is_not_treated_as_a_crisis(text: str) -> None:
    state = onboarded()
    state.stage = "no_contact"
    state, _ = say(state, text)
    assert state.stage == "no_contact"


def test_abuse_in_the_health_check_routes_to_safety_and_ends_coaching() -> None:
    state = onboarded()
    for typed in ["no", "1", "done", "no", "yes", "yes", "yes"]:
        state, _ = say(state, typed)
    assert state.stage == "health_safety"
    state, said = say(state, "yes")
    assert state.stage == "safety"
    assert "not your fault" in said and "1-800-799-7233" in said
    assert "common" in said
    state, _ = say(state, "I'm safe right now")
    assert state.stage == "move_on"
    for command in ["/draft", "/signs", "/reflect"]:
        after, said = say(state, command)
        assert "won't help" in said or "won't coach" in said, command
        assert after.stage == "move_on"


def test_abuse_disclosed_in_free_text_at_any_point() -> None:
    state = onboarded("London")
    state.stage = "no_contact"
    state, said = say(state, "to be honest he used to hit me when he was angry")
    assert state.stage == "safety"
    assert "0808 2000 247" in said
    # The day-30 nudge no longer leads back to the ex.
    result = engine.step(state, Timer("no_contact_over"), START)
    assert result.state.stage not in {"no_contact_over", "first_message"}


@pytest.mark.parametrize(
    ("text", "flag"),
    [
        ("she blocked me on everything", "blocked"),
        ("he told me to stop texting him", "asked_to_stop"),
        ("she's dating someone new now", "new_partner"),
        ("I hit her when we argued", "harmed_ex"),
    ],
)
def test_refused_contact_in_free_text_stops_contact_coaching(text: str, flag: str) -> None:
    state = onboarded()
    state.stage = "act_casual"
    state, said = say(state, text)
    assert flag in state.flags
    assert state.stage == "move_on"
    _, said = say(state, "/draft")
    assert "won't" in said
    # Even a route that would lead to contact coaching is turned aside.
    moved = engine.step(state, Command("signs"), START)
    assert moved.state.stage == "move_on"


def test_after_they_say_no_the_coach_will_not_help_write_to_them() -> None:
    state = onboarded()
    state.stage = "accept_answer"
    state, said = say(state, "They said no")
    assert state.stage == "acceptance" and "said_no" in state.flags
    state, _ = say(state, "Help me move on")
    _, said = say(state, "/draft")
    assert "won't help write to them after a no" in said


def test_reflect_after_a_no_asks_what_changed_first() -> None:
    state = onboarded()
    state, _ = say(state, "Yes, they're seeing someone")  # R1: new partner
    assert state.stage == "move_on"
    state, said = say(state, "/reflect")
    assert state.stage == "reflect_reopen"
    assert "What has changed" in said
    state, _ = say(state, "They broke up months ago and reached out to me first")
    assert state.stage == "availability"
    assert "new_partner" not in state.flags
    assert state.answers["what_changed"].startswith("They broke up")


def test_onboarding_states_the_limits_and_asks_for_age() -> None:
    said = engine.step(UserState(), Command("start"), START).replies[0].text
    assert "not: a therapist, or a crisis service" in html.unescape(said)
    assert "18 or older" in said
    state = engine.step(UserState(), Command("start"), START).state
    state, said = say(state, "I'm under 18")
    assert state.stage == "under_18"
    assert "adult" not in state.flags
    _, about = say(onboarded(), "/about")
    assert "<b>not</b> therapy and <b>not</b> a crisis service" in about
    assert "adults (18+)" in about


FORBIDDEN = [
    r"\b(?:they|he|she|your ex)(?:'ll| will) (?:definitely |surely |soon )?come back\b",
    r"\bguarantee",
    r"\bmake (?:them|him|her) jealous\b",
    r"\b(?:check|watch|monitor|stalk) (?:their|his|her) (?:profile|social|instagram|location)",
    r"\bask (?:their|his|her|your mutual) friends (?:about|what|if)\b",
]


def test_no_reply_promises_a_comeback_or_suggests_monitoring_the_ex() -> None:
    sources = [p.read_text() for p in (ROOT / "dialogs" / "templates").glob("*.j2")]
    entries = json.loads((ROOT / "dialogs" / "data" / "qa.json").read_text())["entries"]
    sources += [e["answer"] for e in entries]
    for text in sources:
        for pattern in FORBIDDEN:
            assert not re.search(pattern, text, re.I), (pattern, text[:80])


def test_every_stage_of_parts_two_and_three_is_guarded() -> None:
    from dialogs.screens import CONTACT_STEPS

    contact = {s.id for s in STAGES if s.part in (Part.RECONNECT, Part.TALK)}
    contact -= {"focus_on_yourself", "friendship", "together", "acceptance"}
    assert contact <= CONTACT_STEPS | {"no_contact_over"}


async def test_crisis_through_the_terminal(chat) -> None:  # type: ignore[no-untyped-def]
    await chat.script([*ONBOARDING, *REFLECT_HEALTHY])
    said = await chat.send("what's the point of going on")
    assert "0800 111 0 111" in said  # Berlin
    assert (await chat.state()).stage == "crisis"
    await chat.send("I'm safe, let's go on")
    assert (await chat.state()).stage == "no_contact"


@pytest.mark.parametrize("first", [CRISIS, "/sos"])
def test_a_crisis_in_the_very_first_message_gets_care_not_onboarding(first: str) -> None:
    event = Command(first[1:]) if first.startswith("/") else Text(first)
    result = engine.step(UserState(), event, START)
    assert result.state.stage == "crisis"
    text = html.unescape("\n".join(r.text for r in result.replies))
    assert "findahelpline.com" in text
    # Once they are safe, setup starts where it would have.
    after = engine.step(result.state, Text("I'm safe, let's go on"), START)
    assert after.state.stage == "welcome"


def test_a_state_removed_by_a_newer_version_falls_back_to_the_guide() -> None:
    state = onboarded()
    state.stage = "a_step_that_no_longer_exists"
    result = engine.step(state, Command("status"), START)
    assert result.state.stage == "availability"


def test_cancel_does_not_end_crisis_care() -> None:
    state = onboarded()
    state, _ = say(state, CRISIS)
    state, said = say(state, "/cancel")
    assert state.stage == "crisis"
    assert "988" in said
