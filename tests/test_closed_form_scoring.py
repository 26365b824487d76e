"""The judge reply parsers (metrics: test_metrics.py; token reading: test_token_probs.py)."""

from __future__ import annotations

import pytest

from em_selfaware.closed_form import Scale, scale_spec
from scorers.pole_judge import parse_pole_verdict, parse_scale_verdict


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
