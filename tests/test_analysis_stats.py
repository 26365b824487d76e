"""Statistics against hand-computed values and scipy."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from analysis.stats import (
    average_ranks,
    bootstrap_ci,
    bootstrap_means,
    holm,
    percentile_interval,
    spearman,
    spearman_ci,
    wilcoxon_signed_rank,
)


def test_wilcoxon_hand_computed_no_ties():
    # differences 1..6 with signs + + - + + +: W- = rank 3 = 3, W+ = 18
    a = [0, 0, 3, 0, 0, 0]
    b = [1, 2, 0, 4, 5, 6]
    result = wilcoxon_signed_rank(a, b)
    assert (result.w_plus, result.w_minus, result.statistic) == (18, 3, 3)
    assert result.rank_biserial == pytest.approx((18 - 3) / 21)
    # exact null: 64 sign patterns; W+ <= 3 in 5 of them ({}, {1}, {2}, {3}, {1,2})
    assert result.method == "exact"
    assert result.p_value == pytest.approx(2 * 5 / 64)
    assert result.p_value == pytest.approx(stats.wilcoxon(a, b).pvalue)


def test_wilcoxon_ties_and_zero_differences_hand_computed():
    # 20 pairs: 6 zeros dropped; |d| = 1 x 10 (8 up, 2 down), |d| = 2 x 4 (all up)
    d = [0] * 6 + [1] * 8 + [-1] * 2 + [2] * 4
    a = [0.0] * len(d)
    result = wilcoxon_signed_rank(a, d)
    assert result.n_pairs == 20 and result.n_nonzero == 14
    # ranks: the ten 1s share 5.5; the four 2s share 12.5
    assert result.w_plus == pytest.approx(8 * 5.5 + 4 * 12.5)
    assert result.w_minus == pytest.approx(2 * 5.5)
    assert result.statistic == pytest.approx(11.0)
    assert result.rank_biserial == pytest.approx((94 - 11) / 105)
    # normal approximation with the tie correction
    variance = (14 * 15 * 29 - ((10**3 - 10) + (4**3 - 4)) / 2) / 24
    z = (94 - 14 * 15 / 4) / math.sqrt(variance)
    assert result.method == "normal"
    assert result.p_value == pytest.approx(2 * stats.norm.sf(z))
    assert result.p_value == pytest.approx(stats.wilcoxon(a, d).pvalue)


def test_wilcoxon_all_zero_differences_has_no_p_value():
    result = wilcoxon_signed_rank([1, 0, 1], [1, 0, 1])
    assert result.n_nonzero == 0 and math.isnan(result.p_value)
    assert math.isnan(result.rank_biserial) and result.method == "none"


def test_wilcoxon_rejects_unpaired_or_missing():
    with pytest.raises(ValueError, match="differ in length"):
        wilcoxon_signed_rank([1, 2], [1])
    with pytest.raises(ValueError, match="NaN"):
        wilcoxon_signed_rank([1, 2], [1, math.nan])


def test_wilcoxon_matches_scipy_on_many_cases():
    rng = np.random.default_rng(7)
    methods = set()
    for trial in range(60):
        # scipy enumerates 2^n sign flips slowly: keep the permutation cases small
        n = int(rng.integers(3, 10)) if trial % 2 else int(rng.integers(14, 90))
        if trial % 3 == 0:  # scores on a 0/0.5/1 grid: many ties and zeros
            a, b = rng.integers(0, 3, n) / 2, rng.integers(0, 3, n) / 2
        elif trial % 3 == 1:  # continuous: exact test for small n
            a = rng.normal(size=n)
            b = a + rng.normal(0.3, 1, n)
        else:  # quarter steps, shifted upwards
            a = rng.integers(0, 5, n) / 4
            b = np.clip(a + rng.integers(-1, 3, n) / 4, 0, 1)
        ours = wilcoxon_signed_rank(a, b)
        if ours.n_nonzero == 0:
            continue
        reference = stats.wilcoxon(a, b)
        assert ours.statistic == pytest.approx(reference.statistic)
        assert ours.p_value == pytest.approx(reference.pvalue, rel=1e-9, abs=1e-12)
        methods.add(ours.method)
    assert methods == {"exact", "permutation", "normal"}


def test_holm_hand_computed():
    adjusted = holm([0.01, 0.04, 0.03, math.nan, 0.5])
    # m = 4 tests: 0.01*4 = 0.04; 0.03*3 = 0.09; 0.04*2 = 0.08 -> monotone 0.09; 0.5*1
    assert adjusted[0] == pytest.approx(0.04)
    assert adjusted[2] == pytest.approx(0.09)
    assert adjusted[1] == pytest.approx(0.09)
    assert math.isnan(adjusted[3])
    assert adjusted[4] == pytest.approx(0.5)
    assert holm([0.6, 0.7])[0] == 1.0


def _scipy_exact_spearman_p(x, y) -> float:
    """scipy's permutation test over every pairing (two-sided: twice the smaller tail)."""
    return stats.permutation_test(
        (np.asarray(x, dtype=float),), lambda a: stats.spearmanr(a, y).statistic,
        permutation_type="pairings", n_resamples=np.inf,
    ).pvalue


def test_average_ranks_match_scipy_on_vectors_and_rows():
    rng = np.random.default_rng(3)
    for _ in range(50):
        data = rng.integers(0, 4, size=(4, int(rng.integers(1, 12)))).astype(float)
        assert np.array_equal(average_ranks(data), stats.rankdata(data, axis=-1))
        assert np.array_equal(average_ranks(data[0]), stats.rankdata(data[0]))


def test_spearman_with_ties_hand_computed():
    x = [1, 2, 2, 3, 4]
    y = [2, 1, 3, 3, 5]
    # average ranks: x -> 1, 2.5, 2.5, 4, 5; y -> 2, 1, 3.5, 3.5, 5
    result = spearman(x, y)
    assert result.rho == pytest.approx(14.5 / 19)
    assert result.rho == pytest.approx(stats.spearmanr(x, y).statistic)
    # 5 variants: p is exact over the 120 pairings, as scipy's permutation test
    assert result.method == "exact" and result.n == 5
    assert result.p_value == pytest.approx(_scipy_exact_spearman_p(x, y), abs=1e-12)


def test_three_variants_with_rho_one_give_p_two_sixths():
    # 6 pairings of 3 values: one gives rho = 1, one rho = -1; two-sided p = 2/6, not 0
    for y in ([10, 20, 30], [30, 20, 10]):
        result = spearman([1, 2, 3], y)
        assert abs(result.rho) == 1.0
        assert result.p_value == pytest.approx(2 / 6)
        assert result.method == "exact"
    assert _scipy_exact_spearman_p([1, 2, 3], [10, 20, 30]) == pytest.approx(2 / 6)


def test_exact_spearman_matches_scipy_permutation_test_with_ties():
    rng = np.random.default_rng(11)
    checked = 0
    for trial in range(40):
        n = int(rng.integers(3, 8))
        if trial % 2:  # a 0/0.5/1 grid: ties on both sides
            x, y = rng.integers(0, 3, n) / 2, rng.integers(0, 3, n) / 2
        else:
            x = rng.normal(size=n)
            y = x + rng.normal(size=n)
        result = spearman(x, y)
        if math.isnan(result.rho):
            continue
        assert result.p_value == pytest.approx(_scipy_exact_spearman_p(x, y), abs=1e-12)
        checked += 1
    assert checked > 25


def test_ten_variants_are_exact_and_eleven_use_the_t_approximation():
    rng = np.random.default_rng(5)
    x, y = rng.normal(size=11), rng.normal(size=11)
    large = spearman(x, y)
    assert large.method == "t"
    reference = stats.spearmanr(x, y)
    assert large.rho == pytest.approx(reference.statistic)
    assert large.p_value == pytest.approx(reference.pvalue)
    small = spearman(x[:10], y[:10])
    assert small.method == "exact"
    # spot-check n = 10 against a full enumeration of the 10! pairings would take minutes in
    # scipy; the same dynamic programme is checked against scipy for n <= 7 above


def test_perfect_rank_agreement_above_ten_variants_has_the_exact_p():
    result = spearman(range(12), range(12))
    assert result.rho == 1.0 and result.method == "exact"
    assert result.p_value == pytest.approx(2 / math.factorial(12))
    # ties shared by both sides: the 2! orders of the tied pair keep rho = 1
    tied = [0, 0, *range(1, 11)]
    assert spearman(tied, tied).p_value == pytest.approx(2 * 2 / math.factorial(12))


def test_spearman_edge_cases():
    assert spearman([1, 2, 3], [3, 2, 1]).rho == -1.0
    assert math.isnan(spearman([1, 1, 1], [1, 2, 3]).rho)
    assert math.isnan(spearman([1, 2], [1, 2]).p_value)
    result = spearman([1, 2, math.nan, 4], [1, 3, 2, 4])  # NaN pairs dropped
    assert result.rho == pytest.approx(1.0) and result.n == 3
    with pytest.raises(ValueError, match="differ in length"):
        spearman([1, 2, 3], [1, 2])


def test_spearman_ci_resamples_variants_and_their_replicates():
    rng = np.random.default_rng(9)
    x = np.arange(15, dtype=float)
    y = x + rng.normal(0, 4, 15)
    rho = spearman(x, y).rho
    low, high = spearman_ci(x, y, n_boot=1000, seed=2)
    assert low < rho < high and -1 <= low and high <= 1
    assert (low, high) == spearman_ci(x, y, n_boot=1000, seed=2)
    # perfectly ordered, precisely measured variants: every replicate gives rho = 1
    assert spearman_ci(x, x, n_boot=200) == (1.0, 1.0)
    # the same order, but each variant's score is uncertain (replicates overlap): rho < 1
    noisy_x = x[:, None] + rng.normal(0, 5, (15, 200))
    noisy_y = x[:, None] + rng.normal(0, 5, (15, 200))
    low, high = spearman_ci(x, x, n_boot=200, x_replicates=noisy_x, y_replicates=noisy_y)
    assert low < 0.8 and high <= 1.0
    assert all(math.isnan(v) for v in spearman_ci([1, 2], [1, 2]))
    with pytest.raises(ValueError, match="replicates have shape"):
        spearman_ci(x, x, n_boot=10, x_replicates=np.zeros((3, 10)))


def test_bootstrap_interval_contains_the_mean_and_is_reproducible():
    values = [0, 0, 1, 1, 1, 0, 1, 1]
    mean, low, high = bootstrap_ci(values, n_boot=1000, seed=3)
    assert mean == 0.625 and low < mean < high
    assert (mean, low, high) == bootstrap_ci(values, n_boot=1000, seed=3)
    assert bootstrap_ci([0.4] * 5) == (0.4, 0.4, 0.4)
    assert all(math.isnan(v) for v in bootstrap_ci([]))
    assert all(math.isnan(v) for v in percentile_interval(np.array([math.nan])))


@pytest.mark.parametrize(("p", "n"), [(0.3, 60), (0.1, 120)])
def test_bootstrap_coverage_on_synthetic_bernoulli_data(p, n):
    """Percentile-bootstrap 95% CIs cover the true rate about 95% of the time (seeded)."""
    rng = np.random.default_rng(2024)
    repetitions = 400
    covered = 0
    for _ in range(repetitions):
        data = (rng.random(n) < p).astype(float)
        boot = bootstrap_means(data, 800, rng)
        low, high = percentile_interval(boot)
        covered += low <= p <= high
    # binomial sd of the coverage at 400 repetitions is about 0.011; the percentile bootstrap
    # under-covers slightly for small n: accept 0.88-0.99
    assert 0.88 <= covered / repetitions <= 0.99
