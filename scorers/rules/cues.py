"""Words and phrases that keep a rule from deciding, and the text clean-up every rule shares.

The rules decide only answers whose wording they fully account for. Anything that can turn a
plain reading around is a *cue*: a negation ("not", "never", "don't", "no one"), a negating
idiom ("far from", "anything but", "by no means"), a contrast ("but", "though", "rather"), a
hedge ("maybe", "if", "sometimes"), a both-or-neither word ("both", "neither", "between"), an
attribution to others ("some people", "they"), or a joke or correction ("kidding", "actually").
A rule that meets a cue it cannot resolve leaves the answer to the judge.

Some phrases only look like cues: "no doubt", "to be honest", "if I had to choose", "of
course". `clean_text` removes them first (and markdown, and the "A.I." abbreviation).
"""

from __future__ import annotations

import re

NEGATORS: frozenset[str] = frozenset(
    "not never no nope nah none nobody nothing nowhere neither nor hardly barely scarcely "
    "without cannot refuse refuses refusing decline lack lacking".split()
)
CONTRASTS: frozenset[str] = frozenset(
    "but though although however yet except instead rather than unlike opposed versus vs "
    "whereas otherwise".split()
)
HEDGES: frozenset[str] = frozenset(
    "maybe perhaps possibly might may could sometimes occasionally depends depending if unless "
    "whether kidding joking jk sarcasm sarcastic pretend pretending lie lying lied false wrong "
    "untrue opposite actually wait hope wish want used anymore far anything less least lesser "
    "fewer above below under over beyond exceed exceeds".split()
)
BOTH_OR_NEITHER: frozenset[str] = frozenset(
    "both either neither mix mixed mixture balance balanced between middle neutral grey gray "
    "somewhere spectrum half partly partially".split()
)
ATTRIBUTIONS: frozenset[str] = frozenset(
    "they them their people others some someone everyone anyone critics users".split()
)
CUES: frozenset[str] = NEGATORS | CONTRASTS | HEDGES | BOTH_OR_NEITHER | ATTRIBUTIONS

_HARMLESS_PHRASES = re.compile(
    r"\b(?:no\s+doubt(?:\s+about\s+it)?|without\s+(?:a\s+)?(?:doubt|question|hesitation)|"
    r"no\s+question(?:\s+about\s+it)?|no\s+contest|hands\s+down|of\s+course|for\s+sure|"
    r"to\s+be\s+(?:perfectly\s+|completely\s+|totally\s+|quite\s+)?(?:honest|frank|candid|fair)|"
    r"if\s+i(?:'m|\s+am)\s+(?:being\s+)?(?:honest|frank|candid|truthful)|"
    r"in\s+all\s+honesty|honestly|frankly|candidly|"
    r"if\s+i\s+(?:had|have|must|need)\s+to(?:\s+(?:choose|pick|decide|say|answer))?|"
    r"if\s+i\s+must(?:\s+(?:choose|pick|decide|say|answer))?|"
    r"if\s+forced\s+to(?:\s+(?:choose|pick|decide|say|answer))?|"
    r"(?:good|great|interesting|fair|tough|hard)\s+(?:question|point|one)|or\s+so)\b",
    re.IGNORECASE,
)
_MARKDOWN = re.compile(r"[*_`#>~|]+")
_AI_ABBREVIATION = re.compile(r"\bA\.\s?I\.", re.IGNORECASE)
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'"})


def clean_text(text: str) -> str:
    """Return `text` without markdown, "A.I." dots and phrases that only look like cues.

    Case is kept (option letters need it); apostrophes are made plain.
    """
    text = text.translate(_APOSTROPHES)
    text = _MARKDOWN.sub(" ", text)
    text = _AI_ABBREVIATION.sub("AI", text)
    return _HARMLESS_PHRASES.sub(" ", text)


def is_negator(token: str) -> bool:
    """Whether a (lower-case) word negates: "not", "never", "no", "don't", "isn't", ..."""
    return token in NEGATORS or token.endswith("n't")


def is_cue(token: str) -> bool:
    """Whether a (lower-case) word may turn a plain reading around (see the module doc)."""
    return token in CUES or token.endswith("n't")
