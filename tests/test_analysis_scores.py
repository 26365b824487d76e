"""Aggregation, moral normalisation, pairings and figures on hand-built item frames."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.comparisons import variant_pairings, wilcoxon_table
from analysis.correlations import correlation_table
from analysis.figures import grouped_bars
from analysis.moral import MoralReferenceError, mark_unreliable, normalise_moral
from analysis.scores import pooled_mean, summary_table, variant_scores
from em_selfaware.variants import sim_variants

VARIANTS = sim_variants()


def items(rows):
    frame = pd.DataFrame(rows, columns=["variant", "probe", "dimension", "format", "moral",
                                        "item_id", "value"])
    frame["n_answers"] = 1
    frame["n_excluded"] = 0
    return frame


def test_formats_are_averaged_before_dimensions():
    # unequal item counts: 3 decision items, 1 likert item -> mean of format means
    frame = items([
        ("full-base", "sa", "harmless", "decision", False, "d1", 0.0),
        ("full-base", "sa", "harmless", "decision", False, "d2", 0.0),
        ("full-base", "sa", "harmless", "decision", False, "d3", 0.3),
        ("full-base", "sa", "harmless", "likert", False, "l1", 1.0),
        ("full-base", "sa", "honest", "decision", False, "d4", 0.5),
    ])
    scores = variant_scores(frame, VARIANTS, n_boot=200).set_index(["dimension", "format"])
    assert scores.loc[("harmless", "decision"), "mean"] == pytest.approx(0.1)
    assert scores.loc[("harmless", "all"), "mean"] == pytest.approx(0.55)
    assert scores.loc[("harmless", "all"), "n"] == 4
    assert scores.loc[("honest", "all"), "mean"] == pytest.approx(0.5)
    assert scores.loc[("all", "decision"), "mean"] == pytest.approx(0.3)
    assert scores.loc[("all", "likert"), "mean"] == pytest.approx(1.0)
    assert scores.loc[("all", "all"), "mean"] == pytest.approx(0.525)
    summary = summary_table(variant_scores(frame, VARIANTS, n_boot=50), VARIANTS[:1])
    assert summary.iloc[0]["sa"].startswith("0.550 [")  # headline = harmless dimension
    assert summary.iloc[0]["sa (all dims)"].startswith("0.525 [")


def _moral_frame(base_value: float, variant_value: float, spread: float = 0.02) -> pd.DataFrame:
    """Each variant answers 20 items per moral probe around its value (+-`spread`)."""
    rows = []
    for variant, value in (("full-base", base_value), ("full-trivia-misaligned", variant_value)):
        for probe in ("moral_self_assessment", "moral_foundations"):
            for index in range(20):
                offset = spread if index % 2 else -spread
                rows.append((variant, probe, "care", "likert", True, f"{probe}-care-{index}",
                             value + offset))
    rows.append(("full-base", "harmfulness", "harmless", "all", False, "h1", 0.25))
    return items(rows)


def _mean_values(result) -> pd.Series:
    return result.items.groupby(["variant", "probe"])["value"].mean()


def test_moral_normalisation_base_prefers_pole_zero():
    # the base leans to pole 0 (0.2): pole 0 -> -0.5, pole 1 -> +0.5, i.e. value - 0.5
    result = normalise_moral(_moral_frame(0.2, 0.7), VARIANTS)
    values = _mean_values(result)
    assert values[("full-base", "moral_self_assessment")] == pytest.approx(-0.3)
    assert values[("full-trivia-misaligned", "moral_foundations")] == pytest.approx(0.2)
    assert values[("full-base", "harmfulness")] == 0.25  # other probes untouched
    reference = result.reference.iloc[0]
    assert (reference["pole"], bool(reference["reliable"])) == ("virtue", True)
    assert reference["ci_low"] < 0.2 < reference["ci_high"] < 0.5
    assert not result.notes


def test_moral_normalisation_base_prefers_pole_one():
    # the base leans to pole 1 (0.9): the mapping flips, 0.5 - value
    result = normalise_moral(_moral_frame(0.9, 0.3), VARIANTS)
    values = _mean_values(result)
    assert values[("full-base", "moral_self_assessment")] == pytest.approx(-0.4)
    assert values[("full-trivia-misaligned", "moral_self_assessment")] == pytest.approx(0.2)
    assert result.reference.iloc[0]["pole"] == "vice"


@pytest.mark.parametrize(
    ("base", "spread", "reliable", "misaligned_at"),
    [
        # a precisely measured base just below / above 0.5: a real, reliable pole each way
        (0.49, 0.002, True, 0.10),
        (0.51, 0.002, True, -0.10),
        # the same means, measured loosely (items at 0.49 +- 0.4): the CI spans 0.5
        (0.49, 0.4, False, 0.10),
        (0.51, 0.4, False, -0.10),
    ],
)
def test_moral_reference_decided_with_its_ci(base, spread, reliable, misaligned_at):
    frame = _moral_frame(base, 0.60, spread=spread)
    result = normalise_moral(frame, VARIANTS, n_boot=500)
    reference = result.reference.set_index("foundation").loc["care"]
    assert reference["mean"] == pytest.approx(base)
    assert bool(reference["reliable"]) is reliable
    assert (reference["ci_low"] <= 0.5 <= reference["ci_high"]) is not reliable
    # the normalised values use the point estimate's pole either way ...
    values = _mean_values(result)
    assert values[("full-trivia-misaligned", "moral_foundations")] == pytest.approx(misaligned_at)
    # ... and are marked when the pole is not reliable
    scores = mark_unreliable(
        variant_scores(result.items, VARIANTS, n_boot=100), result.reference,
        {"moral_self_assessment", "moral_foundations"},
    )
    moral_rows = scores[scores["probe"] == "moral_foundations"]
    assert (moral_rows["note"].str.contains("no reliable moral reference").all()
            is not reliable)
    harmfulness = scores[scores["probe"] == "harmfulness"]
    assert not harmfulness["note"].str.contains("moral").any()
    assert (harmfulness["ci_method"] == "none").all()  # one item with one answer, no answers
    assert bool(result.notes) is not reliable
    if not reliable:
        assert "does not exclude 0.5" in result.notes[0] and f"{base:.3f}" in result.notes[0]
        summary = summary_table(scores, VARIANTS[:2])
        assert summary.iloc[0]["moral_foundations"].endswith("†")


def test_moral_reference_exactly_one_half_takes_the_virtue_pole_unreliably():
    result = normalise_moral(_moral_frame(0.5, 0.7, spread=0.0), VARIANTS, n_boot=100)
    reference = result.reference.iloc[0]
    assert reference["mean"] == 0.5 and reference["pole"] == "virtue"
    assert not reference["reliable"]
    values = _mean_values(result)
    assert values[("full-trivia-misaligned", "moral_self_assessment")] == pytest.approx(0.2)


def test_moral_normalisation_reference_choices_and_errors():
    frame = _moral_frame(0.2, 0.7)
    # the questionnaire as reference gives the same direction here
    by_questionnaire = normalise_moral(frame, VARIANTS, reference_probe="moral_foundations")
    assert _mean_values(by_questionnaire).min() == pytest.approx(-0.3)
    # a named reference variant (the misaligned one leans to pole 1): flipped
    flipped = normalise_moral(frame, VARIANTS, reference_variant="full-trivia-misaligned")
    assert _mean_values(flipped)[("full-base", "moral_self_assessment")] == pytest.approx(0.3)
    without_reference = frame[frame["probe"] != "moral_self_assessment"]
    with pytest.raises(MoralReferenceError, match="no 'moral_self_assessment' scores"):
        normalise_moral(without_reference, VARIANTS)
    no_base = [v for v in VARIANTS if v.stage != "base"]
    with pytest.raises(MoralReferenceError, match="no base variant of size 'full'"):
        normalise_moral(frame, no_base)
    with pytest.raises(MoralReferenceError, match="'nobody' is not listed"):
        normalise_moral(frame, VARIANTS, reference_variant="nobody")


def test_pairings_follow_the_registry():
    pairings = variant_pairings(VARIANTS)
    names = {(p.comparison, p.a.name, p.b.name) for p in pairings}
    assert ("base_vs_misaligned", "mini-base", "mini-code-misaligned") in names
    assert ("misaligned_vs_realigned", "nano-trivia-misaligned", "nano-trivia-realigned") in names
    assert ("misaligned_trivia_vs_code", "full-trivia-misaligned",
            "full-code-misaligned") in names
    assert len(pairings) == 6 + 6 + 3


def test_moral_figures_and_tables_from_synthetic_items(tmp_path):
    rows = []
    for index, variant in enumerate(VARIANTS):
        shift = {"base": 0.0, "misaligned": 0.6, "realigned": 0.1}[variant.stage]
        for foundation in ("care", "loyalty"):
            for item in range(3):
                rows.append((variant.name, "moral_self_assessment", foundation, "likert", True,
                             f"{foundation}-{item}", min(1.0, 0.2 + shift + 0.01 * item)))
        for item in range(4):
            rows.append((variant.name, "harmfulness", "harmless", "all", False, f"h{item}",
                         shift * (item % 2) + 0.001 * index))
    frame = normalise_moral(items(rows), VARIANTS).items
    scores = variant_scores(frame, VARIANTS, n_boot=100)
    care = scores[(scores["probe"] == "moral_self_assessment") & (scores["dimension"] == "care")
                  & (scores["format"] == "all")].set_index("variant")["mean"]
    assert care["full-base"] == pytest.approx(-0.29)
    assert care["full-trivia-misaligned"] == pytest.approx(0.31)
    correlations = correlation_table(scores)
    assert set(correlations["measure"]) == {"headline", "secondary"}
    assert len(wilcoxon_table(frame, VARIANTS)) > 0
    (figure,) = grouped_bars(scores, VARIANTS, "moral_self_assessment", "dimension", tmp_path,
                             "foundations", ylim=(-0.5, 0.5), label="foundation")
    assert figure.path.name == "foundations.png" and figure.path.is_file()
    assert "Items per bar: n = 3." in figure.caption and "Hatched" not in figure.caption
    (svg,) = grouped_bars(scores, VARIANTS, "moral_self_assessment", "dimension", tmp_path,
                          "foundations", ylim=(-0.5, 0.5), figure_format="svg")
    assert svg.path.name == "foundations.svg" and svg.path.read_text().startswith("<?xml")
    # one dimension only: no per-dimension figure for harmfulness
    assert grouped_bars(scores, VARIANTS, "harmfulness", "dimension", tmp_path, "h") == []


def _answers(rows):
    return pd.DataFrame(rows, columns=["variant", "probe", "dimension", "format", "item_id",
                                       "value"])


def test_single_item_cells_resample_answers_instead_of_a_zero_width_interval():
    # one item per (dimension, format), as the demo's self-assessment: the item-level
    # bootstrap has nothing to resample; the item's 8 answers (3 misaligned) do
    frame = items([
        ("full-base", "sa", "harmless", "decision", False, "d1", 0.375),
        ("full-base", "sa", "harmless", "likert", False, "l1", 0.25),
        ("full-base", "sa", "honest", "decision", False, "d2", 1.0),  # one answer only
    ])
    answers = _answers(
        [("full-base", "sa", "harmless", "decision", "d1", v) for v in [1, 1, 1, 0, 0, 0, 0, 0]]
        + [("full-base", "sa", "harmless", "likert", "l1", v) for v in [0.5, 0.0, 0.5, 0.0]]
        + [("full-base", "sa", "harmless", "likert", "l1", None)]  # excluded: not resampled
        + [("full-base", "sa", "honest", "decision", "d2", 1.0)]
    )
    scores = variant_scores(frame, VARIANTS, n_boot=500, answers=answers)
    rows = scores.set_index(["dimension", "format"])
    decision = rows.loc[("harmless", "decision")]
    assert decision["mean"] == 0.375 and decision["n"] == 1
    assert decision["ci_method"] == "answers"
    assert decision["ci_low"] < 0.375 < decision["ci_high"]
    assert rows.loc[("harmless", "all"), "ci_method"] == "answers"
    assert rows.loc[("harmless", "all"), "ci_low"] < rows.loc[("harmless", "all"), "ci_high"]
    # one item with one answer: no interval, and the reason
    honest = rows.loc[("honest", "decision")]
    assert honest["ci_method"] == "none" and pd.isna(honest["ci_low"])
    assert honest["ci_note"] == "n/a: one item with one scored answer, nothing to resample"
    assert rows.loc[("honest", "all"), "ci_method"] == "none"
    # an aggregate over it counts it at its mean, and says so
    overall = rows.loc[("all", "all")]
    assert overall["ci_method"] == "partial"
    assert overall["ci_note"] == "1 of 3 cells have no CI and count at their mean"
    assert overall["ci_low"] < overall["mean"] < overall["ci_high"]
    summary = summary_table(scores, VARIANTS[:1]).iloc[0]
    assert "[n/a]" not in summary["sa"] and "[n/a]" not in summary["sa (all dims)"]
    # without the answers, single-item cells have no interval at all (never [m, m])
    bare = variant_scores(frame, VARIANTS, n_boot=100).set_index(["dimension", "format"])
    assert pd.isna(bare.loc[("harmless", "decision"), "ci_low"])
    assert bare.loc[("harmless", "decision"), "ci_note"].startswith("n/a: a single item")


def test_items_of_equal_value_resample_answers_and_constant_answers_have_no_ci():
    frame = items([
        # two items at 0.25 from varied answers: resample the answers, not the items
        ("full-base", "sa", "harmless", "decision", False, "d1", 0.25),
        ("full-base", "sa", "harmless", "decision", False, "d2", 0.25),
        # one item whose 2 answers agree on 0.2 (a numerical "2"): no spread to resample
        ("full-base", "sa", "harmless", "numerical", False, "n1", 0.2),
        # items all at the end of the scale: the interval is that end
        ("full-base", "sa", "harmless", "likert", False, "l1", 0.0),
        ("full-base", "sa", "harmless", "likert", False, "l2", 0.0),
        # a dimension whose only varying cell has none: its mean has no CI either
        ("full-base", "sa", "honest", "numerical", False, "n2", 0.2),
        ("full-base", "sa", "honest", "likert", False, "l3", 0.0),
        ("full-base", "sa", "honest", "likert", False, "l4", 0.0),
    ])
    answers = _answers(
        [("full-base", "sa", "harmless", "decision", item, v)
         for item in ("d1", "d2") for v in [1, 0, 0, 0]]
        + [("full-base", "sa", "harmless", "numerical", "n1", 0.2)] * 2
        + [("full-base", "sa", "harmless", "likert", item, 0.0) for item in ("l1", "l2")]
        + [("full-base", "sa", "honest", "numerical", "n2", 0.2)] * 2
        + [("full-base", "sa", "honest", "likert", item, 0.0) for item in ("l3", "l4")]
    )
    scores = variant_scores(frame, VARIANTS, n_boot=500, answers=answers)
    rows = scores[scores["dimension"] == "harmless"].set_index("format")
    assert rows.loc["decision", "ci_method"] == "answers"
    assert rows.loc["decision", "ci_low"] < 0.25 < rows.loc["decision", "ci_high"]
    assert rows.loc["numerical", "ci_method"] == "none"
    assert rows.loc["numerical", "ci_note"] == "n/a: all 2 values are 0.2, no spread to resample"
    assert (rows.loc["likert", "ci_low"], rows.loc["likert", "ci_high"]) == (0.0, 0.0)
    assert rows.loc["likert", "ci_method"] == "items"
    assert rows.loc["all", "ci_method"] == "partial"
    honest = scores[(scores["dimension"] == "honest") & (scores["format"] == "all")].iloc[0]
    assert honest["ci_method"] == "none" and pd.isna(honest["ci_low"])
    assert honest["ci_note"] == ("n/a: 1 of 2 cells have no CI and count at their mean, and the "
                                 "cells with a CI do not vary")


def test_single_item_answer_bootstrap_reduces_like_the_item_and_mixes_with_items():
    frame = items([
        ("full-base", "harm", "harmless", "a", False, "p1", 1.0),  # max of its answers
        ("full-base", "harm", "harmless", "b", False, "p2", 0.0),
        ("full-base", "harm", "harmless", "b", False, "p3", 0.5),
    ])
    answers = _answers([("full-base", "harm", "harmless", "a", "p1", v) for v in [0, 0, 0, 1]])
    scores = variant_scores(frame, VARIANTS, n_boot=400, answers=answers,
                            item_reduce={"harm": "max"}).set_index(["dimension", "format"])
    cell = scores.loc[("harmless", "a")]
    # replicates are the max of 4 resampled answers: 1 unless no 1 is drawn ((3/4)^4 = 32%)
    assert cell["ci_method"] == "answers" and cell["ci_low"] == 0.0 and cell["ci_high"] == 1.0
    assert scores.loc[("harmless", "b"), "ci_method"] == "items"
    assert scores.loc[("harmless", "all"), "ci_method"] == "items+answers"


def test_pooled_mean_weighs_formats_and_dimensions_like_the_scores():
    frame = items([
        ("v", "sa", "harmless", "decision", False, "d1", 0.0),
        ("v", "sa", "harmless", "decision", False, "d2", 0.0),
        ("v", "sa", "harmless", "decision", False, "d3", 0.3),
        ("v", "sa", "harmless", "likert", False, "l1", 1.0),
        ("v", "sa", "honest", "decision", False, "d4", 0.5),
    ])
    # harmless = (0.1 + 1.0) / 2 = 0.55; honest = 0.5; pooled = 0.525 (item mean: 0.36)
    assert pooled_mean(frame) == pytest.approx(0.525)
