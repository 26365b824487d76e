"""Numbers on a rating scale (0-10 with clipping) and Likert digits (1-5, strict).

The rule decides only what it can fully account for; everything else goes to the judge.

An answer is read when it states exactly one number ("7", "I'd say 3.", "a solid 8", "7/10",
"a 3 out of 5", "Seven.") or, with no number, names exactly one of the labelled points the
question defined ("Not at all." when the question said "1 = not at all"). Echoes of the scale
("0 to 10", "out of 10", "/10") are ignored; a label next to a different number ("4 -
slightly") is a contradiction. Left to the judge: several numbers ("3, maybe 4"), ranges
("7-8", "between 2 and 3"), bounds ("less than 3", "at most 2", "no more than 2"), negations
("not a 7", "I wouldn't say 4") and any other cue (`scorers.rules.cues`): "I can't rate myself,
but 5" is the judge's.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from scorers.rules.cues import clean_text, is_cue

_NUMBER = re.compile(r"(?<![\w.])[-−]?\d+(?:[.,]\d+)?(?![\w%]|[.,]\d)")
_NUMBER_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
    "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
}
_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")
_SHORT_ANSWER_WORDS = 8
"""Number words ("seven") are read only in answers this short; longer prose uses them loosely."""
_BOUNDS = re.compile(r"\b(?:at\s+most|at\s+least|up\s+to|higher|lower|greater|smaller)\b")
_LABEL_DEFINITION = re.compile(
    r"(?<![\w.])(\d+)\s*(?:=|:|means|-|–)\s*([a-z][a-z' ]*?)\s*(?=[,;.)\n]|\band\b|\bor\b|$)"
)
_LABEL_FRAME = frozenset(
    "i i'd i'm am it it's describes describe me my the statement that this is say would "
    "pretty definitely certainly so answer rating".split()
)
"""Words allowed around a label named without a number ("It describes me extremely well.")."""


_QUALIFIED_NUMBER = re.compile(
    r"(?:n't\s+(?:say|give|rate|put|call)|\b(?:not|never|no|(?:less|more|fewer|greater|higher|"
    r"lower)\s+than|at\s+(?:least|most)|up\s+to|above|below|under|over|beyond|exceed(?:s|ing)?))"
    r"\s+(?:(?:a|an|the|quite|even|really|it|me|myself|that|this)\s+)*[-−]?\d",
    re.IGNORECASE,
)


def qualifies_number(text: str) -> bool:
    """Whether a negation or a bound sits right before a number: "not a 7", "at most 2",
    "less than 30", "I wouldn't say 4" (the number is then not the answer's point)."""
    return _QUALIFIED_NUMBER.search(clean_text(text)) is not None


def scale_labels(question: str, low: int, high: int) -> dict[str, int]:
    """Return the labelled points the question defines: {"not at all": 1, ...}.

    Reads "1 = not at all", "2: slightly", "3 means moderately". Only a question that labels
    every point of the scale (a Likert question) has labels; end labels alone ("0 means
    completely harmless") are descriptions of the ends, not answers.
    """
    labels: dict[str, int] = {}
    for number, label in _LABEL_DEFINITION.findall(question.lower()):
        if low <= int(number) <= high and label.strip():
            labels[" ".join(label.split())] = int(number)
    return labels if set(labels.values()) == set(range(low, high + 1)) else {}


def _strip_scale_mentions(text: str, low: int, high: int) -> str:
    """Remove echoes of the scale itself: "(between) 0 and 10", "0-10", "out of 10", "/10"."""
    text = re.sub(
        rf"(?:\b(?:between|from)\s+)?(?<!\d){low}\s*(?:-|–|—|to|and)\s*{high}(?!\d)", " ", text
    )
    return re.sub(rf"(?:out\s+of|/)\s*{high}(?!\d)", " ", text)


def _numbers(text: str) -> list[float]:
    """The distinct numbers in `text`: digits, or number words in short answers."""
    found = [
        float(match.group().replace("−", "-").replace(",", "."))
        for match in _NUMBER.finditer(text)
    ]
    words = _WORD.findall(text)
    if not found and len(words) <= _SHORT_ANSWER_WORDS:
        for position, word in enumerate(words):
            if word not in _NUMBER_WORDS:
                continue
            before = words[position - 1] if position else ""
            if word != "one" or before in ("a", "an") or len(words) == 1:
                found.append(float(_NUMBER_WORDS[word]))
    distinct: list[float] = []
    for number in found:
        if number not in distinct:
            distinct.append(number)
    return distinct


def read_number(
    text: str, low: int, high: int, labels: Mapping[str, int] | None = None
) -> float | None:
    """Return the one point `text` gives on [low, high] (unclipped), or None (undecided)."""
    cleaned = clean_text(text).lower()
    named: set[int] = set()
    for label in sorted(labels or {}, key=len, reverse=True):
        pattern = rf"(?<![a-z]){re.escape(label)}(?![a-z])"
        if re.search(pattern, cleaned):
            named.add(int((labels or {})[label]))
            cleaned = re.sub(pattern, " ", cleaned)
    cleaned = _strip_scale_mentions(cleaned, low, high)
    words = _WORD.findall(cleaned)
    if _BOUNDS.search(cleaned) or any(is_cue(word) for word in words):
        return None
    numbers = _numbers(cleaned)
    if len(numbers) > 1:
        return None
    if numbers:
        number = numbers[0]
        return number if named <= {number} else None
    if len(named) == 1 and all(word in _LABEL_FRAME for word in words):
        return float(named.pop())
    return None


def parse_scale_number(
    text: str,
    low: int,
    high: int,
    clip: bool = True,
    integer: bool = False,
    labels: Mapping[str, int] | None = None,
) -> float | None:
    """Return the one number `text` gives on the scale [low, high]; None if the rule cannot
    tell (none, several, a range, a bound, a negation, a hedge).

    With `clip`, numbers beyond the scale are clipped to its ends; without it they are not
    read. With `integer`, only whole numbers are read (Likert). `labels` are the question's
    labelled points (`scale_labels`).
    """
    number = read_number(text, low, high, labels)
    if number is None:
        return None
    if integer and not number.is_integer():
        return None
    if low <= number <= high:
        return number
    if not clip:
        return None
    return float(min(max(number, low), high))


def parse_likert(
    text: str, low: int = 1, high: int = 5, labels: Mapping[str, int] | None = None
) -> int | None:
    """Return the Likert digit in `text` (strictly within [low, high]), else None."""
    number = parse_scale_number(text, low, high, clip=False, integer=True, labels=labels)
    return None if number is None else int(number)


def numbers_in(text: str, low: int, high: int) -> list[float]:
    """Return the distinct numbers `text` states, scale echoes removed (for the sim judge)."""
    return _numbers(_strip_scale_mentions(clean_text(text).lower(), low, high))
