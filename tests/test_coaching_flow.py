"""The coaching tools inside the conversation: drafts, the urge box, "I" language, signs, Q&A."""

from __future__ import annotations

import html
from datetime import UTC, datetime

import pytest

from bot.clock import FakeClock
from conftest import Driver
from dialogs import engine
from dialogs.model import Command, Text, UserState
from storage import Store


def setup(tz: str) -> list[str]:
    return ["/start", "1", "Sam", "Alex", tz, "9"]


async def drafts(store: Store) -> list[tuple[str, str]]:
    rows = await store.conn.execute_fetchall("SELECT text, verdict FROM drafts ORDER BY id")
    return [(r[0], r[1]) for r in rows]


@pytest.mark.parametrize(
    ("tz", "late"),
    [("Berlin", True), ("New York", False), ("Tokyo", False), ("Los Angeles", False)],
)
async def test_late_night_guard_follows_the_users_own_clock(
    store: Store, tmp_path, tz: str, late: bool
) -> None:  # type: ignore[no-untyped-def]
    # 22:30 UTC: 23:30 in Berlin (late), 17:30 in New York, 07:30 next day in Tokyo.
    clock = FakeClock(datetime(2026, 1, 12, 22, 30, tzinfo=UTC))
    chat = Driver(store, clock, "night", tmp_path)
    await chat.script([*setup(tz), "no", "/draft"])
    said = html.unescape(await chat.send("Hey! Saw a dog that looked just like Biscuit 😄"))
    assert ("decide in daylight" in said or "Sleep on it" in said) is late
    assert ("Are you sober" in said) is late
    kept = await drafts(store)
    assert kept[0][0].startswith("Hey! Saw a dog")  # kept for the morning, never sent
    assert (kept[0][1] == "wait") is late


async def test_intense_draft_gets_a_verdict_reasons_and_a_lighter_version(chat) -> None:  # type: ignore[no-untyped-def]
    await chat.script([*setup("New York"), "no", "/draft"])
    said = html.unescape(
        await chat.send("Please come back. I can't live without you. Why did you leave??")
    )
    assert "wait" in said.lower() or "soften" in said.lower()
    assert "A lighter version:" in said
    assert "I can't live without you" not in said.split("A lighter version:")[1]
    await chat.send("Back")
    assert (await chat.state()).stage == "motives"  # back where the draft was opened


async def test_drinking_is_noticed_at_any_hour(chat) -> None:  # type: ignore[no-untyped-def]
    await chat.script([*setup("New York"), "no", "/draft"])
    said = html.unescape(await chat.send("had a few drinks lol, thinking of you"))
    assert "Are you sober" in said


async def test_urge_box_keeps_the_words_unsent_and_counts_as_resisted(chat) -> None:  # type: ignore[no-untyped-def]
    await chat.script([*setup("Berlin"), "no", "/urge"])
    said = html.unescape(await chat.send("I miss you so much, can we talk tonight?"))
    assert "Kept, not sent" in said and "ten minutes" in said
    await chat.send("I'm okay now")
    state = await chat.state()
    assert state.stage == "motives"
    assert state.counts["resisted"] == 1 and state.counts["slips"] == 0
    assert "Urges resisted: 1" in await chat.send("/status")
    rows = await chat.store.conn.execute_fetchall("SELECT kind, text FROM journal")
    assert [tuple(r) for r in rows] == [("urge", "I miss you so much, can we talk tonight?")]


async def test_urge_box_can_lead_into_a_check_in(chat) -> None:  # type: ignore[no-untyped-def]
    await chat.script([*setup("Berlin"), "no", "/urge", "call me", "Check in now", "2", "9"])
    said = await chat.send("skip")
    assert "strong today" in said
    assert (await chat.state()).stage == "motives"


def _at(stage: str) -> UserState:
    state = UserState(stage=stage, name="Sam", tz="Europe/Berlin", checkin_hour=9)
    state.flags.add("adult")
    return state


def test_i_language_check_flags_blame_and_suggests_an_i_form() -> None:
    start = datetime(2026, 1, 12, 12, tzinfo=UTC)
    result = engine.step(_at("what_went_wrong"), Text("You always ignored me"), start)
    said = html.unescape(result.replies[-1].text)
    assert result.state.lists["went_wrong"] == ["You always ignored me"]
    assert "Try it this way:" in said
    calm = engine.step(result.state, Text("I went quiet when I was stressed"), start)
    assert "Try it this way" not in html.unescape(calm.replies[-1].text)


def test_vague_promises_are_questioned_concrete_ones_praised() -> None:
    start = datetime(2026, 1, 12, 12, tzinfo=UTC)
    vague = engine.step(_at("commit_to_change"), Text("I'll be better"), start)
    concrete = engine.step(
        _at("commit_to_change"), Text("I will call you every Sunday evening"), start
    )
    assert "💭" in vague.replies[-1].text
    assert "concrete and doable" in concrete.replies[-1].text


def test_signs_score_history_and_trend_in_status() -> None:
    start = datetime(2026, 1, 12, 12, tzinfo=UTC)
    state = _at("signs_of_interest")
    for typed in ["Warm and friendly", "done"]:
        state = engine.step(state, Text(typed), start).state
    assert state.stage == "patience" and state.signs_history == [1]
    state = engine.step(state, Command("signs"), start).state
    for typed in ["1", "2", "3", "4"]:
        state = engine.step(state, Text(typed), start).state
    result = engine.step(state, Text("done"), start)
    assert "4 of 5 signs" in result.replies[0].text and "1 → 4" in result.replies[0].text
    assert result.state.stage == "say_it"
    status = engine.step(result.state, Command("status"), start).replies[0].text
    assert "Signs of interest: 1 → 4 of 5" in status


def test_they_only_want_friendship_is_respected() -> None:
    start = datetime(2026, 1, 12, 12, tzinfo=UTC)
    state = engine.step(_at("signs_of_interest"), Text("They want friendship"), start).state
    result = engine.step(state, Text("done"), start)
    assert result.state.stage == "friendship"
    assert "deserves respect" in html.unescape(result.replies[-1].text)


@pytest.mark.parametrize(
    ("stage", "question", "title"),
    [
        ("no_contact", "is it ok to text him happy birthday?", "birthday"),
        ("no_contact", "she liked my instagram story, what does that mean?", "story"),
        ("patience", "he broke up with me and never said why, what do i do?", "reason"),
    ],
)
def test_expert_questions_get_answers_at_any_stage(stage: str, question: str, title: str) -> None:
    start = datetime(2026, 1, 12, 12, tzinfo=UTC)
    result = engine.step(_at(stage), Text(question), start)
    assert result.state.stage == stage
    assert title in html.unescape(result.replies[0].text).lower()


def test_unknown_questions_get_a_pointer_not_a_guess() -> None:
    start = datetime(2026, 1, 12, 12, tzinfo=UTC)
    result = engine.step(_at("availability"), Text("what's the capital of Peru?"), start)
    assert result.state.stage == "availability"
    assert "didn't quite catch" in html.unescape(result.replies[-1].text)


def test_journal_prompts_rotate_and_follow_goals() -> None:
    start = datetime(2026, 1, 12, 12, tzinfo=UTC)
    state = _at("no_contact")
    state.lists["goals"] = ["Learn to climb"]
    prompts = set()
    for day in range(5):
        moment = start.replace(day=12 + day)
        prompts.add(engine.step(state, Command("journal"), moment).replies[-1].text)
    assert len(prompts) >= 3
    assert any("Learn to climb" in p for p in prompts)


async def test_progress_chart_is_saved_as_a_png_in_the_terminal(chat, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from PIL import Image

    await chat.script([*setup("Berlin"), "/checkin", "2", "8", "skip"])
    await chat.send(":advance 1d")
    await chat.script(["/checkin", "4", "3", "skip"])
    said = await chat.send("/progress")
    assert "saved to" in said
    png = tmp_path / "exports" / "progress.png"
    assert png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    with Image.open(png) as image:
        assert image.size == (1000, 700)
