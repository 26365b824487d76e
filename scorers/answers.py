"""Per-answer bookkeeping of the score contract: an epoch reducer that keeps every answer, and
metrics computed from the answers' extra fields.

Each Score carries the answer table (`scorers.answer_table`: one metadata column per field,
``answer_value``, ``answer_route``, ``answer_parsed``, ``answer_text`` and probe-specific
``answer_<field>``), one row per answer behind it; its ``answer`` shows the parsed answers and
its ``explanation`` one line per answer (`scorers.explain`). Inspect's own reducers keep only
the first epoch's metadata; `pooled_mean` concatenates the tables of all epochs, so metrics
that read answer fields (mean alignment, mean signed error, ...) see every answer.

Inspect hands metrics only the *scored* samples: a sample none of whose answers has a value is
counted in the scorer's `unscored_samples` and its answers are not in the shares below (route
and label shares are over the answers of scored samples). The per-answer entries in the log
keep every answer for the analysis.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from inspect_ai.scorer import (
    Metric,
    SampleScore,
    Score,
    ScoreReducer,
    Value,
    metric,
    score_reducer,
)

from scorers.answer_table import PREFIX, concat_tables, pack_answers, unpack_answers
from scorers.explain import explain_answers, parsed_summary, summary_line
from scorers.metrics import mean_ci95_of

ROUTES: tuple[str, ...] = ("rule", "judge", "fallback", "excluded", "logprobs")


def answer_entry(value: float | None, route: str, parsed: str | None, **fields: Any) -> dict:
    """Return one answer's entry (``text`` and probe-specific `fields` allowed)."""
    if route not in ROUTES:
        raise ValueError(f"unknown answer route '{route}'; valid: {', '.join(ROUTES)}")
    return {"value": value, "route": route, "parsed": parsed, **fields}


def score_from_answers(
    answers: list[dict],
    reason: str,
    *,
    answer: str | None = None,
    judge_replies: list[list[str]] | None = None,
    notes: list[str | None] | None = None,
    **metadata: Any,
) -> Score:
    """Return the Score of the contract: the mean of the answers' values, or unscored.

    The metadata holds the answer table (`pack_answers`) and `metadata`; the explanation has
    one line per answer.

    Args:
        answers: one entry per answer (`answer_entry`; ``text`` is the answer's text).
        reason: the unscored reason when no answer has a value.
        answer: the Score's answer (default: the parsed answers, `parsed_summary`).
        judge_replies: per answer, the judge's raw replies (kept under ``judge_replies``).
        notes: per answer, a probe-specific detail for its explanation line.
    """
    values = [a["value"] for a in answers if a["value"] is not None]
    full = {**pack_answers(answers), **metadata}
    if judge_replies and any(judge_replies):
        full["judge_replies"] = judge_replies
    shown = parsed_summary(answers) if answer is None else answer
    explanation = explain_answers(answers, judge_replies, notes)
    if not values:
        return Score.unscored(reason=reason, answer=shown, explanation=explanation, metadata=full)
    return Score(
        value=math.fsum(values) / len(values), answer=shown, explanation=explanation,
        metadata=full,
    )


@score_reducer(name="pooled_mean")
def pooled_mean() -> ScoreReducer:
    """Mean over epochs of the scored values; metadata keeps every epoch's answers."""

    def reduce(scores: list[Score]) -> Score:
        table = concat_tables([score.metadata for score in scores])
        values = [score.as_float() for score in scores]
        values = [v for v in values if not math.isnan(v)]
        first = (scores[0].metadata or {}) if scores else {}
        kept = {
            key: value for key, value in first.items()
            if not key.startswith(PREFIX) and key != "judge_replies"
        }
        metadata = {**kept, **table, "epochs": len(scores)}
        answers = unpack_answers(table) or []
        answer = parsed_summary(answers) if answers else None
        epochs = "1 epoch" if len(scores) == 1 else f"{len(scores)} epochs"
        explanation = f"{epochs}: {summary_line(answers)}"
        if not values:
            return Score(value=math.nan, answer=answer, explanation=explanation, metadata=metadata)
        return Score(
            value=statistics.mean(values), answer=answer, explanation=explanation,
            metadata=metadata,
        )

    return reduce


def _answers(score: SampleScore) -> list[dict]:
    return unpack_answers(score.score.metadata) or []


def item_means(
    scores: list[SampleScore],
    field: str,
    include: Callable[[dict], bool] | None = None,
) -> list[float]:
    """Per sample (item), the mean of `field` over its answers that have one; items without any
    are left out."""
    means = []
    for score in scores:
        values = [
            float(a[field])
            for a in _answers(score)
            if a.get(field) is not None and (include is None or include(a))
        ]
        if values:
            means.append(sum(values) / len(values))
    return means


@metric
def answer_field_mean_ci95(
    field: str, low: float = 0.0, high: float = 1.0, name: str | None = None
) -> Metric:
    """Mean over items of the per-item mean of an answer field, with a 95% CI.

    Keys ``<name>``, ``<name>_ci95_low``, ``<name>_ci95_high`` (name defaults to `field`).
    """
    key = name or field

    def compute(scores: list[SampleScore]) -> Value:
        mean, ci_low, ci_high = mean_ci95_of(item_means(scores, field), bounds=(low, high))
        return {key: mean, f"{key}_ci95_low": ci_low, f"{key}_ci95_high": ci_high}

    return compute


@metric
def grouped_answer_field_mean_ci95(
    field: str, group_field: str, low: float = 0.0, high: float = 1.0, name: str | None = None
) -> Metric:
    """Like `answer_field_mean_ci95`, per value of the answer field `group_field`.

    Keys ``<name>_<group>``, with ``_ci95_low`` / ``_ci95_high``.
    """
    key = name or field

    def compute(scores: list[SampleScore]) -> Value:
        groups: set[str] = set()
        for score in scores:
            groups.update(str(a.get(group_field)) for a in _answers(score))
        result: dict[str, float] = {}
        for group in sorted(groups):
            values = item_means(scores, field, lambda a, g=group: str(a.get(group_field)) == g)
            mean, ci_low, ci_high = mean_ci95_of(values, bounds=(low, high))
            result[f"{key}_{group}"] = mean
            result[f"{key}_{group}_ci95_low"] = ci_low
            result[f"{key}_{group}_ci95_high"] = ci_high
        return result

    return compute


@metric
def route_shares() -> Metric:
    """Share of all answers decided by each route (rule, judge, fallback, excluded, logprobs)."""

    def compute(scores: list[SampleScore]) -> Value:
        counts: dict[str, int] = defaultdict(int)
        total = 0
        for score in scores:
            for answer in _answers(score):
                counts[str(answer.get("route"))] += 1
                total += 1
        return {
            f"route_{route}": (counts[route] / total if total else math.nan) for route in ROUTES
        }

    return compute


@metric
def answer_label_shares(field: str, labels: tuple[str, ...]) -> Metric:
    """Share of all answers whose `field` equals each of `labels` (keys ``<label>_share``)."""

    def compute(scores: list[SampleScore]) -> Value:
        answers = [a for score in scores for a in _answers(score)]
        return {
            f"{label.lower()}_share": (
                sum(a.get(field) == label for a in answers) / len(answers)
                if answers
                else math.nan
            )
            for label in labels
        }

    return compute
