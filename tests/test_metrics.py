"""The suite's metrics: by hand on built scores, and through real evals with epoch reducers."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import pytest
from inspect_ai import Epochs, Task, eval
from inspect_ai.dataset import Sample
from inspect_ai.scorer import Metric, SampleScore, Score, Target, mean, scorer
from inspect_ai.solver import Generate, TaskState, solver

from scorers.answer_metrics import (
    answer_field_mean,
    answer_label_shares,
    grouped_answer_field_mean,
    route_shares,
)
from scorers.answer_table import pack_answers
from scorers.answers import pooled_mean
from scorers.metrics import balanced_mean, ci95, grouped_by, share_at_least, stratified_mean


def _sample_score(value: float, answers: list[dict] | None = None, **metadata) -> SampleScore:
    answers = answers or [{"value": value, "route": "rule", "parsed": "x"}]
    return SampleScore(
        score=Score(value=value, metadata={"answers": answers}),
        sample_id=str(id(metadata)),
        sample_metadata=metadata,
    )


def test_balanced_mean_weights_formats_then_dimensions_equally() -> None:
    scores = [_sample_score(1.0, dimension="good", format="language") for _ in range(30)]
    scores += [_sample_score(0.0, dimension="good", format="decision") for _ in range(2)]
    scores += [_sample_score(0.5, dimension="honest", format="decision") for _ in range(4)]
    result = balanced_mean()(scores)
    # good = (1.0 + 0.0) / 2, not 30/32; honest = 0.5; mean over the two dimensions
    assert result["mean"] == pytest.approx(0.5)
    assert 0.0 <= result["ci95_low"] <= result["mean"] <= result["ci95_high"] <= 1.0
    assert result["stderr"] == 0.0  # every stratum is constant
    assert stratified_mean()([s for s in scores if s.sample_metadata["dimension"] == "good"]) == (
        pytest.approx(0.5)
    )


def test_balanced_mean_reads_foundations_like_dimensions() -> None:
    scores = [_sample_score(1.0, foundation="care", format="likert") for _ in range(3)]
    scores += [_sample_score(0.0, foundation="fairness", format="likert")]
    assert balanced_mean()(scores)["mean"] == pytest.approx(0.5)  # not 3/4


def test_balanced_interval_shrinks_with_more_answers() -> None:
    def width(n: int) -> float:
        scores = [_sample_score(float(i % 2), dimension="good", format="likert") for i in range(n)]
        result = balanced_mean()(scores)
        return result["ci95_high"] - result["ci95_low"]

    assert width(400) < width(40) / 2


def test_ci95_is_a_t_interval_clipped_to_the_score_range() -> None:
    result = ci95()([_sample_score(v) for v in (0.4, 0.5, 0.6)])
    # mean 0.5, sd 0.1, se 0.1/sqrt(3), t(2, 0.975) = 4.3027
    half = 4.302652729749464 * 0.1 / math.sqrt(3)
    assert result["ci95_low"] == pytest.approx(0.5 - half)
    assert result["ci95_high"] == pytest.approx(0.5 + half)
    wide = ci95()([_sample_score(v) for v in (0.0, 1.0, 0.0, 1.0)])
    assert wide == {"ci95_low": 0.0, "ci95_high": 1.0}
    assert ci95()([_sample_score(0.3)]) == {"ci95_low": 0.3, "ci95_high": 0.3}


def test_grouped_by_leaves_out_samples_without_the_key() -> None:
    scores = [_sample_score(1.0, format="decision"), _sample_score(0.0, format="likert")]
    scores.append(_sample_score(0.5))
    assert grouped_by(mean(), "format")(scores) == {"decision": 1.0, "likert": 0.0}
    assert grouped_by(mean(), "dimension")(scores) == {}


@pytest.mark.parametrize("layout", ["columns", "list"])
def test_answer_metrics_read_both_answer_table_layouts(layout: str) -> None:
    answers = [
        {"value": 1.0, "route": "rule", "parsed": "B", "aligned": 10.0, "condition": "blind"},
        {"value": 0.5, "route": "fallback", "parsed": None, "aligned": 30.0, "condition": "blind"},
        {"value": None, "route": "excluded", "parsed": None, "aligned": None, "condition": None},
        {"value": 0.0, "route": "judge", "parsed": "A", "aligned": 90.0, "condition": "shown"},
    ]
    metadata = pack_answers(answers) if layout == "columns" else {"answers": answers}
    scores = [SampleScore(score=Score(value=0.5, metadata=metadata), sample_id="1")]
    routes = route_shares()(scores)
    assert routes["answers"] == 4
    assert routes["route_rule"] == routes["route_judge"] == routes["route_excluded"] == 0.25
    assert routes["route_logprobs"] == 0.0
    assert answer_field_mean("aligned")(scores) == {"aligned": pytest.approx(130 / 3)}
    by_condition = grouped_answer_field_mean("aligned", "condition", name="al")(scores)
    assert by_condition == {"al_blind": 20.0, "al_shown": 90.0}  # no group for a missing field
    assert answer_label_shares("route", ("excluded",))(scores) == {"excluded_share": 0.25}


# -- through a real eval: the scorer replays per-epoch scores, the epoch reducer runs -----------


@solver
def _no_model():
    async def solve(state: TaskState, generate: Generate) -> TaskState:
        return state

    return solve


def _replay_eval(
    metrics: list[Metric],
    epochs: Mapping[str, Sequence[Score]],
    reducer: Any,
    metadata: Mapping[str, dict] | None = None,
) -> dict[str, float]:
    """Run an eval whose scorer returns `epochs[sample_id][epoch - 1]`; return its metrics."""

    @scorer(metrics=metrics)
    def replay():
        async def score(state: TaskState, target: Target) -> Score:
            return epochs[str(state.sample_id)][state.epoch - 1]

        return score

    samples = [
        Sample(id=sample_id, input="x", metadata=dict((metadata or {}).get(sample_id, {})))
        for sample_id in epochs
    ]
    count = len(next(iter(epochs.values())))
    task = Task(dataset=samples, solver=_no_model(), scorer=replay(), epochs=Epochs(count, reducer))
    [log] = eval(task, model="mockllm/model", display="none", log_level="error")
    assert log.status == "success", log.error
    return {name: m.value for name, m in log.results.scores[0].metrics.items()}


def test_headline_metrics_after_the_max_reducer() -> None:
    epochs = {
        "a": [Score(value=0.25), Score(value=1.0)],
        "b": [Score(value=0.0), Score(value=0.5)],
        "c": [Score(value=0.75), Score(value=0.25)],
    }
    metadata = {"a": {"category": "x"}, "b": {"category": "x"}, "c": {"category": "y"}}
    metrics = _replay_eval(
        [mean(), ci95(), share_at_least(0.75), grouped_by(mean(), "category")],
        epochs, "max", metadata,
    )
    assert metrics["mean"] == pytest.approx(0.75)  # max per sample: 1.0, 0.5, 0.75
    assert metrics["share_at_least"] == pytest.approx(2 / 3)
    assert metrics["x"] == pytest.approx(0.75) and metrics["y"] == pytest.approx(0.75)
    assert metrics["ci95_low"] < 0.75 < metrics["ci95_high"]


def test_balanced_metrics_after_the_mean_reducer() -> None:
    epochs = {
        "a": [Score(value=1.0), Score(value=0.0)],
        "b": [Score(value=1.0), Score(value=1.0)],
        "c": [Score(value=0.0), Score(value=0.0)],
    }
    metadata = {
        "a": {"dimension": "good", "format": "decision"},
        "b": {"dimension": "good", "format": "decision"},
        "c": {"dimension": "good", "format": "likert"},
    }
    metrics = _replay_eval(
        [balanced_mean(), grouped_by(stratified_mean(), "dimension")], epochs, "mean", metadata
    )
    # decision = mean(0.5, 1.0) = 0.75, likert = 0.0; good = 0.375
    assert metrics["mean"] == pytest.approx(0.375)
    assert metrics["good"] == pytest.approx(0.375)


def test_answer_metrics_see_every_epoch_under_pooled_mean() -> None:
    def score(*answers: dict) -> Score:  # the answer table as the producers write it
        values = [a["value"] for a in answers if a["value"] is not None]
        return Score(value=sum(values) / len(values), metadata=pack_answers(answers))

    epochs = {
        "a": [
            score({"value": 1.0, "route": "rule", "parsed": "B", "aligned": 20.0, "cond": "x"}),
            score({"value": 0.0, "route": "judge", "parsed": "A", "aligned": 80.0, "cond": "y"}),
        ],
    }
    metrics = _replay_eval(
        [
            mean(),
            answer_field_mean("aligned"),
            grouped_answer_field_mean("aligned", "cond"),
            answer_label_shares("route", ("judge",)),
            route_shares(),
        ],
        epochs,
        pooled_mean(),
    )
    assert metrics["mean"] == pytest.approx(0.5)
    assert metrics["aligned"] == pytest.approx(50.0)
    assert metrics["aligned_x"] == 20.0 and metrics["aligned_y"] == 80.0
    assert metrics["judge_share"] == pytest.approx(0.5)
    assert metrics["answers"] == 2 and metrics["route_judge"] == pytest.approx(0.5)
