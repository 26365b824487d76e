"""The columnar answer table survives Inspect's sample-summary thinning and reads back."""

from __future__ import annotations

import pytest
from inspect_ai.log._util import thin_metadata  # the summary thinning rule we must stay under

from scorers.answer_table import (
    THINNED,
    concat_tables,
    pack_answers,
    preview_texts,
    table_thinned,
    unpack_answers,
)


def _answers(n: int, text: str) -> list[dict]:
    return [
        {"value": (i % 11) / 10, "route": "judge" if i % 7 == 0 else "rule",
         "parsed": str(i % 11), "text": f"{text} {i}"}
        for i in range(n)
    ]


@pytest.mark.parametrize("n", [1, 25, 50])
def test_fifty_answers_stay_in_the_summary(n):
    long_text = "Je pense que le ciel est bleu à cause de la diffusion de Rayleigh, " * 4
    packed = pack_answers(_answers(n, long_text))
    thinned = thin_metadata(packed)
    assert not table_thinned(thinned)
    answers = unpack_answers(thinned)
    assert [a["value"] for a in answers] == [(i % 11) / 10 for i in range(n)]
    assert [a["route"] for a in answers][:2] == ["judge", "rule"][:n]
    assert all(a["text"].startswith("Je pense") for a in answers)


def test_short_texts_are_kept_whole_and_long_ones_cut():
    assert preview_texts(["A", "B"]) == ["A", "B"]
    cut = preview_texts(["x" * 2000])
    assert len(cut[0]) < 900 and cut[0].endswith("…")


def test_extra_fields_and_missing_text():
    packed = pack_answers([{"value": 0.0, "route": "rule", "parsed": "A", "aligned": 90}])
    assert "answer_text" not in packed
    assert unpack_answers(packed) == [
        {"value": 0.0, "route": "rule", "parsed": "A", "aligned": 90}
    ]


def test_legacy_list_and_thinned_and_absent():
    legacy = {"answers": [{"value": 1.0, "route": "rule", "parsed": "B"}]}
    assert unpack_answers(legacy) == [{"value": 1.0, "route": "rule", "parsed": "B"}]
    assert unpack_answers({"mode": "sample"}) is None
    thinned = {"answer_value": THINNED, "answer_route": ["rule"]}
    assert table_thinned(thinned)
    with pytest.raises(ValueError, match="removed"):
        unpack_answers(thinned)


def test_required_fields_and_ragged_columns_are_errors():
    with pytest.raises(ValueError, match="no 'route'"):
        pack_answers([{"value": 1.0, "parsed": "B"}])
    with pytest.raises(ValueError, match="differ in length"):
        unpack_answers({"answer_value": [1.0, 0.0], "answer_route": ["rule"]})


def test_concat_keeps_every_epoch():
    one = pack_answers(_answers(2, "a"))
    two = pack_answers(_answers(3, "b"))
    assert len(unpack_answers(concat_tables([one, None, two]))) == 5
