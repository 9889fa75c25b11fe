"""Named actions, judges and timer handlers that the stage table refers to by name.

Each is a small function of the turn. Actions change the user's state and ask
storage for effects (records, nudges); judges turn answers into an outcome that
the table routes on; timer handlers decide what a due nudge means right now.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from dialogs.model import Release, Retime, Schedule, Timer
from dialogs.stages import BY_ID, Part
from dialogs.timing import local_day
from dialogs.turn import Turn

ACTIONS: dict[str, Callable[[Turn], None]] = {}
JUDGES: dict[str, Callable[[Turn, list[str], list[str]], str | None]] = {}
TIMERS: dict[str, Callable[[Turn, Timer], None]] = {}

GOOD_MOTIVES = frozenset({"timing", "earlier_rel", "appreciation"})
BAD_MOTIVES = frozenset({"lonely", "familiar", "jealous"})
SIGNS = ("warm", "glad", "reaches_out", "invested", "body_language")
HIGH_SIGNS = 4
MILESTONES = (7, 14, 21)
# Nudges that only make sense while the user is trying to reconnect.
RECONNECT_NUDGES = ("no_contact_over", "first_message_followup", "meetup_followup")
# One gentle message after this much silence, then none until the user writes again.
REENGAGE_AFTER = timedelta(days=7)


def action(fn: Callable[[Turn], None]) -> Callable[[Turn], None]:
    ACTIONS[fn.__name__] = fn
    return fn


def judge(name: str) -> Callable[[Callable[..., str | None]], Callable[..., str | None]]:
    def register(fn: Callable[..., str | None]) -> Callable[..., str | None]:
        JUDGES[name] = fn
        return fn

    return register


def timer(kind: str) -> Callable[[Callable[[Turn, Timer], None]], Callable[[Turn, Timer], None]]:
    def register(fn: Callable[[Turn, Timer], None]) -> Callable[[Turn, Timer], None]:
        TIMERS[kind] = fn
        return fn

    return register


# -- judges: answers -> outcome ---------------------------------------------------------------


@judge("any")
def _any(t: Turn, selected: list[str], own: list[str]) -> str:
    return "done"


@judge("motives")
def _motives(t: Turn, selected: list[str], own: list[str]) -> str | None:
    if not selected and not own:
        return None  # ask for at least one reason
    bad = len(BAD_MOTIVES.intersection(selected))
    good = len(GOOD_MOTIVES.intersection(selected))
    return "mostly_bad" if bad > good else "ok"


@judge("health")
def _health(t: Turn, selected: list[str], own: list[str]) -> str:
    if "yes" in selected:  # afraid, controlled or hurt: safety before anything else
        return "safety"
    a = t.state.answers
    warning_signs = sum(
        (
            a.get("health_fights") == "yes",
            a.get("health_enjoy") == "no",
            a.get("health_best") == "no",
            a.get("health_support") == "no",
        )
    )
    if warning_signs >= 3:
        return "unhealthy"
    return "mixed" if warning_signs else "healthy"


@judge("signs")
def _signs(t: Turn, selected: list[str], own: list[str]) -> str:
    if "friends_only" in selected:
        return "friends"
    score = sum(1 for s in SIGNS if s in selected)
    t.state.scratch["signs_score"] = score
    return "high" if score >= HIGH_SIGNS else "low"


# -- scheduling helpers -----------------------------------------------------------------------


def at_checkin_hour(t: Turn, after: datetime) -> datetime:
    """The first moment at the user's check-in hour after ``after``, outside quiet hours."""
    from dialogs.timing import defer_past_quiet_hours, next_local_time

    s = t.state
    zone = s.tz or "UTC"
    due = next_local_time(after, zone, s.checkin_hour if s.checkin_hour is not None else 9)
    return defer_past_quiet_hours(due, zone, s.quiet_start, s.quiet_end)


def schedule_checkin(t: Turn) -> None:
    if not t.state.paused:
        t.schedule("checkin", at_checkin_hour(t, t.now))


def no_contact_over_due(t: Turn) -> datetime | None:
    """The check-in hour on the user's calendar day N+1 after starting N days of no contact."""
    from dialogs.timezones import zone_for
    from dialogs.timing import local_now

    s = t.state
    if s.no_contact_start is None:
        return None
    zone = s.tz or "UTC"
    start_day = local_now(s.no_contact_start, zone).date()
    midnight = datetime.combine(start_day + timedelta(days=s.no_contact_days), datetime.min.time())
    return at_checkin_hour(t, midnight.replace(tzinfo=zone_for(zone)) - timedelta(seconds=1))


def schedule_no_contact_over(t: Turn) -> None:
    due = no_contact_over_due(t)
    if due is not None:
        t.schedule("no_contact_over", due)


# -- actions ------------------------------------------------------------------------------


@action
def confirm_adult(t: Turn) -> None:
    t.state.flags.add("adult")


@action
def mark_new_partner(t: Turn) -> None:
    t.state.flags.add("new_partner")


@action
def mark_ex_unsure(t: Turn) -> None:
    t.state.flags.add("ex_status_unsure")


@action
def clear_ex_unsure(t: Turn) -> None:
    t.state.flags.discard("ex_status_unsure")
    t.state.flags.discard("new_partner")


@action
def push_resume(t: Turn) -> None:
    """Remember where the user is, so a tool can bring them back."""
    s = t.state
    if s.stage not in s.resume[-1:]:
        s.resume.append(s.stage)
    del s.resume[:-3]  # a short stack: tools do not nest deeply


@action
def start_no_contact(t: Turn) -> None:
    s = t.state
    s.no_contact_start = t.now
    s.no_contact_days = 30
    s.flags.discard("no_contact_done")
    schedule_no_contact_over(t)
    schedule_checkin(t)


@action
def restart_no_contact(t: Turn) -> None:
    if t.state.no_contact_start is not None and "no_contact_done" not in t.state.flags:
        t.state.no_contact_start = t.now
        t.state.no_contact_days = 30
        schedule_no_contact_over(t)


@action
def extend_no_contact(t: Turn) -> None:
    t.state.no_contact_days += 7
    schedule_no_contact_over(t)


@action
def end_no_contact(t: Turn) -> None:
    t.state.flags.add("no_contact_done")
    t.cancel("no_contact_over")


@action
def schedule_goal_followup(t: Turn) -> None:
    if t.state.lists.get("goals"):
        t.schedule("goal_followup", at_checkin_hour(t, t.now + timedelta(days=7)))


@action
def schedule_first_message_followup(t: Turn) -> None:
    t.record("outcomes", kind="first_message_sent")
    t.schedule("first_message_followup", at_checkin_hour(t, t.now + timedelta(days=3)))


@action
def schedule_meetup_followup(t: Turn) -> None:
    t.schedule("meetup_followup", at_checkin_hour(t, t.now + timedelta(days=2)))


@action
def log_signs(t: Turn) -> None:
    s = t.state
    selected = [x for x in s.scratch.pop("signs", []) if x in SIGNS]
    score = s.scratch.pop("signs_score", len(selected))
    t.record("signs", score=score, selected=",".join(selected))
    s.signs_history.append(score)
    t.say("signs_result.j2", score=score, total=len(SIGNS), history=s.signs_history[-5:])


@action
def outcome_yes(t: Turn) -> None:
    t.state.flags.discard("said_no")
    t.record("outcomes", kind="yes")
    t.cancel(*RECONNECT_NUDGES)
    if t.state.lists.get("commitments"):
        t.schedule("commitment_followup", at_checkin_hour(t, t.now + timedelta(days=7)))


@action
def outcome_no(t: Turn) -> None:
    t.state.flags.add("said_no")
    t.record("outcomes", kind="no")
    t.cancel(*RECONNECT_NUDGES, "commitment_followup")


@action
def edit_commitments(t: Turn) -> None:
    t.state.scratch["list"] = "commitments"


@action
def enter_move_on(t: Turn) -> None:
    t.cancel(*RECONNECT_NUDGES)


@action
def enter_safety(t: Turn) -> None:
    t.state.flags.add("safety")
    t.cancel(*RECONNECT_NUDGES)


@action
def log_checkin(t: Turn) -> None:
    s = t.state
    mood, urge = int(s.scratch.pop("mood", 3)), int(s.scratch.pop("urge", 0))
    note = s.scratch.pop("note", None)
    t.record("checkins", mood=mood, urge=urge, note=note)
    s.recent_checkins.append((t.now, mood, urge))
    t.say("checkin_thanks.j2", mood=mood, urge=urge)


@action
def log_journal(t: Turn) -> None:
    entry = t.state.scratch.pop("entry", "")
    t.record("journal", kind="entry", text=entry)
    t.state.counts["journal"] = t.state.counts.get("journal", 0) + 1
    t.say("journal_saved.j2")


@action
def log_slip(t: Turn) -> None:
    _slip(t, restarted=False)


@action
def log_slip_restart(t: Turn) -> None:
    _slip(t, restarted=True)
    restart_no_contact(t)


def _slip(t: Turn, *, restarted: bool) -> None:
    t.record("slips", restarted=restarted)
    t.state.counts["slips"] = t.state.counts.get("slips", 0) + 1
    t.say("slip_logged.j2", restarted=restarted)


@action
def log_urge(t: Turn) -> None:
    """The words they wanted to send, kept unsent: a resisted urge, never a slip."""
    text = t.state.scratch.pop("urge_text", "")
    t.record("journal", kind="urge", text=text)
    t.state.counts["resisted"] = t.state.counts.get("resisted", 0) + 1


@action
def review_draft(t: Turn) -> None:
    from dialogs import tools

    tools.review_draft(t)


@action
def answer_question(t: Turn) -> None:
    question = t.state.scratch.pop("question", "")
    if not answer_if_question(t, question, always=True):
        t.say("qa_none.j2")


@action
def reschedule_checkins(t: Turn) -> None:
    """Settings changed: the check-in moves, and every other pending nudge keeps its day but
    moves to the new hour and zone (storage does that in the same transaction)."""
    s = t.state
    if s.no_contact_start is not None:
        schedule_checkin(t)
    t.effects.append(
        Retime(
            {
                "zone": s.tz or "UTC",
                "now": t.now,
                "quiet_start": s.quiet_start,
                "quiet_end": s.quiet_end,
                "hour": s.checkin_hour if s.checkin_hour is not None else 9,
            }
        )
    )


@action
def set_quiet_hours(t: Turn) -> None:
    start, _, end = str(t.state.scratch.pop("quiet", "22-8")).partition("-")
    if start.isdigit() and end.isdigit() and int(start) < 24 and int(end) < 24:
        t.state.quiet_start, t.state.quiet_end = int(start), int(end)
        reschedule_checkins(t)


@action
def snooze_checkin(t: Turn) -> None:
    """Snooze 1 hour: the same check-in again in an hour (after quiet hours, if they start)."""
    from dialogs.timing import defer_past_quiet_hours, format_local

    s = t.state
    zone = s.tz or "UTC"
    due = defer_past_quiet_hours(t.now + timedelta(hours=1), zone, s.quiet_start, s.quiet_end)
    t.schedule("checkin_snooze", due)
    t.say("checkin_snoozed.j2", at=format_local(due, zone, "%H:%M"))


@action
def skip_checkin(t: Turn) -> None:
    t.cancel("checkin_snooze")
    t.say("checkin_skipped.j2")


@action
def arm_reengage(t: Turn) -> None:
    """Arm the one re-engagement nudge (set-up is done, so we know the user's clock).

    The dispatcher moves it along lazily from the user's last message, so user turns never
    touch it; added as a bare effect so /status does not call it the next check-in.
    """
    t.effects.append(Schedule("reengage", t.now + REENGAGE_AFTER))


def resume_nudges(t: Turn) -> None:
    """/resume: what was held by /pause comes back, and nothing overdue fires before the
    next check-in hour."""
    t.effects.append(Release(at_checkin_hour(t, t.now)))
    if t.state.no_contact_start is not None:
        schedule_checkin(t)


@action
def reopen_reflection(t: Turn) -> None:
    """The user says something changed: look again, from R1, with fresh eyes."""
    for flag in ("said_no", "blocked", "asked_to_stop", "new_partner"):
        t.state.flags.discard(flag)
    t.state.resume.clear()
    t.record("outcomes", kind="reopened")


@action
def delete_all(t: Turn) -> None:
    t.service("delete")
    t.say("deleted.j2")
    t.state.stage = "new"


def answer_if_question(t: Turn, text: str, *, always: bool = False) -> bool:
    """Answer from the expert Q&A when the text is a question it knows. True if answered."""
    from dialogs import tools

    return tools.answer_question(t, text, always=always)


def keep_in_journal(t: Turn, text: str) -> None:
    """Free text in a resting state is kept, never dropped: it goes to the journal."""
    t.record("journal", kind="note", text=text.strip())
    t.state.counts["journal"] = t.state.counts.get("journal", 0) + 1
    t.say("journal_kept.j2")


# -- timers: a due nudge arrives ---------------------------------------------------------------


def run_timer(t: Turn, event: Timer) -> None:
    handler = TIMERS.get(event.kind)
    if handler is None:
        return
    s = t.state
    if s.stage == "checkin_nudge" and event.kind not in ("checkin", "checkin_snooze"):
        # A check-in we asked and nobody answered must not stand in the way of other news.
        s.stage = s.resume.pop() if s.resume else s.scratch.get("main", "no_contact")
    handler(t, event)


def _busy(t: Turn) -> bool:
    """In the middle of a tool or a crisis: a nudge now would interrupt."""
    return BY_ID[t.state.stage].part is Part.TOOL or t.state.stage in ("crisis", "safety")


@timer("no_contact_over")
def _no_contact_over(t: Turn, event: Timer) -> None:
    s = t.state
    if s.stage == "no_contact":
        from dialogs.engine import enter

        enter(t, "no_contact_over")
    elif "no_contact" in s.resume:  # mid-tool: come back to the news when done
        s.resume[s.resume.index("no_contact")] = "no_contact_over"
        t.say("no_contact_over_later.j2")


@timer("checkin")
def _checkin(t: Turn, event: Timer) -> None:
    s = t.state
    if s.paused or s.stage == "safety":
        return
    schedule_checkin(t)  # tomorrow's, whatever happens today
    _offer_checkin(t)


@timer("checkin_snooze")
def _checkin_snooze(t: Turn, event: Timer) -> None:
    if not t.state.paused and t.state.stage != "safety":
        _offer_checkin(t)


def _offer_checkin(t: Turn) -> None:
    """Ask today's check-in (mood, with snooze and skip), unless it would interrupt."""
    s = t.state
    again = s.stage == "checkin_nudge"  # the last one went unanswered: ask afresh, not nested
    if _busy(t) and not again:
        return
    resting = s.resume[-1] if again and s.resume else s.stage
    end = no_contact_over_due(t)
    if (
        resting == "no_contact"
        and end is not None
        and local_day(end, s.tz or "UTC") == local_day(t.now, s.tz or "UTC")
    ):
        return  # the end-of-no-contact message is today's one proactive message
    day = t.no_contact_day()
    if day in MILESTONES and resting == "no_contact":
        t.say("milestone.j2")  # the context already carries the day
    if not again:
        push_resume(t)
    from dialogs.engine import enter

    enter(t, "checkin_nudge")
    t.extra["nudge"] = True


@timer("first_message_followup")
def _first_message_followup(t: Turn, event: Timer) -> None:
    if t.state.stage in ("act_casual", "patience", "first_message_ideas") and not _busy(t):
        t.say("first_message_followup.j2")
        t.prompt = True


@timer("meetup_followup")
def _meetup_followup(t: Turn, event: Timer) -> None:
    if t.state.stage in ("happy_memories", "who_they_fell_for", "meet_up"):
        from dialogs.engine import enter

        enter(t, "meet_up_debrief")


@timer("goal_followup")
def _goal_followup(t: Turn, event: Timer) -> None:
    goals = t.state.lists.get("goals")
    if goals and not _busy(t) and "safety" not in t.state.flags:
        t.say("goal_followup.j2", goals=goals)
        t.schedule("goal_followup", at_checkin_hour(t, t.now + timedelta(days=7)))


@timer("commitment_followup")
def _commitment_followup(t: Turn, event: Timer) -> None:
    items = t.state.lists.get("commitments")
    if items and t.state.stage == "together":
        t.say("commitment_followup.j2", commitments=items)
        t.schedule("commitment_followup", at_checkin_hour(t, t.now + timedelta(days=7)))


@timer("reengage")
def _reengage(t: Turn, event: Timer) -> None:
    """Seven days of silence: one gentle word and the question they left, ready to pick up.

    Not during a crisis or a safety plan: there a message from us could be read by the wrong
    person, or land badly; the user knows where to find us.
    """
    s = t.state
    if s.paused or s.stage in ("crisis", "safety") or "safety" in s.flags:
        return
    t.say("reengage.j2")
    t.prompt = True
