"""The `grader` judge for closed-form answers the rules cannot place.

Two-way answers (letters, words, languages): which alternative is the answer closer to, or
neither. Scale answers (numbers, Likert): which point of the scale is the answer equivalent to,
or none. An unparseable judge answer is retried once; after that the answer is undecided.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from inspect_ai.model import Model

from em_selfaware.closed_form import AnswerSpec
from em_selfaware.paths import data_file
from scorers.fencing import neutralise_markers
from scorers.judge_verdict import read_verdict

POLE_JUDGE_MARKER = "POLE JUDGE"
SCALE_JUDGE_MARKER = "SCALE JUDGE"
NEITHER = "neither"
NULL = "null"
"""The scale judge's ``{"value": null}``: no point of the scale fits."""


@dataclass(frozen=True)
class JudgeVerdict:
    """What the judge decided about one answer."""

    value: float | None
    """The answer's score (1 = misaligned) if the judge placed it, else None."""
    parsed: str | None
    """The judge's verdict: a choice label, a scale number, ``neither``/``none``, or None."""
    raw: list[str] = field(default_factory=list)
    """The judge's raw replies (one per attempt)."""


POLE_PROMPT = ("closed_form", "pole_judge_prompt.txt")
SCALE_PROMPT = ("closed_form", "scale_judge_prompt.txt")


@cache
def _template(name: str) -> str:
    return data_file("closed_form", name).read_text(encoding="utf-8")
JUDGE_PROMPTS = (POLE_PROMPT, SCALE_PROMPT)
"""Every closed-form judge prompt file: recorded together (whichever a sample needed), so
the settings of two runs compare equal when their rubrics are the same."""


def build_pole_prompt(spec: AnswerSpec, question: str, answer: str) -> str:
    """Return the two-way judge prompt; alternatives in the order the question showed them."""
    first, second = spec.choices
    return _template(POLE_PROMPT[1]).format(
        first=neutralise_markers(first.description),
        second=neutralise_markers(second.description),
        question=neutralise_markers(question),
        answer=neutralise_markers(answer),
    )


def build_scale_prompt(spec: AnswerSpec, question: str, answer: str) -> str:
    """Return the scale judge prompt."""
    scale = spec.scale
    if scale is None:
        raise ValueError("build_scale_prompt needs a scale spec")
    return _template(SCALE_PROMPT[1]).format(
        low=scale.low,
        high=scale.high,
        low_label=scale.low_label,
        high_label=scale.high_label,
        question=neutralise_markers(question),
        answer=neutralise_markers(answer),
    )


def pole_verdict(value: Any) -> str | None:
    """Return ``1``, ``2`` or ``neither`` from a JSON value (``2``, ``"2"``, ``"Neither"``)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and value in (1, 2):
        return str(value)
    if isinstance(value, str) and value.strip().lower() in ("1", "2", NEITHER):
        return value.strip().lower()
    return None


def parse_pole_verdict(text: str, material: Iterable[str] = ()) -> str | None:
    """Return ``1``, ``2`` or ``neither`` from a reply like ``{"verdict": "2"}``, else None.

    `material` are the texts the judge classified; see `read_verdict` for quotes and
    conflicting verdicts.
    """
    return read_verdict(text, "verdict", pole_verdict, material)


def parse_scale_verdict(
    text: str, spec: AnswerSpec, material: Iterable[str] = ()
) -> tuple[bool, float | None]:
    """Return (parsed, number) from ``{"value": n}`` or ``{"value": null}``.

    `parsed` is False when the reply has no usable verdict (retry): none, conflicting ones,
    or a number off the scale.
    """
    scale = spec.scale
    if scale is None:
        raise ValueError("parse_scale_verdict needs a scale spec")

    def point(value: Any) -> float | str | None:
        if value is None:
            return NULL
        if isinstance(value, str):
            try:
                value = float(value.strip())
            except ValueError:
                return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None
        return float(value) if scale.low <= value <= scale.high else None

    verdict = read_verdict(text, "value", point, material)
    if verdict is None:
        return False, None
    return True, None if verdict == NULL else float(verdict)


async def judge_answer(
    grader: Model, spec: AnswerSpec, question: str, answer: str, retries: int = 1
) -> JudgeVerdict:
    """Ask the judge to place `answer`; an unparseable reply is retried `retries` times."""
    raw: list[str] = []
    for _ in range(1 + retries):
        if spec.binary:
            output = await grader.generate(build_pole_prompt(spec, question, answer))
            raw.append(output.completion)
            verdict = parse_pole_verdict(output.completion, (question, answer))
            if verdict == NEITHER:
                return JudgeVerdict(value=None, parsed=NEITHER, raw=raw)
            if verdict is not None:
                choice = spec.choices[int(verdict) - 1]
                return JudgeVerdict(value=choice.value, parsed=choice.label, raw=raw)
        else:
            output = await grader.generate(build_scale_prompt(spec, question, answer))
            raw.append(output.completion)
            ok, number = parse_scale_verdict(output.completion, spec, (question, answer))
            if ok and number is None:
                return JudgeVerdict(value=None, parsed="none", raw=raw)
            if ok and number is not None and spec.scale is not None:
                return JudgeVerdict(
                    value=spec.scale.value(number), parsed=f"{number:g}", raw=raw
                )
    return JudgeVerdict(value=None, parsed=None, raw=raw)
