"""What is checked before any step: crisis, abuse, and contact the ex has refused.

Safety outranks the guide. A message that suggests a crisis stops the current
step at once; a disclosure of abuse ends reconciliation coaching; once the ex
has said no, blocked the user, asked them to stop, or is with someone new, the
coach helps the user with their own life, not with reaching that person.
"""

from __future__ import annotations

from dialogs.turn import Turn

REFUSAL_FLAGS = ("said_no", "blocked", "asked_to_stop", "new_partner")
# Reaching the ex is off the table for these too, but they are not the ex's "no".
SAFETY_FLAGS = ("safety", "harmed_ex")
# Steps that coach the user towards the ex. Self-care (C1) is for everyone.
CONTACT_STEPS = frozenset(
    {
        "no_contact_over", "first_message", "first_message_ideas", "act_casual", "meet_up",
        "happy_memories", "who_they_fell_for", "meet_up_debrief", "patience",
        "signs_of_interest", "say_it", "what_went_wrong", "commit_to_change", "accept_answer",
    }
)  # fmt: skip


def screen_text(t: Turn, text: str, *, answering: bool = False) -> bool:
    """Run the safety checks on typed text. True when they took over this turn.

    ``answering``: the text is one of the current question's own answers; crisis and
    abuse are still checked, news about the ex is left to the step.
    """
    from dialogs.safety import (
        detect_abuse,
        detect_crisis,
        detect_harm_to_ex,
        detect_unwanted_contact,
    )

    if detect_crisis(text):
        open_crisis(t)
        return True
    if detect_abuse(text):
        if t.state.stage != "safety":
            t.record("outcomes", kind="abuse_disclosed")
            from dialogs.engine import enter

            enter(t, "safety")
        else:
            t.prompt = True
        return True
    if answering:
        return False
    if detect_harm_to_ex(text) and "harmed_ex" not in t.state.flags:
        t.state.flags.add("harmed_ex")
        t.record("outcomes", kind="harm_disclosed")
        t.say("contact_refused.j2", why="harmed_ex")
        from dialogs.engine import enter

        enter(t, "move_on")
        return True
    refusal = detect_unwanted_contact(text)
    if refusal and refusal not in t.state.flags:
        t.state.flags.add(refusal)
        t.record("outcomes", kind=refusal)
        t.say("contact_refused.j2", why=refusal)
        from dialogs.engine import enter

        enter(t, "move_on")
        return True
    return False


def open_crisis(t: Turn) -> None:
    from dialogs.actions import push_resume
    from dialogs.engine import enter

    if t.state.stage != "crisis":
        push_resume(t)
        t.record("outcomes", kind="crisis_care")
    enter(t, "crisis")


def contact_refused(t: Turn) -> str | None:
    """The recorded reason not to help reach the ex, if any."""
    return next((f for f in (*SAFETY_FLAGS, *REFUSAL_FLAGS) if f in t.state.flags), None)


def guard_step(t: Turn, target: str) -> str:
    """Where a move really goes: never into contact coaching once contact is refused."""
    why = contact_refused(t)
    if why is None or target not in CONTACT_STEPS:
        return target
    if why == "said_no" and target in ("accept_answer",):
        return target  # recording the answer again is allowed
    t.say("contact_refused.j2", why=why)
    return "move_on"


def refuse_contact_help(t: Turn) -> None:
    t.say("contact_refused.j2", why=contact_refused(t))
    t.prompt = True


def refuse_reflect(t: Turn) -> None:
    """/reflect after a no: first ask what has changed."""
    from dialogs.actions import push_resume
    from dialogs.engine import enter

    if contact_refused(t) in SAFETY_FLAGS:
        t.say("contact_refused.j2", why=contact_refused(t))
        t.prompt = True
        return
    push_resume(t)
    enter(t, "reflect_reopen")
