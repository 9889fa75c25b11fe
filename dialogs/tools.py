"""Coaching tools wired into the turn: draft review and the expert Q&A."""

from __future__ import annotations

from dialogs.turn import Turn

# States where a draft counts as the very first message after no contact.
FIRST_MESSAGE_STAGES = frozenset({"first_message", "first_message_ideas", "no_contact_over"})


def review_draft(t: Turn) -> None:
    from dialogs.coaching import review_draft as review
    from dialogs.timing import local_now

    s = t.state
    text = s.scratch.pop("draft_text", "") or s.scratch.pop("note", "")
    hour = local_now(t.now, s.tz or "UTC").hour
    first = (s.resume[-1] if s.resume else s.stage) in FIRST_MESSAGE_STAGES
    result = review(text, local_hour=hour, first_message=first)
    t.record(
        "drafts", kind="first_message" if first else "message", text=text, verdict=result.verdict
    )
    t.say("draft_review.j2", review=result)


def answer_question(t: Turn, text: str, *, always: bool = False) -> bool:
    """Answer a free-text question from the expert Q&A. True when an answer was given."""
    from dialogs.qa import answer_question as find
    from dialogs.qa import looks_like_question

    if not always and not looks_like_question(text):
        return False
    found = find(text, t.state.stage)
    if found is None:
        return False
    t.say("qa_answer.j2", qa=found)
    return True
