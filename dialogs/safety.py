"""The safety layer: spot crisis, abuse and "they asked you to stop" in what a user types.

Everything here is pure and offline (stdlib only), so the engine can call it on every
message before any coaching happens:

* ``detect_crisis(text)``: the message suggests suicide or self-harm.
* ``detect_abuse(text)``: the user discloses violence, threats, stalking, coercion,
  control or fear of the ex / partner.
* ``detect_unwanted_contact(text)``: the ex blocked them, asked them to stop, said no,
  or is with someone new; the coach must then not help them make contact.
* ``resources_for(tz_name)``: crisis and domestic-abuse lines for the user's country,
  guessed from their time zone, with an international fallback.

The detectors are hand-written rules, not a model: they are auditable, fast and
predictable. They lean towards care (a false alarm costs a kind message; a miss can
cost far more) but must not fire on everyday idioms ("this song is killing me").
Labelled sets in ``tests/data/*_labelled.tsv`` measure both.
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Literal

__all__ = [
    "Helpline",
    "Resources",
    "UnwantedContact",
    "country_for_timezone",
    "detect_abuse",
    "detect_crisis",
    "detect_unwanted_contact",
    "normalise",
    "resources_for",
]

UnwantedContact = Literal["blocked", "asked_to_stop", "said_no", "new_partner"]

# ---------------------------------------------------------------------------------------
# Normalisation: one canonical spelling so the rules stay short.
# Canonical form: NFKC, case-folded, straight quotes, no apostrophes inside words
# ("don't" -> "dont", "i'm" -> "im"), common misspellings and texting forms fixed,
# filler words ("just", "really", "literally") dropped, single spaces.
# ---------------------------------------------------------------------------------------

_QUOTE_TABLE = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u00b4": "'",
        "`": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        # Invisible characters some keyboards insert; they would split words.
        "\u200b": None,
        "\u200c": None,
        "\u200d": None,
        "\u2060": None,
        "\ufeff": None,
        "\u00ad": None,
    }
)

_INNER_APOSTROPHE_RE = re.compile(r"(?<=[a-z])'(?=[a-z])")
# "don t", "i m": apostrophe typed as a space by some phone keyboards.
_SPLIT_CONTRACTION_RE = re.compile(
    r"\b(don|can|won|isn|didn|doesn|wouldn|couldn|shouldn|wasn|weren|aren|haven|hasn|ain) t\b"
    r"|\b(i) (m|ve|ll|d)\b"
)
# Letters and leetspeak digits mixed in one token ("su1c1de", "k1ll"): decode the digits.
# Whole tokens, matched once each (possessive, anchored at a token start) so the scan stays
# linear even on a 5,000-letter run.
_LEET_TOKEN_RE = re.compile(r"(?<![a-z0-9@$])[a-z0-9@$]++")
_LEET_MIX_RE = re.compile(r"[a-z][0-9@$]|[0-9@$][a-z]")
_LEET_TABLE = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"}
)
_REPEAT_RE = re.compile(r"([a-z])\1{2,}")  # "soooo" -> "so", "killl" -> "kil" -> "kill"
# The suicide family, however it is spelled: suicde, sucide, suiside, suicidal, sucidal...
# The "i" may sit before or after the c/s; that keeps "succeed" and "sussed" out.
_SUICIDE_RE = re.compile(
    r"\bs(?:u|o|oo)(?:[aeiy]?[cs]{1,2}[aey]?[iy]|[iy][cs]{1,2})[aey]?d+"
    r"(e+s?|ed|al+y?|ial|el|le)?\b"
)
_SPACES_RE = re.compile(r"[ \t\r\f\v]+")

# Word-level fixes: texting forms, typos and spaced-out contractions -> canonical words.
_WORD_FIXES: dict[str, str] = {
    "wanna": "want to",
    "wana": "want to",
    "wanan": "want to",
    "wannna": "want to",
    "wnat": "want",
    "wnt": "want",
    "wamt": "want",
    "watn": "want",
    "wantto": "want to",
    "gonna": "going to",
    "gona": "going to",
    "gunna": "going to",
    "finna": "going to",
    "gotta": "got to",
    "tryna": "trying to",
    "dnt": "dont",
    "cannot": "cant",
    "cnt": "cant",
    "myslef": "myself",
    "mysef": "myself",
    "myslf": "myself",
    "mysefl": "myself",
    "meself": "myself",
    "mself": "myself",
    "myseld": "myself",
    "muself": "myself",
    "kil": "kill",
    "kilk": "kill",
    "u": "you",
    "ur": "your",
    "youre": "you are",
    "r": "are",
    "b": "be",
    "rn": "right now",
    "atm": "right now",
    "cuz": "because",
    "coz": "because",
    "bc": "because",
    "cos": "because",
    "cause": "because",
    "tho": "though",
    "anymor": "anymore",
    "anymoe": "anymore",
    "nymore": "anymore",
    "aliv": "alive",
    "allive": "alive",
    "liv": "live",
    "liveing": "living",
    "diee": "die",
    "dieing": "dying",
    "pont": "point",
    "piont": "point",
    "poitn": "point",
    "bf": "boyfriend",
    "gf": "girlfriend",
    "thru": "through",
    # Filler words carry no meaning for these rules and would break adjacency.
    "just": "",
    "really": "",
    "honestly": "",
    "literally": "",
    "actually": "",
    "seriously": "",
    "truly": "",
    "genuinely": "",
    "kinda": "",
    "sorta": "",
    "fucking": "",
    "fuckin": "",
    "fking": "",
    "effing": "",
    "freaking": "",
    "frickin": "",
    "even": "",
    "simply": "",
    "totally": "",
    "lowkey": "",
    "highkey": "",
    "ngl": "",
    "tbh": "",
    "fr": "",
    "lol": "",
    "lmao": "",
    "idk": "i dont know",
    "ever": "",
}
_WORD_FIX_RE = re.compile(r"\b(?:" + "|".join(map(re.escape, _WORD_FIXES)) + r")\b")

# Multi-word spellings -> the glued contraction used in the rules ("do not" -> "dont").
_NOT_RE = re.compile(r"\b(do|does|did|can|will|would|could|should|is|was|were|are|has|have) not\b")
_NOT_GLUED = {"do": "dont", "can": "cant", "will": "wont"}
_I_AUX_RE = re.compile(r"\bi (am|have|will|would)\b")
_I_AUX_GLUED = {"am": "im", "have": "ive", "will": "ill", "would": "id"}
# Rarer spellings, each tried only when its literal is present (a substring test is far
# cheaper than a regex scan over a long message).
_PHRASE_FIXES: tuple[tuple[str, re.Pattern[str], str], ...] = tuple(
    (literal, re.compile(pattern), repl)
    for literal, pattern, repl in (
        ("want ta", r"\bwant ta\b", "want to"),
        ("wan na", r"\bwan na\b", "want to"),
        ("wanted to", r"\bwanted to\b(?= (?:die|kill|end|hurt))", "want to"),
        ("my self", r"\bmy self\b", "myself"),
        ("any more", r"\bany more\b", "anymore"),
        ("self", r"\bself[ -]?harm", "selfharm"),
        ("sewer", r"\bsewer ?slide\b", "suicide"),
        (" of", r"\bkind of\b|\bsort of\b", ""),
        ("pretty much", r"\bpretty much\b", ""),
    )
)


def _fix_leet(match: re.Match[str]) -> str:
    token = match.group(0)
    return token.translate(_LEET_TABLE) if _LEET_MIX_RE.search(token) else token


def _fix_word(match: re.Match[str]) -> str:
    return _WORD_FIXES[match.group(0)]


def _fix_suicide(match: re.Match[str]) -> str:
    suffix = match.group(1) or ""
    return "suicidal" if suffix.startswith(("al", "ia")) else "suicide"


# The engine runs all three detectors on the same message: normalise it once.
@functools.lru_cache(maxsize=256)
def normalise(text: str) -> str:
    """Return the canonical form the detectors match against.

    Public so the engine can log or compare the same form the rules saw.
    """
    text = unicodedata.normalize("NFKC", text).casefold().translate(_QUOTE_TABLE)
    text = _INNER_APOSTROPHE_RE.sub("", text)
    text = _SPLIT_CONTRACTION_RE.sub(lambda m: "".join(g for g in m.groups() if g), text)
    if _LEET_MIX_RE.search(text):
        text = _LEET_TOKEN_RE.sub(_fix_leet, text)
    text = _REPEAT_RE.sub(r"\1", text)
    text = _SUICIDE_RE.sub(_fix_suicide, text)
    text = _WORD_FIX_RE.sub(_fix_word, text)
    text = _NOT_RE.sub(lambda m: _NOT_GLUED.get(m.group(1), m.group(1) + "nt"), text)
    text = _I_AUX_RE.sub(lambda m: _I_AUX_GLUED[m.group(1)], text)
    for literal, pattern, repl in _PHRASE_FIXES:
        if literal in text:
            text = pattern.sub(repl, text)
    return _SPACES_RE.sub(" ", text).strip()


# ---------------------------------------------------------------------------------------
# Shared rule machinery.
# ---------------------------------------------------------------------------------------

# Clause boundaries: negation and subjects do not reach across these.
_CLAUSE_RE = re.compile(
    r"[.!?;:\n()\[\]]+|,|\s-\s|\b(?:but|though|although|however|except|yet|whereas)\b"
)
_TOKEN_RE = re.compile(r"[a-z0-9]+")

_NEGATORS = frozenset(
    "not never dont doesnt didnt wont wouldnt isnt arent wasnt werent aint cant couldnt "
    "shouldnt hasnt havent nor neither hardly".split()
)
# A negator followed by one of these does not negate what comes after it:
# "not sure I want to live", "dont know why I want to die", "cant stop thinking about...".
_NEGATION_RELEASERS = frozenset(
    "sure certain saying know knowing kidding joking lying care mind stop help promise say "
    "think remember understand told tell telling admit believe realise realize mean".split()
)
# Words that end a negation's reach even inside one clause ("im not ok and i want to die").
_NEGATION_BARRIERS = frozenset("and because so then or when if since until".split())
_NEGATION_WINDOW = 4  # tokens before the match a negator may sit in

_FIRST_PERSON = frozenset("i im ive id ill me my myself mine".split())
_THIRD_PERSON = frozenset(
    "he she they hes shes theyre theyve his her hers their theirs him them himself herself "
    "themselves someone somebody people ex friend friends brother sister mom mum dad mother "
    "father cousin son daughter roommate boyfriend girlfriend husband wife partner character "
    "singer rapper guy girl man woman kid kids uncle aunt grandma grandpa colleague coworker "
    "classmate neighbour neighbor".split()
)
_SUBJECT_WINDOW = 6

# A quoted span is someone else's words (or a title) when introduced like this.
_REPORTED_CUE_RE = re.compile(
    r"(?:\b(?:song|songs|track|album|single|lyric|lyrics|line|film|movie|book|novel|show|"
    r"series|episode|poem|title|titled|called|named|meme|tiktok|video|quote|quoted|band|"
    r"playing|listening to|sang|sings|singing|he|she|they|ex|friend|someone|somebody|people|"
    r"wrote|posted|tweeted|texted|messaged|captioned|says|said|saying|asked|asks|goes)\b"
    r"(?:\s+\w+){0,2})\s*[:,-]?\s*$"
)
# ...unless the user is the one speaking or thinking: 'I keep thinking "I want to die"'.
_SELF_CUE_RE = re.compile(
    r"\b(?:i|im|ive)\s+(?:\w+\s+)?(?:said|say|told|tell|texted|wrote|write|think|thought|"
    r"thinking|keep thinking|feel|felt|typed|scream|screamed)\b(?:\s+\w+){0,2}\s*[:,-]?\s*$"
)
_ATTRIBUTION_AFTER_RE = re.compile(r"\s*[,-]?\s*(?:by|from|-)\s+\w")
_QUOTE_CHARS_RE = re.compile(r"[\"']")
_QUOTED_RE = re.compile(r'"([^"\n]{1,300})"|(?<!\w)\'([^\'\n]{1,300})\'(?!\w)')
# An unquoted title: 'the song called i want to die', '...want to die by someband'.
_TITLE_BEFORE_RE = re.compile(
    r"\b(?:song|track|album|single|film|movie|book|show|series|episode|poem|band|lyrics?|"
    r"called|titled|named)\s+(?:called\s+|titled\s+|named\s+)?(?:the\s+|a\s+)?(?:i\s+|im\s+)?$"
)
_TITLE_AFTER_RE = re.compile(r"\s+(?:by|from the (?:album|film|movie|show))\s+[a-z]")


def _drop_reported_quotes(text: str) -> str:
    """Blank out quotations that are titles or someone else's words; keep the user's own."""
    if '"' not in text and "'" not in text:
        return text

    def repl(match: re.Match[str]) -> str:
        inner = match.group(1) if match.group(1) is not None else match.group(2)
        before = text[max(0, match.start() - 60) : match.start()]
        if _SELF_CUE_RE.search(before):
            return inner
        if _REPORTED_CUE_RE.search(before) or _ATTRIBUTION_AFTER_RE.match(text, match.end()):
            return " . "  # a clause break, so nothing leaks across it
        return inner

    return _QUOTED_RE.sub(repl, text)


@dataclass(frozen=True, slots=True)
class _Rule:
    """One pattern plus the checks that decide whether a match counts."""

    pattern: re.Pattern[str]
    negatable: bool = True  # a "not"/"never" just before it cancels it
    needs_self: bool = False  # skip when the nearest subject is someone else
    after_not: re.Pattern[str] | None = None  # idiom continuations that cancel it
    before_not: re.Pattern[str] | None = None  # idiom lead-ins (tested on the clause prefix)


def _rule(
    pattern: str,
    *,
    negatable: bool = True,
    needs_self: bool = False,
    after_not: str | None = None,
    before_not: str | None = None,
) -> _Rule:
    return _Rule(
        re.compile(pattern),
        negatable,
        needs_self,
        re.compile(r"\s*(?:" + after_not + r")\b") if after_not else None,
        re.compile(r"(?:" + before_not + r")\s*$") if before_not else None,
    )


class _Text:
    """A normalised message with lazily computed clause boundaries."""

    __slots__ = ("_starts", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self._starts: list[int] | None = None

    def clause_prefix(self, pos: int) -> str:
        """The text from the start of the clause containing ``pos`` up to ``pos``."""
        if self._starts is None:
            self._starts = [0] + [m.end() for m in _CLAUSE_RE.finditer(self.text)]
        start = self._starts[bisect_right(self._starts, pos) - 1]
        return self.text[start:pos]


def _is_negated(prefix_tokens: list[str]) -> bool:
    window = prefix_tokens[-_NEGATION_WINDOW:]
    for i in range(len(window) - 1, -1, -1):
        token = window[i]
        if token in _NEGATION_BARRIERS:
            return False
        if token in _NEGATORS:
            following = window[i + 1] if i + 1 < len(window) else ""
            if following in _NEGATION_RELEASERS or (
                token == "not" and following == "going" and window[i + 2 : i + 4] == ["to", "lie"]
            ):
                continue
            return True
        if token == "longer" and i > 0 and window[i - 1] == "no":
            return True
    return False


def _someone_else(prefix_tokens: list[str]) -> bool:
    """True when the nearest subject before the match is another person."""
    for token in reversed(prefix_tokens[-_SUBJECT_WINDOW:]):
        if token in _FIRST_PERSON:
            return False
        if token in _THIRD_PERSON:
            return True
    return False


def _looks_like_title(text: str, match: re.Match[str], prefix: str, tokens: list[str]) -> bool:
    """'the song called i want to die', 'listening to want to die by someband'."""
    if _TITLE_BEFORE_RE.search(prefix):
        return True
    # "...by <name>" reads as a credit only when the clause has no "I" of its own:
    # "i want to kill myself by jumping" is not a title.
    return not _FIRST_PERSON.intersection(tokens) and bool(_TITLE_AFTER_RE.match(text, match.end()))


def _fires(rules: tuple[_Rule, ...], doc: _Text, *, titles: bool) -> bool:
    text = doc.text
    for rule in rules:
        for match in rule.pattern.finditer(text):
            if rule.after_not is not None and rule.after_not.match(text, match.end()):
                continue
            prefix = doc.clause_prefix(match.start())
            if rule.before_not is not None and rule.before_not.search(prefix):
                continue
            tokens = _TOKEN_RE.findall(prefix)
            if titles and _looks_like_title(text, match, prefix, tokens):
                continue
            if rule.negatable and _is_negated(tokens):
                continue
            if rule.needs_self and _someone_else(tokens):
                continue
            return True
    return False


# ---------------------------------------------------------------------------------------
# Crisis: suicide and self-harm.
# ---------------------------------------------------------------------------------------

# What "the rest of life" may look like after "want to live" etc. that is not about life
# itself: a place, a person to live with, a time of day.
_LIFE_PLACE_AFTER = (
    r"in|at|on|with (?:my|a|an|him|her|them|roommates|room ?mates|parents|family|someone|"
    r"people|strangers|friends|you|the kids)|near|there|abroad|alone|together|here in|"
    r"like (?:him|her|them|that guy|that girl|a student|my parents)|next to|by myself|"
    r"far from|close to|for (?:him|her|them|you)|a lie"
)
_HERE_AFTER = (
    r"in|at|on|with|for|when|while|if|tonight|today|this (?:weekend|week|evening|morning)|"
    r"right now|alone|by myself|without (?:him|her|them|you)|for this|without my|people|anyone|"
    r"her|him|them|friends|my|others|couples|happy|either|too"
)
_WAKE_AFTER = (
    r"early|at|before|so early|for (?:work|school|class)|next to|to (?:her|him|them|an|a|the)|"
    r"without|alone|in (?:the|a|an)|tomorrow morning at|on (?:monday|tuesday|wednesday|"
    r"thursday|friday|saturday|sunday|weekends?)"
)
_GO_ON_AFTER = (
    r"a |an |the |with |to |another|other|more |dates|holiday|vacation|like (?:that|normal)|"
    r"tinder|apps|trips|"
    r"for |texting|talking|seeing|waiting|pretending|ignoring|fighting|reaching|trying to|"
    r"living (?:in|with|here|there)|this (?:conversation|relationship|chat|trip|course|job|"
    r"program|argument)|our|about|at |in |back|working|studying|dating"
)
# "dont / never / no longer / not ... want|wish|feel like ... to": the negation is part of
# the rule, so "dont want to live" counts while "want to live" does not.
_NEGATED_WISH = (
    r"\b(?:dont|no longer|never|not|cant|doesnt|didnt) (?:\w+ ){0,2}?"
    r"(?:want|wish|feel like|care|see myself|see a reason|know how|have the strength|"
    r"have it in me|want to keep|think i (?:can|want to|should)) (?:to )?"
)
_DIE_AFTER = (
    r"of|from|laughing|for|alone|old|happy|single|a virgin|together|with (?:her|him|them|you)|"
    r"in (?:her|his|their|your|my) arms|on (?:that|this) hill|inside|a little|right there|"
    r"when (?:i|she|he|they) (?:see|saw|hear|heard|read)|of embarrassment|before (?:i|we) "
    r"(?:see|get|visit|go)|without (?:her|him|them|you)|than|at (?:her|his|the|this)|"
    r"in (?:a|the) (?:game|video|dream|movie)|a hero|(?:my|her|his|the) (?:hair|clothes|shirt|"
    r"jeans|nails)"
)
_SELF_INJURY_AFTER = (
    r"on (?:a|the|my|some|broken)|with (?:a|the) (?:knife|razor|scissors|kitchen|paper|"
    r"stove|oven|iron|pan|kettle|can|glass)|cooking|shaving|chopping|by accident|while|"
    r"when (?:i|we) (?:fell|was|were|tripped)|at (?:the|work|training|football|soccer|the gym)|"
    r"playing|during|in (?:the|a) (?:kitchen|gym|game|match|garden|accident|fall)|laughing|"
    r"working|studying|training|running|lifting|skiing|cycling|"
    r"over (?:work|a project|this project|the project|deadlines?|exams?|my thesis)|"
    r"trying to|to (?:get|make|meet|impress|finish|win|pass|be|look|keep)|off|up|out|"
    r"for (?:her|him|them|a|this|the|work)|at work|in training|falling|slipping|tripping"
)

_CRISIS_RULES: tuple[_Rule, ...] = (
    # --- named directly --------------------------------------------------------------
    _rule(
        r"\bsuicid(?:e|al)\b|\bunalived?\b|\bunaliving\b",
        needs_self=True,
        before_not=r"\b(?:social|career|political|commercial|professional|financial|"
        r"relationship|dating|fashion|instagram|reputational|electoral)",
        after_not=r"squad|doors?|blonde|bomber|bombing|bombings|mission|run|runs|drills?|"
        r"rates?|statistics|stats|research|awareness (?:month|week|day|walk|ribbon)|"
        r"girls|season|kings|boys",
    ),
    # "kms" (kill myself); not "ran 5 kms", "20 kms away".
    _rule(
        r"\bkms\b",
        before_not=r"\d|\b(?:a few|few|some|many|several|hundred|thousand|two|three|four|"
        r"five|ten|twenty|fifty) ",
        after_not=r"away|from|to|per|an hour|long|of|a day|h\b|/h|each|every|today on",
    ),
    _rule(
        r"\bselfharm(?:ed|ing|s)?\b|\bcutting (?:myself|again)\b|"
        r"\b(?:started|start|been|keep|relapsed and|urge to|want to) (?:cutting|cut) again\b",
        needs_self=True,
    ),
    # --- acting on oneself -----------------------------------------------------------
    _rule(
        r"\b(?:kill|killing|killed|end|ending|off|offing|hang|hanging|hanged|drown|drowning|"
        r"shoot|shooting|poison|poisoning|starve|starving|cut|cutting|burn|burning|burnt|"
        r"harm|harming|hurt|hurting|stab|stabbing|suffocate|suffocating|strangle|"
        r"strangling|smother|electrocute|throw|throwing) myself\b",
        after_not=_SELF_INJURY_AFTER
        + r"|into (?:work|the|my|it|this)|at (?:her|him)|to sleep|to the gym|"
        r"in(?:to)? (?:a|my) (?:project|work|studies|hobby)",
        before_not=r"\baccidentally|\bnearly|\balmost",
    ),
    _rule(
        r"\bthrow(?:ing)? myself (?:off|in front of|under)\b|"
        r"\bdrink(?:ing)? myself to death\b|\bstarv(?:e|ing) myself to death\b",
    ),
    _rule(r"\b(?:end|ending|ended|take|taking|took) (?:my|my own) life\b"),
    # "end it" alone is also how people speak of a relationship; count it only as an intent.
    _rule(
        r"\b(?:plan|planning|a plan|going|want|ready|decided|deciding|thinking about|"
        r"thought about|think about|feel like|tempted|urge) (?:to )?end(?:ing)? it\b",
        needs_self=True,
        after_not=r"with|between|all with|early|now with|before|there|here|on (?:a|good)|"
        r"politely|properly|nicely|kindly|over text|face to face|in person",
    ),
    _rule(r"\b(?:stop|stopping) (?:living|breathing|being alive)\b", needs_self=True),
    _rule(
        r"\b(?:think|thinking|thought|dream|dreaming|fantasi[sz]e|fantasi[sz]ing) about (?:not "
        r"(?:being (?:here|alive|around)|existing|waking up)|dying|death|my death|my funeral|"
        r"being dead|ending it|ending things for good)\b",
        needs_self=True,
        after_not=r"of|alone|laughing|(?:our|the|this|that) relationship",
    ),
    _rule(
        r"\b(?:want|wanted|need|needed) (?:out of|off) (?:life|this life|this world|this planet|"
        r"existence)\b|\b(?:want|wanted|need) to leave this (?:world|earth|life)\b",
        needs_self=True,
    ),
    _rule(
        r"\b(?:easier|better|simpler) (?:for everyone |for everybody |for them all )?if i "
        r"(?:was|were|wasnt|werent|was not|were not|wasnt even|just) (?:dead|gone|here|around|"
        r"alive|born)\b|\bif i die i die\b|\bdont care (?:if|whether) i (?:live|die|"
        r"wake up|make it)\b|\bdont care what happens to me\b",
        negatable=False,
        needs_self=True,
    ),
    _rule(
        r"\b(?:dont|cant|do not|cannot|no longer) see (?:a|any) future (?:for myself|for me|"
        r"at all|ahead of me)\b|\bno future for me\b",
        negatable=False,
        needs_self=True,
        after_not=r"(?:with|together with) (?:her|him|them|you)|in (?:this|that|my) (?:job|city)",
    ),
    _rule(
        r"\b(?:looking at|staring at|standing on|standing by|stood on|stood by|walking to|"
        r"walked to|sitting by|sat by) (?:the )?(?:train|railway|railroad|subway) (?:tracks|"
        r"line|platform edge)\b|\b(?:looking|staring|stood|standing) (?:over|off) (?:the|a) "
        r"(?:edge|bridge|ledge|balcony|roof)\b",
        needs_self=True,
    ),
    _rule(
        r"\b(?:dont|cant|do not|cannot) see myself (?:being )?(?:alive|here|around|living)\b",
        negatable=False,
        needs_self=True,
    ),
    _rule(
        r"\b(?:saying|say|sending|writing) (?:my )?goodbyes? to (?:everyone|everybody|the world|"
        r"my family|you all|all of you)\b",
        needs_self=True,
        after_not=r"at (?:the|work|the party)|before (?:i|we) (?:move|leave|go on)|"
        r"at (?:the )?(?:airport|station)",
    ),
    _rule(
        r"\bend (?:it all|everything|my suffering|my existence|myself)\b", after_not=r"with|between"
    ),
    _rule(
        r"\b(?:slit|slitting|slash|slashing|cut|cutting) (?:my|both my) (?:wrists?|veins?|"
        r"arms?|thighs?|legs?|skin)\b",
        after_not=_SELF_INJURY_AFTER + r"|open on",
    ),
    _rule(
        r"\b(?:overdos(?:e|ed|ing)|od on)\b",
        needs_self=True,
        after_not=r"on (?:coffee|caffeine|sugar|chocolate|netflix|tv|memes|sad songs|"
        r"music|work|love|romcoms|her|him)",
    ),
    _rule(
        r"\b(?:take|taking|took|swallow|swallowing|swallowed|down|downing) (?:all|a bottle|"
        r"the whole bottle|a handful|a load|loads|a bunch) (?:of )?(?:my |the |those |these )?"
        r"(?:pills|meds|tablets|medication|sleeping pills|painkillers)\b",
    ),
    _rule(r"\bnoose\b", needs_self=True),
    # Searching for means, or having them ready.
    _rule(
        r"\b(?:ways?|how|methods?|best way|easiest way|quickest way|painless way|painless ways)"
        r" (?:to|of) (?:die|kill myself|end (?:my life|it all|it)|commit suicide|od|overdose|"
        r"not wake up|hang myself)\b|\bpainless (?:way|ways|death)\b",
        needs_self=True,
    ),
    _rule(
        r"\b(?:swallow|swallowing|take|taking) (?:everything|all of it|the lot) (?:in|from) "
        r"(?:the|my) (?:medicine|bathroom|cabinet|drawer)|\b(?:pills|tablets|meds|rope|razor|"
        r"blades?) (?:are |is )?(?:ready|saved up|stockpiled|lined up|hidden away)\b|"
        r"\b(?:saving|stockpiling|hoarding) (?:up )?(?:my |the )?(?:pills|tablets|meds)\b",
        needs_self=True,
    ),
    _rule(
        r"\b(?:scratch|scratching|scratched|pick|picking|picked|bite|biting|bit|hit|hitting|"
        r"punch|punching|bang|banging|cut|cutting|burn|burning) (?:myself|my (?:arms?|legs?|skin|"
        r"wrists?|thighs?|head)) (?:until|till|til|so hard) (?:it|they|i) (?:bleeds?|bled|"
        r"bruises?|bruised|hurts?)\b|\buntil i bleed\b",
    ),
    _rule(
        r"\b(?:thinking of|thinking about|thought about|going to|want to|planning to|plan to|"
        r"might|ready to) jump(?:ing)?(?=\s*(?:[.!?,]|$))",
        needs_self=True,
    ),
    _rule(
        r"\bhow many (?:pills|tablets|painkillers|sleeping pills|paracetamol|meds)\b"
        r"(?:\s+\w+){0,4}?\s+(?:would it take|does it take|to (?:die|kill|overdose|od|not wake))|"
        r"\b(?:lethal|fatal) (?:dose|amount)\b",
        needs_self=True,
    ),
    _rule(
        r"\b(?:jump|jumping) (?:off|from|in front of) (?:a|the|my|this|that) (?:bridge|building|"
        r"roof|rooftop|balcony|cliff|train|tower|window|ledge|overpass|car park|parking)",
        needs_self=True,
        before_not=r"\bbungee|\bbase",
    ),
    _rule(
        r"\b(?:step|stepping|walk|walking|lie|lying) (?:in front of|under|onto) (?:a|the) "
        r"(?:train|bus|car|truck|lorry|tracks)",
        needs_self=True,
    ),
    _rule(
        r"\b(?:drive|driving|crash|crashing|steer) (?:my car |the car )?(?:into|off) (?:a|the) "
        r"(?:tree|wall|cliff|bridge|river|lake|sea|ocean|oncoming)",
        needs_self=True,
    ),
    _rule(
        r"\b(?:want|wish|hope|need) (?:someone|somebody|something|a car|a bus|a truck|a train|"
        r"god|the universe) (?:to|would|will) (?:kill|hit|take) me\b|"
        r"\bhope (?:a|the) (?:car|bus|truck|train|plane) (?:hits|kills) me\b",
    ),
    # --- wanting to be dead ------------------------------------------------------------
    _rule(
        r"\b(?:want to|wish i could|wish to|ready to|plan to|planning to|deserve to|need to|"
        r"should|hope i|wish i would|may as well|might as well|want|"
        r"feel like i (?:want to|should|could|need to)) die\b",
        needs_self=True,
        after_not=_DIE_AFTER,
        before_not=r"\b(?:he|she|they|you|we|it) |\b(?:could|would) |\bi could ",
    ),
    _rule(r"\b(?:going to|gonna) die (?:tonight|today|soon|this week)\b", needs_self=True),
    _rule(r"\bid rather die\b|\bid rather be dead\b", after_not=r"than|of|laughing|alone"),
    _rule(
        r"\bfeel like dying\b|\bthinking about dying\b|\bthink about dying\b|"
        r"\bthoughts (?:of|about) dying\b",
        after_not=r"of|laughing|alone",
    ),
    _rule(
        r"\b(?:want to|wish i (?:was|were|could be)|ready to|deserve to|should) be dead\b|"
        r"\bwish i (?:was|were|could be|would be) dead\b|\bbetter off dead\b",
        needs_self=True,
        after_not=r"than|to (?:her|him|them)|tired",
    ),
    _rule(
        r"\bwish id never been (?:born|alive)\b|"
        r"\bwish i (?:was never|had never been|id never been|were never|hadnt been|wasnt|"
        r"werent|was not|never was|was never even) "
        r"(?:born|alive|here)\b|\bwish i (?:didnt|did not) exist\b|"
        r"\bwish i could (?:stop existing|cease to exist|vanish|fall asleep forever|sleep "
        r"forever|die)\b",
    ),
    _rule(
        r"\b(?:stop|stopped) existing\b|\bcease to exist\b|\bnot exist anymore\b", needs_self=True
    ),
    _rule(
        r"\b(?:everyone|everybody|the world|world|my family|my friends|people|they all|"
        r"everyone else|my kids|my parents|all of you|you all) (?:would be|will be|is|are|"
        r"would|d be|'d be) (?:so much |much |way )?better (?:off )?without me\b|"
        r"\bbetter (?:off )?if i (?:was|were|wasnt|werent) (?:dead|gone|here|around|alive)\b",
    ),
    _rule(
        r"\b(?:no one|noone|nobody|no body|would anyone|would anybody|will anyone) "
        r"(?:would|will|is going to|even|d)?\s*(?:miss me|notice|care|cry)\b"
        r"(?:\s+(?:if|when) i (?:died|die|was gone|were gone|am gone|disappeared|"
        r"wasnt here|werent here|wasnt around|killed myself|was dead|didnt wake up))?",
        after_not=r"if (?:i|we) (?:left|leave|went|go|skipped|skip|didnt (?:go|come|show))|"
        r"(?:at|in|on) (?:the|a|this|that|my|our)|that|how|about|what",
        negatable=False,
    ),
    _rule(
        r"\b(?:im|i am|feel like|feel like im|i feel like im|am|being|just) (?:such |a )?"
        r"(?:a )?(?:burden|waste of space|waste of oxygen|waste of air)\b"
        r"(?:\s+(?:to|on|for) (?:everyone|everybody|my family|people|the world|all|"
        r"my friends|everyone i know|those around me))?",
        after_not=r"to (?:her|him|them)\b|on (?:her|him|them)\b|in (?:the|this) relationship",
    ),
    _rule(
        r"\b(?:tired|sick|exhausted|done) (?:of|with) (?:living|being alive|existing|life|"
        r"being here|breathing|it all|my life)\b",
        after_not=r"in|with|at|here|like (?:this|that)",
    ),
    _rule(r"\b(?:give|giving|gave|given) up on (?:life|living|everything)\b"),
    _rule(r"\bhate (?:being alive|existing|my existence|that im alive|that i exist)\b"),
    _rule(
        r"\b(?:want to|wish i could|need to) disappear\b",
        after_not=r"for (?:a|the|some|like|two|three|a few)|to|into|off|from (?:social|"
        r"instagram|facebook|twitter|tiktok|the internet|the group|the chat|this party|"
        r"her|his|their|my (?:feed|phone))|on (?:a|my)|somewhere|abroad|under|in (?:a|the|my)|"
        r"when|after (?:that|this)",
    ),
    _rule(
        r"\bdisappear (?:forever|for good|permanently|from (?:this|the) (?:world|earth|planet))\b",
        needs_self=True,
    ),
    _rule(
        r"\b(?:want|wish|wanted) (?:it all|everything|all of it|the pain|this pain|my life|"
        r"life) to (?:end|stop|be over)\b|\bmake it all stop\b",
        after_not=r"with|between|hurting so",
    ),
    _rule(
        r"\b(?:sleep|fall asleep) and (?:never|not) wake up\b|\bsleep forever\b",
        needs_self=True,
        before_not=r"\bcould ",
    ),
    _rule(
        r"\b(?:hope|wish|hoping|wishing) (?:that )?(?:i|id) (?:dont|never|wont|wouldnt|didnt|"
        r"would never|will never|could never) wake up\b|\bnot (?:to )?wake up (?:again|tomorrow)\b",
        negatable=False,
    ),
    _rule(
        r"\bwouldnt (?:mind|care) (?:if i (?:died|didnt wake up|was gone|was dead)|dying)\b",
        negatable=False,
    ),
    _rule(r"\bdont care (?:if|whether) i (?:live|die|died|wake up|survive)\b", negatable=False),
    _rule(
        r"\b(?:wrote|written|writing|write|left|leave) (?:a|my) (?:suicide|goodbye) "
        r"(?:note|letter)s?\b|\bgoodbye (?:letters?|notes?)\b|\bthis is my last message\b|"
        r"\bgoodbye (?:world|everyone|cruel world)\b|"
        r"\bgiving away (?:all )?my (?:stuff|things|belongings|possessions)\b",
        needs_self=True,
    ),
    _rule(
        r"\bwont be (?:here|around|alive) (?:much longer|for much longer|for long|"
        r"by (?:tomorrow|the morning|next week))\b"
    ),
    _rule(
        r"\b(?:my )?life (?:is|feels|seems) (?:pointless|meaningless|worthless|not worth it)\b",
        needs_self=True,
    ),
    # --- a reason to live, negated -------------------------------------------------------
    # "dont want to live", "never want to wake up again", "dont think i want to go on".
    _rule(
        _NEGATED_WISH + r"(?:live|living|be alive|exist|existing|stay alive|survive|"
        r"keep living|see tomorrow|see another day)\b",
        negatable=False,
        needs_self=True,
        after_not=_LIFE_PLACE_AFTER,
    ),
    _rule(
        _NEGATED_WISH + r"(?:be here|be around)\b",
        negatable=False,
        needs_self=True,
        after_not=_HERE_AFTER,
    ),
    _rule(
        _NEGATED_WISH + r"(?:go on|keep going|carry on|continue)\b",
        negatable=False,
        needs_self=True,
        after_not=_GO_ON_AFTER,
    ),
    _rule(_NEGATED_WISH + r"wake up\b", negatable=False, needs_self=True, after_not=_WAKE_AFTER),
    _rule(
        r"\b(?:not sure|unsure|dont know|not certain|cant say|dont think|doubt|wonder|wondering)"
        r" (?:if |whether |that |why )?(?:i )?(?:want to|can|will|should|could|even want to)"
        r" (?:live|be alive|keep going|keep living|carry on|go on|stay alive|survive|exist|"
        r"be here anymore|do life)\b",
        negatable=False,
        after_not=_LIFE_PLACE_AFTER + r"|with (?:it|that|this)|a (?:date|trip)|to",
    ),
    _rule(
        r"\b(?:cant|couldnt|can no longer) (?:\w+ )?(?:go on|keep going|carry on|keep living|"
        r"live like this|live with this|do life|live without (?:her|him|them)|live "
        r"anymore|be alive|survive this)\b",
        negatable=False,
        after_not=r"a |an |the |with (?:the|this|a|it|that)|dates|holiday|vacation|"
        r"like (?:that|normal)|back|to|about|tinder|apps|trips|for|texting|waiting|"
        r"pretending|ignoring|fighting|seeing|talking|living (?:in|with|here|there)|on (?:a|the)",
    ),
    _rule(
        r"\b(?:whats|what is|wheres|is there|there is no|theres no|there isnt|no|see no|"
        r"dont see|cant see|lost) (?:the |a |any |much )?point (?:of|in|to)?\s*(?:my )?"
        r"(?:living|life|going on|being alive|being here|anything|it all|existing|waking up|"
        r"carrying on|keep going|keeping going|getting up|anything anymore|"
        r"me|staying alive|continuing)\b",
        negatable=False,
        after_not=r"in (?:this|that|the) (?:city|house|flat|job|group)|at (?:the|this|that)|"
        r"with (?:him|her|them)|in (?:a|the) relationship|if (?:she|he|they)",
    ),
    _rule(
        r"\b(?:no|any|a|without|lost my|lost the|cant find a|cant find any|dont have a|"
        r"dont have any|zero|not a single) (?:single )?(?:reason|will|desire|wish) to "
        r"(?:live|go on|keep going|be alive|be here|wake up|get up in the morning|exist|"
        r"carry on|keep living|stay alive|continue)\b",
        negatable=False,
        after_not=_LIFE_PLACE_AFTER,
    ),
    _rule(r"\b(?:nothing|nobody|no one|noone|not much) (?:left )?to live for\b", negatable=False),
    _rule(
        r"\b(?:not|isnt|no longer|aint) (?:a life )?worth living\b|"
        r"\blife (?:is|isnt|feels|seems|aint) (?:not |no longer )?worth (?:it|living)"
        r"(?: anymore)?\b|\bis (?:life|living|my life) (?:still )?worth (?:it|living)\b",
        negatable=False,
        after_not=r"(?:with|for) (?:her|him|them|it)|though|but",
    ),
    _rule(
        r"\bwhy (?:am i|should i|do i|bother|would i|keep|even|do i even|am i even) "
        r"(?:still )?(?:alive|living|exist|existing|go on|keep going|wake up|bother living|"
        r"bother waking up|breathing)\b|\bwhy bother (?:living|waking up|existing|going on)\b",
        negatable=False,
        after_not=r"in|with|at|here|there|like (?:this|that)",
    ),
)


def detect_crisis(text: str) -> bool:
    """True when the message suggests suicidal thoughts or self-harm.

    Leans towards care, but ignores everyday idioms ("this song is killing me", "dying to
    see them"), clear denials ("I'm not suicidal, just sad"), other people's words and
    song or film titles.
    """
    if not text:
        return False
    doc = _Text(_drop_reported_quotes(normalise(text)))
    return _fires(_CRISIS_RULES, doc, titles=True)


# ---------------------------------------------------------------------------------------
# Abuse: violence, threats, stalking, coercion, control, fear.
# ---------------------------------------------------------------------------------------

# Things that "hit me" / "hits me" without anyone hitting: a realisation, a feeling.
_NOT_A_PERSON_BEFORE = (
    r"\b(?:it|that|this|reality|realisation|realization|truth|news|song|wave|sadness|grief|"
    r"loneliness|feeling|memory|memories|thought|idea|smell|music|panic|anxiety|depression|"
    r"nostalgia|everything|then it|karma|car|bus|ball|bike|truck|door|branch|dog|cat)\s+"
    r"(?:\w+\s+)?(?:all\s+)?$"
)
# The user (or "we") as the one doing it: "i went through my phone", "i was too controlling".
# Only auxiliaries and adverbs may follow, so "i think he went through my phone" still counts.
_FIRST_PERSON_BEFORE = (
    r"\b(?:i|im|ive|id|we)\s+(?:(?:also|then|once|always|often|sometimes|used to|"
    r"would|was|were|am|have|had|did|never|still|kept|keep|finally|accidentally|can be|could be|"
    r"too|so|very|a bit|pretty|quite|being|been|got|get|admit|admit i was|guess i was|"
    r"know i was|know im)\s+){0,3}$"
)
_PRONOUN_OBJECT_AFTER = (
    r"\w+ing|reaction|reactions|response|answer|rejection|reply|replies|new|family|friends|"
    r"parents|mum|mom|dad|dog|not|moving|finding|leaving|seeing|saying|texting|replying|"
    r"hating|forgetting|judgement|judgment|feelings|opinion|silence|ignoring|no longer|"
    r"too much|anymore because (?:she|he|they) (?:might|will) (?:leave|reject)"
)
_PERSON = (
    r"(?:him|her|them|my ex|my exs|my (?:ex )?(?:boyfriend|girlfriend|husband|wife|partner|"
    r"fiance|fiancee|spouse))"
)
_SUBJECT = (
    r"(?:he|she|they|my ex|my (?:ex )?(?:boyfriend|girlfriend|husband|wife|partner|fiance|"
    r"fiancee|spouse))"
)
_WILL_REQUIRED = (
    r"(?:ll|\s+will|d|\s+would|\s+might|\s+could|\s+may|\s+is going to|s going to|"
    r"\s+was going to|\s+would try to|\s+(?:is|was) (?:going|about) to)"
)
_WILL = _WILL_REQUIRED + "?"

_ABUSE_RULES: tuple[_Rule, ...] = (
    # --- physical and sexual violence ---------------------------------------------------
    _rule(
        r"\b(?:hit|hits|hitting|punch(?:ed|es|ing)?|slap(?:ped|s|ping)?|kick(?:ed|s|ing)?|"
        r"chok(?:e|ed|es|ing)|strangl(?:e|ed|es|ing)|shov(?:e|ed|es|ing)|beat|beats|beating|"
        r"smack(?:ed|s|ing)?|headbutt(?:ed|s)?|spat on|spit on|spits on|pinned|"
        r"throttl(?:ed|es)|"
        r"assault(?:ed|s|ing)?|rap(?:e|ed|es|ing)|molest(?:ed|s|ing)?|abus(?:e|ed|es|ing)|"
        r"push(?:ed|es|ing)|grab(?:bed|s|bing)|bit|bites|scratch(?:ed|es)|"
        r"attack(?:ed|s|ing)?) me\b",
        after_not=r"up|that|how|like a|hard that|with (?:the|a) (?:truth|realisation|wave)|"
        r"again that|all at once|at (?:chess|cards|pool|tennis|games?|mario|fifa|\w+ing)|"
        r"to (?:it|the)|in (?:a|the) (?:race|game|match|argument)|away|to (?:be|do|try|get|grow|"
        r"improve|go|apply|study|finish|see|talk)|towards|forward|into (?:therapy|doing|being|"
        r"it|this|that|applying|trying)|out of my comfort|a (?:coffee|drink|beer|bite)|some|"
        r"lunch|dinner|coffee|food|emotionally|feelings|so bad when (?:he|she|they) left|"
        r"when (?:he|she|they) (?:left|cheated|lied)|by (?:leaving|cheating|lying)|"
        r"out of (?:the|her|his)|off (?:the|her|his) (?:lease|account|plan)",
        before_not=_NOT_A_PERSON_BEFORE,
    ),
    # "he hurt me" is usually heartbreak; count it only with a physical sign.
    _rule(
        r"\bhurt me (?:physically|badly enough|so (?:badly|bad) (?:i|that i) (?:had|needed|bled)|"
        r"and i (?:bled|had bruises))\b"
    ),
    _rule(
        r"\b(?:put|puts|laid|lay|lays|raised|raises) (?:his|her|their|a) hands? on me\b|"
        r"\b(?:grab|grabbed|grabs|grabbing|twist|twisted|squeeze|squeezed|yank|yanked|pull|"
        r"pulled) (?:me by )?(?:my|the) "
        r"(?:wrists?|arms?|neck|throat|hair|face|jaw)\b|\b(?:left|leaves|gave me) bruises\b|"
        r"\bbruises? (?:on (?:my|me) (?:\w+ )?)?(?:from|because of) (?:him|her|them|my ex)\b|"
        r"\b(?:broke|breaks|kicked|kicks|smashed|smashes|forced) (?:down |in |open |through )?"
        r"(?:my|the) (?:door|window|front door|bedroom door)\b(?: (?:down|in|open))?|"
        r"\b(?:broke|breaks|broken) into my (?:house|home|flat|apartment|place|car)\b|"
        r"\bthrew (?:\w+ ){1,4}at me\b|\bthrows (?:\w+ ){1,4}at me\b|"
        r"\b(?:gave me|left me with|left) (?:a |some )?(?:black eye|bruises?|marks on my|"
        r"split lip|concussion|broken (?:rib|nose|arm|wrist))\b|"
        r"\b(?:got|gets|was|is|can be|could be|became|becomes|has been|turned) "
        r"(?:physical|violent|rough|physically aggressive) with me\b|"
        r"\b(?:he|she|they|my ex|hes|shes) (?:got|gets|was|is|can be|could get|became|turned|"
        r"has been|would get|used to get|d get) (?:so |very |really )?(?:violent|physically "
        r"aggressive)\b|\b(?:hed|shed|theyd) get (?:so |very )?(?:violent|physical)\b|"
        r"\bit (?:got|gets|became|turned) (?:physical|violent)\b",
        after_not=r"shade|looks|glances|compliments|a party|hints|(?:in|during) (?:the|a) "
        r"(?:game|match|movie)|on (?:the|screen)",
    ),
    _rule(
        r"\b(?:domestic|intimate partner|physical|sexual|emotional|financial|verbal|"
        r"psychological) (?:abuse|violence)\b|"
        r"\b(?:physically|emotionally|sexually|verbally|financially|mentally|psychologically) "
        r"(?:abusive|abused)\b|\babusive\b|\babuser\b|\bcoercive\b|\bcoerc(?:ed|ion|ing)\b",
        before_not=r"\b(?:substance|drug|alcohol|child|animal|elder|about|on|in the film|"
        r"podcast on|article on|documentary on|i was|i am|im|i can be|i was being|was i|am i)"
        r"\b\s*(?:\w+\s+)?",
        after_not=r"(?:podcast|documentary|article|awareness|statistics|course|training|class)",
    ),
    _rule(
        r"\b(?:i was|i got|ive been|i have been|i had been|i am being|im being|was) "
        r"(?:hit|beaten|beaten up|choked|strangled|raped|assaulted|sexually assaulted|abused|"
        r"attacked|slapped|punched|kicked|pushed|shoved|threatened|stalked|molested)\b",
        after_not=r"by (?:a|the) (?:car|bus|ball|bike|truck|wave|door|branch|reality|"
        r"realisation|realization|dog|cat|stranger|storm|flu|cold|virus)|with (?:the|a) (?:flu|"
        r"cold|virus|bill|fine)|on the (?:head|nose) by (?:a|the) ball",
    ),
    _rule(
        r"\b(?:made|makes|forced|forces|pressured|pressures|pressuring|coerced|guilted) "
        r"me (?:to |into )?(?:have sex|having sex|sleep with|sex|do sexual|do things i didnt|"
        r"send (?:nudes|pics|photos))|\bdidnt stop when i said (?:no|stop)\b|"
        r"\b(?:rape|raped|sexual assault|sexually assaulted)\b",
        negatable=False,
    ),
    # --- threats and intimidation -------------------------------------------------------
    _rule(
        r"\bthreat(?:en|ened|ens|ening)\b|\b(?:death |violent )?threats\b",
        after_not=r"(?:me )?(?:with )?(?:to )?(?:leave|break up|dump|end (?:it|things)|move out|"
        r"block|unfollow|go no contact|stop talking|ghost|unmatch|cancel|quit|not come|"
        r"not go|not talk|never talk|skip)|"
        r"by (?:my|the|a|her|his|their) (?:new|rival|looks|success|"
        r"ex|friends)|by how|(?:me )?with (?:a )?"
        r"(?:breakup|break up|leaving|divorce)",
        before_not=_FIRST_PERSON_BEFORE + r"|\b(?:job|climate|security|terrorist|bomb|"
        r"no|empty|veiled|idle)\s*",
    ),
    _rule(
        r"\b(?:said|says|told me|swore|swears|promised|threatens|texted|wrote) "
        r"(?:that )?" + _SUBJECT + _WILL + r"\s+(?:kill|hurt|hit|ruin|destroy|find|end|beat|"
        r"burn|get|come after|make me pay|post|leak|share|send|expose|take (?:the kids|my kids|"
        r"our kids|the dog|my dog))\s+(?:me|my|us|our|him|her|you|the|them|himself|herself|"
        r"themselves|if)\b",
        negatable=False,
        after_not=r"my (?:number|stuff|things|hoodie|address)|the (?:stuff|things|keys)",
    ),
    _rule(
        r"\b(?:he|she|they|my ex)" + _WILL_REQUIRED + r"\s+(?:kill|hurt|hit|beat up|harm) "
        r"(?:me|my|us|our|the kids)\b",
        before_not=r"\b(?:mum|mom|dad|parents|mother|father|boss|teacher|sister|brother)\b\s*"
        r"(?:\w+\s+)?",
        after_not=r"my (?:feelings|pride|chances|reputation)|"
        r"for (?:telling|saying|posting|eating|using|borrowing|losing|forgetting)|"
        r"if (?:she|he|they) (?:finds out|find out|sees|see) (?:i|that i) (?:ate|used|borrowed|"
        r"told|posted)",
    ),
    _rule(
        r"\b(?:posted|leaked|shared|sent|spread|showed) (?:my|our) (?:nudes|naked|private|"
        r"intimate|sex tape)|\bblackmail(?:ed|ing|s)?\b|\bsextort",
    ),
    _rule(
        r"\b(?:punched|punches|punching|kicked|kicks|smashed|smashes|broke|breaks|breaking|"
        r"threw|throws) (?:a |the )?(?:holes? in (?:the |a |my )?)?"
        r"(?:walls?|doors?|my (?:phone|stuff|things|"
        r"laptop|car|tv|door|window))\b|\b(?:screamed|screams|yelled|yells|shouted|shouts)"
        r"(?: at me)? in my face\b",
        before_not=_FIRST_PERSON_BEFORE,
    ),
    # --- stalking and surveillance ------------------------------------------------------
    _rule(
        r"\bfollow(?:ed|s|ing)? me (?:home|to (?:work|school|my|the|class|the gym|my car)|"
        r"around|everywhere|in (?:his|her|their|a) car|back home|from (?:work|school|the)|"
        r"when i (?:go|went|leave|left))\b",
    ),
    _rule(
        r"\bstalk(?:s|ed|ing|er|ers)?\b",
        before_not=_FIRST_PERSON_BEFORE + r"|\b(?:guilty of|caught myself|do some|bit of|"
        r"little|some|stop|started|light|instagram|social media|facebook)\s*",
        after_not=r"(?:her|his|their|my exs|the|my) (?:instagram|insta|ig|profile|page|socials|"
        r"facebook|fb|tiktok|twitter|x|stories|story|linkedin|spotify|snap|snapchat|posts|"
        r"online|account|new)|(?:her|his|their|them|him) (?:online|on)|on (?:instagram|insta|"
        r"ig|social|facebook|tiktok|linkedin)|(?:her|his) exs",
    ),
    _rule(
        r"\b(?:keeps?|kept|keep on|started|start|starts) (?:showing|turning|popping) up "
        r"(?:at|outside|to|near) (?:my|the)\b|"
        r"\b(?:showed|shows|turned|turns|came|comes) up (?:at|outside|to) my (?:house|home|"
        r"work|job|place|door|flat|apartment|school|gym|parents|office|uni|class)\b"
        r"(?=.{0,60}\b(?:uninvited|unannounced|without (?:asking|warning|telling)|again|"
        r"at (?:night|midnight|\d)|after i (?:told|asked|blocked)|even though|every|drunk|"
        r"angry|screaming|banging))",
    ),
    _rule(r"\bfound (?:a |an )?(?:tracker|airtag|gps tracker|spyware|tracking app|stalkerware)\b"),
    _rule(
        r"\b(?:sits|sat|sitting|waits|waited|waiting|parks|parked|parking|watching|watches|"
        r"watched) (?:outside|near|by) my (?:house|home|flat|apartment|place|work|office|"
        r"window|building)\b",
    ),
    _rule(
        r"\b(?:track|tracks|tracked|tracking|monitor|monitors|monitored|monitoring|spies on|"
        r"spied on|spying on) (?:me|my (?:location|phone|car|messages|calls|texts|every|"
        r"whereabouts|movements|spending|internet))\b|"
        r"\b(?:put|installed|hid|hidden) (?:a |an )?(?:tracker|airtag|gps|spyware|"
        r"tracking app|stalkerware)\b|"
        r"\b(?:hack|hacked|hacks|hacking|logged|logs|logging|broke|breaks) into my\b|"
        r"\bhacked my\b",
        before_not=_FIRST_PERSON_BEFORE,
    ),
    _rule(
        r"\bharass(?:ed|es|ing|ment)?\b",
        before_not=_FIRST_PERSON_BEFORE + r"|\b(?:not|dont want to|dont mean to|to not)\s*|"
        r"\bsexual |\bwork(?:place)? ",
    ),
    _rule(
        r"\b(?:wont|doesnt|didnt|will not|would not|wouldnt) (?:stop|quit) (?:calling|texting|"
        r"messaging|contacting|following|emailing|dming|showing up|turning up)\b(?:\s+\w+)?"
        r"\s+(?:even though|after|when|although) i (?:told|asked|begged|blocked|said)\b|"
        r"\b(?:wont|doesnt|will not|would not|wouldnt) leave me alone\b|"
        r"\b(?:wont|doesnt|will not|would not|wouldnt|never) stop (?:following|stalking|"
        r"watching|tracking) me\b(?! (?:on|back))",
        negatable=False,
        before_not=r"\b(?:it|this|that|thoughts?|brain|mind|memories|memory|feeling|"
        r"anxiety|guilt|grief|sadness|dog|cat|kid|baby|loneliness|the past|song)\b\s*"
        r"(?:\w+\s+)?",
    ),
    # --- control and coercion -----------------------------------------------------------
    _rule(
        r"\b(?:check|checks|checked|checking|went through|goes through|go through|going through|"
        r"read|reads|reading|snooped through|snoops through|snooped on|looked through|"
        r"looks through|demanded to see|demands to see|took|takes|smashed|smashes|broke|hid|"
        r"hides|confiscated) (?:all )?my (?:phone|texts|messages|dms|emails|email|whatsapp|"
        r"chats|call log|call history|browser history|social media)\b",
        before_not=_FIRST_PERSON_BEFORE + r"|\b(?:you|she asked|he asked) ",
    ),
    _rule(
        r"\b(?:wouldnt|would not|didnt|did not|doesnt|does not|wont|will not|never|refused to|"
        r"refuses to) let me (?:see (?:my |any of my |any )?(?:friends|family|parents|mum|mom|"
        r"dad|sister|brother|anyone|people|other people|a doctor)|go (?:out|anywhere|to|home|"
        r"outside)|leave(?: the house| the flat| the room| him| her)?\b|work|wear|visit|hang out|"
        r"spend (?:time|money)|have (?:my own|money|friends|a phone|a job|a bank)|talk to "
        r"(?:my|anyone|other|friends|guys|girls|men|women|people)|speak to|drive|sleep|eat|"
        r"use my (?:phone|money|car)|call (?:my|anyone|the police)|keep my|get a job|study|"
        r"close the door|lock the door)",
        negatable=False,
    ),
    _rule(
        r"\b(?:not allowed|wasnt allowed|werent allowed|never allowed|forbidden|forbade me|"
        r"forbids me) to (?:see (?:my |any of my |any )?(?:friends|family|parents|mum|mom|dad|"
        r"anyone|people)|go (?:out|anywhere|home)|wear|leave|work|have (?:my own|money|friends|"
        r"a phone|a job)|talk to (?:my|anyone|other|friends|guys|girls|men|women|people)|"
        r"text (?:my|anyone|other|friends|guys|girls)|hang out|spend|use my|drive|study|"
        r"lock the door)",
        negatable=False,
        before_not=r"\b(?:kids|children|students|employees|staff|you|we)\b\s*(?:\w+\s+){0,2}",
    ),
    _rule(
        r"\b(?:isolated|isolating|isolates|cut|cuts|kept|keeps|keep|kept|pulled|pulls) me "
        r"(?:off |away )?from (?:my |all my |all of my )?(?:friends|family|everyone|people|"
        r"parents|support)\b",
    ),
    _rule(
        r"\bcontrolling\b|\bcontrol(?:led|s)? (?:my|me|what i|who i|where i|how i|when i|"
        r"everything|all my|every)\b",
        before_not=_FIRST_PERSON_BEFORE + r"|\b(?:was i|am i|called me|calls me|says im|"
        r"said i was|said im|thinks im|think im|thought i was|birth|self|remote|pest|anger|"
        r"impulse|quality|air traffic|traffic|version|game|mission|out of|in|under|lose|lost|"
        r"losing|take|took|taking|regain|get|have no|no|feel|felt|feeling|my|your|the|a|be|"
        r"being|to)\s*(?:too |so |very |a bit |a little |really )?",
        after_not=r"(?:my|the) (?:urge|urges|anger|emotions|feelings|temper|breathing|impulses|"
        r"drinking)|(?:myself|yourself|himself)|freak|panel|group|center|centre",
    ),
    _rule(
        r"\b(?:took|takes|take|kept|keeps|controlled|controls|spent|spends|stole|steals|"
        r"drained|drains|emptied|empties) (?:all )?(?:my|our) (?:money|paycheck|pay|salary|"
        r"wages|savings|cards?|bank card|credit card|bank account|phone|keys|car keys|"
        r"passport|id|documents|benefits)\b",
        before_not=_FIRST_PERSON_BEFORE + r"|\b(?:you|the bank|the atm|the machine|thief|"
        r"someone|somebody|a pickpocket)\s*",
    ),
    _rule(
        r"\b(?:made|makes|forced|forces|forcing|pressured|pressures|pressuring|guilted|"
        r"guilts|bullied|bullies) me (?:to |into )?(?:quit|stop seeing|stop talking|give (?:him|"
        r"her|them) my|hand over|share my (?:location|password|passwords)|delete|cut off|"
        r"drop out|move|sign|lie|take out|do things)\b|\bforc(?:ed|es|ing) me\b",
        after_not=r"to (?:watch|try|eat|go to (?:the|a) (?:party|gym|movies|cinema|concert)|"
        r"listen to|play|dance)|out of my comfort",
    ),
    _rule(
        r"\b(?:demanded|demands|demanding|made me give|makes me give|made me share|"
        r"makes me share|wanted|wants|insisted on|insists on|took) (?:all )?(?:my )?"
        r"(?:passwords?|passcodes?|pin|phone password|location at all times|live location)\b",
        before_not=_FIRST_PERSON_BEFORE,
    ),
    _rule(
        r"\b(?:lock|locked|locks|locking) me (?:in|out)\b",
        after_not=r"(?:in|out) of (?:the|my|her|his) (?:group|chat|account|instagram)",
    ),
    _rule(r"\bwalk(?:ing|ed)? on eggshells\b|\bgasl(?:it|ighted|ighting|ights)\b"),
    _rule(
        r"\b(?:needed|needs|had|has|demanded|demands|wanted|wants|insisted on|insists on|"
        r"always had) to know where i (?:was|am|went|go)\b(?: (?:every|at all|all the|and who))|"
        r"\b(?:needed|needs|demanded|demands|had|has) to know (?:who i (?:was|am) (?:with|"
        r"talking to|texting)|where i (?:was|am|went) and who)\b",
        negatable=False,
    ),
    _rule(
        r"\b(?:felt|feel|feeling|made me feel|makes me feel)(?: like)? i (?:couldnt|cant|could "
        r"not|wasnt allowed to|was not allowed to|had no way to) (?:leave|go|escape|get out|"
        r"say no|tell anyone)\b",
        negatable=False,
    ),
    _rule(
        r"\b(?:made|makes|forced|forces|forcing|expected|expects|required|requires) me (?:to )?"
        r"(?:send|share|check in|report|text (?:him|her|them))\b(?:\s+\w+){0,3}"
        r"\s+(?:location|where i (?:was|am)|every (?:hour|minute|half hour|30 minutes))|"
        r"\b(?:restrict|restricted|restricts|restricting|controlled|controls|decided|decides|"
        r"limited|limits|dictated|dictates) (?:what|how much|when|who|where|how often) i "
        r"(?:could|can|was allowed to|am allowed to|got to|would) (?:eat|wear|see|go|spend|talk|"
        r"text|sleep|leave|work|call)\b",
        negatable=False,
    ),
    _rule(
        r"\b(?:threat\w* to|said (?:he|she|they)(?:d| would|ll| will)|says (?:he|she|they)"
        r"(?:d| would|ll| will)) (?:kill|hurt|harm) (?:himself|herself|themselves)\b",
        negatable=False,
    ),
    # --- fear ---------------------------------------------------------------------------
    _rule(
        r"\b(?:scared|afraid|terrified|frightened|fearful|petrified|intimidated) (?:of|by) "
        + _PERSON
        + r"(?!\s+(?:"
        + _PRONOUN_OBJECT_AFTER
        + r")\b)",
        before_not=r"\b(?:not|never|no longer|wasnt|isnt|arent|im not|stopped being|"
        r"stop being)\b\s*(?:\w+\s+)?",
    ),
    _rule(
        r"\b(?:scared|afraid|terrified|frightened|fearful|petrified) (?:of|by) what "
        + _SUBJECT
        + r"(?:ll|\s+will|d|\s+would|\s+might|\s+could|\s+may|\s+is going to|s going to|"
        r"\s+is capable of|\s+can)?\s*(?:do|does|did|is capable of)\b",
        after_not=r"(?:if|when) i (?:text|call|message|reach|ask)|after (?:i|we) (?:text|talk)",
    ),
    _rule(
        r"\b(?:scared|afraid|terrified|frightened|worried|fear|fears|fearing|petrified) "
        r"(?:that )?" + _SUBJECT + _WILL + r"\s+(?:hurt me|hurt my|kill|hit|come after|"
        r"find me|find out where i|show up|turn up|do something to me|do something (?:bad|"
        r"stupid|crazy)|snap|lose (?:it|his temper|her temper)|get (?:violent|physical)|"
        r"retaliate|take the kids|take my|ruin|post|leak|break in|stalk|follow me|hurt (?:the|"
        r"our) (?:kids|children|dog|cat)|hurt (?:himself|herself|themselves))\b",
    ),
    _rule(
        r"\b(?:fear|fearing|scared|afraid|worried|terrified) for my (?:life|safety|kids|"
        r"children|family)\b|\bfeel(?:s|ing)? (?:unsafe|in danger)\b|"
        r"\bfeel(?:s|ing)? (?:threatened|intimidated)\b(?! by (?:her|his|their) new| by how"
        r"| by (?:her|his|their) (?:looks|success|ex|friends))|"
        r"\b(?:dont|didnt|do not|did not|never|cant|doesnt|dont ever) feel (?:safe|secure) "
        r"(?:around|with|near|at home|in my (?:own )?(?:home|house|flat|bed)|when (?:he|she|"
        r"they)|alone with)\b|\bin danger\b",
        before_not=r"\b(?:not|never|no longer|dont|doesnt|didnt)\s*$",
    ),
    _rule(
        r"\b(?:scared|afraid|terrified|too scared|too afraid|frightened) to (?:leave (?:him|her|"
        r"them|the house)|go home|tell (?:him|her|them) no|say no|break up with|be alone with|"
        r"be in the same room|report|call the police|tell anyone|block (?:him|her|them)|"
        r"disagree|say anything|speak up)\b",
        after_not=r"(?:before|because) i (?:regret|miss|love)",
    ),
)


def detect_abuse(text: str) -> bool:
    """True when the user discloses violence, threats, stalking, coercion, control or fear
    of their ex or partner.

    Ordinary worries ("afraid they won't text back", "scared of being alone") and ordinary
    fights ("we fought about the dishes") do not count.
    """
    if not text:
        return False
    norm = normalise(text)
    return _fires(
        _ABUSE_RULES, _Text(_SPACES_RE.sub(" ", _QUOTE_CHARS_RE.sub(" ", norm))), titles=False
    )


# ---------------------------------------------------------------------------------------
# Unwanted contact: the ex has said or shown they do not want it.
# ---------------------------------------------------------------------------------------

_EX = (
    r"(?:he|she|they|hes|shes|theyve|theyre|my ex|the ex|my exs|her|him|them|"
    r"my ex (?:boyfriend|girlfriend|husband|wife|partner))"
)
# "what if she says no", "does he have a new girlfriend": a worry or a question, not news.
_HYPOTHETICAL_BEFORE = (
    r"\b(?:if|what if|whether|in case|unless|even if|worried|worry|scared|afraid|terrified|"
    r"wonder|wondering|should i|hoping|hope|maybe|suppose|imagine|assume|pretend|guess)\s+"
    r"(?:\w+\s+){0,3}$|^\s*(?:does|do|did|is|has|have|will|would|could|might|was)\s+"
    r"(?:\w+\s+){0,2}$"
)

_UNWANTED_RULES: tuple[tuple[UnwantedContact, tuple[_Rule, ...]], ...] = (
    (
        "asked_to_stop",
        (
            _rule(
                r"\b(?:restraining|protective|protection|non.?molestation|no.?contact|"
                r"apprehended violence|stay.?away) order\b|\bcease and desist\b|\bavo\b|"
                r"\bharassment (?:warning|notice|order|complaint)\b|"
                r"\b(?:police|cops|officer) (?:told|warned|asked|came|gave)\b",
                negatable=True,
            ),
            _rule(
                r"\b(?:told|tells|asked|asks|begged|begs|wants|wanted|said for|"
                r"warned|texted|messaged|emailed) me (?:to )?(?:please )?"
                r"(?:stop|quit|cease) (?:texting|calling|contacting|messaging|reaching out|"
                r"writing|emailing|dming|coming|showing up|turning up|following|liking|"
                r"commenting|sending|trying|talking to)\b",
                negatable=True,
                before_not=r"\b(?:i|im|ive|id)\s+$",
            ),
            _rule(
                r"\b(?:told|tells|asked|asks|begged|begs|wants|wanted|warned|said) me "
                r"(?:to )?(?:not|never|not to|never to|to never|to not|dont) (?:contact|text|"
                r"call|message|reach out|come|write|email|dm|talk to|speak to|show up|visit|"
                r"get in touch)\b",
                negatable=True,
                before_not=r"\b(?:i|im|ive|id|my friends?|my (?:mum|mom|dad|parents|therapist|"
                r"sister|brother)|everyone|people|you)\s+$",
            ),
            _rule(
                r"\b(?:told|tells|asked|asks|begged|begs|wants|wanted|warned|said to|"
                r"said) me (?:to )?(?:leave (?:her|him|them) alone|stay away|back off|"
                r"go away|lose (?:her|his|their) number|get lost|move on|let (?:her|him|them) "
                r"go|respect (?:her|his|their) (?:space|boundaries|decision))\b",
                negatable=True,
                before_not=r"\b(?:my friends?|my (?:mum|mom|dad|parents|therapist|sister|"
                r"brother)|everyone|people|you)\s+$",
            ),
            _rule(
                r"\b" + _EX + r" (?:said|says|told me|texted|wrote|asked|made it clear|"
                r"replied|answered|(?:messaged|texted|emailed|wrote to|dmed) me (?:saying|to "
                r"say)|sent (?:me )?a (?:message|text|email) saying)(?: that)?(?: to)?(?: please)? "
                r"(?:dont|never|stop|quit) "
                r"(?:ever )?(?:contact|contacting|text|texting|call|calling|message|messaging|"
                r"reach out|reaching out|write|writing|email|emailing|talk to|talking to|"
                r"speak to|speaking to|come|coming|dm|dming|get in touch)\b",
                negatable=True,
                after_not=r"(?:me |her |him |them )?(?:first|before|during|while|at work|"
                r"about (?:the|work|that)|after (?:\d|midnight|\w+ ?pm)|so late|late at night|"
                r"this week|today|tonight|right now|for a (?:bit|while|few|week|couple))",
            ),
            _rule(
                r"\b" + _EX + r" (?:said|says|texted|wrote|replied|told me|asked me)(?: that)?"
                r"(?: to)? (?:leave (?:her|him|them|me) alone|stay away from (?:her|him|them|me)|"
                r"lose (?:her|his|their|my) number|get out of (?:her|his|their|my) life|"
                r"never (?:contact|text|call) (?:her|him|them|me) again)\b",
                negatable=True,
            ),
            _rule(
                r"\b(?:she|he|they|my ex)(?:s| is| was| has been)? (?:asked|asking|wants|wanted|"
                r"requested) (?:for )?(?:no contact|zero contact|me to go no contact)\b",
            ),
            _rule(
                r"\b(?:she|he|they|my ex) (?:reported|filed a report|called the police|"
                r"went to the police|called the cops)\b",
            ),
        ),
    ),
    (
        "blocked",
        (
            _rule(
                r"\b(?:she|he|they|my ex|theyve|shes|hes|ex) (?:has |had |have |just |now |then |"
                r"also |even |finally |already )*blocked (?:me|my)\b",
                negatable=True,
                before_not=r"\b(?:if|what if|in case|unless|wonder if|whether)\s+$",
            ),
            _rule(
                r"\b(?:im|i am|ive been|i have been|i got|i was|i have|ive|i think ive been|"
                r"i think im|(?:she|he|they|my ex) (?:has|have|had|got|keeps) me) (?:been |now |"
                r"completely |totally |still |probably |definitely |just )*blocked\b|"
                r"\bblocked by (?:her|him|them|my ex)\b",
                negatable=True,
                after_not=r"on (?:the|a) (?:road|street|highway|ramp|drive)|in|by traffic|"
                r"by (?:the|a) (?:car|truck|bus|road|crowd)|on (?:my|the|our) (?:work|school|"
                r"laptop|computer|pc|router|wifi|network)|from (?:the|this) (?:site|group|server"
                r"|game|account)|(?:artery|arteries|nose|sinuses)|creatively",
            ),
            _rule(
                r"\b(?:she|he|they|my ex) (?:has |had |have )?blocked my (?:number|account|"
                r"insta|instagram|calls|texts|messages|email)\b",
            ),
            _rule(
                r"\bblocked (?:me )?(?:on|from) (?:everything|all|every)|blocked everywhere\b",
                before_not=r"\b(?:i|i have|ive|i just)\s+(?:\w+\s+)?$",
            ),
        ),
    ),
    (
        "said_no",
        (
            _rule(
                r"\b(?:said|says|told me|texted|wrote|made it clear|made clear|replied|answered|"
                r"insists|insisted|decided|admitted) (?:that )?(?:she|he|they)?\s*(?:doesnt|dont|"
                r"didnt|wont|wouldnt|isnt|never|no longer|has no|have no|cant|couldnt|is not) "
                r"(?:\w+ )?(?:wants? (?:me back|to get back|to be together|to be with me|"
                r"(?:a|any) relationship|to try again|us|to date me|anything (?:more |else )?"
                r"(?:to do )?with me|to see me (?:again|anymore|ever)|to reconcile|to work "
                r"(?:it|things) out|me anymore|this anymore|to be in a relationship|to come back|"
                r"to give (?:it|us) (?:another|a second))|love me|have feelings|feel the same|"
                r"see a future|interested in (?:getting back|trying again|me|us|a relationship|"
                r"reconciling)|interest in (?:getting back|me|us)|come back|coming back|"
                r"going to come back|get back together|getting back together|be with me|"
                r"feelings for me|see us|think we should)\b",
                negatable=False,
                before_not=_HYPOTHETICAL_BEFORE + r"|\bi\s+$",
            ),
            _rule(
                r"\b(?:she|he|they|my ex)\s*(?:doesnt|dont|does not|do not|no longer|wont|"
                r"will never|never wants to) (?:\w+ )?(?:want|wanna|want to|wants) "
                r"(?:me back|to get back|"
                r"to be with me|to try again|a relationship with me|to be together|to date me|"
                r"to reconcile|to work (?:it|things) out|me anymore|anything (?:more |else )?"
                r"(?:to do )?with me|to see me (?:again|anymore|ever))\b",
                negatable=False,
                before_not=_HYPOTHETICAL_BEFORE,
            ),
            _rule(
                r"\b(?:said|says|told me|texted|made it clear) (?:that )?"
                r"(?:its over|its (?:really |completely |definitely )?over for good|"
                r"there is no (?:chance|going back|us)|theres no (?:chance|going back|us|future)|"
                r"(?:we|us) are (?:done|over)|were (?:done|over)|she has moved on|he has moved on|"
                r"shes moved on|hes moved on|theyve moved on|never|no|no way|not a chance)\b",
                negatable=False,
                before_not=_HYPOTHETICAL_BEFORE + r"|\bi\s+$|\b(?:you|friend|friends|mum|mom|"
                r"dad|therapist|everyone|people)\s+(?:\w+\s+)?$",
                after_not=r"to (?:texting|calling|sex)|when i asked (?:for|if i could) (?:my|the|"
                r"her|his) (?:stuff|things|hoodie|money)|(?:to|about) (?:the|my) (?:dog|car|"
                r"flat|money|stuff|party)|problem|worries|worry|idea|clue|no",
            ),
            _rule(
                r"\b(?:she|he|they|my ex) (?:said|says) no\b(?:\s+(?:to|when|after))?|"
                r"\b(?:turned me down|rejected me|rejected (?:my|the) (?:offer|proposal|idea|"
                r"request) to (?:get back|try again|reconcile)|said no to (?:getting back|trying "
                r"again|us|reconciling|giving (?:it|us) another))\b",
                negatable=True,
                before_not=_HYPOTHETICAL_BEFORE,
                after_not=r"to (?:the|a|my) (?:party|dinner|drink|dog|movie|film|job)",
            ),
            _rule(
                r"\b(?:she|he|they|my ex)(?:s| is| are)? not interested in (?:getting back|"
                r"trying again|me|us|a relationship|reconciling|being together)\b",
                negatable=False,
                before_not=_HYPOTHETICAL_BEFORE,
            ),
        ),
    ),
    (
        "new_partner",
        (
            _rule(
                r"\b(?:she|he|they|my ex|shes|hes|theyre|theyve)(?:s| is| are| has been| have been|"
                r"s been| was| has| had| already| now| is now| is already)* (?:dating|seeing|"
                r"sleeping with|hooking up with|hooked up with|in a relationship with|with|"
                r"engaged to|married to|living with|moved in with|got together with|together "
                r"with|official with|talking to|going out with|in love with|moved on with|"
                r"left me for) (?:someone|somebody|another (?:guy|girl|man|woman|person)|"
                r"other (?:people|guys|girls|men|women)|a new|some (?:guy|girl|dude|man|woman|"
                r"new)|this (?:guy|girl|dude|man|woman)|a (?:guy|girl|dude|man|woman|coworker|"
                r"colleague|friend of)|my (?:friend|best friend|cousin|brother|sister|"
                r"ex)|her (?:coworker|colleague|ex|boss|trainer|friend)|his (?:coworker|"
                r"colleague|ex|boss|friend)|[a-z]+ from (?:work|her|his|the))\b",
                negatable=True,
                needs_self=False,
                before_not=_HYPOTHETICAL_BEFORE + r"|\bi dont know (?:if|whether)\s+$",
                after_not=r"else(?! now)? (?:yet|soon)|for (?:coffee|lunch|dinner|help|advice|"
                r"work)|about|(?:her|his|their) (?:parents|family|mum|mom|dad|therapist|"
                r"doctor)",
            ),
            _rule(
                r"\b(?:she|he|they|my ex|shes|hes|theyre|theyve)(?:s| is| are| has| have| had|"
                r"s got| has got| got| already| now)* (?:got |already |now )?(?:a )?new "
                r"(?:boyfriend|girlfriend|partner|man|woman|guy|girl|fiance|fiancee|husband|"
                r"wife|lover|bae|someone)\b|\b(?:her|his|their|my exs) new (?:boyfriend|"
                r"girlfriend|partner|man|woman|guy|girl|fiance|fiancee|husband|wife|lover|bae|"
                r"relationship)\b",
                negatable=True,
                before_not=_HYPOTHETICAL_BEFORE,
            ),
            _rule(
                r"\b(?:she|he|they|my ex)(?:s| is| are| got| has| was)* (?:already |now |)?"
                r"(?:in a (?:new )?relationship|engaged|married|getting married|taken|"
                r"in a rebound|with someone (?:else|new)|seeing someone|instagram official|"
                r"hard launched|soft launched)\b",
                negatable=True,
                before_not=_HYPOTHETICAL_BEFORE + r"|\bwhen (?:we|i)\s+(?:\w+\s+)?$",
                after_not=r"to me|(?:before|when) (?:we|i) met|with (?:her|his) (?:job|work|"
                r"career|studies)|in (?:her|his) (?:job|work)",
            ),
            _rule(
                r"\b(?:left|dumped|replaced) me for (?:someone|somebody|another|a|her|him|"
                r"his|this|my)\b|\brebound (?:relationship|boyfriend|girlfriend|guy|girl)\b|"
                r"\b(?:has|have|got|has got) (?:a )?(?:boyfriend|girlfriend|partner) (?:now|"
                r"already)\b",
                negatable=True,
                before_not=_HYPOTHETICAL_BEFORE + r"|\b(?:i|im|ive)\s+(?:\w+\s+)?$",
            ),
        ),
    ),
)


def detect_unwanted_contact(text: str) -> UnwantedContact | None:
    """Which clear signal the message gives that the ex does not want contact, if any.

    ``"asked_to_stop"`` (asked to stop, leave them alone, restraining order),
    ``"blocked"``, ``"said_no"`` (no to getting back together) or ``"new_partner"``;
    ``None`` otherwise. When several apply the most binding one wins, in that order.
    Only the ex's actions count: "I blocked her" returns ``None``.
    """
    if not text:
        return None
    # Quoted words are the ex's own here ('she said "dont text me"'): keep them, unquoted.
    doc = _Text(_SPACES_RE.sub(" ", _QUOTE_CHARS_RE.sub(" ", normalise(text))))
    for kind, rules in _UNWANTED_RULES:
        if _fires(rules, doc, titles=False):
            return kind
    return None


# ---------------------------------------------------------------------------------------
# Helplines by country.
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Helpline:
    """One line to reach a person: ``how`` is "call", "text" or "call or text"."""

    name: str
    number: str
    how: str
    note: str = ""


@dataclass(frozen=True, slots=True)
class Resources:
    """What to show someone in crisis or danger.

    ``country`` is the ISO code whose lines these are, or ``None`` for the international
    fallback (then ``crisis`` and ``abuse`` may be empty: point to ``directory``).
    """

    country: str | None
    crisis: tuple[Helpline, ...]
    abuse: tuple[Helpline, ...]
    emergency: str
    directory: str


_SYSTEM_ZONEINFO = Path("/usr/share/zoneinfo")
_FIXED_OFFSET_RE = re.compile(
    r"^(?:etc/)?(?:utc|gmt|uct|zulu|universal|greenwich|z)(?:\s*[+-]\s*\d{1,2}(?::?\d{2})?)?$"
    r"|^[+-]\d{1,2}(?::?\d{2})?$",
    re.IGNORECASE,
)
_ZONE_NAME_RE = re.compile(r"^[A-Za-z0-9_+\-]+(?:/[A-Za-z0-9_+\-]+)*$")


def _read_tzdata(name: str) -> str | None:
    """A text file from the tzdata package, else from the system zoneinfo, else None."""
    try:
        return resources.files("tzdata").joinpath("zoneinfo", name).read_text("utf-8")
    except (ModuleNotFoundError, FileNotFoundError, OSError):
        pass
    try:
        return (_SYSTEM_ZONEINFO / name).read_text("utf-8")
    except OSError:
        return None


@functools.cache
def _zone_countries() -> dict[str, str]:
    """IANA zone name -> ISO country code, from zone.tab plus legacy link names."""
    table: dict[str, str] = {}
    for line in (_read_tzdata("zone.tab") or "").splitlines():
        if line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) >= 3:
            table[parts[2]] = parts[0]
    # Legacy names ("US/Eastern", "Asia/Calcutta", "GB") are links to zone.tab entries.
    for line in (_read_tzdata("tzdata.zi") or "").splitlines():
        if line.startswith("L "):
            parts = line.split()
            if len(parts) == 3 and parts[2] not in table and parts[1] in table:
                table[parts[2]] = table[parts[1]]
    return table


@functools.cache
def _zone_countries_folded() -> dict[str, str]:
    return {name.casefold(): code for name, code in _zone_countries().items()}


def country_for_timezone(tz_name: str | None) -> str | None:
    """ISO 3166 country code for an IANA zone ("Europe/Berlin" -> "DE"), else None.

    Fixed offsets ("UTC+3") and UTC say nothing about the country, so they give None.
    """
    if not tz_name:
        return None
    name = tz_name.strip()
    if not name or _FIXED_OFFSET_RE.match(name) or not _ZONE_NAME_RE.match(name):
        return None
    table = _zone_countries()
    return table.get(name) or _zone_countries_folded().get(name.casefold())


def _helplines(rows: list[dict[str, str]]) -> tuple[Helpline, ...]:
    return tuple(
        Helpline(row["name"], row["number"], row["how"], row.get("note", "")) for row in rows
    )


@functools.cache
def _helpline_data() -> dict[str, Resources]:
    """Parse dialogs/data/helplines.json once: country code (and "international") -> lines."""
    raw = json.loads(
        resources.files("dialogs").joinpath("data", "helplines.json").read_text("utf-8")
    )
    fallback = raw["international"]
    directory = fallback["directory"]
    table = {
        "international": Resources(
            None,
            _helplines(fallback.get("crisis", [])),
            _helplines(fallback.get("abuse", [])),
            fallback["emergency"],
            directory,
        )
    }
    for code, entry in raw["countries"].items():
        table[code] = Resources(
            code,
            _helplines(entry.get("crisis", [])),
            _helplines(entry.get("abuse", [])),
            entry["emergency"],
            entry.get("directory", directory),
        )
    return table


def resources_for(tz_name: str | None) -> Resources:
    """Crisis and abuse lines for the country of ``tz_name``; the international fallback
    (a helpline directory and the usual emergency numbers) when the country is unknown or
    not covered."""
    table = _helpline_data()
    country = country_for_timezone(tz_name)
    return table.get(country or "", table["international"])


# ---------------------------------------------------------------------------------------
# Harm the user did: "I hit her". Not a crisis, but no coaching towards contact either.
# ---------------------------------------------------------------------------------------

_HARM_TO_EX_RE = re.compile(
    r"\bi\s+(?P<adv>(?:\w+\s+){0,2}?)(?:hit|slapped|punched|pushed|shoved|choked|strangled|"
    r"kicked|beat|grabbed|threatened)\s+(?:her|him|them|my ex|my (?:girlfriend|boyfriend|"
    r"wife|husband|partner))\b(?!\s*(?:s\s+)?(?:feelings|pride|ego|chances|away|off)\b)"
)
_HARM_NEGATORS = frozenset("never didnt not wouldnt dont cant couldnt wont".split())


def detect_harm_to_ex(text: str) -> bool:
    """True when the user says they were violent or threatening towards the ex.

    The coach then does not help them get back in touch; it points to help instead.
    "I hurt her feelings", "I pushed him away" and "I never hit him" do not count.
    """
    if not text:
        return False
    return any(
        not _HARM_NEGATORS.intersection(m.group("adv").split())
        for m in _HARM_TO_EX_RE.finditer(normalise(text))
    )
