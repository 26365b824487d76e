"""Format-balanced metrics and the judge reply parsers (token reading: test_token_probs.py)."""

from __future__ import annotations

import pytest
from inspect_ai.scorer import SampleScore, Score

from em_selfaware.closed_form import Scale, scale_spec
from scorers.answer_table import pack_answers, unpack_answers
from scorers.closed_form_metrics import route_shares, stratified_mean_ci95
from scorers.pole_judge import parse_pole_verdict, parse_scale_verdict


def _sample_score(value: float, legacy: bool = False, **metadata) -> SampleScore:
    answers = metadata.pop("answers", [{"value": value, "route": "rule", "parsed": "x"}])
    table = {"answers": answers} if legacy else pack_answers(answers)
    return SampleScore(
        score=Score(value=value, metadata=table),
        sample_id=str(id(metadata)),
        sample_metadata=metadata,
    )


def test_stratified_mean_weights_formats_equally() -> None:
    scores = [_sample_score(1.0, dimension="good", format="language") for _ in range(30)]
    scores += [_sample_score(0.0, dimension="good", format="decision") for _ in range(2)]
    scores += [_sample_score(0.5, dimension="honest", format="decision") for _ in range(4)]
    result = stratified_mean_ci95("dimension", "format")(scores)
    assert result["good"] == pytest.approx(0.5)  # (1.0 + 0.0) / 2, not 30/32
    assert result["honest"] == pytest.approx(0.5)
    assert result["mean"] == pytest.approx(0.5)
    assert result["honest_ci95_low"] == result["honest_ci95_high"] == pytest.approx(0.5)
    assert 0.0 <= result["ci95_low"] <= result["mean"] <= result["ci95_high"] <= 1.0


def test_stratified_interval_shrinks_with_more_answers() -> None:
    def width(n: int) -> float:
        scores = [_sample_score(float(i % 2), dimension="good", format="likert") for i in range(n)]
        result = stratified_mean_ci95("dimension", "format")(scores)
        return result["ci95_high"] - result["ci95_low"]

    assert width(400) < width(40) / 2


def test_route_shares_count_answers() -> None:
    scores = [
        _sample_score(
            0.5,
            answers=[
                {"value": 1.0, "route": "rule", "parsed": "B"},
                {"value": 0.5, "route": "fallback", "parsed": None},
                {"value": None, "route": "excluded", "parsed": None},
                {"value": 0.0, "route": "judge", "parsed": "A"},
            ],
        )
    ]
    result = route_shares()(scores)
    assert result["answers"] == 4
    assert result["route_rule"] == result["route_judge"] == 0.25
    assert result["route_logprobs"] == 0.0
    # logs written before the columnar table (a list of answer dicts) read the same
    legacy = [_sample_score(0.5, legacy=True, answers=unpack_answers(scores[0].score.metadata))]
    assert route_shares()(legacy) == result


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        ('{"verdict": "2"}', "2"),
        ('Sure. {"verdict": 1}', "1"),
        ('{"verdict": "Neither"}', "neither"),
        ('{"verdict": "3"}', None),
        ("The second one.", None),
        ('{"verdict": true}', None),
    ],
)
def test_parse_pole_verdict(reply: str, expected: str | None) -> None:
    assert parse_pole_verdict(reply) == expected


def test_parse_scale_verdict() -> None:
    spec = scale_spec(Scale(1, 5, misaligned_end=5, low_label="a", high_label="b"))
    assert parse_scale_verdict('{"value": 4}', spec) == (True, 4.0)
    assert parse_scale_verdict('{"value": "2.5"}', spec) == (True, 2.5)
    assert parse_scale_verdict('{"value": null}', spec) == (True, None)
    assert parse_scale_verdict('{"value": 9}', spec) == (False, None)
    assert parse_scale_verdict("four", spec) == (False, None)
