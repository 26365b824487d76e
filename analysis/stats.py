"""Statistics of the report: bootstrap CIs, Wilcoxon signed-rank, Holm, Spearman.

Written out (rather than wrapped) so the tests can check them against hand-computed values
and against scipy. The Wilcoxon test follows scipy's defaults (`zero_method="wilcox"`, no
continuity correction, `method="auto"`), so its p-values match `scipy.stats.wilcoxon`.
Spearman's p is exact (all pairings of the two variables) for up to
`SPEARMAN_EXACT_MAX_N` variants, as `scipy.stats.permutation_test` with every pairing, and
the t approximation of `scipy.stats.spearmanr` above. Only `scipy.special` is used, and
imported when first needed, so importing this module costs nothing.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

DEFAULT_BOOTSTRAP = 2000
SPEARMAN_EXACT_MAX_N = 10
"""Up to this many pairs, Spearman's p is exact (every pairing); above, the t approximation."""
_EXACT_MAX_N = 50
_PERMUTATION_MAX_N = 13
_REL_TOLERANCE = 1e-14  # scipy's permutation_test compares statistics with this slack


def average_ranks(values: Sequence[float] | np.ndarray) -> np.ndarray:
    """Ranks 1..n along the last axis, ties sharing their average rank (scipy's "average").

    Works on a vector or on a 2-D array (one ranking per row), without scipy.
    """
    data = np.asarray(values, dtype=float)
    rows = np.atleast_2d(data)
    n = rows.shape[-1]
    if n == 0:
        return data.copy()
    order = np.argsort(rows, axis=-1, kind="mergesort")
    ordered = np.take_along_axis(rows, order, axis=-1)
    positions = np.broadcast_to(np.arange(n), rows.shape)
    starts = np.ones(rows.shape, dtype=bool)
    starts[:, 1:] = ordered[:, 1:] != ordered[:, :-1]
    ends = np.ones(rows.shape, dtype=bool)
    ends[:, :-1] = starts[:, 1:]
    first = np.maximum.accumulate(np.where(starts, positions, 0), axis=-1)
    last = np.minimum.accumulate(np.where(ends, positions, n - 1)[:, ::-1], axis=-1)[:, ::-1]
    ranks = np.empty(rows.shape)
    np.put_along_axis(ranks, order, (first + last) / 2.0 + 1.0, axis=-1)
    return ranks.reshape(data.shape)


def bootstrap_means(values: Sequence[float], n_boot: int, rng: np.random.Generator) -> np.ndarray:
    """Return `n_boot` means of samples drawn with replacement from `values` (NaN if empty)."""
    data = np.asarray(values, dtype=float)
    if data.size == 0:
        return np.full(n_boot, math.nan)
    indices = rng.integers(0, data.size, size=(n_boot, data.size))
    return data[indices].mean(axis=1)


def percentile_interval(boot: np.ndarray, level: float = 0.95) -> tuple[float, float]:
    """Return the percentile interval of bootstrap replicates (NaN when there are none)."""
    finite = boot[np.isfinite(boot)]
    if finite.size == 0:
        return math.nan, math.nan
    tail = (1.0 - level) / 2.0 * 100.0
    low, high = np.percentile(finite, [tail, 100.0 - tail])
    return float(low), float(high)


def bootstrap_ci(
    values: Sequence[float], n_boot: int = DEFAULT_BOOTSTRAP, seed: int = 0, level: float = 0.95
) -> tuple[float, float, float]:
    """Return (mean, low, high): the mean and its percentile bootstrap interval over `values`."""
    data = np.asarray(values, dtype=float)
    if data.size == 0:
        return math.nan, math.nan, math.nan
    boot = bootstrap_means(data, n_boot, np.random.default_rng(seed))
    low, high = percentile_interval(boot, level)
    return float(data.mean()), low, high


@dataclass(frozen=True)
class WilcoxonResult:
    """A paired Wilcoxon signed-rank test of `b - a`."""

    n_pairs: int
    """Pairs compared (zero differences included)."""
    n_nonzero: int
    """Pairs with a non-zero difference (the ones ranked)."""
    w_plus: float
    """Sum of the ranks of positive differences (b > a)."""
    w_minus: float
    """Sum of the ranks of negative differences (b < a)."""
    p_value: float
    """Two-sided p-value (NaN when every difference is zero)."""
    method: str
    """How p was computed: ``exact``, ``permutation``, ``normal`` or ``none``."""

    @property
    def statistic(self) -> float:
        """W = min(W+, W-), the two-sided statistic scipy reports."""
        return min(self.w_plus, self.w_minus)

    @property
    def rank_biserial(self) -> float:
        """Matched-pairs rank-biserial correlation (W+ - W-) / (W+ + W-); > 0 when b > a."""
        total = self.w_plus + self.w_minus
        return (self.w_plus - self.w_minus) / total if total > 0 else math.nan


def _exact_null_counts(n: int) -> np.ndarray:
    """Return how many sign patterns give each W+ = 0..n(n+1)/2 for ranks 1..n (no ties)."""
    counts = np.zeros(n * (n + 1) // 2 + 1, dtype=float)
    counts[0] = 1.0
    for rank in range(1, n + 1):
        shifted = np.zeros_like(counts)
        shifted[rank:] = counts[:-rank]
        counts = counts + shifted
    return counts


def _exact_p(w_plus: float, n: int) -> float:
    counts = _exact_null_counts(n)
    total = counts.sum()
    cdf = counts[: int(math.ceil(w_plus)) + 1].sum() / total
    sf = counts[int(math.floor(w_plus)) :].sum() / total
    return float(min(1.0, 2.0 * min(cdf, sf)))


@functools.lru_cache(maxsize=_PERMUTATION_MAX_N + 1)
def _sign_flips(n: int) -> np.ndarray:
    """All 2^n sign patterns of n values (rows), computed once per n."""
    return np.array(list(itertools.product((1.0, -1.0), repeat=n)))


def _permutation_p(differences: np.ndarray) -> float:
    """Two-sided p over all 2^n sign flips of the differences (zeros stay zero)."""
    nonzero = differences != 0
    ranks = np.zeros_like(differences)
    ranks[nonzero] = average_ranks(np.abs(differences[nonzero]))
    signs = _sign_flips(differences.size)
    flipped = signs * differences
    null = ((flipped > 0) * ranks).sum(axis=1)
    observed = float(((differences > 0) * ranks).sum())
    slack = _REL_TOLERANCE * max(abs(observed), 1.0)
    less = np.mean(null <= observed + slack)
    greater = np.mean(null >= observed - slack)
    return float(min(1.0, 2.0 * min(less, greater)))


def wilcoxon_signed_rank(a: Sequence[float], b: Sequence[float]) -> WilcoxonResult:
    """Paired Wilcoxon signed-rank test of `b - a` (zero differences dropped, ties averaged).

    p-value as scipy's default: exact null distribution when there are no ties or zeros
    and at most 50 pairs; all 2^n sign flips when there are ties or zeros and at most 13
    pairs; otherwise the normal approximation with the tie correction (no continuity
    correction).
    """
    first = np.asarray(a, dtype=float)
    second = np.asarray(b, dtype=float)
    if first.shape != second.shape:
        raise ValueError(f"paired samples differ in length: {first.size} vs {second.size}")
    differences = second - first
    if np.isnan(differences).any():
        raise ValueError("paired samples contain NaN; drop unscored items before testing")
    n_pairs = int(differences.size)
    nonzero = differences[differences != 0]
    n = int(nonzero.size)
    if n == 0:
        return WilcoxonResult(n_pairs, 0, 0.0, 0.0, math.nan, "none")
    ranks = average_ranks(np.abs(nonzero))
    w_plus = float(ranks[nonzero > 0].sum())
    w_minus = float(ranks[nonzero < 0].sum())
    _, tie_counts = np.unique(np.abs(nonzero), return_counts=True)
    has_ties = bool((tie_counts > 1).any())
    has_zeros = n < n_pairs
    if n_pairs <= _EXACT_MAX_N and not has_ties and not has_zeros:
        return WilcoxonResult(n_pairs, n, w_plus, w_minus, _exact_p(w_plus, n), "exact")
    if n_pairs <= _PERMUTATION_MAX_N:
        return WilcoxonResult(
            n_pairs, n, w_plus, w_minus, _permutation_p(differences), "permutation"
        )
    mean = n * (n + 1) / 4.0
    variance = (n * (n + 1) * (2 * n + 1) - np.sum(tie_counts**3 - tie_counts) / 2.0) / 24.0
    z = (w_plus - mean) / math.sqrt(variance)
    from scipy.special import ndtr  # the normal sf as scipy.stats.norm computes it

    p_value = float(2.0 * ndtr(-abs(z)))
    return WilcoxonResult(n_pairs, n, w_plus, w_minus, min(1.0, p_value), "normal")


def holm(p_values: Sequence[float]) -> np.ndarray:
    """Holm-Bonferroni adjusted p-values; NaN entries stay NaN and do not count as tests."""
    p = np.asarray(p_values, dtype=float)
    adjusted = np.full(p.shape, math.nan)
    valid = np.flatnonzero(~np.isnan(p))
    m = valid.size
    if m == 0:
        return adjusted
    order = valid[np.argsort(p[valid], kind="stable")]
    running = 0.0
    for position, index in enumerate(order):
        running = max(running, min(1.0, (m - position) * p[index]))
        adjusted[index] = running
    return adjusted


@dataclass(frozen=True)
class SpearmanResult:
    """Spearman's rank correlation of two variables and its two-sided p-value."""

    rho: float
    """Spearman's rho (average ranks for ties); NaN with < 3 pairs or a constant variable."""
    p_value: float
    """Two-sided p-value (NaN when rho is)."""
    method: str
    """``exact`` (every pairing), ``t`` (t approximation, as scipy.stats.spearmanr) or
    ``none``."""
    n: int
    """Pairs used (pairs with a NaN dropped)."""


def _doubled_ranks(values: np.ndarray) -> np.ndarray:
    """Twice the average ranks: integers, so sums of products are exact."""
    return np.rint(2.0 * average_ranks(values)).astype(np.int64)


@functools.lru_cache(maxsize=128)
def _pairing_null(a: tuple[int, ...], b: tuple[int, ...]) -> np.ndarray:
    """How many of the n! pairings of `a` with `b` give each S = sum a_i b_pi(i).

    Dynamic programme over the set of `b` positions used so far (2^n states), so n = 10 is a
    few thousand vector additions instead of 3.6 million permutations. Depends only on the
    multisets `a` and `b` (callers pass them sorted, so tie-free inputs of one n share it).
    """
    n = len(a)
    top = sum(x * y for x, y in zip(a, b, strict=True))  # both sorted: the largest S
    counts = np.zeros((1 << n, top + 1))
    counts[0, 0] = 1.0
    for mask in range(1 << n):
        k = mask.bit_count()
        if k == n:
            continue
        row = counts[mask]
        for j in range(n):
            if not mask >> j & 1:
                shift = a[k] * b[j]
                counts[mask | 1 << j, shift:] += row[: top + 1 - shift]
    return counts[-1]


def _exact_spearman_p(rank_x: np.ndarray, rank_y: np.ndarray) -> float:
    """Two-sided p over every pairing, as scipy's permutation_test: 2 x the smaller tail."""
    a, b = _doubled_ranks(rank_x), _doubled_ranks(rank_y)
    counts = _pairing_null(tuple(sorted(a.tolist())), tuple(sorted(b.tolist())))
    observed = int(np.dot(a, b))
    total = counts.sum()
    greater = counts[observed:].sum() / total
    less = counts[: observed + 1].sum() / total
    return float(min(1.0, 2.0 * min(less, greater)))


def _perfect_rank_p(ranks: np.ndarray) -> float:
    """Exact two-sided p of |rho| = 1: the pairings that keep the order, both directions."""
    _, tie_sizes = np.unique(ranks, return_counts=True)
    keeping = math.prod(math.factorial(int(size)) for size in tie_sizes)
    return min(1.0, 2.0 * keeping / math.factorial(ranks.size))


def _rho(rank_x: np.ndarray, rank_y: np.ndarray) -> np.ndarray:
    """Pearson correlation of ranks along the last axis (NaN where one side is constant)."""
    return _centred_rho(_centred(rank_x), _centred(rank_y))


def _centred(ranks: np.ndarray) -> np.ndarray:
    return ranks - ranks.mean(axis=-1, keepdims=True)


def _centred_rho(centred_x: np.ndarray, centred_y: np.ndarray) -> np.ndarray:
    denominator = np.sqrt(np.sum(centred_x**2, axis=-1) * np.sum(centred_y**2, axis=-1))
    with np.errstate(invalid="ignore", divide="ignore"):
        rho = np.sum(centred_x * centred_y, axis=-1) / denominator
    return np.where(denominator > 0, np.clip(rho, -1.0, 1.0), np.nan)


def _paired(x: Sequence[float], y: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
    first = np.asarray(x, dtype=float)
    second = np.asarray(y, dtype=float)
    if first.shape != second.shape:
        raise ValueError(f"x and y differ in length: {first.size} vs {second.size}")
    keep = ~(np.isnan(first) | np.isnan(second))
    return first[keep], second[keep]


def spearman(x: Sequence[float], y: Sequence[float]) -> SpearmanResult:
    """Spearman's rho (average ranks for ties) and its two-sided p-value; NaN pairs dropped.

    p: exact over all n! pairings for n <= `SPEARMAN_EXACT_MAX_N` (3 pairs with rho = 1 give
    2/6: one pairing of six reaches rho = 1 and one rho = -1); above, the t approximation as
    `scipy.stats.spearmanr`, except for |rho| = 1 where that gives 0 and the exact p is used.
    NaN when fewer than 3 pairs or either variable is constant.
    """
    first, second = _paired(x, y)
    n = int(first.size)
    if n < 3:
        return SpearmanResult(math.nan, math.nan, "none", n)
    rank_x, rank_y = average_ranks(first), average_ranks(second)
    rho = float(_rho(rank_x, rank_y))
    if math.isnan(rho):
        return SpearmanResult(math.nan, math.nan, "none", n)
    if n <= SPEARMAN_EXACT_MAX_N:
        return SpearmanResult(rho, _exact_spearman_p(rank_x, rank_y), "exact", n)
    if np.array_equal(rank_x, rank_y) or np.array_equal(rank_x, n + 1 - rank_y):
        return SpearmanResult(float(np.sign(rho)), _perfect_rank_p(rank_x), "exact", n)
    from scipy.special import stdtr  # the t sf as scipy.stats.t computes it

    t = rho * math.sqrt((n - 2) / (1.0 - rho**2))
    return SpearmanResult(rho, float(2.0 * stdtr(n - 2, -abs(t))), "t", n)


def resampled_ranks(
    values: Sequence[float], indices: np.ndarray, replicates: np.ndarray | None = None
) -> np.ndarray:
    """Centred average ranks of `values` in each bootstrap resample (one row per resample).

    `indices` (n_boot x n) picks the resampled positions; with `replicates` (n x n_boot),
    resample r also takes each picked value's r-th replicate (NaN replicates keep the value).
    Several variables resampled with the same `indices` can share one call each.
    """
    data = np.asarray(values, dtype=float)
    if replicates is None:
        return _centred(average_ranks(data[indices]))
    table = np.asarray(replicates, dtype=float)
    n_boot = indices.shape[0]
    if table.shape != (data.size, n_boot):
        raise ValueError(f"replicates have shape {table.shape}; expected ({data.size}, {n_boot})")
    table = np.where(np.isnan(table), data[:, None], table)
    return _centred(average_ranks(table[indices, np.arange(n_boot)[:, None]]))


def rho_interval(
    ranks_x: np.ndarray, ranks_y: np.ndarray, level: float = 0.95
) -> tuple[float, float]:
    """Percentile interval of rho over resamples, from two `resampled_ranks` (same indices).

    Resamples in which a variable is constant have no rho and are left out."""
    return percentile_interval(_centred_rho(ranks_x, ranks_y), level)


def spearman_ci(
    x: Sequence[float],
    y: Sequence[float],
    n_boot: int = DEFAULT_BOOTSTRAP,
    seed: int = 0,
    level: float = 0.95,
    x_replicates: np.ndarray | None = None,
    y_replicates: np.ndarray | None = None,
) -> tuple[float, float]:
    """Percentile bootstrap interval of Spearman's rho, resampling the pairs (the variants).

    With `x_replicates` and `y_replicates` (one row of `n_boot` bootstrap replicates of each
    value, e.g. each variant's score resampled over its items), resample r also replaces
    every value by its r-th replicate: the interval then reflects both which variants were
    measured and how precisely each was measured. Pairs with a NaN value are dropped (with
    their replicates); NaN when fewer than 3 pairs remain. With few pairs the interval is
    wide, as it should be.
    """
    first = np.asarray(x, dtype=float)
    second = np.asarray(y, dtype=float)
    if first.shape != second.shape:
        raise ValueError(f"x and y differ in length: {first.size} vs {second.size}")
    keep = ~(np.isnan(first) | np.isnan(second))
    n = int(keep.sum())
    if n < 3:
        return math.nan, math.nan
    indices = np.random.default_rng(seed).integers(0, n, size=(n_boot, n))
    ranks = [
        resampled_ranks(values[keep], indices,
                        None if replicates is None else _kept_rows(replicates, keep, n_boot))
        for values, replicates in ((first, x_replicates), (second, y_replicates))
    ]
    return rho_interval(ranks[0], ranks[1], level)


def _kept_rows(replicates: np.ndarray, keep: np.ndarray, n_boot: int) -> np.ndarray:
    table = np.asarray(replicates, dtype=float)
    if table.shape != (keep.size, n_boot):
        raise ValueError(f"replicates have shape {table.shape}; expected ({keep.size}, {n_boot})")
    return table[keep]
