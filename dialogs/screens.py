"""What is checked before any step: crisis, abuse, and contact the ex has refused.

Safety outranks the guide. A message that suggests a crisis stops the current
step at once; a disclosure of abuse ends reconciliation coaching; once the ex
has said no, blocked the user, asked them to stop, or is with someone new, the
coach helps the user with their own life, not with reaching that person.
"""

from __future__ import annotations

from dialogs.turn import Turn

REFUSAL_FLAGS = ("said_no", "blocked", "asked_to_stop", "new_partner")


def screen_text(t: Turn, text: str) -> bool:
    """Run the safety checks on typed text. True when they took over this turn."""
    from dialogs.safety import detect_abuse, detect_crisis, detect_unwanted_contact

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
    return next((f for f in REFUSAL_FLAGS if f in t.state.flags), None) or (
        "safety" if "safety" in t.state.flags else None
    )


def refuse_contact_help(t: Turn) -> None:
    t.say("contact_refused.j2", why=contact_refused(t))
    t.prompt = True


def refuse_reflect(t: Turn) -> None:
    """/reflect after a no: first ask what has changed."""
    from dialogs.actions import push_resume
    from dialogs.engine import enter

    if contact_refused(t) == "safety":
        t.say("contact_refused.j2", why="safety")
        t.prompt = True
        return
    push_resume(t)
    enter(t, "reflect_reopen")
