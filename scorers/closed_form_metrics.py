"""Metrics of the closed-form probes: format-balanced means and the share of each route."""

from __future__ import annotations

import math
from collections import defaultdict

from inspect_ai.scorer import Metric, SampleScore, Value, metric

from scorers.answer_table import unpack_answers

ROUTE_NAMES: tuple[str, ...] = ("rule", "judge", "fallback", "excluded", "logprobs")
_Z95 = 1.959963984540054


def _stratum_stats(values: list[float]) -> tuple[float, float]:
    """Return (mean, squared standard error) of one stratum's values."""
    n = len(values)
    mean = math.fsum(values) / n
    if n < 2:
        return mean, 0.0
    variance = math.fsum((v - mean) ** 2 for v in values) / (n - 1)
    return mean, variance / n


def balanced_mean(strata: dict[str, list[float]]) -> tuple[float, float]:
    """Return (mean of the strata means, its standard error); empty strata are skipped."""
    stats = [_stratum_stats(values) for values in strata.values() if values]
    if not stats:
        return math.nan, math.nan
    mean = math.fsum(m for m, _ in stats) / len(stats)
    se = math.sqrt(math.fsum(se2 for _, se2 in stats)) / len(stats)
    return mean, se


def _interval(mean: float, se: float) -> tuple[float, float]:
    if math.isnan(mean):
        return math.nan, math.nan
    return max(0.0, mean - _Z95 * se), min(1.0, mean + _Z95 * se)


@metric
def stratified_mean_ci95(outer: str, inner: str) -> Metric:
    """Per `outer` group the mean of its `inner` strata means; overall the mean of the groups.

    V26 averages self-assessment formats per dimension, then dimensions. Keys: ``mean``,
    ``ci95_low``, ``ci95_high`` (overall) and ``<group>``, ``<group>_ci95_low``,
    ``<group>_ci95_high``. Intervals are normal (1.96 standard errors), the strata's standard
    errors combined as for independent means.
    """

    def compute(scores: list[SampleScore]) -> Value:
        groups: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
        for score in scores:
            value = score.score.as_float()
            if math.isnan(value):
                continue
            metadata = score.sample_metadata or {}
            groups[str(metadata.get(outer, "unknown"))][str(metadata.get(inner, "unknown"))].append(
                value
            )
        result: dict[str, float] = {}
        group_stats: list[tuple[float, float]] = []
        for group in sorted(groups):
            mean, se = balanced_mean(groups[group])
            low, high = _interval(mean, se)
            result[group] = mean
            result[f"{group}_ci95_low"] = low
            result[f"{group}_ci95_high"] = high
            group_stats.append((mean, se))
        if group_stats:
            overall = math.fsum(m for m, _ in group_stats) / len(group_stats)
            overall_se = math.sqrt(math.fsum(se**2 for _, se in group_stats)) / len(group_stats)
        else:
            overall, overall_se = math.nan, math.nan
        low, high = _interval(overall, overall_se)
        return {"mean": overall, "ci95_low": low, "ci95_high": high, **result}

    return compute


@metric
def route_shares() -> Metric:
    """Share of all answers decided by each route (`route_<name>`), and `answers`, their count.

    Reads each score's answer table (`unpack_answers`); with several epochs Inspect keeps only
    the first epoch's metadata on the reduced score, so the shares then describe that epoch.
    """

    def compute(scores: list[SampleScore]) -> Value:
        counts = dict.fromkeys(ROUTE_NAMES, 0)
        total = 0
        for score in scores:
            for answer in unpack_answers(score.score.metadata) or []:
                route = answer.get("route")
                if route in counts:
                    counts[route] += 1
                total += 1
        result: dict[str, float] = {
            f"route_{route}": (n / total if total else math.nan) for route, n in counts.items()
        }
        result["answers"] = float(total)
        return result

    return compute
