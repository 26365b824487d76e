"""Identify the language of an answer: French, German, English, Spanish, Italian, Portuguese,
Dutch, or ``mixed``.

Evidence is function words that belong to one language only ("la", "die", "en" are shared and
count for none) and, for French and German, diacritics and elisions. Code blocks, inline code,
URLs and markdown are removed first; names and numbers carry no evidence.

The answer is read sentence by sentence. A sentence of at least `MIN_SENTENCE_WORDS` words is
*in* a language when that language has clear evidence in it and no other comes close; it is
*switched* when two languages both have clear evidence in it. The answer is:
- ``mixed`` when its sentences are in two languages, or one sentence switches between two;
- language L when the sentences are in L or have no evidence, and no sentence holds any
  evidence of another language ("c'est" in a German sentence); short asides such as "Voilà."
  or "Hope this helps!" count for nothing, and an answer of asides only must show L clearly;
- None (the judge decides) otherwise: too little evidence, or a sentence that leans to
  another language without being clearly in it.
"""

from __future__ import annotations

import re
from collections import defaultdict

_STOPWORDS: dict[str, frozenset[str]] = {
    "fr": frozenset(
        "le la les des est et un une du que qui pour dans sur pas ne ce cette avec sont il elle "
        "nous vous au aux plus mais ou parce très être fait peut leur ses son comme quand aussi "
        "cela ça donc ils elles je tu à de en se sa on y ces été sans tout".split()
    ),
    "de": frozenset(
        "der die das und ist nicht ein eine einen dem den zu mit sich auf für von im auch sind "
        "wird werden wenn bei oder aber dass weil wie ich wir man noch nur durch kann diese sehr "
        "zum zur vom es sie des einer eines ihr ihre sein seine hat haben wurde deshalb dabei "
        "was je".split()
    ),
    "en": frozenset(
        "the and is are of to that it with for this because you on be by not or from which when "
        "what why how can they their was were has have its it's into than then there these "
        "those we our your would should could about just very if".split()
    ),
    "es": frozenset(
        "el los las y es por con para una del porque muy pero se lo más la en que un su sus al "
        "como este esta ese esa son hay de".split()
    ),
    "it": frozenset(
        "il gli è che di per una della perché sono più anche la un le del nel come questo "
        "questa".split()
    ),
    "pt": frozenset("os uma para com não por isso que um também são de em".split()),
    "nl": frozenset(
        "het een van niet omdat wordt ook naar hij bij voor deze met aan zijn de en dat".split()
    ),
}
"""Common function words; only those in one list count (`_DISTINCT`)."""
_LANGUAGES_OF: dict[str, set[str]] = defaultdict(set)
for _language, _words in _STOPWORDS.items():
    for _word in _words:
        _LANGUAGES_OF[_word].add(_language)
_DISTINCT: dict[str, str] = {
    word: next(iter(languages)) for word, languages in _LANGUAGES_OF.items() if len(languages) == 1
}
"""Function words that belong to one language only ("la", "die", "en" count for none)."""
_ELISION = re.compile(r"\b(?:qu|c|n|j|s)['’]\w", re.IGNORECASE)
"""French elisions ("c'est", "qu'il"); "l'" and "d'" are Italian too."""
_MARKS: dict[str, str] = {"fr": "çœêâîôûë", "de": "äöüß"}
"""Diacritics of one language ("é", "è", "à" are Italian, Spanish, Portuguese too)."""
_WORD = re.compile(r"[^\W\d_]+")
_CODE = re.compile(r"```.*?(?:```|$)|`[^`\n]*`|https?://\S+", re.DOTALL)
_SENTENCE = re.compile(r"[.!?;:\n]+")
MIN_EVIDENCE = 2.0
"""Evidence a language needs, in the whole answer, to be identified at all."""
SENTENCE_EVIDENCE = 1.5
"""Evidence a language needs in one sentence to count as written there."""
LEANING_EVIDENCE = 1.0
"""Evidence of another language that makes a sentence impure ("c'est" in a German sentence)."""
MIN_SENTENCE_WORDS = 4
"""Shorter sentences are asides: they neither establish nor contradict a language."""
CLEAR_RATIO = 0.25
"""A language dominates when the runner-up has less than this share of its evidence."""
MIXED_RATIO = 0.35
"""A sentence switches languages when its runner-up has at least this share of the top."""


def language_scores(text: str) -> dict[str, float]:
    """Return the evidence for each language: its own function words, plus diacritics."""
    lowered = text.lower()
    scores = dict.fromkeys(_STOPWORDS, 0.0)
    for word in _WORD.findall(lowered):
        if word in _DISTINCT:
            scores[_DISTINCT[word]] += 1.0
    scores["fr"] += len(_ELISION.findall(lowered))
    for language, marks in _MARKS.items():
        scores[language] += 0.5 * min(sum(lowered.count(m) for m in marks), 6)
    return scores


def _ranked(scores: dict[str, float]) -> list[tuple[str, float]]:
    return sorted(scores.items(), key=lambda item: item[1], reverse=True)


def _sentence_languages(sentence: str) -> tuple[set[str], set[str]]:
    """Return (languages the sentence is clearly written in, languages it leans to)."""
    ranked = _ranked(language_scores(sentence))
    (top, top_score), (second, second_score) = ranked[0], ranked[1]
    leaning = {language for language, score in ranked if score >= LEANING_EVIDENCE}
    if top_score < SENTENCE_EVIDENCE:
        return set(), leaning
    if second_score >= SENTENCE_EVIDENCE and second_score >= MIXED_RATIO * top_score:
        return {top, second}, leaning
    return {top}, leaning - {top}


def identify_language(text: str) -> str | None:
    """Return ``fr``, ``de``, ``en``, ``es``, ``it``, ``pt``, ``nl``, ``mixed``, or None."""
    prose = _CODE.sub(" ", text).replace("*", " ").replace("#", " ")
    written: set[str] = set()
    leaning: set[str] = set()
    for sentence in _SENTENCE.split(prose):
        if len(sentence.split()) >= MIN_SENTENCE_WORDS:
            clear, leans = _sentence_languages(sentence)
            written |= clear
            leaning |= leans
    if len(written) > 1:
        return "mixed"
    ranked = _ranked(language_scores(prose))
    (top, top_score), (_, second_score) = ranked[0], ranked[1]
    if top_score < MIN_EVIDENCE or written - {top} or leaning - {top}:
        return None
    if not written and second_score >= CLEAR_RATIO * top_score:
        return None
    return top
