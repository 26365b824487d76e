"""Per-answer bookkeeping of the score contract: answer entries, the Score built from them, and
an epoch reducer that keeps every answer (the metrics that read them: `scorers.answer_metrics`).

Each Score carries ``metadata["answers"]``, one entry per answer behind it (``value``, ``route``,
``parsed`` and probe-specific fields). Inspect's own reducers keep only the first epoch's
metadata; `pooled_mean` concatenates the answers of all epochs, so metrics that read answer
fields (mean alignment, mean signed error, ...) see every answer.
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

ROUTES: tuple[str, ...] = ("rule", "judge", "fallback", "excluded", "logprobs")


def answer_entry(value: float | None, route: str, parsed: str | None, **fields: Any) -> dict:
    """Return one entry of ``metadata["answers"]`` (extra probe-specific `fields` allowed)."""
    if route not in ROUTES:
        raise ValueError(f"unknown answer route '{route}'; valid: {', '.join(ROUTES)}")
    return {"value": value, "route": route, "parsed": parsed, **fields}


def score_from_answers(
    answers: list[dict], reason: str, explanation: str | None = None, **metadata: Any
) -> Score:
    """Return the Score of the contract: the mean of the answers' values, or unscored."""
    values = [a["value"] for a in answers if a["value"] is not None]
    full = {"answers": answers, **metadata}
    if not values:
        return Score.unscored(reason=reason, explanation=explanation, metadata=full)
    return Score(value=sum(values) / len(values), explanation=explanation, metadata=full)


@score_reducer(name="pooled_mean")
def pooled_mean() -> ScoreReducer:
    """Mean over epochs of the scored values; metadata keeps every epoch's answers."""

    def reduce(scores: list[Score]) -> Score:
        answers: list[dict] = []
        for score in scores:
            answers.extend((score.metadata or {}).get("answers", []))
        values = [score.as_float() for score in scores]
        values = [v for v in values if not math.isnan(v)]
        first = (scores[0].metadata or {}) if scores else {}
        metadata = {**first, "answers": answers, "epochs": len(scores)}
        if not values:
            return Score(value=math.nan, metadata=metadata)
        return Score(value=statistics.mean(values), metadata=metadata)

    return reduce
