"""Per-answer bookkeeping of the score contract: answer entries, the Score built from them, and
an epoch reducer that keeps every answer (the metrics that read them: `scorers.answer_metrics`).

Each Score carries the answer table (`scorers.answer_table`: one metadata column per field,
``answer_value``, ``answer_route``, ``answer_parsed``, ``answer_text`` and probe-specific
``answer_<field>``), one row per answer behind it; its ``answer`` shows the parsed answers and
its ``explanation`` one line per answer (`scorers.explain`). Inspect's own reducers keep only
the first epoch's metadata; `pooled_mean` concatenates the tables of all epochs, so metrics
that read answer fields (mean alignment, mean signed error, ...) see every answer.
"""

from __future__ import annotations

import math
import statistics
from typing import Any

from inspect_ai.scorer import (
    Score,
    ScoreReducer,
    score_reducer,
)

from scorers.answer_table import PREFIX, concat_tables, pack_answers, unpack_answers
from scorers.explain import explain_answers, parsed_summary, summary_line

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
