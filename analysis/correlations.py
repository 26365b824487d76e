"""Spearman correlations across variants between probes (PROTOCOL section 5).

Each probe contributes one number per variant: its *headline* score (the harmless/harmful
dimension where the probe has one, else its overall mean) or its *secondary* score (the mean
over all its dimensions). Every pair of probes is correlated on both measures.

p (two-sided): exact over every pairing of the variants for up to 10 variants (3 variants
with rho = 1 give p = 2/6), else the t approximation (`analysis.stats.spearman`). The 95% CI
of rho is a percentile bootstrap that resamples the variants and, when the scores' bootstrap
replicates are given, each variant's score over its items too (`analysis.stats.spearman_ci`).
"""

from __future__ import annotations

import itertools
import zlib
from collections.abc import Mapping

import numpy as np
import pandas as pd

from analysis.scores import Estimate, ScoreKey, headline_rows, secondary_rows
from analysis.stats import DEFAULT_BOOTSTRAP, resampled_ranks, rho_interval, spearman

CORRELATION_COLUMNS = [
    "measure", "probe_a", "probe_b", "rho", "ci_low", "ci_high", "p", "p_method", "n_variants",
]
MEASURES = ("headline", "secondary")


def measure_rows(scores: pd.DataFrame, measure: str) -> pd.DataFrame:
    """The scores rows of one measure (headline or secondary): one per (variant, probe)."""
    if measure not in MEASURES:
        raise ValueError(f"unknown measure '{measure}'; valid: {', '.join(MEASURES)}")
    return headline_rows(scores) if measure == "headline" else secondary_rows(scores)


def _replicates(
    rows: pd.DataFrame, estimates: Mapping[ScoreKey, Estimate] | None
) -> dict[tuple[str, str], np.ndarray]:
    if not estimates:
        return {}
    found = {}
    for row in rows.itertuples():
        estimate = estimates.get((row.variant, row.probe, row.dimension, row.format))
        if estimate is not None:
            found[(str(row.variant), str(row.probe))] = estimate.boot
    return found


class _Resamples:
    """Bootstrap resamples of one measure's variants, shared by every probe pair scored on
    the same variants, so each probe's resampled ranks are computed once."""

    def __init__(
        self, table: pd.DataFrame, replicates: Mapping[tuple[str, str], np.ndarray],
        n_boot: int, seed: str,
    ) -> None:
        self.table = table
        self.replicates = replicates
        self.n_boot = n_boot
        self.seed = seed
        self._indices: dict[tuple[str, ...], np.ndarray] = {}
        self._ranks: dict[tuple[tuple[str, ...], str], np.ndarray] = {}

    def ranks(self, probe: str, variants: tuple[str, ...]) -> np.ndarray:
        """`resampled_ranks` of `probe` over `variants` (with its score replicates if all
        variants have them)."""
        if variants not in self._indices:
            rng = np.random.default_rng(zlib.crc32(f"{self.seed}|{variants}".encode()))
            self._indices[variants] = rng.integers(0, len(variants),
                                                   size=(self.n_boot, len(variants)))
        key = (variants, probe)
        if key not in self._ranks:
            own = [self.replicates.get((variant, probe)) for variant in variants]
            usable = [r for r in own if r is not None and r.size == self.n_boot]
            self._ranks[key] = resampled_ranks(
                self.table.loc[list(variants), probe].to_numpy(dtype=float),
                self._indices[variants], np.stack(usable) if len(usable) == len(own) else None,
            )
        return self._ranks[key]


def correlation_table(
    scores: pd.DataFrame,
    estimates: Mapping[ScoreKey, Estimate] | None = None,
    n_boot: int = DEFAULT_BOOTSTRAP,
    seed: int = 0,
) -> pd.DataFrame:
    """Return `correlations.csv`: rho with its 95% CI, p, how p was computed and the number
    of variants, per probe pair and measure.

    `estimates` (from `analysis.scores.score_estimates`, with `n_boot` replicates each) add
    the items' sampling to the CI of rho; without them the CI resamples variants only.
    """
    rows = []
    for measure in MEASURES:
        chosen = measure_rows(scores, measure)
        table = chosen.pivot_table(index="variant", columns="probe", values="mean", sort=False)
        resamples = _Resamples(table, _replicates(chosen, estimates), n_boot, f"{seed}|{measure}")
        for first, second in itertools.combinations(sorted(table.columns), 2):
            pair = table[[first, second]].dropna()
            result = spearman(pair[first].to_numpy(), pair[second].to_numpy())
            variants = tuple(str(variant) for variant in pair.index)
            low, high = (
                rho_interval(resamples.ranks(first, variants), resamples.ranks(second, variants))
                if len(variants) >= 3 else (np.nan, np.nan)
            )
            rows.append({
                "measure": measure, "probe_a": first, "probe_b": second, "rho": result.rho,
                "ci_low": low, "ci_high": high, "p": result.p_value, "p_method": result.method,
                "n_variants": result.n,
            })
    return pd.DataFrame(rows, columns=CORRELATION_COLUMNS)


def correlation_matrix(correlations: pd.DataFrame, measure: str = "headline") -> pd.DataFrame:
    """Return the square probe x probe rho matrix of one measure (1 on the diagonal)."""
    subset = correlations[correlations["measure"] == measure]
    probes = sorted(set(subset["probe_a"]) | set(subset["probe_b"]))
    matrix = pd.DataFrame(np.eye(len(probes)), index=probes, columns=probes)
    for row in subset.itertuples():
        matrix.loc[row.probe_a, row.probe_b] = row.rho
        matrix.loc[row.probe_b, row.probe_a] = row.rho
    return matrix
