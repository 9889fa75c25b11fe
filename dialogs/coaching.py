"""Pure text checks behind `/draft` (C2, the first message) and T2 ("I" language).

Everything here is rule-based and offline: a handful of compiled regular expressions
run over the text once. The checks are deliberately conservative and explainable:
each finding carries a short reason the coach can show as-is, plus the excerpt that
triggered it, so the user can see exactly which line to change.

Outputs are plain text (no HTML); transports escape them before sending.
"""

from __future__ import annotations

import bisect
import re
import zlib
from dataclasses import dataclass

__all__ = [
    "LATE_NIGHT_HOURS",
    "DraftReview",
    "Finding",
    "ILanguageReview",
    "check_i_language",
    "review_draft",
]

# 22:00-04:59 in the user's own time zone: the hours when a message is most likely
# to be sent on a wave of feeling rather than a decision.
LATE_NIGHT_HOURS = frozenset({22, 23, 0, 1, 2, 3, 4})

_EXCERPT_MAX = 80


@dataclass(frozen=True)
class Finding:
    """One thing in a draft that may land badly: a code, why, and the words involved."""

    code: str
    reason: str
    excerpt: str


@dataclass(frozen=True)
class DraftReview:
    """The verdict on a draft first message and what led to it."""

    verdict: str  # "ready" | "soften" | "wait"
    findings: tuple[Finding, ...]
    strengths: tuple[str, ...]
    rewrite: str | None
    late_night: bool
    mentions_drinking: bool

    @property
    def codes(self) -> tuple[str, ...]:
        """The finding codes, in the order they were found."""
        return tuple(f.code for f in self.findings)


@dataclass(frozen=True)
class ILanguageReview:
    """How a "what went wrong" message reads: blame, promises, and a kinder framing."""

    accusations: tuple[Finding, ...]
    vague_promises: tuple[Finding, ...]
    concrete_promises: tuple[str, ...]
    uses_i_language: bool
    suggestion: str | None
    ok: bool


# --- shared text helpers ---------------------------------------------------------

# Curly quotes and apostrophes from phone keyboards would otherwise defeat every
# "can't" / "you're" pattern below.
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "`": "'"})

# Starts with a character class so re can skip ahead quickly; see _sentence_spans.
_SENTENCE_END = re.compile(r"[.!?…\n][.!?…\"')\]]*\s*")
_WORDISH = re.compile(r"[A-Za-z0-9]")


def _normalise(text: str) -> str:
    return text.translate(_QUOTES)


def _sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence; a line break also ends one (chat drafts rarely
    punctuate)."""
    spans: list[tuple[int, int]] = []
    start = 0
    n = len(text)
    wordish = _WORDISH.search
    for m in _SENTENCE_END.finditer(text):
        a, b = m.span()
        # "3.5" or "e.g.x" are not sentence ends: need whitespace (or the end) after.
        if b < n and not text[b - 1].isspace():
            continue
        end = a if text[a] == "\n" else b
        if wordish(text, start, end):
            spans.append((start, end))
        start = b
    if wordish(text, start):
        spans.append((start, n))
    return spans


def _index_at(spans: list[tuple[int, int]], pos: int) -> int:
    """Index of the sentence containing ``pos`` (the last one starting before it)."""
    return max(bisect.bisect_right([a for a, _ in spans], pos) - 1, 0)


def _clip(s: str) -> str:
    s = " ".join(s.split())
    return s if len(s) <= _EXCERPT_MAX else s[: _EXCERPT_MAX - 1].rstrip() + "…"


def _sentence_at(text: str, pos: int) -> str:
    """The sentence around character ``pos``: what the user should look at."""
    start = max(text.rfind(c, 0, pos) for c in ".!?\n") + 1
    ends = [i for i in (text.find(c, pos) for c in ".!?\n") if i != -1]
    end = min(ends) + 1 if ends else len(text)
    return _clip(text[start:end].strip())


def _rx(*alternatives: str) -> re.Pattern[str]:
    # Matched against lowercased text: IGNORECASE makes Python's re about 3x slower.
    return re.compile(r"\b(?:" + "|".join(alternatives) + r")\b")


def _lower(text: str) -> str:
    """Lowercase without changing any offsets (a few characters grow when lowercased)."""
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


# --- /draft patterns -----------------------------------------------------------

_YOU_ARE = r"(?:you'?re|you are|ur|u r)"
_CANT = r"(?:can'?t|cannot|can not|couldn'?t)"

_INTENSE = _rx(
    rf"{_CANT} live without (?:you|u)",
    rf"{_CANT} (?:breathe|sleep|eat|function|go on|cope) without (?:you|u)",
    r"(?:i'?m|i am) nothing without (?:you|u)",
    rf"{_YOU_ARE} my (?:everything|whole world|world|whole life|life|soulmate|soul mate|one)",
    rf"{_YOU_ARE} the love of my life",
    r"(?:the )?love of my life",
    r"(?:my )?soul ?mate",
    r"i (?:really |still |just |so )*need (?:you|u)(?! to)",
    r"i (?:still |really |will always )*love (?:you|u)(?: so much| more than anything)?",
    rf"{_CANT} stop thinking about (?:you|u)",
    r"i think about (?:you|u) (?:every|all the) (?:day|second|minute|night|time)",
    r"i'?ll never love anyone (?:else|like (?:you|u))",
    r"i'?ll wait (?:for you )?forever",
    r"miss (?:you|u) (?:so much|so bad|like crazy|more than anything|every (?:day|second))",
    r"(?:we(?:'re| are)|we were) meant to be",
    r"dying without (?:you|u)",
    r"my life is (?:empty|nothing|over) without",
)

_BEGGING = _rx(
    r"please,? (?:please,? )*(?:just )?(?:come back|take me back|don'?t leave|don'?t go|"
    r"answer|reply|respond|talk to me|call me|text me|pick up|forgive me|give (?:me|us)|"
    r"let me|say something|don'?t ignore)",
    r"come back to me",
    r"take me back",
    r"(?:i'?m|i am) begging(?: you)?",
    r"i beg (?:you|u)",
    r"give (?:me|us|this|it|me and you) (?:another|one more|a second|a last|one last) "
    r"(?:chance|try|shot|go)",
    r"(?:one|just one) (?:more|last) chance",
    r"i'?ll do anything",
    r"i'?ll do whatever (?:it takes|you want)",
    r"don'?t give up on (?:us|me)",
    r"i'?ll change,? i promise",
    r"please please",
)

_GUILT = _rx(
    r"why (?:did|would|do|didn'?t|won'?t|don'?t|can'?t) (?:you|u)",
    r"(?:you|u) never(?! know)",
    r"(?:you|u) always(?! (?:made me (?:laugh|smile)|knew how))",
    r"after (?:everything|all) (?:i|we) (?:did|do|have done|gave|went through|'ve done)",
    r"after all (?:i|i'?ve) (?:did|done|gave|given)",
    r"(?:you|u) ruined",
    r"how could (?:you|u)",
    r"(?:you|u) (?:broke|destroyed|crushed) (?:my heart|me)",
    r"(?:you|u) (?:just )?(?:left|abandoned|dumped) me",
    r"(?:you|u) threw (?:it|us|me|everything|this)(?: all)? away",
    r"(?:you|u) (?:don'?t|didn'?t) (?:even )?care",
    r"(?:you|u) owe me",
    r"(?:it'?s|it is|it was) (?:all )?(?:your|ur) fault",
    r"because of (?:you|u)",
    r"(?:hope|hoping) (?:you'?re|you are|ur) happy(?: now)?",
    r"moved on so (?:fast|quickly)",
    r"thanks for nothing",
    r"(?:you|u) (?:hurt|used) me",
    r"(?:you|u) didn'?t even",
)

_RELATIONSHIP = _rx(
    r"(?:get|getting|got|be|being) back together",
    r"back together",
    r"(?:our|the|this) relationship",
    r"(?:give|try) (?:us|it|this|things) (?:another|a second|one more) (?:go|try|chance|shot)",
    r"try again(?: with (?:me|us))?",
    r"(?:want|need) (?:you|u) back",
    r"(?:start|starting) (?:over|again|fresh)",
    r"work (?:things|it|this|us) out",
    r"fix (?:us|things between us|what we had|this|what we)",
    r"what we had",
    r"(?:we|us) belong together",
    r"be together again",
    r"where (?:we|things) stand",
    r"(?:about|for|on) us(?! (?:both|two|all))",
    r"us again",
    r"(?:our|a) future together",
    r"(?:talk|think) about (?:us|the breakup|what happened)",
    r"(?:the|our) break ?up",
)

_DRINKING = _rx(
    r"drunk",
    r"tipsy",
    r"wasted",
    r"hammered",
    r"buzzed",
    r"drinking(?! (?:coffee|tea|water|juice|a coffee|a tea|smoothies?))",
    r"(?:had|having|after|few|couple of|too many|some|more) (?:drinks|beers|shots|ciders)",
    r"(?:doing|did|took|had) shots",
    r"shots",
    r"wine",
    r"(?:vodka|tequila|whiskey|whisky|rum|gin|jager|jäger|prosecco|champagne)",
    r"(?:a few|one too many|too many) (?:drinks|beers)",
    r"hungover|hangover",
)

_QUESTION_RUN = re.compile(r"\?+")
_PUNCT_FLOOD = re.compile(r"(?:!\s*){3,}|[!?]*!\?[!?]*\?|\?{3,}|[!?]*\?![!?]*!")
# Pictographs, dingbats, symbols: close enough to "an emoji" for counting purposes.
_EMOJI = re.compile(
    "[\U0001f300-\U0001faff\U00002600-\U000027bf\U0001f000-\U0001f2ff\U00002b50\U00002764]"
)
_EMOJI_RUN = re.compile("(?:[\U0001f300-\U0001faff\U00002600-\U000027bf\U00002764]\ufe0f?){3,}")
_CAPS_WORD = re.compile(r"\b[A-Z][A-Z']{2,}\b")
# Acronyms and interjections that are normally written in capitals: not shouting.
_CAPS_OK = frozenset(
    "LOL LMAO LMFAO ROFL OMG OMFG BTW TBH IDK IMO IMHO FYI ASAP NYC USA UK TV DM BBQ TGIF NBA "
    "NFL FIFA GPS PDF CEO DIY DVD CD UFO ATM ETA FAQ RSVP AKA FOMO YOLO SMH IRL NGL HBU WYD "
    "HMU TTYL JK ILY BFF XOXO OK OKAY PS II III IV UN EU BBC CNN HBO MTV ABBA NASA".split()
)
_APOLOGY = _rx(
    r"sorry",
    r"apologi[sz]e",
    r"apologies",
    r"my (?:bad|fault)",
    r"forgive me",
    r"i regret",
)

# Things that tend to make a first message land well; used for the "strengths" list.
_LIGHT = _rx(
    r"haha+",
    r"hehe+",
    r"lol",
    r"lmao",
    r"hey+",
    r"hi+",
    r"hiya",
    r"stranger",
    r"funny",
    r"random(?:ly)?",
    r"guess what",
)
_LIGHT_EMOJI = re.compile(
    "[\U0001f600-\U0001f606\U0001f609\U0001f60a\U0001f60b\U0001f60e"
    "\U0001f61c\U0001f61d\U0001f642\U0001f643\U0001f917\U0001f923]"
)
_SHARED = _rx(
    r"reminded me of (?:you|u|us|your|when)",
    r"made me think of (?:you|u|us)",
    r"thought of (?:you|u)",
    r"(?:thought|think) (?:you'?d|you would) (?:love|like|laugh|enjoy)",
    r"(?:you'?d|you would) (?:have )?(?:love|loved|like|liked|laugh|laughed|enjoy|enjoyed)",
    r"remember (?:when|that|the)",
    r"(?:our|that|the) (?:inside |old )?joke",
    r"made me laugh",
    r"saw (?:a|an|the|this|your)\b.{0,60}\b(?:thought|remembered|reminded)",
    r"still (?:can'?t|cannot) (?:beat|top|believe)",
)

_SERIOUS = ("intense", "begging", "guilt")
# Codes that keep a draft from being "ready". exclaim_flood alone is a tone note only.
_SOFTEN_CODES = frozenset(
    {
        "intense",
        "begging",
        "guilt",
        "relationship_talk",
        "many_questions",
        "wall_of_text",
        "all_caps",
        "apologies",
    }
)

_REASONS = {
    "intense": "Big declarations this early can feel like pressure and make it harder to reply.",
    "begging": "Pleading puts them on the spot; a light hello gives them room to answer freely.",
    "guilt": "Blame, even gentle, tends to start a defence rather than a conversation.",
    "relationship_talk": "Talk about 'us' can wait: a first message works best as a simple hello.",
    "many_questions": "Several questions at once can feel like an interview; one is plenty.",
    "wall_of_text": "A long message is a lot to take in; a few easy lines are simpler to answer.",
    "all_caps": "Capitals read as shouting on a phone screen.",
    "exclaim_flood": "Lots of !!! or emoji can read as nervous; one is enough to keep it warm.",
    "apologies": "Apologising over and over can weigh the message down; once is enough, later.",
    "drinking": "Messages sent after a drink are easy to regret; this one can wait till morning.",
    "late_night": "Late-night texts can feel heavier than you mean; daytime reads lighter.",
}

_OPENERS = (
    "Hey! Something today made me think of you. Hope you're doing well 🙂",
    "Hi! A random little thing reminded me of you today and made me smile. "
    "Hope life's treating you well.",
    "Hey, stranger 🙂 Heard a song earlier that took me right back. How's your week going?",
    "Hi! Hope things are good with you. Saw something funny today that had your name on it 😄",
)


def _count_emoji(text: str) -> int:
    return 0 if text.isascii() else len(_EMOJI.findall(text))


def _shouting_words(text: str) -> list[str]:
    if text.islower():
        return []
    return [w for w in _CAPS_WORD.findall(text) if w.replace("'", "") not in _CAPS_OK]


def _draft_findings(
    text: str, spans: list[tuple[int, int]], local_hour: int | None, first_message: bool
) -> tuple[list[Finding], int, set[int]]:
    """All findings for a draft, how many serious lines it has, and which sentences
    (by index) carry something that should not survive into the rewrite."""
    findings: list[Finding] = []
    low = _lower(text)
    flagged: set[int] = set()
    serious_hits = 0

    checks: list[tuple[str, re.Pattern[str]]] = [
        ("intense", _INTENSE),
        ("begging", _BEGGING),
        ("guilt", _GUILT),
    ]
    if first_message:
        checks.append(("relationship_talk", _RELATIONSHIP))
    checks.append(("drinking", _DRINKING))

    for code, rx in checks:
        first = None
        for m in rx.finditer(low):
            first = first or m
            i = _index_at(spans, m.start())
            flagged.add(i)
            serious_hits += code in _SERIOUS
        if first:
            findings.append(Finding(code, _REASONS[code], _sentence_at(text, first.start())))

    questions = len(_QUESTION_RUN.findall(text))
    if questions >= 3:
        findings.append(
            Finding("many_questions", _REASONS["many_questions"], f"{questions} questions")
        )

    n_sent = len(spans)
    if len(text.strip()) > 300 or n_sent > 4:
        findings.append(
            Finding(
                "wall_of_text",
                _REASONS["wall_of_text"],
                f"{len(text.strip())} characters, {n_sent} sentences",
            )
        )

    shouting = _shouting_words(text)
    letters = [c for c in text if c.isalpha()] if len(text) < 400 else []
    mostly_caps = len(letters) >= 12 and sum(c.isupper() for c in letters) / len(letters) > 0.6
    if len(shouting) >= 2 or mostly_caps or any(len(w) >= 6 for w in shouting):
        findings.append(Finding("all_caps", _REASONS["all_caps"], _clip(" ".join(shouting))))

    # Cheap counts first: the regexes only run when there is something to find.
    marks = text.count("!") + text.count("?")
    flood = _PUNCT_FLOOD.search(text) if marks >= 3 else None
    emoji = _count_emoji(text)
    if flood or emoji >= 4 or (emoji >= 3 and _EMOJI_RUN.search(text)) or text.count("!") >= 5:
        excerpt = _sentence_at(text, flood.start()) if flood else f"{emoji} emoji"
        findings.append(Finding("exclaim_flood", _REASONS["exclaim_flood"], excerpt))

    apologies = list(_APOLOGY.finditer(low))
    if len(apologies) >= 2:
        findings.append(
            Finding("apologies", _REASONS["apologies"], _sentence_at(text, apologies[0].start()))
        )
        flagged.update(_index_at(spans, a.start()) for a in apologies)

    if local_hour is not None and local_hour % 24 in LATE_NIGHT_HOURS:
        findings.append(
            Finding("late_night", _REASONS["late_night"], f"{local_hour % 24:02d}:00 your time")
        )

    return findings, serious_hits, flagged


def _strengths(text: str, codes: set[str]) -> tuple[str, ...]:
    out: list[str] = []
    serious = codes & _SOFTEN_CODES
    low = _lower(text)
    light_emoji = not text.isascii() and _LIGHT_EMOJI.search(text)
    if not serious and (light_emoji or _LIGHT.search(low)):
        out.append("light, friendly tone")
    if not codes & {"guilt", "begging"} and _SHARED.search(low):
        out.append("mentions something you share or that reminded you of them")
    if len(_QUESTION_RUN.findall(text)) == 1 and not serious:
        out.append("one easy question to answer")
    stripped = text.strip()
    if stripped and len(stripped) <= 160:
        out.append("short and easy to read")
    if 1 <= _count_emoji(text) <= 2 and "exclaim_flood" not in codes:
        out.append("a friendly emoji keeps it warm")
    return tuple(out)


def _tone_down(sentence: str) -> str:
    """Calm the punctuation and capitals of a sentence that is otherwise fine."""
    s = re.sub(r"([!?])[!?]+", r"\1", sentence)
    s = _CAPS_WORD.sub(lambda m: m.group(0) if m.group(0) in _CAPS_OK else m.group(0).lower(), s)
    return s[:1].upper() + s[1:]


def _rewrite(
    text: str, spans: list[tuple[int, int]], codes: set[str], flagged: set[int]
) -> str | None:
    """A lighter version: drop the heavy lines, keep at most two easy ones, or fall back
    to a casual opener picked deterministically from the draft."""
    if not codes & (_SOFTEN_CODES | {"exclaim_flood"}):
        return None
    one_question = "many_questions" in codes
    seen_q = False
    kept: list[str] = []
    for i, (a, b) in enumerate(spans):
        if i in flagged:
            continue
        s = text[a:b].strip()
        if len(s) > 160:
            continue
        if one_question and "?" in s:
            # Keep only the first question: one easy thing to answer.
            if seen_q:
                continue
            seen_q = True
        kept.append(_tone_down(s))
        if len(kept) == 2:
            break
    body = " ".join(kept).strip()
    # A lone "hey" or "how are you?" is fine to keep, but a message needs a bit more.
    if len(body) < 25:
        return _OPENERS[zlib.crc32(text.encode("utf-8")) % len(_OPENERS)]
    if body == " ".join(text.split()):
        return None
    return body


def review_draft(
    text: str, *, local_hour: int | None = None, first_message: bool = True
) -> DraftReview:
    """Review a draft message to the ex before the user sends it themselves.

    ``local_hour`` is the hour (0-23) in the user's own time zone, if known;
    ``first_message`` turns on the "no relationship talk yet" check.
    """
    text = _normalise(text or "")
    spans = _sentence_spans(text)
    findings, serious_hits, flagged = _draft_findings(text, spans, local_hour, first_message)
    codes = {f.code for f in findings}
    late = "late_night" in codes
    drinking = "drinking" in codes

    serious_codes = codes & set(_SERIOUS)
    # One heavy phrase can be softened; two or more (a plea plus blame, three "you never"s)
    # say the feeling is still too raw to send anything today.
    if late or drinking or serious_hits >= 2 or len(serious_codes) >= 2:
        verdict = "wait"
    elif codes & _SOFTEN_CODES:
        verdict = "soften"
    else:
        verdict = "ready"

    return DraftReview(
        verdict=verdict,
        findings=tuple(findings),
        strengths=_strengths(text, codes),
        rewrite=_rewrite(text, spans, codes, flagged),
        late_night=late,
        mentions_drinking=drinking,
    )


# --- T2: "I" language and promises ---------------------------------------------

_YOU = r"(?:you|u)"
_ACCUSATION = _rx(
    # "You always made me laugh" is a compliment, not blame.
    rf"{_YOU} (?:were |are |was |'re )?always(?! (?:made me (?:laugh|smile)|knew how|been there|"
    r"there for me|supported|believed))",
    rf"{_YOU} (?:were |are |'re )?never(?! (?:know|gave up on me|judged))",
    rf"{_YOU} made me(?! (?:laugh|smile|happy|so happy|feel (?:loved|safe|special|seen|"
    r"at home|better)|a better))",
    r"(?:it'?s|it is|it was|all) (?:all )?(?:your|ur) fault",
    r"your fault",
    rf"because of {_YOU}",
    rf"thanks to {_YOU}",
    rf"i blame {_YOU}",
    rf"{_YOU}'?(?:re| are) (?:the one )?to blame",
    rf"(?:it'?s|it is|it was) (?:all )?on {_YOU}",
    rf"{_YOU} (?:ruined|destroyed|wrecked|killed) ",
    rf"{_YOU} (?:drove|forced|pushed) me",
    rf"{_YOU} left me no choice",
    rf"{_YOU}'?(?:re| are| were) (?:so |too |just )?(?:selfish|cold|controlling|toxic|impossible|"
    r"lazy|useless|crazy|the problem|a liar|heartless|immature)",
    rf"if {_YOU} (?:had|would have|'d) (?:just |even |ever |only )?(?:cared|listened|tried|been|"
    r"bothered|made)",
    rf"{_YOU} (?:don'?t|didn'?t|never) (?:even )?care",
    rf"{_YOU} (?:only|just) ever",
    rf"{_YOU} should(?:'ve| have) (?:known|listened|tried|been)",
)

_PROMISE_STEM = re.compile(
    r"\b(?:i will|i'll|i shall|i'm going to|i am going to|i'm gonna|i promise(?: to| i'll| i will"
    r"| that i'll| that i will)?|i plan to|i commit to|i'm committed to|i vow to|"
    r"i've (?:started|booked|signed up|joined|begun)|i have (?:started|booked|signed up|joined)|"
    r"from now on,? i)\b(?! (?:be honest|admit|always remember|never forget|say this|keep this "
    r"short|understand|respect your|accept))",
)
# Promises with no subject at all are still promises ("Things will be different").
_BARE_VAGUE = _rx(
    r"things (?:will|are going to|'ll) be different",
    r"it (?:won'?t|will not) happen again",
    r"(?:this|next) time (?:will|it'?ll) be different",
)
_WEEKDAY = r"(?:mon|tues|wednes|thurs|fri|satur|sun)day"
_CONCRETE_WHEN = _rx(
    r"every (?:single )?(?:day|morning|evening|night|week|weekend|month|time|other day|"
    rf"{_WEEKDAY})",
    r"(?:daily|weekly|nightly|monthly|fortnightly)",
    r"(?:once|twice|three times|\d+ times) a (?:day|week|month)",
    r"each (?:day|morning|evening|night|week|weekend|month)",
    rf"on (?:{_WEEKDAY}s?|weeknights|weekends|weekdays)",
    rf"(?:{_WEEKDAY}|weeknight|weekend)s?",
    r"whenever",
    r"when i(?:'m| am| feel| get| start| notice| finish| leave| go| need| can'?t)",
    r"if i(?:'m| am| feel| get| start| notice| can'?t| need)",
    r"instead of",
    r"before (?:i|we|bed|dinner|work)",
    r"after (?:dinner|work|lunch|school)",
    r"at (?:\d|noon|lunch|dinner|breakfast|night)",
    r"by (?:\d|noon|the end)",
    r"in (?:january|february|march|april|may|june|july|august|september|october|november|"
    r"december)",
    r"starts?|started|booked|signed up|joined",
)
_I_LANGUAGE = _rx(
    r"i (?:feel|felt|was|wasn'?t|didn'?t|did not|should(?:n'?t)? have|could have|know (?:that )?i|"
    r"realise|realize|understand|take responsibility|own|regret|get that|see now|let|"
    r"shut down|took|made you|messed up|hurt|needed|need|would like|'d like|want)",
    r"my (?:part|fault|mistake|responsibility)",
    r"(?:that|it)'?s on me",
)
# "I'll change, starting with..." opens with a vague wish: not concrete on its own.
_VAGUE_OPENING = re.compile(r"\s*(?:be better|do better|change|try harder|improve)\b")
_CLAUSE_SPLIT = re.compile(r"[.!?;\n]+|,\s*(?:and|but|so)\s+|\s+and\s+(?=i\b|i'll\b)")

# "You never listen" -> what the user may have felt, and a neutral description.
_FEELINGS: tuple[tuple[re.Pattern[str], str, str], ...] = tuple(
    (re.compile(rf"\b(?:{k})", re.I), feeling, situation)
    for k, feeling, situation in (
        (r"listen|hear|interrupt", "unheard", "I'm telling you something that matters to me"),
        (
            r"call|text|repl|answer|phone|message",
            "anxious",
            "I don't hear from you for a long time",
        ),
        (r"time|busy|work|around|home|late", "lonely", "we don't get much time together"),
        (r"friends|family|mates", "left out", "plans are made without me"),
        (r"help|chores|dishes|clean|cook|bins", "overwhelmed", "I end up doing most of it alone"),
        (r"ask|notice|care|ignor|appreciat|thank", "invisible", "it feels like I go unnoticed"),
        (r"yell|shout|angry|criticis|judg|mock", "small", "we argue and it gets heated"),
        (r"plan|cancel|promise", "let down", "plans change at the last minute"),
    )
)
_MADE_ME = re.compile(r"\b(?:you|u) made me (?:feel )?(?:so |really |very )?([a-z]+)", re.I)
_PLAIN_FEELING = frozenset(
    "worthless stupid small jealous angry sad lonely anxious insecure crazy invisible "
    "unwanted ashamed guilty miserable unhappy scared afraid hurt useless".split()
)


def _clauses(text: str) -> list[str]:
    return [c.strip() for c in _CLAUSE_SPLIT.split(text) if c and c.strip()]


def _i_feel_suggestion(excerpt: str) -> str:
    """Turn the first accusation into an "I feel ... when ..." starting point."""
    made = _MADE_ME.search(excerpt)
    if made and made.group(1).lower() in _PLAIN_FEELING:
        feeling = made.group(1).lower()
        return (
            f'Instead of "{excerpt}", try starting from your side: '
            f'"I felt {feeling} when …, and what I needed was …"'
        )
    for rx, feeling, situation in _FEELINGS:
        if rx.search(excerpt):
            return (
                f'Instead of "{excerpt}", try: "I feel {feeling} when {situation}. '
                f'What would help me is …"'
            )
    return (
        f'Instead of "{excerpt}", try describing one moment from your side: '
        f'"I felt … when …, and what I needed was …"'
    )


def _concrete_suggestion(promise: str) -> str:
    return (
        f'"{promise}" is a kind wish, but hard to check. Say what you will do and how often '
        f'or when, e.g. "I will … every …" or "When …, I will … instead of …".'
    )


def check_i_language(text: str) -> ILanguageReview:
    """Check a "what went wrong" message for blame and for promises that can be kept.

    ok means: no accusations, and either no promises or at least one concrete one.
    """
    text = _normalise(text or "")
    low = _lower(text)
    accusations: list[Finding] = []
    seen_sentences: set[int] = set()
    spans = _sentence_spans(text)
    for m in _ACCUSATION.finditer(low):
        i = _index_at(spans, m.start())
        if i in seen_sentences:
            continue
        seen_sentences.add(i)
        accusations.append(
            Finding(
                "accusation",
                "Starting with 'you' tends to put them on the defensive; say how it was for you.",
                _sentence_at(text, m.start()),
            )
        )

    # Promises are judged clause by clause ("I'll change, and I'll call every night"
    # holds one vague and one concrete promise). Scan the whole text once for promise
    # openers, then look only at the clauses they fall in.
    bounds = [0]
    for m in _CLAUSE_SPLIT.finditer(low):
        bounds += [m.start(), m.end()]
    bounds.append(len(low))
    clause_spans = list(zip(bounds[::2], bounds[1::2], strict=True))
    starts = [a for a, _ in clause_spans]
    hits: dict[int, int | None] = {}  # clause index -> end of the promise opener (None: bare)
    for m in _PROMISE_STEM.finditer(low):
        hits.setdefault(bisect.bisect_right(starts, m.start()) - 1, m.end())
    for m in _BARE_VAGUE.finditer(low):
        hits.setdefault(bisect.bisect_right(starts, m.start()) - 1, None)

    vague: list[Finding] = []
    concrete: list[str] = []
    for ci in sorted(hits):
        c_start, c_end = clause_spans[ci]
        stem_end = hits[ci]
        clause = _clip(text[c_start:c_end].strip())
        rest = low[stem_end:c_end] if stem_end is not None else low[c_start:c_end]
        if stem_end is not None and _CONCRETE_WHEN.search(rest) and not _VAGUE_OPENING.match(rest):
            concrete.append(clause)
        else:
            vague.append(
                Finding(
                    "vague",
                    "A promise without a what and a when is hard for either of you to check.",
                    clause,
                )
            )

    uses_i = bool(_I_LANGUAGE.search(low))
    ok = not accusations and (not vague or bool(concrete))
    if accusations:
        suggestion: str | None = _i_feel_suggestion(accusations[0].excerpt)
    elif vague and not concrete:
        suggestion = _concrete_suggestion(vague[0].excerpt)
    else:
        suggestion = None
    return ILanguageReview(
        accusations=tuple(accusations),
        vague_promises=tuple(vague),
        concrete_promises=tuple(concrete),
        uses_i_language=uses_i,
        suggestion=suggestion,
        ok=ok,
    )
