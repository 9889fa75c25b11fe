"""Expert Q&A: match a free-text question to a short answer, offline and without a model.

The entries live in ``dialogs/data/qa.json`` (id, title, answer, example phrasings,
keywords, optional stage tags). Matching is deliberately simple and explainable:

1. normalise the text and fold common multi-word phrases into single tokens
   ("no contact", "my ex texted me" vs "I texted my ex", "new girlfriend", ...);
2. drop stop words, map synonyms onto one token, strip common suffixes;
3. weight tokens TF-IDF style (idf over entries, so "ex" counts for little);
4. score each entry by the best cosine against its example phrasings, blended with
   the cosine against the entry as a whole; below a threshold, answer nothing.

Answers are plain text; transports escape them before sending.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

__all__ = ["QAAnswer", "answer_question", "looks_like_question"]

_DATA = Path(__file__).with_name("data") / "qa.json"

# Below this blended cosine the question is treated as "not one we have an answer for".
# Chosen so that small talk ("ok", "I had pasta today") and app questions fall below it.
THRESHOLD = 0.3
# An entry tagged for the user's current stage gets this multiplier: enough to settle a
# near-tie, not enough to lift an unrelated entry over the threshold (checked first).
STAGE_BOOST = 1.25
# Long messages are venting more than asking; the question is nearly always near the
# start, and reading at most this much keeps matching well under a millisecond.
_MAX_CHARS = 600


@dataclass(frozen=True)
class QAAnswer:
    """The matched entry and how confident the match was (0..1-ish)."""

    id: str
    title: str
    answer: str
    score: float


# --- text normalisation ------------------------------------------------------------

_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})

_EX = r"(?:my ex|ex|he|she|they|him|her|them|boyfriend|girlfriend|bf|gf|partner)"
_SEND = (
    r"(?:texted|txted|messaged|msged|called|rang|phoned|dmed|dm'd|snapped|wrote to|wrote|"
    r"reached out(?: to)?|contacted|sent)"
)

# Order matters: longer, more specific phrases first.
_PHRASES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p), repl)
    for p, repl in (
        (r"\bno[\s-]?contact\b|\bnc\b", " nocontact "),
        (r"\bi\s+(?:just\s+|finally\s+|accidentally\s+|already\s+)?" + _SEND + r"\b", " itexted "),
        (
            r"\b"
            + _EX
            + r"\s+(?:just\s+|finally\s+|also\s+|suddenly\s+)?"
            + _SEND
            + r"(?:\s+me)?\b",
            " extexted ",
        ),
        (r"\b(?:caved|slipped|gave in|messed up|screwed up|blew)\b", " slip "),
        (r"\b(?:broke|broken|break|breaking)\s+(?:the\s+|my\s+)?nocontact\b", " slip nocontact "),
        (
            r"\b(?:broke|broken|break|breaking|split|splitting)\s+up\b|\bbreak-?ups?\b|\bdumped\b|"
            r"\bended (?:it|things)\b|\bleft me\b",
            " breakup ",
        ),
        (
            r"\bnew (?:boy|girl)friend\b|\bnew (?:partner|bf|gf|man|woman|guy|girl|relationship)\b|"
            r"\b(?:seeing|dating|with) "
            r"(?:someone|somebody|another|a new|other people|someone else)\b|"
            r"\brebound\b|\bmoved on with\b|\bin a relationship\b|"
            r"\banother (?:guy|girl|man|woman)\b",
            " newpartner ",
        ),
        (
            r"\bmutual friends?\b|\bsame friends?\b|\bour friends\b|\bfriend (?:group|circle)\b|"
            r"\bfriends we share\b|\bshared friends\b|\bcommon friends\b|\bfriends in common\b",
            " mutualfriends ",
        ),
        (
            r"\b(?:just|only|stay|be|remain|staying|being) friends\b|\bfriend-?zoned?\b|"
            r"\bfriendship\b",
            " justfriends ",
        ),
        (
            r"\blost (?:all )?(?:feelings|interest)\b|\bfell out of love\b|\bfallen out of love\b|"
            r"\b(?:doesn't|does not|don't|doesnt|dont) (?:love|want) me\b|"
            r"\bno (?:longer )?feelings\b|"
            r"\bdoesn't have feelings\b|\bnot in love\b",
            " lostfeelings ",
        ),
        (
            r"\b(?:want|get|getting|win) (?:" + _EX + r" )?back\b|\bback together\b",
            " wantback ",
        ),
        (r"\bhow (?:long|many days|many weeks)\b", " howlong "),
        (r"\b(?:every ?day|daily|all the time|every single day)\b", " daily "),
        (
            r"\b(?:get over|move on|move forward|moving on|heal|healing|recover|recovering|cope|"
            r"coping|go on)\b",
            " recover ",
        ),
        (r"\b(?:happy )?(?:birthday|bday|b-day)\b", " birthday "),
        (
            r"\b(?:run|ran|running|bump|bumped|bumping) into\b|\bsee (?:" + _EX + r") (?:at|in)\b",
            " runinto ",
        ),
        (r"\b(?:text|write|message) back\b", " reply "),
        (r"\bgive back\b|\bhand back\b|\bswap back\b", " return "),
        (r"\bsocial media\b|\bsocials\b", " socialmedia "),
        (r"\bacts? like i (?:don't|dont) exist\b|\bblanks?\b|\bblanking\b", " ignore "),
    )
)

_SYNONYMS: dict[str, str] = {}
for _canon, _words in {
    "ex": "ex exe he she they him her them his hers their theirs boyfriend girlfriend bf gf "
    "partner husband wife "
    "fiance fiancee",
    "text": "text texted texting message messaged messaging msg dm call called calling ring "
    "phone whatsapp snap wrote write",
    "reply": "reply replied replying respond responded answer answered",
    "story": "story stories snaps reel reels",
    "view": "view viewed views viewing watch watched watches watching seen",
    "like": "like liked likes liking react reacted reacts",
    "socialmedia": "socialmedia instagram insta ig facebook fb tiktok twitter snapchat profile "
    "online feed",
    "check": "check checking checked stalk stalking scroll scrolling look looking",
    "stop": "stop quit stopping quitting",
    "place": "work office job school class classes lecture lectures college uni university "
    "gym party parties wedding club bar campus coworker colleague",
    "stuff": "stuff things belongings gift gifts hoodie jacket clothes books keys",
    "return": "return returned returning",
    "miss": "miss missing missed",
    "lonely": "lonely alone loneliness",
    "reason": "reason reasons explanation explain explained why",
    "ignore": "ignore ignores ignoring ignored avoid avoids avoiding avoided",
    "long": "long years year",
    "normal": "normal natural okay",
    "wait": "wait waiting days weeks",
    "shorten": "shorten shorter early earlier",
}.items():
    for _w in _words.split():
        _SYNONYMS[_w] = _canon

_STOP = frozenset(
    """a an the i me my mine myself we us our you your it its is am are was were be been being
    do does did doing have has had having to of in on at for with about from into by as and or
    but so if then than that this these those what which who whom how when where there here
    can could should would will shall may might must just really very so too also still even
    now anymore any some all not no yes ok okay hi hello hey thanks thank please im ive dont
    cant wont get got go going know think feel want make said says tell told like
    one same other another up out over after before again s t""".split()
)
# Words kept although they look like stop words, because they carry the question's point.
_KEEP = frozenset({"why", "miss", "normal", "still", "wait", "again", "every"})

_WORD = re.compile(r"[a-z0-9]+")
_POSSESSIVE = re.compile(r"'s\b")


@lru_cache(maxsize=8192)
def _stem(word: str) -> str:
    """A very light suffix stripper: enough to fold plurals and -ing/-ed forms."""
    if word in _SYNONYMS:
        return _SYNONYMS[word]
    for suffix, repl in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)] + repl
            break
    return _SYNONYMS.get(word, word)


def _tokens(text: str) -> list[str]:
    t = " " + _POSSESSIVE.sub("", text.lower().translate(_QUOTES)).replace("'", "") + " "
    # apostrophes were dropped above, so phrases are written without them too
    for rx, repl in _PHRASES:
        t = rx.sub(repl, t)
    out = []
    for w in _WORD.findall(t):
        if w in _STOP and w not in _KEEP:
            continue
        out.append(_stem(w))
    return out


# --- index -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Entry:
    id: str
    title: str
    answer: str
    stages: frozenset[str]
    patterns: tuple[dict[str, float], ...]
    whole: dict[str, float]


def _unit(counts: Counter[str], idf: dict[str, float], default: float) -> dict[str, float]:
    vec = {t: (1 + math.log(c)) * idf.get(t, default) for t, c in counts.items()}
    norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
    return {t: v / norm for t, v in vec.items()}


@cache
def _index() -> tuple[tuple[_Entry, ...], dict[str, float], float, dict[str, int]]:
    """Load the entries and build their vectors once per process."""
    raw = json.loads(_DATA.read_text(encoding="utf-8"))["entries"]
    docs = []
    for e in raw:
        texts = [e["title"], *e["patterns"], *e.get("keywords", [])]
        docs.append([_tokens(t) for t in texts])
    n = len(raw)
    df: Counter[str] = Counter()
    for doc in docs:
        df.update({t for toks in doc for t in toks})
    idf = {t: math.log((n + 1) / (c + 0.5)) + 1.0 for t, c in df.items()}
    unknown = math.log(n + 1) + 1.0
    entries = []
    for e, doc in zip(raw, docs, strict=True):
        n_pat = len(e["patterns"])
        pats = tuple(_unit(Counter(toks), idf, unknown) for toks in doc[1 : 1 + n_pat] if toks)
        whole = _unit(Counter(t for toks in doc for t in toks), idf, unknown)
        entries.append(
            _Entry(
                id=e["id"],
                title=e["title"],
                answer=e["answer"],
                stages=frozenset(e.get("stages", ())),
                patterns=pats,
                whole=whole,
            )
        )
    return tuple(entries), idf, unknown, dict(df)


def _dot(q: dict[str, float], v: dict[str, float]) -> float:
    if len(q) > len(v):
        q, v = v, q
    return sum(w * v.get(t, 0.0) for t, w in q.items())


# Engine stage names vary; map a few likely spellings onto the JSON's stage tags.
_STAGE_ALIASES = {
    "r5": "no_contact",
    "no_contact": "no_contact",
    "nocontact": "no_contact",
    "c1": "no_contact",
    "c2": "first_message",
    "c3": "first_message",
    "first_message": "first_message",
    "draft": "first_message",
    "c7": "signs_of_interest",
    "c8": "signs_of_interest",
    "signs": "signs_of_interest",
    "signs_of_interest": "signs_of_interest",
    "move_on": "move_on",
    "moveon": "move_on",
    "acceptance": "move_on",
}


def _stage_tag(stage: str | None) -> str | None:
    if not stage:
        return None
    s = stage.lower()
    if s in _STAGE_ALIASES:
        return _STAGE_ALIASES[s]
    for key, tag in _STAGE_ALIASES.items():
        if len(key) > 3 and key in s:
            return tag
    return None


def _enough_overlap(q: dict[str, float], e: _Entry, df: dict[str, int]) -> bool:
    """One shared word is not enough unless it belongs to this entry alone or is one of
    the folded phrases: "how does this bot work" shares only "work" with the
    see-them-at-work answer, while "my ex texted me" is a whole question on its own."""
    shared = [t for t in q if t in e.whole]
    if len(shared) != 1:
        return len(shared) >= 2
    return df.get(shared[0], 0) == 1 or shared[0] in _strong_tokens()


@cache
def _strong_tokens() -> frozenset[str]:
    words = "nocontact itexted extexted newpartner mutualfriends justfriends lostfeelings"
    return frozenset(_stem(w) for w in (*words.split(), "wantback", "birthday", "socialmedia"))


def _scores(text: str) -> list[tuple[float, _Entry]]:
    entries, idf, unknown, df = _index()
    toks = _tokens(text[:_MAX_CHARS])
    if not toks:
        return []
    q = _unit(Counter(toks), idf, unknown)
    out = []
    for e in entries:
        if not _enough_overlap(q, e, df):
            continue
        best = max((_dot(q, p) for p in e.patterns), default=0.0)
        out.append((0.6 * best + 0.4 * _dot(q, e.whole), e))
    return out


def answer_question(text: str, stage: str | None = None) -> QAAnswer | None:
    """The best-matching expert answer for ``text``, or None when nothing fits well.

    ``stage`` (the user's current stage) nudges ties towards answers tagged for it.
    """
    scored = _scores(text or "")
    if not scored:
        return None
    tag = _stage_tag(stage)
    candidates = [
        (s * (STAGE_BOOST if tag and tag in e.stages else 1.0), s, e)
        for s, e in scored
        if s >= THRESHOLD
    ]
    if not candidates:
        return None
    boosted, _raw, best = max(candidates, key=lambda c: c[0])
    return QAAnswer(id=best.id, title=best.title, answer=best.answer, score=round(boosted, 4))


_Q_START = frozenset(
    """what why how when where who which whats hows should shall can could would will is
    are am do does did has have was were isnt arent doesnt didnt wont cant any""".split()
)
_Q_PHRASE = re.compile(
    r"\b(?:what (?:do|should|if|does)|should i|how (?:do|can|long|to)|is it (?:normal|ok|okay|bad)|"
    r"any (?:advice|tips|ideas)|help me|i (?:wonder|don'?t know (?:what|how|if|whether))|"
    r"advice on|what now)\b",
    re.IGNORECASE,
)


def looks_like_question(text: str) -> bool:
    """True when the message reads as a question rather than an answer or a remark."""
    t = (text or "").strip()
    if not t:
        return False
    if "?" in t:
        return True
    first = _WORD.search(t.lower().translate(_QUOTES).replace("'", ""))
    if first and first.group(0) in _Q_START and len(t.split()) >= 3:
        return True
    # The asking part of a message sits at its start or its end; scanning only those keeps
    # this cheap on a long vent.
    edges = t if len(t) <= 800 else t[:400] + "\n" + t[-400:]
    return bool(_Q_PHRASE.search(edges.translate(_QUOTES)))
