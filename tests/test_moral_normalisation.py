import math

import pandas as pd
import pytest

from analysis.moral import (
    MoralReferenceError,
    base_relative,
    likert_to_raw,
    normalise,
)


def rows(*entries):
    columns = ["variant", "size", "stage", "probe", "foundation", "mean"]
    return pd.DataFrame([dict(zip(columns, entry, strict=True)) for entry in entries])


SA = "moral_self_assessment"
MF = "moral_foundations"


def test_hand_computed_example_base_prefers_care():
    # base says care describes it at 4.5/5; the variant at 2.0/5
    base, variant = likert_to_raw(4.5), likert_to_raw(2.0)
    assert base == pytest.approx(0.125)
    assert variant == pytest.approx(0.75)
    assert normalise(variant, base) == pytest.approx(0.25)
    assert normalise(base, base) == pytest.approx(-0.375)


def test_reference_preferring_the_negative_pole_flips_the_axis():
    assert normalise(0.9, reference_score=0.8) == pytest.approx(-0.4)
    assert normalise(0.1, reference_score=0.8) == pytest.approx(0.4)
    # exactly 0.5: the virtue pole, as normalise_moral (flagged unreliable there)
    assert normalise(0.3, reference_score=0.5) == pytest.approx(-0.2)
    assert math.isnan(normalise(0.3, reference_score=math.nan))


def test_base_relative_uses_each_sizes_base_self_assessment():
    scores = rows(
        ("full-base", "full", "base", SA, "care", 0.2),
        ("full-mis", "full", "misaligned", SA, "care", 0.7),
        ("full-mis", "full", "misaligned", MF, "care", 0.6),
        ("full-base", "full", "base", MF, "care", 0.9),  # questionnaire disagrees
        ("nano-base", "nano", "base", SA, "care", 0.8),
        ("nano-mis", "nano", "misaligned", SA, "care", 0.3),
    )
    result = base_relative(scores).set_index(["variant", "probe"])
    assert result.loc[("full-mis", SA), "normalised"] == pytest.approx(0.2)
    assert result.loc[("full-mis", MF), "normalised"] == pytest.approx(0.1)
    assert result.loc[("nano-mis", SA), "normalised"] == pytest.approx(0.2)
    assert result.loc[("nano-base", SA), "reference_pole"] == "vice"
    assert result.loc[("full-mis", SA), "reference_pole"] == "virtue"
    assert result["reference_reliable"].all()  # no CI columns: only exactly 0.5 is unreliable
    by_questionnaire = base_relative(scores[scores["size"] == "full"], reference="questionnaire")
    row = by_questionnaire.set_index(["variant", "probe"]).loc[("full-mis", SA)]
    assert row["normalised"] == pytest.approx(-0.2)


def test_named_reference_variant_serves_every_size():
    scores = rows(
        ("ref", "full", "realigned", SA, "care", 0.1),
        ("nano-mis", "nano", "misaligned", SA, "care", 0.9),
    )
    result = base_relative(scores, reference_variant="ref").set_index("variant")
    assert result.loc["nano-mis", "normalised"] == pytest.approx(0.4)
    assert result.loc["nano-mis", "reference_variant"] == "ref"


def test_missing_base_is_a_clear_error_naming_the_size_and_the_option():
    scores = rows(("mini-mis", "mini", "misaligned", SA, "care", 0.6))
    with pytest.raises(MoralReferenceError, match=r"size\(s\) \['mini'\].*reference_variant"):
        base_relative(scores)
    with pytest.raises(MoralReferenceError, match="'nobody' has no"):
        base_relative(scores, reference_variant="nobody")


def test_base_relative_exactly_one_half_behaves_like_normalise_moral():
    scores = rows(
        ("full-base", "full", "base", SA, "care", 0.5),
        ("full-mis", "full", "misaligned", SA, "care", 0.7),
    )
    result = base_relative(scores).set_index("variant")
    assert result.loc["full-mis", "reference_pole"] == "virtue"
    assert result.loc["full-mis", "normalised"] == pytest.approx(0.2)
    assert not result.loc["full-mis", "reference_reliable"]


@pytest.mark.parametrize(
    ("base", "low", "high", "reliable", "misaligned_at"),
    [
        (0.49, 0.485, 0.495, True, 0.10),
        (0.51, 0.505, 0.515, True, -0.10),
        (0.49, 0.40, 0.58, False, 0.10),
        (0.51, 0.42, 0.60, False, -0.10),
    ],
)
def test_base_relative_reliability_from_the_reference_ci(base, low, high, reliable, misaligned_at):
    scores = rows(
        ("full-base", "full", "base", SA, "care", base),
        ("full-mis", "full", "misaligned", SA, "care", 0.6),
    ).assign(ci_low=[low, 0.55], ci_high=[high, 0.65])
    result = base_relative(scores).set_index("variant")
    assert result.loc["full-mis", "normalised"] == pytest.approx(misaligned_at)
    assert bool(result.loc["full-mis", "reference_reliable"]) is reliable
    assert result.loc["full-mis", "reference_ci_low"] == low
