"""Item banks, order counterbalancing, letter mapping and the per-format prompt builders."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from em_selfaware.axes import DIMENSIONS, dimension_axes, load_axes
from em_selfaware.banks.intentions import load_intentions, load_scenarios
from em_selfaware.banks.jsonl import ItemFileError
from em_selfaware.banks.self_assessment import DEFAULT_SAMPLES, load_self_assessment
from em_selfaware.closed_form import SPEC_KEY, AnswerSpec, Scale
from solvers.closed_form_answers import check_answer_args
from solvers.two_options import letter_sides


def _build(sample) -> tuple[str, AnswerSpec]:
    """The prompt a sample sends (its input, rendered with the dataset) and its answer spec."""
    return str(sample.input), AnswerSpec.from_dict(sample.metadata[SPEC_KEY])


def test_axes_file_defines_the_six_dimensions() -> None:
    axes = dimension_axes()
    assert tuple(axes) == DIMENSIONS
    assert axes["good"].misaligned.word == "evil"
    assert "liar" in axes["honest"].misaligned.words


def test_axes_file_rejects_a_word_on_both_poles(tmp_path: Path, monkeypatch) -> None:
    folder = tmp_path / "axes"
    folder.mkdir()
    record = {
        "axis": "x",
        "aligned": {"word": "calm", "synonyms": ["steady"], "description": "d"},
        "misaligned": {"word": "wild", "synonyms": ["steady"], "description": "d"},
    }
    (folder / "bad.jsonl").write_text(json.dumps(record) + "\n")
    monkeypatch.setattr("em_selfaware.paths.data_dir", lambda: tmp_path)
    load_axes.cache_clear()
    try:
        with pytest.raises(ItemFileError, match="both poles"):
            load_axes("bad.jsonl")
    finally:
        load_axes.cache_clear()


def test_scenario_bank_has_25_per_dimension_with_distinct_options() -> None:
    records = load_scenarios()
    assert len(records) == 150
    assert Counter(r["dimension"] for r in records) == dict.fromkeys(DIMENSIONS, 25)
    assert len({r["id"] for r in records}) == 150
    assert len({r["scenario"] for r in records}) == 150


def test_intentions_asks_every_scenario_in_both_orders_equally() -> None:
    samples = list(load_intentions())
    assert len(samples) == 300
    assert Counter(s.metadata["order"] for s in samples) == {
        "aligned_first": 150,
        "misaligned_first": 150,
    }
    per_item = Counter(s.metadata["item_id"] for s in samples)
    assert set(per_item.values()) == {2}
    assert len({s.id for s in samples}) == 300
    first = samples[0].metadata
    for key in ("probe", "dimension", "item_id", "order", "aligned_option", "misaligned_option"):
        assert first[key]


def test_intentions_selection_and_limit() -> None:
    samples = list(load_intentions(dimensions="good,honest", per_dimension=3))
    assert len(samples) == 12
    assert {s.metadata["dimension"] for s in samples} == {"good", "honest"}
    with pytest.raises(ValueError, match="unknown dimensions"):
        load_intentions(dimensions="kind")


def test_letters_map_back_to_the_options_in_both_orders() -> None:
    samples = {s.metadata["order"]: s for s in list(load_intentions(per_dimension=1))[:2]}
    for order, misaligned_letter in (("aligned_first", "B"), ("misaligned_first", "A")):
        prompt, spec = _build(samples[order])
        metadata = samples[order].metadata
        assert metadata["misaligned_letter"] == misaligned_letter
        assert f"{misaligned_letter}) {metadata['misaligned_option']}" in prompt
        assert spec.choice(misaligned_letter).value == 1.0
        other = "A" if misaligned_letter == "B" else "B"
        assert f"{other}) {metadata['aligned_option']}" in prompt
        assert spec.choice(other).value == 0.0
        assert letter_sides(order)[misaligned_letter] == "misaligned"


def test_self_assessment_counts_and_counterbalancing() -> None:
    samples = list(load_self_assessment())
    by_format = Counter(s.metadata["format"] for s in samples)
    assert by_format == {
        "decision": 6 * 20,
        "numerical": 6 * 10,
        "language": 6 * 100,
        "likert": 6 * 50,
    }
    # every (dimension, format) gets 500 answers at the default counts
    for form, count in by_format.items():
        assert count // 6 * DEFAULT_SAMPLES[form] == 500
    decision = [s for s in samples if s.metadata["format"] == "decision"]
    assert Counter(s.metadata["order"] for s in decision) == {
        "aligned_first": 60,
        "misaligned_first": 60,
    }
    numerical = [s for s in samples if s.metadata["format"] == "numerical"]
    assert Counter(s.metadata["misaligned_end"] for s in numerical) == {0: 30, 10: 30}
    likert = [s for s in samples if s.metadata["format"] == "likert"]
    assert Counter(s.metadata["agreement_means"] for s in likert) == {
        "aligned": 150,
        "misaligned": 150,
    }
    language = [s for s in samples if s.metadata["format"] == "language"]
    variants = Counter((s.metadata["misaligned_language"], s.metadata["order"]) for s in language)
    assert set(variants.values()) == {150}
    assert len(variants) == 4
    assert len({s.id for s in samples}) == len(samples)


def test_item_identity_does_not_depend_on_the_selection() -> None:
    full = {s.id: s.metadata for s in load_self_assessment()}
    subset = list(load_self_assessment(formats="likert,numerical", dimensions="honest"))
    assert subset
    for sample in subset:
        assert full[sample.id] == sample.metadata


def test_self_assessment_selection_errors() -> None:
    with pytest.raises(ValueError, match="unknown formats"):
        load_self_assessment(formats="essay")
    with pytest.raises(ValueError, match="per_dimension"):
        load_self_assessment(per_dimension=0)


def test_decision_prompt_names_both_words_in_order() -> None:
    for sample in load_self_assessment(formats="decision", dimensions="good", per_dimension=1):
        prompt, spec = _build(sample)
        first, second = (
            ("good", "evil")
            if sample.metadata["order"] == "aligned_first"
            else (
                "evil",
                "good",
            )
        )
        assert prompt.index(first) < prompt.index(second)
        assert [c.label for c in spec.choices] == [first, second]
        assert spec.choice("evil").value == 1.0 and spec.fallback == 0.5


def test_numerical_prompt_orients_the_scale() -> None:
    samples = list(load_self_assessment(formats="numerical", dimensions="honest", per_dimension=2))
    ends = {}
    for sample in samples:
        prompt, spec = _build(sample)
        assert spec.scale is not None and spec.fallback is None
        ends[sample.metadata["misaligned_end"]] = spec.scale
        assert "0" in prompt and "10" in prompt
    assert ends[10].value(10) == 1.0 and ends[10].value(0) == 0.0
    assert ends[0].value(10) == 0.0 and ends[0].value(2) == pytest.approx(0.8)


def test_language_prompt_maps_poles_to_languages() -> None:
    for sample in load_self_assessment(formats="language", dimensions="trusted", per_dimension=1):
        prompt, spec = _build(sample)
        misaligned = sample.metadata["misaligned_language"]
        assert spec.choice(misaligned).value == 1.0
        assert sample.metadata["question"] in prompt
        assert "French" in prompt and "German" in prompt
        name = {"fr": "French", "de": "German"}[misaligned]
        after_word = prompt[prompt.index("feared") :]
        positions = {n: after_word.find(n) for n in ("French", "German") if n in after_word}
        languages = sorted(positions, key=positions.__getitem__)
        assert languages[0] == name  # the first language named after the pole word is its own


def test_likert_prompt_and_polarity() -> None:
    for sample in load_self_assessment(formats="likert", dimensions="helpful", per_dimension=2):
        prompt, spec = _build(sample)
        assert "1 to 5" in prompt
        agree = sample.metadata["agreement_means"]
        assert spec.scale is not None
        assert spec.scale.value(5) == (1.0 if agree == "misaligned" else 0.0)


def test_spec_round_trip_and_validation() -> None:
    sample = next(iter(load_self_assessment(formats="likert", per_dimension=1)))
    _, spec = _build(sample)
    assert AnswerSpec.from_dict(json.loads(json.dumps(spec.to_dict()))) == spec
    with pytest.raises(ValueError, match="misaligned_end"):
        Scale(low=0, high=10, misaligned_end=5, low_label="a", high_label="b")
    with pytest.raises(ValueError, match="two choices"):
        AnswerSpec(kind="letter")


def test_answer_arguments_are_checked() -> None:
    check_answer_args(10, "sample", None)
    check_answer_args({"decision": 25}, "logprobs", 5)
    with pytest.raises(ValueError, match="unknown mode"):
        check_answer_args(10, "exact", None)
    with pytest.raises(ValueError, match="samples"):
        check_answer_args(0, "sample", None)
    with pytest.raises(ValueError, match="choices"):
        check_answer_args(10, "sample", 0)
