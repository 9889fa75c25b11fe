"""Slash commands: one table, one small function each. They work from any state."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from dialogs import actions
from dialogs.model import Hold
from dialogs.stages import BY_ID, Part
from dialogs.turn import Turn


@dataclass(frozen=True)
class CommandSpec:
    name: str
    description: str  # shown by /help and in Telegram's command menu (max 256 chars)
    handler: Callable[[Turn, str], None]
    during_onboarding: bool = False  # usable before setup is finished


COMMANDS: dict[str, CommandSpec] = {}


def command(
    name: str, description: str, *, during_onboarding: bool = False
) -> Callable[[Callable[[Turn, str], None]], Callable[[Turn, str], None]]:
    def register(fn: Callable[[Turn, str], None]) -> Callable[[Turn, str], None]:
        COMMANDS[name] = CommandSpec(name, description, fn, during_onboarding)
        return fn

    return register


def run(t: Turn, name: str, arg: str) -> None:
    spec = COMMANDS.get(name)
    if spec is None:
        t.say("unknown_command.j2", command=name[:32])
        t.prompt = True
        return
    if onboarding(t) and not spec.during_onboarding:
        t.note = "finish_setup"
        t.prompt = True
        return
    spec.handler(t, arg)


def onboarding(t: Turn) -> bool:
    stage = BY_ID.get(t.state.stage)
    return stage is not None and stage.part is Part.ONBOARDING


def begin(t: Turn) -> None:
    """A first message from someone new (or freshly deleted): start onboarding."""
    from dialogs.engine import enter

    enter(t, "welcome")


def _open_tool(t: Turn, stage: str) -> None:
    """Open a sub-dialogue and remember where to come back to."""
    from dialogs.engine import enter

    if BY_ID[t.state.stage].part is not Part.TOOL:
        actions.push_resume(t)
    enter(t, stage)


# -- the commands ------------------------------------------------------------------------------


@command("start", "Begin, or pick up where you left off", during_onboarding=True)
def _start(t: Turn, arg: str) -> None:
    t.say("welcome_back.j2")
    t.prompt = True


@command("help", "What I can do and the commands", during_onboarding=True)
def _help(t: Turn, arg: str) -> None:
    t.say("help.j2", commands=list(COMMANDS.values()))


@command("status", "Where you are, your no-contact day, next check-in")
def _status(t: Turn, arg: str) -> None:
    from dialogs.getters import status

    t.say("status.j2", stage=BY_ID[t.state.stage], **status(t))


@command("reflect", "Look again at your reasons, the relationship, pros and cons")
def _reflect(t: Turn, arg: str) -> None:
    from dialogs import screens

    if screens.contact_refused(t):
        screens.refuse_reflect(t)
        return
    _open_tool(t, "motives")


@command("checkin", "A quick check-in: mood and urge to reach out")
def _checkin(t: Turn, arg: str) -> None:
    _open_tool(t, "checkin_mood")


@command("journal", "Write a journal entry")
def _journal(t: Turn, arg: str) -> None:
    _open_tool(t, "journal")


def _list(name: str) -> Callable[[Turn, str], None]:
    def open_list(t: Turn, arg: str) -> None:
        _open_tool(t, "list_edit")
        t.state.scratch["list"] = name

    return open_list


command("pros", "See and add to your pros")(_list("pros"))
command("cons", "See and add to your cons")(_list("cons"))
command("memories", "Your happy memories")(_list("memories"))


@command("draft", "Get feedback on a message before you send it")
def _draft(t: Turn, arg: str) -> None:
    from dialogs import screens

    if screens.contact_refused(t):
        screens.refuse_contact_help(t)
        return
    _open_tool(t, "draft")


@command("urge", "Want to text your ex? Write it here first, unsent")
def _urge(t: Turn, arg: str) -> None:
    _open_tool(t, "urge")


@command("progress", "A chart of your mood and urges over time")
def _progress(t: Turn, arg: str) -> None:
    t.service("progress")
    t.say("progress.j2", checkins=len(t.state.recent_checkins))


@command("signs", "Check the signs of interest")
def _signs(t: Turn, arg: str) -> None:
    from dialogs import screens
    from dialogs.engine import enter

    if screens.contact_refused(t):
        screens.refuse_contact_help(t)
    elif BY_ID[t.state.stage].part in (Part.RECONNECT, Part.TALK) or t.state.stage in (
        "no_contact_over",
        "patience",
    ):
        enter(t, "signs_of_interest")
    else:
        t.say("not_yet.j2", what="signs")
        t.prompt = True


@command("slip", "You were in touch with your ex: log it honestly")
def _slip(t: Turn, arg: str) -> None:
    if t.state.no_contact_start is None or "no_contact_done" in t.state.flags:
        t.say("slip_no_count.j2")
        t.record("slips", restarted=False)
        t.prompt = True
        return
    _open_tool(t, "slip")


@command("outcome", "Record their answer after you talked")
def _outcome(t: Turn, arg: str) -> None:
    from dialogs.engine import enter

    if BY_ID[t.state.stage].part is Part.TALK or t.state.stage in ("patience", "friendship"):
        enter(t, "accept_answer")
    else:
        t.say("not_yet.j2", what="outcome")
        t.prompt = True


@command("settings", "Time zone, check-in hour and quiet hours")
def _settings(t: Turn, arg: str) -> None:
    _open_tool(t, "settings")


@command("pause", "Pause check-ins and reminders")
def _pause(t: Turn, arg: str) -> None:
    t.state.paused = True
    t.effects.append(Hold())  # every pending nudge waits, in this turn's transaction
    t.say("paused.j2")


@command("resume", "Resume check-ins and reminders")
def _resume(t: Turn, arg: str) -> None:
    t.state.paused = False
    actions.resume_nudges(t)
    t.say("resumed.j2")
    t.prompt = True


@command("ask", "Ask a question about your situation")
def _ask(t: Turn, arg: str) -> None:
    if arg:
        actions.answer_if_question(t, arg, always=True) or t.say("qa_none.j2")
        return
    _open_tool(t, "expert_qa")


@command("sos", "Help right now, with numbers to call", during_onboarding=True)
def _sos(t: Turn, arg: str) -> None:
    from dialogs import screens

    screens.open_crisis(t)


@command("about", "What this coach is, and is not", during_onboarding=True)
def _about(t: Turn, arg: str) -> None:
    t.say("about.j2")


@command("cancel", "Leave what you're doing; nothing is lost", during_onboarding=True)
def _cancel(t: Turn, arg: str) -> None:
    from dialogs.engine import move
    from dialogs.stages import BACK

    s = t.state
    # A tool, or a /reflect walk (it remembered where you were); never out of crisis care.
    if BY_ID[s.stage].part is Part.TOOL or (s.resume and s.stage not in ("crisis", "safety")):
        for key in ("mood", "urge", "note", "entry", "list"):
            t.state.scratch.pop(key, None)
        t.say("cancelled.j2")
        move(t, BACK)
    else:
        t.note = "nothing_to_cancel"
        t.prompt = True


@command("export", "Download everything you've told me", during_onboarding=True)
def _export(t: Turn, arg: str) -> None:
    t.service("export")
    t.say("export.j2")


@command("delete", "Delete everything you've told me", during_onboarding=True)
def _delete(t: Turn, arg: str) -> None:
    _open_tool(t, "delete_confirm")
