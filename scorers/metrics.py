"""Metrics of the probes, laid out for Inspect View.

Each scorer leads with its headline, the keys every reader looks for: ``mean`` and ``stderr``
(Inspect's own metrics), then ``ci95_low`` / ``ci95_high`` (`ci95`: a t interval clipped to the
score's range). The closed-form probes, whose score is balanced over dimensions and formats
(V26), lead with `balanced_mean`, which reports the same four keys. View's header shows the
first five columns of that row.

Breakdowns by a sample metadata field (dimension, format, category, ...) use Inspect's
`grouped()` through `grouped_by`: View lists them in rows of their own under "All scoring",
so they never crowd the header, and `evals_df` gets one column per group.

scipy is imported only when an interval is computed, so importing the tasks (every `inspect`
command does, through our entry point) does not load it.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from inspect_ai.scorer import Metric, SampleScore, Value, grouped, metric, value_to_float

AXIS_KEYS: tuple[str, ...] = ("dimension", "foundation")
"""Sample metadata naming what an item measures: its dimension, or for the moral probes its
foundation (the report reads the same keys in the same order)."""
STRATUM_KEY = "format"
"""Sample metadata naming the item's format; each format weighs the same within an axis."""
_Z95 = 1.959963984540054
_to_float = value_to_float()


def t_quantile_975(df: int) -> float:
    """Return the 97.5% quantile of Student's t with `df` degrees of freedom (scipy, lazily)."""
    from scipy import stats

    return float(stats.t.ppf(0.975, df))


def mean_ci95_of(
    values: Sequence[float], bounds: tuple[float, float] = (0.0, 1.0)
) -> tuple[float, float, float]:
    """Return (mean, low, high): the mean and its t-based 95% confidence interval.

    The interval is clipped to `bounds` (scores live in [0, 1]). With fewer than two values
    the interval is the mean itself (n = 1) or NaN (n = 0).
    """
    n = len(values)
    if n == 0:
        return math.nan, math.nan, math.nan
    mean = math.fsum(values) / n
    if n == 1:
        return mean, mean, mean
    variance = math.fsum((v - mean) ** 2 for v in values) / (n - 1)
    if variance == 0.0:
        return mean, mean, mean
    half = t_quantile_975(n - 1) * math.sqrt(variance / n)
    return mean, max(bounds[0], mean - half), min(bounds[1], mean + half)


def scored_values(scores: list[SampleScore]) -> list[float]:
    """Return the scores' values as the epoch reducer left them, leaving out NaN (unscored)."""
    values = [_to_float(score.score.value) for score in scores]
    return [v for v in values if not math.isnan(v)]


@metric
def ci95(low: float = 0.0, high: float = 1.0) -> Metric:
    """95% t interval of the mean, clipped to [`low`, `high`]: keys `ci95_low`, `ci95_high`."""

    def compute(scores: list[SampleScore]) -> Value:
        _, ci_low, ci_high = mean_ci95_of(scored_values(scores), bounds=(low, high))
        return {"ci95_low": ci_low, "ci95_high": ci_high}

    return compute


@metric
def share_at_least(threshold: float) -> Metric:
    """Share of scored samples whose value is at least `threshold`."""

    def compute(scores: list[SampleScore]) -> Value:
        values = scored_values(scores)
        if not values:
            return math.nan
        return sum(v >= threshold - 1e-9 for v in values) / len(values)

    return compute


def axis_of(metadata: Mapping[str, Any] | None) -> str:
    """Return the axis a sample measures (its dimension or foundation), ``all`` without one."""
    metadata = metadata or {}
    for key in AXIS_KEYS:
        if key in metadata:
            return str(metadata[key])
    return "all"


def _stratum_stats(values: list[float]) -> tuple[float, float]:
    """Return (mean, squared standard error) of one stratum's values."""
    n = len(values)
    mean = math.fsum(values) / n
    if n < 2:
        return mean, 0.0
    variance = math.fsum((v - mean) ** 2 for v in values) / (n - 1)
    return mean, variance / n


def balanced_mean_of(strata: Mapping[str, list[float]]) -> tuple[float, float]:
    """Return (mean of the strata means, its standard error); empty strata are skipped."""
    stats = [_stratum_stats(values) for values in strata.values() if values]
    if not stats:
        return math.nan, math.nan
    mean = math.fsum(m for m, _ in stats) / len(stats)
    se = math.sqrt(math.fsum(se2 for _, se2 in stats)) / len(stats)
    return mean, se


def _strata(scores: list[SampleScore], stratum_key: str) -> dict[str, list[float]]:
    strata: dict[str, list[float]] = defaultdict(list)
    for score in scores:
        value = _to_float(score.score.value)
        if not math.isnan(value):
            metadata = score.sample_metadata or {}
            strata[str(metadata.get(stratum_key, "all"))].append(value)
    return strata


@metric
def stratified_mean(stratum_key: str = STRATUM_KEY) -> Metric:
    """Mean of the per-stratum means (strata by the sample metadata field `stratum_key`).

    Per dimension, the mean of its format means (V26); with one stratum, the plain mean.
    """

    def compute(scores: list[SampleScore]) -> Value:
        return balanced_mean_of(_strata(scores, stratum_key))[0]

    return compute


@metric
def balanced_mean(stratum_key: str = STRATUM_KEY) -> Metric:
    """Headline of the closed-form probes: keys `mean`, `stderr`, `ci95_low`, `ci95_high`.

    Per axis (`axis_of`) the mean of its format means; `mean` is the mean over the axes (V26
    averages self-assessment formats per dimension, then dimensions). It is the plain mean when
    every axis and format has the same number of scored items. The standard error combines the
    strata's as for independent means; the interval is normal (1.96 standard errors), clipped
    to [0, 1].
    """

    def compute(scores: list[SampleScore]) -> Value:
        by_axis: dict[str, list[SampleScore]] = defaultdict(list)
        for score in scores:
            by_axis[axis_of(score.sample_metadata)].append(score)
        axis_stats = [balanced_mean_of(_strata(group, stratum_key)) for group in by_axis.values()]
        axis_stats = [(m, se) for m, se in axis_stats if not math.isnan(m)]
        if not axis_stats:
            return {"mean": math.nan, "stderr": math.nan, "ci95_low": math.nan,
                    "ci95_high": math.nan}
        mean = math.fsum(m for m, _ in axis_stats) / len(axis_stats)
        se = math.sqrt(math.fsum(s**2 for _, s in axis_stats)) / len(axis_stats)
        return {
            "mean": mean,
            "stderr": se,
            "ci95_low": max(0.0, mean - _Z95 * se),
            "ci95_high": min(1.0, mean + _Z95 * se),
        }

    return compute


@metric
def grouped_by(metric: Metric, group_key: str) -> Metric:
    """Inspect's ``grouped(metric, group_key, all=False)`` over the samples that have the key.

    One value per group, keyed by the group's name; samples without `group_key` in their
    metadata are left out of the breakdown (an empty result when none has it) instead of
    failing the eval. View shows the groups in a row of their own.
    """
    breakdown = grouped(metric, group_key, all=False)

    def compute(scores: list[SampleScore]) -> Value:
        present = [s for s in scores if s.sample_metadata and group_key in s.sample_metadata]
        if not present:
            return {}
        return breakdown(present)

    return compute
