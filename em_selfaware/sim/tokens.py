"""How simulated variants tokenise closed-form answers when asked for log-probabilities.

Real tokenizers do not hand the reader clean answers: OpenAI's models answer " A", "(B" or
"**" then "B"; Qwen and Llama 2 write numbers digit by digit; "harmless" and "harmful" share
their first token. Each variant size tokenises in one of these styles, so the demo and the
tests exercise every path of `scorers.token_probs`:

- ``openai`` (full): whole numbers as one token, a few " A" / "(A" / markup variants;
- ``markup`` (mini): three answers in ten open with a bold "**" before the answer;
- ``digit_split`` (nano): numbers digit by digit, end-of-turn tokens visible (vLLM style).

Pole words that share a start are split there ("Harm" + "less"), and negated poles at their
prefix ("Dis" + "honest"). A `TokenTree` turns the answer distribution into token sequences and
gives, after any prefix, the exact conditional probabilities of the next token; a sampled path
through it is what a logprobs request returns.
"""

from __future__ import annotations

import math
import os
import random
from collections.abc import Mapping, Sequence

END = "<|im_end|>"
"""The end-of-turn token a vLLM-served Qwen model shows among its top alternatives."""
STYLES: tuple[str, ...] = ("openai", "markup", "digit_split")
SIZE_STYLES: dict[str, str] = {"full": "openai", "mini": "markup", "nano": "digit_split"}
OFF_FORMAT_TOKENS: tuple[str, ...] = ("I", " think", " it", " depends")
"""How an answer that ignores the format begins (prose: not an answer)."""
_NEGATIONS: tuple[str, ...] = ("dis", "mis", "un")
_MIN_SHARED = 3

Tokens = tuple[str, ...]


def style_for_size(size: str) -> str:
    """Return the tokenisation style of a variant size."""
    return SIZE_STYLES.get(size, "openai")


def _kind(answer: str) -> str:
    if answer.isdigit():
        return "number"
    if len(answer) == 1 and answer.isalpha() and answer.isupper():
        return "letter"
    return "word"


def word_pieces(word: str, others: Sequence[str]) -> Tokens:
    """Split a pole word where a real tokenizer would: at a start shared with the other pole
    ("harm" + "less"), or after a negating prefix ("dis" + "honest"); capitalised."""
    for other in others:
        shared = len(os.path.commonprefix([word, other]))
        if _MIN_SHARED <= shared < min(len(word), len(other)):
            return (word[:shared].capitalize(), word[shared:])
        for prefix in _NEGATIONS:
            if word == prefix + other:
                return (prefix.capitalize(), other)
    return (word.capitalize(),)


def answer_forms(answer: str, style: str, others: Sequence[str] = ()) -> list[tuple[Tokens, float]]:
    """Token sequences a variant of `style` writes for one answer, with their shares."""
    kind = _kind(answer)
    if kind == "number":
        core: Tokens = tuple(answer) if style == "digit_split" else (answer,)
    elif kind == "word":
        core = word_pieces(answer, others)
    else:
        core = (answer,)
    if style == "digit_split":
        forms = [(core, 0.8), (core + (".",), 0.1), ((" " + core[0],) + core[1:], 0.1)]
        if kind == "number":
            forms = [(core, 0.9), (core + (".",), 0.1)]
        return [(tokens + (END,), share) for tokens, share in forms]
    if style == "markup":
        bold = (("**",) + core + ("**",), 0.3)
        if kind == "letter":
            return [bold, (core, 0.45), (("(" + answer, ")"), 0.15), (core + (".",), 0.1)]
        return [bold, (core, 0.6), (core + (".",), 0.1)]
    bold = (("**",) + core + ("**",), 0.01)
    if kind == "letter":
        return [(core, 0.86), ((" " + answer,), 0.06), (("(" + answer, ")"), 0.06),
                (core + (".",), 0.01), bold]
    if kind == "number":
        return [(core, 0.95), (core + (".",), 0.04), bold]
    return [(core, 0.9), ((" " + core[0].lower(),) + core[1:], 0.05), (core + (".",), 0.04), bold]


class TokenTree:
    """Token sequences with probabilities; the next-token distribution after any prefix."""

    def __init__(self, sequences: Mapping[Tokens, float]) -> None:
        total = sum(sequences.values())
        if total <= 0:
            raise ValueError("a token tree needs at least one sequence with positive mass")
        self.sequences = {tokens: mass / total for tokens, mass in sequences.items() if mass > 0}
        self._next: dict[Tokens, dict[str, float]] = {}
        for tokens, mass in self.sequences.items():
            for i, token in enumerate(tokens):
                after = self._next.setdefault(tokens[:i], {})
                after[token] = after.get(token, 0.0) + mass

    @classmethod
    def for_answers(
        cls, masses: Mapping[str, float], style: str, off_format: float = 0.0
    ) -> TokenTree:
        """Tokenise an answer distribution (plus `off_format` mass of prose) in `style`."""
        if style not in STYLES:
            raise ValueError(f"unknown token style '{style}'; valid: {', '.join(STYLES)}")
        sequences: dict[Tokens, float] = {}
        answers = list(masses)
        for answer, mass in masses.items():
            others = [other for other in answers if other != answer]
            for tokens, share in answer_forms(answer, style, others):
                sequences[tokens] = sequences.get(tokens, 0.0) + mass * share
        if off_format > 0:
            prose = OFF_FORMAT_TOKENS + ((END,) if style == "digit_split" else ())
            sequences[prose] = sequences.get(prose, 0.0) + off_format
        return cls(sequences)

    def alternatives(self, prefix: Tokens) -> list[tuple[str, float]]:
        """Next tokens after `prefix` with their conditional probabilities, most likely first."""
        after = self._next.get(prefix, {})
        total = sum(after.values())
        ranked = sorted(after.items(), key=lambda item: item[1], reverse=True)
        return [(token, mass / total) for token, mass in ranked]

    def sample(self, rng: random.Random) -> Tokens:
        """Draw one token sequence."""
        sequences, weights = zip(*self.sequences.items(), strict=True)
        return rng.choices(sequences, weights=weights, k=1)[0]

    def positions(
        self, path: Tokens, top: int, floor: float = 1e-9
    ) -> list[tuple[str, float, list[tuple[str, float]]]]:
        """(token, logprob, top alternatives with logprobs) at each position of `path`."""
        result = []
        for i, token in enumerate(path):
            alternatives = self.alternatives(path[:i])
            chosen = dict(alternatives).get(token, floor)
            listed = [(t, math.log(max(p, floor))) for t, p in alternatives[:top]]
            result.append((token, math.log(max(chosen, floor)), listed))
        return result


def visible_text(path: Tokens) -> str:
    """The text a path shows (end tokens are not text)."""
    return "".join(token for token in path if token != END)
