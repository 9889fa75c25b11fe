"""The finite-state engine: one event + the stored state + a clock -> the next state.

The engine knows nothing of the guide's content: it reads the table in
stages.py, runs the named actions in actions.py and the commands in
commands.py, and renders each state's template. Nothing here does I/O.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import datetime

from dialogs import actions, commands, screens
from dialogs.getters import GETTERS
from dialogs.model import (
    Button,
    Choice,
    Command,
    Event,
    Reply,
    Step,
    Text,
    Timer,
    Unsupported,
    UserState,
)
from dialogs.parsing import PARSERS, Invalid, Parsed, match_option, parse_int, parse_item
from dialogs.render import render
from dialogs.stages import BACK, BY_ID, DONE, Kind, Opt, Part, Stage
from dialogs.turn import Turn

__all__ = ["buttons_for", "enter", "move", "prompt_for", "step"]


def step(state: UserState, event: Event, now: datetime) -> Step:
    """Advance one user by one event. Pure: the input state is not modified."""
    t = Turn(state.clone(), now)
    _dispatch(t, event)
    return _finish(t)


# -- dispatch -------------------------------------------------------------------------------


def _dispatch(t: Turn, event: Event) -> None:
    if t.state.stage == "new":
        if not isinstance(event, Timer):  # a nudge for a deleted user is simply dropped
            _first_contact(t, event)
        return
    if t.state.stage not in BY_ID:  # a state a newer version removed: back to the guide
        main = t.state.scratch.get("main")
        t.state.stage = main if main in BY_ID else "availability"
        t.prompt = True
    match event:
        case Command(name=name, arg=arg):
            commands.run(t, name, arg)
        case Timer():
            actions.run_timer(t, event)
        case Unsupported(kind=kind):
            t.say("not_text.j2", kind=kind)
            t.prompt = True
        case Choice():
            _on_choice(t, event)
        case Text(text=text):
            _on_text(t, text)


def _first_contact(t: Turn, event: Event) -> None:
    """Someone new: start onboarding, but never let it delay care (a first message may be
    a crisis, or /sos)."""
    commands.begin(t)
    if isinstance(event, Text):
        screens.screen_text(t, event.text)
    elif isinstance(event, Command) and event.name != "start":
        commands.run(t, event.name, event.arg)  # refuses politely what must wait for setup


def _on_text(t: Turn, text: str) -> None:
    if text.lstrip().startswith("/"):
        name, _, arg = text.lstrip()[1:].partition(" ")
        commands.run(t, name.split("@", 1)[0].lower(), arg.strip())
        return
    stage = current(t)
    # Crisis and safety come before any step. A plain button answer ("They said no")
    # is the step itself, not news to screen for.
    answering = match_option(text, stage.options, by_number=False) is not None
    if screens.screen_text(t, text, answering=answering):
        return
    INPUT[stage.kind](t, stage, text)


def _on_choice(t: Turn, event: Choice) -> None:
    stage = current(t)
    stale = (event.state is not None and event.state != stage.id) or (
        event.ver is not None and event.ver != t.state.ver
    )
    opt = None if stale else stage.option(event.choice)
    if opt is None:  # old, repeated or forged button: say so and ask the current question
        t.note = "expired"
        t.prompt = True
        return
    choose(t, stage, opt)


def current(t: Turn) -> Stage:
    return BY_ID[t.state.stage]


# -- input kinds ------------------------------------------------------------------------------


def _choice_text(t: Turn, stage: Stage, text: str) -> None:
    opt = match_option(text, stage.options)
    if opt is not None:
        choose(t, stage, opt)
    else:
        unexpected(t, stage, text)


def _typed(
    t: Turn,
    stage: Stage,
    text: str,
    parse: Callable[[str], Parsed | Invalid],
    use: Callable[[Turn, Stage, object], None],
) -> None:
    """A typed answer: one of the state's buttons by its words, else parsed and used, else a
    kind re-ask that says what went wrong."""
    opt = match_option(text, stage.options, by_number=False)
    if opt is not None:
        choose(t, stage, opt)
        return
    parsed = parse(text)
    if isinstance(parsed, Invalid):
        _reask(t, parsed.reason)
    else:
        use(t, stage, parsed.value)


def _save_and_go(t: Turn, stage: Stage, value: object) -> None:
    save(t, stage, value)
    finish(t, stage, "ok")


def _add_item(t: Turn, stage: Stage, value: object) -> None:
    """LIST: the item joins the list and the question stays open for the next one."""
    t.state.items(list_name(t, stage)).append(str(value))
    t.extra["added"] = value
    t.prompt = True


def _add_own(t: Turn, stage: Stage, value: object) -> None:
    """MULTI: a typed reason of the user's own, next to the ticked ones."""
    t.state.scratch.setdefault(f"own:{stage.id}", []).append(value)
    t.extra["added"] = value
    t.prompt = True


def _multi_text(t: Turn, stage: Stage, text: str) -> None:
    opt = match_option(text, stage.options)
    if opt is not None:
        choose(t, stage, opt)
    elif stage.own_list is None:
        unexpected(t, stage, text)
    else:
        _typed(t, stage, text, parse_item, _add_own)


def _text_text(t: Turn, stage: Stage, text: str) -> None:
    assert stage.parse is not None, stage.id
    _typed(t, stage, text, PARSERS[stage.parse], _save_and_go)


def _list_text(t: Turn, stage: Stage, text: str) -> None:
    _typed(t, stage, text, parse_item, _add_item)


def _scale_text(t: Turn, stage: Stage, text: str) -> None:
    low, high = stage.scale or (0, 10)
    _typed(t, stage, text, lambda said: parse_int(said, low, high), _save_and_go)


def _wait_text(t: Turn, stage: Stage, text: str) -> None:
    opt = match_option(text, stage.options)
    if opt is not None:
        choose(t, stage, opt)
    elif not actions.answer_if_question(t, text):
        actions.keep_in_journal(t, text)


INPUT: dict[Kind, Callable[[Turn, Stage, str], None]] = {
    Kind.CHOICE: _choice_text,
    Kind.MULTI: _multi_text,
    Kind.TEXT: _text_text,
    Kind.LIST: _list_text,
    Kind.SCALE: _scale_text,
    Kind.WAIT: _wait_text,
}


def unexpected(t: Turn, stage: Stage, text: str) -> None:
    """Text the state cannot use: answer it if it is a question, else say what works now."""
    if not actions.answer_if_question(t, text):
        t.note = "didnt_catch"
    t.prompt = True


def _reask(t: Turn, reason: str) -> None:
    t.note = reason
    t.prompt = True


# -- choosing and moving ----------------------------------------------------------------------


def choose(t: Turn, stage: Stage, opt: Opt) -> None:
    s = t.state
    if stage.kind is Kind.MULTI:
        if opt.id != DONE.id:
            selected = s.scratch.setdefault(f"sel:{stage.id}", [])
            if opt.id in selected:
                selected.remove(opt.id)
            else:
                selected.append(opt.id)
            t.prompt = True
            t.edit = True  # the same question with other ticks: update it in place
            return
        _multi_done(t, stage)
        return
    if stage.judge is not None:  # the answer is saved, then judged with the others
        save(t, stage, opt.id)
        finish(t, stage, actions.JUDGES[stage.judge](t, [opt.id], []) or opt.id)
    elif opt.id in stage.routes:
        if stage.kind is Kind.CHOICE:
            save(t, stage, opt.id)
        finish(t, stage, opt.id)
    else:  # a shortcut button that carries a value (an hour, a score)
        save(t, stage, int(opt.id) if opt.id.isdigit() else opt.id)
        finish(t, stage, "ok")


def _multi_done(t: Turn, stage: Stage) -> None:
    s = t.state
    selected: list[str] = s.scratch.get(f"sel:{stage.id}", [])
    own: list[str] = s.scratch.get(f"own:{stage.id}", [])
    outcome = actions.JUDGES[stage.judge or "any"](t, selected, own)
    if outcome is None:
        _reask(t, "pick_one")
        return
    labels = [o.label for o in stage.options if o.id in selected]
    if stage.save and stage.save.startswith("list."):
        s.lists[stage.save[5:]] = labels + own
        s.answers[stage.id] = ",".join(selected)
    elif stage.save:
        save(t, stage, list(selected))
    s.scratch.pop(f"sel:{stage.id}", None)
    s.scratch.pop(f"own:{stage.id}", None)
    finish(t, stage, outcome)


def save(t: Turn, stage: Stage, value: object) -> None:
    if not stage.save:
        return
    where, _, key = stage.save.partition(".")
    s = t.state
    if where == "profile":
        setattr(s, key, value)
    elif where == "answer":
        s.answers[key] = str(value)
    elif where == "scratch":
        s.scratch[key] = value
    elif where == "list":
        s.items(key).append(str(value))


def list_name(t: Turn, stage: Stage) -> str:
    if stage.save and stage.save.startswith("list."):
        return stage.save[5:]
    return str(t.state.scratch.get("list", "journal"))


def finish(t: Turn, stage: Stage, outcome: str) -> None:
    """Run the row's actions for this outcome, then follow its route."""
    for name in stage.actions.get(outcome, ()):
        actions.ACTIONS[name](t)
        if t.state.stage != stage.id:  # an action already moved the user (e.g. delete)
            return
    move(t, stage.routes[outcome])


def move(t: Turn, target: str) -> None:
    s = t.state
    if target.startswith(BACK):
        fallback = target.partition("|")[2]
        if s.resume:
            target = s.resume.pop()
        else:
            target = fallback or s.scratch.get("main") or "availability"
        _arrive(t, screens.guard_step(t, target))
        return
    enter(t, target)


def enter(t: Turn, target: str) -> None:
    """Enter a state by a move: run its on_enter actions and ask its question."""
    target = screens.guard_step(t, target)
    _arrive(t, target)
    if target in BY_ID:
        for name in BY_ID[target].on_enter:
            actions.ACTIONS[name](t)


def _arrive(t: Turn, target: str) -> None:
    s = t.state
    s.stage = target
    if target in BY_ID:
        if BY_ID[target].part is not Part.TOOL and target != "crisis":
            s.scratch["main"] = target
        t.prompt = True


# -- prompts ----------------------------------------------------------------------------------


def buttons_for(state: UserState, stage: Stage) -> tuple[tuple[Button, ...], ...]:
    selected = state.scratch.get(f"sel:{stage.id}", []) if stage.kind is Kind.MULTI else []
    labels = [Button(("✓ " if o.id in selected else "") + o.label, o.id) for o in stage.options]
    if stage.kind is Kind.MULTI:  # toggles one per row, Done on its own row
        return tuple((b,) for b in labels)
    per_row = max(1, stage.rows)
    return tuple(tuple(labels[i : i + per_row]) for i in range(0, len(labels), per_row))


def prompt_for(t: Turn) -> Reply:
    stage = current(t)
    s = t.state
    context = {
        **t.context(),
        "stage": stage,
        "selected": s.scratch.get(f"sel:{stage.id}", []),
        "own": s.scratch.get(f"own:{stage.id}", []),
        "note": t.note,
        "added": None,
        "list_name": list_name(t, stage),
        **(GETTERS[stage.getter](t) if stage.getter else {}),
        **t.extra,
    }
    text = render(stage.template, **context)
    if t.note:
        text = render("note.j2", note=t.note, stage=stage, name=context["name"]) + "\n\n" + text
    return Reply(text, buttons_for(s, stage), state=stage.id, edit=t.edit)


# -- finishing ----------------------------------------------------------------------------------


def _finish(t: Turn) -> Step:
    replies = list(t.replies)
    if t.prompt and t.state.stage in BY_ID:
        # A question is (re)asked: buttons of every earlier question are now stale.
        t.state.ver += 1
        replies.append(prompt_for(t))
    # Buttons answer the question as it stands after this turn.
    replies = [
        dataclasses.replace(r, state=t.state.stage, ver=t.state.ver) if r.buttons else r
        for r in replies
    ]
    return Step(t.state, replies, t.effects)
