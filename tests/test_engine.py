"""Unit tests of the pure engine: events in, state and replies out."""

from __future__ import annotations

import html
from datetime import timedelta

import pytest

from conftest import START
from dialogs import engine
from dialogs.model import Choice, Command, Text, Timer, Unsupported, UserState
from dialogs.stages import BY_ID, STAGES, Kind


def walk(*events: object, state: UserState | None = None) -> tuple[UserState, list[str]]:
    state = state or UserState()
    texts: list[str] = []
    for event in events:
        if isinstance(event, str):
            event = Command(event[1:]) if event.startswith("/") else Text(event)
        result = engine.step(state, event, START)  # type: ignore[arg-type]
        state = result.state
        texts = [html.unescape(r.text) for r in result.replies]
    return state, texts


ONBOARDED = ("/start", "yes", "Sam", "skip", "new york", "8am")


def onboarded() -> UserState:
    return walk(*ONBOARDED)[0]


def test_engine_does_not_modify_its_input() -> None:
    state = onboarded()
    before = (state.stage, state.ver, dict(state.answers))
    engine.step(state, Text("no"), START)
    assert (state.stage, state.ver, dict(state.answers)) == before


def test_onboarding_parses_names_zones_and_hours() -> None:
    state = onboarded()
    assert (state.name, state.ex_name, state.tz, state.checkin_hour) == (
        "Sam",
        None,
        "America/New_York",
        8,
    )
    assert state.stage == "availability"
    assert "adult" in state.flags


@pytest.mark.parametrize(
    ("typed", "stage"),
    [
        ("yeah", "move_on"),
        ("Yes.", "move_on"),
        ("nope", "motives"),
        ("NO!", "motives"),
        ("idk", "motives"),
        ("not sure", "motives"),
        ("3", "motives"),
        ("1", "move_on"),
    ],
)
def test_buttons_can_be_typed_as_words_or_numbers(typed: str, stage: str) -> None:
    state, _ = walk(typed, state=onboarded())
    assert state.stage == stage


def test_unknown_timezone_gets_a_clear_reask() -> None:
    state, texts = walk("/start", "yes", "Sam", "skip", "Atlantis under the sea")
    assert state.stage == "ask_timezone"
    assert "couldn't place that" in texts[-1]


@pytest.mark.parametrize("typed", ["25", "banana", "13pm", "-1"])
def test_bad_hours_are_reasked(typed: str) -> None:
    state, texts = walk("/start", "yes", "Sam", "skip", "Berlin", typed)
    assert state.stage == "ask_checkin_hour"
    assert "didn't get a time" in texts[-1]


@pytest.mark.parametrize(("typed", "hour"), [("7pm", 19), ("21:00", 21), ("noon", 12), ("12am", 0)])
def test_hours_in_many_shapes(typed: str, hour: int) -> None:
    state, _ = walk("/start", "yes", "Sam", "skip", "Berlin", typed)
    assert state.checkin_hour == hour


def test_stale_and_forged_buttons_are_expired_and_reask() -> None:
    state = onboarded()
    first = engine.step(state, Text("no"), START)  # now at R2 with a new question
    old_press = Choice("yes", "availability", state.ver)
    result = engine.step(first.state, old_press, START)
    assert result.state.stage == "motives"
    assert "expired" in result.replies[0].text
    assert result.replies[-1].buttons  # the current question again
    forged = engine.step(first.state, Choice("drop table", "motives", first.state.ver), START)
    assert "expired" in forged.replies[0].text
    assert forged.state.stage == "motives"


def test_double_press_acts_once() -> None:
    state = onboarded()
    press = Choice("no", "availability", state.ver + 0)
    once = engine.step(state, press, START)
    twice = engine.step(once.state, press, START)
    assert once.state.stage == twice.state.stage == "motives"
    assert "expired" in twice.replies[0].text


def test_status_shows_day_of_no_contact_and_next_checkin() -> None:
    state = onboarded()
    state.stage = "no_contact_start"
    state = engine.step(state, Text("Start today"), START).state
    state = engine.step(state, Text("done"), START).state
    later = engine.step(state, Command("status"), START + timedelta(days=11))
    text = later.replies[0].text
    assert "day 12 of 30" in text
    assert "Next check-in" in text


def test_slip_is_logged_and_can_restart_the_count() -> None:
    state = onboarded()
    state.stage = "no_contact_start"
    state = engine.step(state, Text("Start today"), START).state
    state = engine.step(state, Text("done"), START).state
    ten_days = START + timedelta(days=10)
    result = engine.step(state, Command("slip"), ten_days)
    assert result.state.stage == "slip"
    result = engine.step(result.state, Text("Restart my 30 days"), ten_days)
    assert result.state.stage == "no_contact"
    assert result.state.no_contact_start == ten_days
    assert any(getattr(e, "table", None) == "slips" for e in result.effects)
    kept = engine.step(state, Command("slip"), ten_days).state
    kept = engine.step(kept, Text("Keep my count going"), ten_days).state
    assert kept.no_contact_start == START


def test_cancel_leaves_a_tool_and_keeps_data() -> None:
    state = onboarded()
    state = engine.step(state, Command("pros"), START).state
    state = engine.step(state, Text("Great cook"), START).state
    result = engine.step(state, Command("cancel"), START)
    assert result.state.stage == "availability"
    assert result.state.lists["pros"] == ["Great cook"]
    nothing = engine.step(result.state, Command("cancel"), START)
    assert "nothing to cancel" in nothing.replies[0].text
    assert nothing.state.stage == "availability"


def test_start_resumes_and_never_wipes() -> None:
    state = onboarded()
    state = engine.step(state, Text("no"), START).state
    result = engine.step(state, Command("start"), START)
    assert result.state.stage == "motives"
    assert result.state.name == "Sam"
    assert "Welcome back" in result.replies[0].text


def test_reflect_reopens_reasons_and_returns() -> None:
    state = onboarded()
    state.stage = "no_contact"
    state = engine.step(state, Command("reflect"), START).state
    assert state.stage == "motives"
    for typed in ["1", "done", "no", "yes", "yes", "yes", "no", "1", "done", "done"]:
        state = engine.step(state, Text(typed), START).state
    assert state.stage == "pros_cons_summary"
    state = engine.step(state, Text("I want to go on"), START).state
    assert state.stage == "no_contact"


def test_commands_wait_until_setup_is_done() -> None:
    state, texts = walk("/start", "yes", "/pros")
    assert state.stage == "ask_name"
    assert "finish setting up" in texts[-1]


def test_unknown_command_says_what_works_and_keeps_the_state() -> None:
    state, texts = walk("/frobnicate", state=onboarded())
    assert state.stage == "availability"
    assert "/help" in texts[0]


def test_help_lists_every_command() -> None:
    from dialogs.commands import COMMANDS

    _, texts = walk("/help", state=onboarded())
    for name in COMMANDS:
        assert f"/{name}" in texts[0]


def test_stickers_get_a_kind_reply_and_keep_the_state() -> None:
    state = onboarded()
    result = engine.step(state, Unsupported("sticker"), START)
    assert "only read text" in result.replies[0].text
    assert result.state.stage == "availability"


def test_timer_for_a_stage_the_user_has_left_is_dropped() -> None:
    state = onboarded()
    result = engine.step(state, Timer("no_contact_over"), START)
    assert result.replies == []
    assert result.state.stage == "availability"


BAD_INPUTS = [
    "",
    "   ",
    "x" * 5000,
    "😭😭😭",
    "<b>bold</b> & <script>",
    "{{ 7*7 }} {% raw %}",
    "'; DROP TABLE users; --",
    "/nonsense",
    "99999",
    "-5",
]


@pytest.mark.parametrize("stage", [s.id for s in STAGES])
def test_bad_input_in_every_state_gets_a_reply_and_corrupts_nothing(stage: str) -> None:
    base = onboarded()
    base.stage = stage
    for text in BAD_INPUTS:
        result = engine.step(base, Text(text), START)
        for reply in result.replies:
            assert "{{" not in reply.text or "{{ 7*7 }}" in reply.text
            assert "49" not in reply.text
            assert "<script>" not in reply.text and "<b>bold" not in reply.text
        assert result.state.stage in BY_ID or result.state.stage == "new"
        if stage != "ask_name":
            assert result.state.name == "Sam"
        if BY_ID[stage].kind is not Kind.WAIT or text.strip():
            assert result.replies, (stage, text[:20])


def test_user_text_is_shown_literally() -> None:
    state, _ = walk("/start", "yes")
    result = engine.step(state, Text("<b>Sam</b> & {{ 7*7 }}"), START)
    assert result.state.name == "<b>Sam</b> & {{ 7*7 }}"
    assert "Thanks, &lt;b&gt;Sam&lt;/b&gt; &amp; {{ 7*7 }}." in result.replies[-1].text


@pytest.mark.parametrize(
    ("command", "stage", "says"),
    [
        ("/checkin", "checkin_mood", "mood today"),
        ("/journal", "journal", "Journal"),
        ("/pros", "list_edit", "Pros (0)"),
        ("/cons", "list_edit", "Cons (0)"),
        ("/memories", "list_edit", "Happy memories (0)"),
        ("/draft", "draft", "Paste the message"),
        ("/urge", "urge", "unsent"),
        ("/settings", "settings", "Quiet hours"),
        ("/ask", "expert_qa", "Ask me anything"),
        ("/delete", "delete_confirm", "can't be undone"),
        ("/reflect", "motives", "your reasons"),
    ],
)
def test_tool_commands_open_and_cancel_returns_with_nothing_lost(
    command: str, stage: str, says: str
) -> None:
    state = onboarded()
    opened = engine.step(state, Command(command[1:]), START)
    assert opened.state.stage == stage
    assert says in html.unescape(opened.replies[-1].text)
    back = engine.step(opened.state, Command("cancel"), START)
    assert back.state.stage == "availability"
    assert back.state.name == "Sam"


def test_ask_with_a_question_answers_in_place() -> None:
    result = engine.step(
        onboarded(), Command("ask", "they liked my story, what does it mean?"), START
    )
    assert result.state.stage == "availability"
    assert "story" in html.unescape(result.replies[0].text).lower()


@pytest.mark.parametrize(("command", "says"), [("/signs", "come later"), ("/outcome", "big talk")])
def test_later_steps_say_when_they_come(command: str, says: str) -> None:
    result = engine.step(onboarded(), Command(command[1:]), START)
    assert result.state.stage == "availability"
    assert says in html.unescape(result.replies[0].text)


def test_a_first_command_is_answered_and_setup_still_starts() -> None:
    result = engine.step(UserState(), Command("help"), START)
    assert result.state.stage == "welcome"
    texts = [html.unescape(r.text) for r in result.replies]
    assert "/status" in texts[0] and "18 or older" in texts[-1]
    early = engine.step(UserState(), Command("pros"), START)
    assert early.state.stage == "welcome" and early.state.lists == {}
    assert "finish setting up" in early.replies[-1].text
