"""The guide as data: every conversation state, its input and its routes.

Read this file top to bottom and you have read the whole flow (the Mermaid
diagram in docs/stages.mmd is generated from it). Adding a step means adding a
row here and a template in ``templates/<id>.j2``; the engine does not change.

Vocabulary
- ``kind``: how the state reads input. CHOICE (buttons, or the same words typed),
  MULTI (toggle several buttons, then Done; typed text adds an own item),
  TEXT (one typed answer, checked by ``parse``), LIST (each message adds an item
  to ``save``, Done ends), SCALE (a number in ``scale``), WAIT (a resting state:
  typed text goes to the journal).
- ``routes``: outcome -> next state. An outcome is a button id, or what a
  ``judge`` makes of the answers ("mostly_bad", "unhealthy", ...), or "ok"/"done".
- ``actions``: outcome -> named side effects (see actions.py), run before the move.
- ``BACK``: return to the state the user was in before a tool (``/checkin``...).
  ``back_or(x)``: return if there is somewhere to return to, else go to x.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum


class Kind(StrEnum):
    CHOICE = "choice"
    MULTI = "multi"
    TEXT = "text"
    LIST = "list"
    SCALE = "scale"
    WAIT = "wait"


class Part(StrEnum):
    ONBOARDING = "onboarding"
    REFLECT = "reflect"
    RECONNECT = "reconnect"
    TALK = "talk"
    TRACK = "track"
    TOOL = "tool"


BACK = "<back>"


def back_or(target: str) -> str:
    return f"{BACK}|{target}"


# Words people type instead of pressing a button.
YES_WORDS = (
    "yes", "y", "yeah", "yea", "yep", "yup", "sure", "ok", "okay", "of course",
    "definitely", "correct", "right", "i think so", "true", "absolutely", "ja", "si",
)  # fmt: skip
NO_WORDS = (
    "no", "n", "nope", "nah", "not really", "never", "no way", "not at all", "false",
    "nein",
)  # fmt: skip
UNSURE_WORDS = (
    "not sure", "idk", "i don't know", "i dont know", "dont know", "don't know",
    "dunno", "maybe", "unsure", "perhaps", "no idea", "i'm not sure", "im not sure",
    "not certain", "hard to say",
)  # fmt: skip
DONE_WORDS = (
    "done", "that's all", "thats all", "that's it", "thats it", "finished", "finish",
    "nothing else", "no more", "next", "continue", "that is all",
)  # fmt: skip
SKIP_WORDS = ("skip", "pass", "rather not", "no thanks", "none", "-")


@dataclass(frozen=True)
class Opt:
    """A button: a short stable id (callback data), its label, and typed synonyms."""

    id: str
    label: str
    says: tuple[str, ...] = ()


YES = Opt("yes", "Yes", YES_WORDS)
NO = Opt("no", "No", NO_WORDS)
NOT_SURE = Opt("not_sure", "Not sure", UNSURE_WORDS)
DONE = Opt("done", "Done ✔", DONE_WORDS)
SKIP = Opt("skip", "Skip", SKIP_WORDS)


@dataclass(frozen=True)
class Stage:
    id: str
    title: str
    part: Part
    kind: Kind
    step: str = ""  # the guide's label: R1..R5, C1..C8, T1..T4
    options: tuple[Opt, ...] = ()
    routes: Mapping[str, str] = field(default_factory=dict)
    actions: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    save: str | None = None  # "profile.name", "answer.fights", "list.pros", "scratch.mood"
    parse: str | None = None  # parser name in parsing.py
    judge: str | None = None  # judge name in actions.py: answers -> outcome
    scale: tuple[int, int] | None = None
    own_list: str | None = None  # MULTI: typed text becomes an item of this list
    on_enter: tuple[str, ...] = ()  # actions run when the state is entered by a move
    getter: str | None = None  # data for the template, by name (getters.py)
    rows: int = 1  # buttons per row

    @property
    def template(self) -> str:
        return f"{self.id}.j2"

    def option(self, choice: str) -> Opt | None:
        return next((o for o in self.options if o.id == choice), None)


def _yes_no(
    id: str, title: str, step: str, nxt: str, *, save: str | None = None, **kw: object
) -> Stage:
    return Stage(
        id,
        title,
        Part.REFLECT,
        Kind.CHOICE,
        step,
        (YES, NO),
        {"yes": nxt, "no": nxt},
        save=save or f"answer.{id}",
        rows=2,
        **kw,  # type: ignore[arg-type]
    )


# fmt: off
STAGES: tuple[Stage, ...] = (
    # -- 0. Onboarding -------------------------------------------------------------
    Stage("welcome", "Welcome", Part.ONBOARDING, Kind.CHOICE, "",
          (Opt("adult", "I'm 18 or older: let's begin", YES_WORDS + ("18", "18+", "adult")),
           Opt("minor", "I'm under 18", ("under 18", "minor", "no"))),
          {"adult": "ask_name", "minor": "under_18"}, actions={"adult": ("confirm_adult",)}),
    Stage("under_18", "Under 18", Part.ONBOARDING, Kind.CHOICE, "",
          (Opt("mistake", "I tapped wrong: I'm 18+"),), {"mistake": "welcome"}),
    Stage("ask_name", "Your name", Part.ONBOARDING, Kind.TEXT, "",
          routes={"ok": "ask_ex_name"}, save="profile.name", parse="name"),
    Stage("ask_ex_name", "Your ex's name", Part.ONBOARDING, Kind.TEXT, "", (SKIP,),
          routes={"ok": "ask_timezone", "skip": "ask_timezone"}, save="profile.ex_name",
          parse="name"),
    Stage("ask_timezone", "Your time zone", Part.ONBOARDING, Kind.TEXT, "",
          routes={"ok": "ask_checkin_hour"}, save="profile.tz", parse="timezone"),
    Stage("ask_checkin_hour", "Check-in hour", Part.ONBOARDING, Kind.TEXT, "",
          (Opt("8", "08:00"), Opt("9", "09:00"), Opt("12", "12:00"), Opt("18", "18:00"),
           Opt("20", "20:00")),
          {"ok": "availability"}, save="profile.checkin_hour", parse="hour", rows=5,
          getter="zone", actions={"ok": ("arm_reengage",)}),

    # -- Part 1: Reflect ---------------------------------------------------------------
    Stage("availability", "Is your ex available?", Part.REFLECT, Kind.CHOICE, "R1",
          (Opt("yes", "Yes, they're seeing someone", YES_WORDS + ("taken",)),
           Opt("no", "No, they're single", NO_WORDS + ("single",)), NOT_SURE),
          {"yes": "move_on", "no": "motives", "not_sure": "motives"},
          actions={"yes": ("mark_new_partner",), "no": ("clear_ex_unsure",),
                   "not_sure": ("mark_ex_unsure",)},
          save="answer.availability"),
    Stage("reflect_reopen", "What has changed?", Part.REFLECT, Kind.TEXT, "R1",
          (Opt("back", "Never mind"),), {"ok": "availability", "back": BACK},
          save="answer.what_changed", parse="note", actions={"ok": ("reopen_reflection",)}),
    Stage("motives", "Why you want them back", Part.REFLECT, Kind.MULTI, "R2",
          (Opt("timing", "The timing was off"),
           Opt("earlier_rel", "I wasn't over someone else"),
           Opt("appreciation", "I see them in a new light"),
           Opt("lonely", "I'm scared of being alone"),
           Opt("familiar", "I miss what felt familiar"),
           Opt("jealous", "Jealous they moved on"), DONE),
          {"mostly_bad": "motives_challenge", "ok": "health_fights"},
          save="list.reasons", judge="motives", own_list="reasons"),
    Stage("motives_challenge", "A gentle challenge", Part.REFLECT, Kind.CHOICE, "R2",
          (Opt("talk_first", "I'll talk it through first"),
           Opt("go_on", "I see it, and I'll go on"),
           Opt("move_on", "Maybe I should move on")),
          {"talk_first": "reflect_pause", "go_on": "health_fights", "move_on": "move_on"}),
    Stage("reflect_pause", "Taking time to talk it over", Part.REFLECT, Kind.CHOICE, "R2",
          (Opt("ready", "I'm ready to go on"), Opt("move_on", "I'd rather move on")),
          {"ready": "health_fights", "move_on": "move_on"}),
    _yes_no("health_fights", "Did you fight all the time?", "R3", "health_enjoy"),
    _yes_no("health_enjoy", "Did you enjoy time together?", "R3", "health_best"),
    _yes_no("health_best", "Did it bring out your best?", "R3", "health_support"),
    _yes_no("health_support", "Were you good for each other?", "R3", "health_safety"),
    Stage("health_safety", "Did you ever feel afraid?", Part.REFLECT, Kind.CHOICE, "R3",
          (YES, NO), {"safety": "safety", "unhealthy": "unhealthy", "mixed": "pros",
                      "healthy": "pros_cons_offer"},
          save="answer.health_safety", judge="health", rows=2),
    Stage("unhealthy", "It may be best left in the past", Part.REFLECT, Kind.CHOICE, "R3",
          (Opt("move_on", "Help me move on"), Opt("weigh", "Let me weigh it up first")),
          {"move_on": "move_on", "weigh": "pros"}),
    Stage("pros_cons_offer", "Pros and cons?", Part.REFLECT, Kind.CHOICE, "R4",
          (Opt("lists", "Let's make the lists"), Opt("skip", "I'm clear, skip them")),
          {"lists": "pros", "skip": "no_contact_start"}),
    Stage("pros", "Pros", Part.REFLECT, Kind.LIST, "R4", (DONE,), {"done": "cons"},
          save="list.pros"),
    Stage("cons", "Cons", Part.REFLECT, Kind.LIST, "R4", (DONE,),
          {"done": "pros_cons_summary"}, save="list.cons"),
    Stage("pros_cons_summary", "Pros and cons side by side", Part.REFLECT, Kind.CHOICE, "R4",
          (Opt("go_on", "I want to go on"), Opt("move_on", "I'd rather move on")),
          {"go_on": back_or("no_contact_start"), "move_on": "move_on"}),
    Stage("no_contact_start", "30 days of no contact", Part.REFLECT, Kind.CHOICE, "R5",
          (Opt("start", "Start today"), Opt("move_on", "I'd rather move on")),
          {"start": "focus_on_yourself", "move_on": "move_on"},
          actions={"start": ("start_no_contact",)}),

    # -- Part 2: Reconnect ---------------------------------------------------------------
    Stage("focus_on_yourself", "Focus on yourself", Part.RECONNECT, Kind.MULTI, "C1",
          (Opt("hobby", "A new hobby"), Opt("health", "Move and eat well"),
           Opt("journal", "Keep a journal"), Opt("friends", "Time with friends"), DONE),
          {"done": "no_contact"}, actions={"done": ("schedule_goal_followup",)},
          save="list.goals", own_list="goals", judge="any"),
    Stage("no_contact", "No contact", Part.REFLECT, Kind.WAIT, "R5",
          (Opt("checkin", "Check in"), Opt("journal", "Journal"), Opt("slip", "I slipped")),
          {"checkin": "checkin_mood", "journal": "journal", "slip": "slip"},
          actions={"checkin": ("push_resume",), "journal": ("push_resume",),
                   "slip": ("push_resume",)}, rows=3),
    Stage("no_contact_over", "No contact is over", Part.REFLECT, Kind.CHOICE, "R5",
          (Opt("reconnect", "Yes, I want to reconnect"),
           Opt("more_time", "I need more time"),
           Opt("move_on", "No, I'm ready to move on")),
          {"reconnect": "first_message", "more_time": "no_contact", "move_on": "move_on"},
          getter="replay",
          actions={"more_time": ("extend_no_contact",), "reconnect": ("end_no_contact",),
                   "move_on": ("end_no_contact",)}),
    Stage("first_message", "A light first message", Part.RECONNECT, Kind.CHOICE, "C2",
          (Opt("ideas", "Give me ideas"), Opt("sent", "I've sent it"),
           Opt("wait", "Not ready yet")),
          {"ideas": "first_message_ideas", "sent": "act_casual", "wait": "patience"},
          actions={"sent": ("schedule_first_message_followup",)}),
    Stage("first_message_ideas", "Ideas for a first message", Part.RECONNECT, Kind.CHOICE,
          "C2", (Opt("sent", "I've sent it"), Opt("back", "Back")),
          {"sent": "act_casual", "back": "first_message"},
          actions={"sent": ("schedule_first_message_followup",)}),
    Stage("act_casual", "Keep it casual", Part.RECONNECT, Kind.CHOICE, "C3",
          (Opt("chatting", "We're chatting"), Opt("no_reply", "No reply yet")),
          {"chatting": "meet_up", "no_reply": "patience"}),
    Stage("meet_up", "Coffee in daylight", Part.RECONNECT, Kind.CHOICE, "C4",
          (Opt("planned", "We've planned to meet"), Opt("not_yet", "Not yet")),
          {"planned": "happy_memories", "not_yet": "patience"},
          actions={"planned": ("schedule_meetup_followup",)}),
    Stage("happy_memories", "Happy memories", Part.RECONNECT, Kind.LIST, "C5", (DONE,),
          {"done": "who_they_fell_for"}, save="list.memories"),
    Stage("who_they_fell_for", "Who they fell for", Part.RECONNECT, Kind.LIST, "C6", (DONE,),
          {"done": "meet_up_debrief"}, save="list.qualities"),
    Stage("meet_up_debrief", "How did it go?", Part.RECONNECT, Kind.CHOICE, "C4",
          (Opt("well", "It went well"), Opt("so_so", "So-so"), Opt("badly", "Not well"),
           Opt("not_yet", "We haven't met yet")),
          {"well": "signs_of_interest", "so_so": "signs_of_interest", "badly": "patience",
           "not_yet": "patience"}, save="answer.meet_up", rows=2),
    Stage("patience", "Patience", Part.RECONNECT, Kind.CHOICE, "C7",
          (Opt("replied", "They got in touch"), Opt("wait", "I'll keep waiting"),
           Opt("let_go", "I want to let it go")),
          {"replied": "act_casual", "wait": "patience", "let_go": "move_on"}),
    Stage("signs_of_interest", "Signs of interest", Part.RECONNECT, Kind.MULTI, "C8",
          (Opt("warm", "Warm and friendly"), Opt("glad", "Glad to hear from me"),
           Opt("reaches_out", "Reaches out too"), Opt("invested", "Equally invested"),
           Opt("body_language", "Affectionate body language"),
           Opt("friends_only", "They want friendship"), DONE),
          {"high": "say_it", "low": "patience", "friends": "friendship"},
          actions={"high": ("log_signs",), "low": ("log_signs",)},
          save="scratch.signs", judge="signs"),
    Stage("friendship", "Just friends", Part.RECONNECT, Kind.CHOICE, "C8",
          (Opt("accept", "I'll respect that"), Opt("changed", "Things have changed since")),
          {"accept": "move_on", "changed": "signs_of_interest"}),

    # -- Part 3: Talk --------------------------------------------------------------------
    Stage("say_it", "Say it", Part.TALK, Kind.CHOICE, "T1",
          (Opt("next", "Next: what went wrong"),), {"next": "what_went_wrong"}),
    Stage("what_went_wrong", "What went wrong", Part.TALK, Kind.LIST, "T2", (DONE,),
          {"done": "commit_to_change"}, save="list.went_wrong", getter="i_language"),
    Stage("commit_to_change", "Commit to change", Part.TALK, Kind.LIST, "T3", (DONE,),
          {"done": "accept_answer"}, save="list.commitments", getter="i_language"),
    Stage("accept_answer", "Their answer", Part.TALK, Kind.CHOICE, "T4",
          (Opt("yes", "They said yes"), Opt("no", "They said no"),
           Opt("not_yet", "We haven't talked yet")),
          {"yes": "together", "no": "acceptance", "not_yet": "accept_answer"},
          actions={"yes": ("outcome_yes",), "no": ("outcome_no",)}),
    Stage("together", "Together again", Part.TALK, Kind.WAIT, "T4",
          (Opt("commitments", "My commitments"), Opt("ended", "It ended again")),
          {"commitments": "list_edit", "ended": "acceptance"},
          actions={"commitments": ("push_resume", "edit_commitments"),
                   "ended": ("outcome_no",)}),
    Stage("acceptance", "Accepting their answer", Part.TALK, Kind.CHOICE, "T4",
          (Opt("move_on", "Help me move on"),), {"move_on": "move_on"}),

    # -- Tracks outside the main path -----------------------------------------------------
    Stage("move_on", "Moving on", Part.TRACK, Kind.WAIT, "",
          (Opt("ideas", "Ideas for me"), Opt("checkin", "Check in"),
           Opt("journal", "Journal")),
          {"ideas": "move_on_ideas", "checkin": "checkin_mood", "journal": "journal"},
          actions={"checkin": ("push_resume",), "journal": ("push_resume",)},
          on_enter=("enter_move_on",), rows=3),
    Stage("move_on_ideas", "Ideas for your own life", Part.TRACK, Kind.CHOICE, "",
          (Opt("back", "Back"),), {"back": "move_on"}),
    Stage("safety", "Your safety first", Part.TRACK, Kind.CHOICE, "",
          (Opt("safe", "I'm safe right now"), Opt("numbers", "Show the numbers again")),
          {"safe": "move_on", "numbers": "safety"}, on_enter=("enter_safety",),
          getter="resources"),
    Stage("crisis", "Crisis care", Part.TRACK, Kind.CHOICE, "",
          (Opt("safe", "I'm safe, let's go on"), Opt("numbers", "Show the numbers again")),
          {"safe": BACK, "numbers": "crisis"}, getter="resources"),
    Stage("expert_qa", "Ask a question", Part.TOOL, Kind.TEXT, "",
          (Opt("back", "Back"),), {"ok": "expert_qa", "back": BACK}, parse="question",
          save="scratch.question",
          actions={"ok": ("answer_question",)}),

    # -- Tools: short sub-dialogues opened by commands; they return where you were ------
    Stage("checkin_mood", "Check-in: mood", Part.TOOL, Kind.SCALE, "",
          tuple(Opt(str(n), str(n)) for n in range(1, 6)), {"ok": "checkin_urge"},
          save="scratch.mood", scale=(1, 5), rows=5),
    # The daily check-in as the coach's nudge: the same mood question, plus snooze and skip.
    Stage("checkin_nudge", "Check-in: mood (daily)", Part.TOOL, Kind.SCALE, "",
          (*(Opt(str(n), str(n)) for n in range(1, 6)), Opt("snooze", "Snooze 1 hour"),
           Opt("skip_today", "Skip today")),
          {"ok": "checkin_urge", "snooze": BACK, "skip_today": BACK},
          actions={"snooze": ("snooze_checkin",), "skip_today": ("skip_checkin",)},
          save="scratch.mood", scale=(1, 5), rows=5),
    Stage("checkin_urge", "Check-in: urge to reach out", Part.TOOL, Kind.SCALE, "",
          tuple(Opt(str(n), str(n)) for n in range(0, 11)), {"ok": "checkin_note"},
          save="scratch.urge", scale=(0, 10), rows=6),
    Stage("checkin_note", "Check-in: a note", Part.TOOL, Kind.TEXT, "", (SKIP,),
          {"ok": BACK, "skip": BACK}, actions={"ok": ("log_checkin",), "skip": ("log_checkin",)},
          save="scratch.note", parse="note"),
    Stage("journal", "Journal", Part.TOOL, Kind.TEXT, "", (Opt("back", "Back"),),
          {"ok": BACK, "back": BACK}, actions={"ok": ("log_journal",)},
          save="scratch.entry", parse="note"),
    Stage("slip", "A slip", Part.TOOL, Kind.CHOICE, "",
          (Opt("restart", "Restart my 30 days"), Opt("keep", "Keep my count going")),
          {"restart": BACK, "keep": BACK},
          actions={"restart": ("log_slip_restart",), "keep": ("log_slip",)}),
    Stage("list_edit", "Your list", Part.TOOL, Kind.LIST, "", (DONE,), {"done": BACK}),
    Stage("draft", "Draft review", Part.TOOL, Kind.TEXT, "", (Opt("back", "Back"),),
          {"ok": "draft", "back": BACK}, actions={"ok": ("review_draft",)}, parse="note",
          save="scratch.draft_text"),
    Stage("urge", "Before you text", Part.TOOL, Kind.TEXT, "", (Opt("back", "Back"),),
          {"ok": "urge_kept", "back": BACK}, actions={"ok": ("log_urge",)}, parse="note",
          save="scratch.urge_text"),
    Stage("urge_kept", "Kept, not sent", Part.TOOL, Kind.CHOICE, "",
          (Opt("checkin", "Check in now"), Opt("fine", "I'm okay now")),
          {"checkin": "checkin_mood", "fine": BACK}),
    Stage("settings", "Settings", Part.TOOL, Kind.CHOICE, "",
          (Opt("tz", "Time zone"), Opt("hour", "Check-in hour"), Opt("quiet", "Quiet hours"),
           Opt("back", "Back")),
          {"tz": "settings_timezone", "hour": "settings_hour", "quiet": "settings_quiet",
           "back": BACK}, rows=2, getter="zone"),
    Stage("settings_quiet", "Settings: quiet hours", Part.TOOL, Kind.CHOICE, "",
          (Opt("21-7", "21:00–07:00"), Opt("22-8", "22:00–08:00"), Opt("23-8", "23:00–08:00"),
           Opt("23-9", "23:00–09:00"), Opt("0-0", "No quiet hours", ("none", "off")),
           Opt("back", "Back")),
          {"ok": "settings", "back": "settings"}, save="scratch.quiet",
          actions={"ok": ("set_quiet_hours",)}, rows=2),
    Stage("settings_timezone", "Settings: time zone", Part.TOOL, Kind.TEXT, "",
          (Opt("back", "Back"),), {"ok": "settings", "back": "settings"}, save="profile.tz",
          parse="timezone", actions={"ok": ("reschedule_checkins",)}),
    Stage("settings_hour", "Settings: check-in hour", Part.TOOL, Kind.TEXT, "",
          (Opt("8", "08:00"), Opt("9", "09:00"), Opt("12", "12:00"), Opt("18", "18:00"),
           Opt("20", "20:00"), Opt("back", "Back")),
          {"ok": "settings", "back": "settings"}, save="profile.checkin_hour", parse="hour",
          actions={"ok": ("reschedule_checkins",)}, rows=5),
    Stage("delete_confirm", "Delete everything?", Part.TOOL, Kind.CHOICE, "",
          (Opt("delete", "Yes, delete everything"), Opt("keep", "No, keep it")),
          {"delete": "new", "keep": BACK}, actions={"delete": ("delete_all",)}),
)
# fmt: on

BY_ID: dict[str, Stage] = {s.id: s for s in STAGES}
if len(BY_ID) != len(STAGES):  # pragma: no cover - guards against a copy-paste slip
    raise RuntimeError("duplicate stage id in STAGES")

# Where each guide part starts (used by /status and by "back to the guide").
MAIN_PARTS = (Part.REFLECT, Part.RECONNECT, Part.TALK)
