"""The stage table as a whole: reachable, escapable, renderable, and drawn."""

from __future__ import annotations

import re
from collections import deque
from datetime import timedelta
from pathlib import Path

import pytest

from conftest import START
from dialogs import engine
from dialogs.commands import COMMANDS
from dialogs.diagram import mermaid
from dialogs.model import Choice, Command, Event, Text, Timer, UserState
from dialogs.render import render, template_names
from dialogs.stages import BACK, BY_ID, STAGES, Kind, Part

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_TEXTS = [
    "Sam",
    "Berlin",
    "9",
    "3",
    "They make me laugh",
    "done",
    "I don't want to live anymore",
    "he hit me when he was angry",
]
TIMER_KINDS = ["no_contact_over", "checkin", "first_message_followup", "meetup_followup"]


def _events(state: UserState) -> list[Event]:
    stage = BY_ID.get(state.stage)
    options = [Choice(o.id, state.stage, state.ver) for o in (stage.options if stage else ())]
    return [
        *options,
        *(Text(t) for t in SAMPLE_TEXTS),
        *(Command(name) for name in COMMANDS),
        *(Timer(kind) for kind in TIMER_KINDS),
    ]


def explore(limit: int = 4000) -> tuple[dict[str, UserState], dict[str, set[str]]]:
    """Walk the real engine from a brand-new user's /start.

    A state is new when its stage, its half-made choices (ticks in a list), its R3 answers
    or its flags are new.
    """
    first = engine.step(UserState(), Command("start"), START).state
    seen = {first.stage: first}
    keys = {_key(first)}
    edges: dict[str, set[str]] = {}
    queue = deque([first])
    now = START + timedelta(days=40)
    while queue and len(keys) < limit:
        state = queue.popleft()
        for event in _events(state):
            after = engine.step(state, event, now).state
            edges.setdefault(state.stage, set()).add(after.stage)
            if after.stage not in BY_ID or _key(after) in keys:
                continue
            if after.stage in seen and BY_ID[after.stage].part in (Part.TOOL, Part.TRACK):
                continue  # side trips: one visit each is enough
            keys.add(_key(after))
            if after.stage not in seen:  # new places first, variations later
                seen[after.stage] = after
                queue.appendleft(after)
            else:
                queue.append(after)
    return seen, edges


def _key(state: UserState) -> tuple[str, str, str]:
    # Ticks on the current question, and the R3 answers while R3 is being judged, lead to
    # different places; elsewhere the stage and flags are enough.
    picks = sorted(state.scratch.get(f"sel:{state.stage}", []))
    health = (
        sorted((k, v) for k, v in state.answers.items() if k.startswith("health"))
        if state.stage.startswith("health")
        else []
    )
    return state.stage, repr((picks, health)), repr(sorted(state.flags - {"adult"}))


@pytest.fixture(scope="module")
def walk() -> tuple[dict[str, UserState], dict[str, set[str]]]:
    return explore()


def test_every_state_is_reachable_from_start(walk) -> None:  # type: ignore[no-untyped-def]
    seen, _ = walk
    missing = sorted(set(BY_ID) - set(seen))
    assert not missing, f"states no user can reach: {missing}"


def test_every_state_has_a_way_out(walk) -> None:  # type: ignore[no-untyped-def]
    _, edges = walk
    stuck = sorted(s for s in BY_ID if not (edges.get(s, set()) - {s}))
    assert not stuck, f"states with no way out: {stuck}"


def test_routes_point_at_real_states() -> None:
    for stage in STAGES:
        for outcome, target in stage.routes.items():
            target = target.partition("|")[2] if target.startswith(BACK) else target
            assert not target or target in BY_ID or target == "new", (stage.id, outcome)
        for outcome in stage.actions:
            assert outcome in stage.routes, (stage.id, outcome)


def test_button_ids_fit_telegram_callback_data() -> None:
    for stage in STAGES:
        for opt in stage.options:
            data = f"{10**6}|{stage.id}|{opt.id}"
            assert len(data.encode()) <= 64, data
        if stage.kind in (Kind.CHOICE, Kind.MULTI):
            assert stage.options, f"{stage.id} asks for a choice but offers no buttons"


def test_every_state_has_a_template_and_every_template_is_used() -> None:
    names = set(template_names())
    for stage in STAGES:
        assert stage.template in names, stage.id
    code = "\n".join(p.read_text() for p in (ROOT / "dialogs").glob("*.py"))
    code += "\n".join(p.read_text() for p in (ROOT / "dialogs" / "templates").glob("*.j2"))
    referenced = set(re.findall(r"[\"']([a-z_0-9]+\.j2)[\"']", code))
    assert referenced <= names, f"missing templates: {sorted(referenced - names)}"
    stage_templates = {s.template for s in STAGES}
    orphans = sorted(names - referenced - stage_templates)
    assert not orphans, f"templates nothing renders: {orphans}"


def test_every_state_prompt_renders_with_its_buttons(walk) -> None:  # type: ignore[no-untyped-def]
    seen, _ = walk
    for stage_id, state in seen.items():
        reply = engine.step(state, Command("start"), START).replies[-1]
        assert reply.text.strip(), stage_id
        assert [b.choice for b in reply.flat_buttons] == [o.id for o in BY_ID[stage_id].options]


def test_user_text_is_escaped_not_rendered() -> None:
    html = render("qa_answer.j2", qa=type("QA", (), {"title": "<b>x</b>", "answer": "{{ 7*7 }}"}))
    assert "&lt;b&gt;x&lt;/b&gt;" in html
    assert "{{ 7*7 }}" in html and "49" not in html


def test_committed_diagram_matches_the_table() -> None:
    committed = (ROOT / "docs" / "stages.mmd").read_text()
    assert committed == mermaid(), "docs/stages.mmd is stale: run `make diagram`"


def test_diagram_names_every_state() -> None:
    text = mermaid()
    for stage in STAGES:
        assert re.search(rf"^\s+{stage.id}:", text, re.M), stage.id
