"""Metrics computed from the answers behind each score (the score contract's answer table).

A Score lists its answers (value, route, parsed and probe-specific fields); these metrics read
them through `scorers.answer_table.unpack_answers`, so they work on the column layout and on the
older ``metadata["answers"]`` list alike. Each returns a dict whose keys name what they hold
(``route_judge``, ``aligned``, ``claim_own_harm_4_5``, ...).

Inspect hands metrics only the *scored* samples: a sample none of whose answers has a value is
counted in the scorer's `unscored_samples` and its answers are not in the shares below (route
and label shares are over the answers of scored samples). The per-answer table in the log keeps
every answer for the analysis. With several epochs the metrics see the answers the epoch
reducer kept (`pooled_mean` keeps every epoch's).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from typing import Any

from inspect_ai.scorer import Metric, SampleScore, Value, metric

from scorers.answer_table import unpack_answers
from scorers.answers import ROUTES


def answers_of(score: SampleScore) -> list[dict[str, Any]]:
    """Return the answers behind one sample's score (none when it carries no answer table)."""
    return unpack_answers(score.score.metadata) or []


def item_means(
    scores: list[SampleScore],
    field: str,
    include: Callable[[dict[str, Any]], bool] | None = None,
) -> list[float]:
    """Per sample (item), the mean of `field` over its answers that have one; items without any
    are left out."""
    means = []
    for score in scores:
        values = [
            float(answer[field])
            for answer in answers_of(score)
            if answer.get(field) is not None and (include is None or include(answer))
        ]
        if values:
            means.append(math.fsum(values) / len(values))
    return means


def _mean(values: list[float]) -> float:
    return math.fsum(values) / len(values) if values else math.nan


@metric
def answer_field_mean(field: str, name: str | None = None) -> Metric:
    """Mean over items of the per-item mean of an answer field: key `name` (default `field`)."""
    key = name or field

    def compute(scores: list[SampleScore]) -> Value:
        return {key: _mean(item_means(scores, field))}

    return compute


@metric
def grouped_answer_field_mean(field: str, group_field: str, name: str | None = None) -> Metric:
    """Like `answer_field_mean`, per value of the answer field `group_field`.

    Keys ``<name>_<group>`` (name defaults to `field`).
    """
    key = name or field

    def compute(scores: list[SampleScore]) -> Value:
        groups = sorted(
            {
                str(a[group_field])
                for score in scores
                for a in answers_of(score)
                if a.get(group_field) is not None
            }
        )
        return {
            f"{key}_{group}": _mean(
                item_means(scores, field, lambda a, g=group: str(a.get(group_field)) == g)
            )
            for group in groups
        }

    return compute


@metric
def route_shares() -> Metric:
    """`answers`, the number of answers, and the share decided by each route (`route_<name>`)."""

    def compute(scores: list[SampleScore]) -> Value:
        routes = Counter(str(a.get("route")) for score in scores for a in answers_of(score))
        total = sum(routes.values())
        result: dict[str, float] = {"answers": float(total)}
        for route in ROUTES:
            result[f"route_{route}"] = routes[route] / total if total else math.nan
        return result

    return compute


@metric
def answer_label_shares(field: str, labels: tuple[str, ...]) -> Metric:
    """Share of all answers whose `field` equals each of `labels` (keys ``<label>_share``)."""

    def compute(scores: list[SampleScore]) -> Value:
        answers = [a for score in scores for a in answers_of(score)]
        return {
            f"{label.lower()}_share": (
                sum(a.get(field) == label for a in answers) / len(answers)
                if answers
                else math.nan
            )
            for label in labels
        }

    return compute
