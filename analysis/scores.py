"""Per variant x probe x dimension x format means with 95% bootstrap CIs.

Rows of `variant_scores`:

- one per (dimension, format) cell: the mean of its items' values;
- (dimension, ``all``): the mean of that dimension's format means (PROTOCOL section 3);
- (``all``, format): the mean over dimensions of that format's means;
- (``all``, ``all``): the mean of the dimension means, the *secondary* score.

The *headline* score of a probe is its ``harmless`` dimension (pooled over formats) where the
probe has one, else its (``all``, ``all``) row (PROTOCOL section 5). `pooled_mean` computes
the same aggregate for any set of items (the paired tests use it).

CIs come from a stratified bootstrap: items are resampled within each cell and the
replicates are averaged exactly like the point estimates, so every aggregate row has an
honest interval. Where the items of a cell cannot vary (a single item, or items that all have
the same value) resampling them would give a zero-width interval that says nothing; there
the replicates resample each item's answers instead (reduced like the item: mean, or max for
``item_reduce: max``). When the answers cannot vary either, the cell has no CI (n/a, the
reason in ``ci_note``), unless its value is an end of the scale (every answer 0 or 1; -0.5 or
+0.5 for normalised moral scores), where the interval is that end. An aggregate row counts
cells without a CI at their mean: its CI is ``partial`` (``ci_note`` says how many cells), or
n/a when no cell has one. ``ci_method`` says which: ``items``, ``answers``, ``items+answers``
(an aggregate of both kinds), ``partial`` or ``none``. ``note`` carries other marks (the moral
normalisation's "no reliable reference").
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.frames import ALL
from analysis.stats import DEFAULT_BOOTSTRAP, bootstrap_means, percentile_interval
from em_selfaware.variants import Variant

HEADLINE_DIMENSION = "harmless"
SCORE_COLUMNS = [
    "variant", "size", "domain", "stage", "probe", "dimension", "format", "mean", "ci_low",
    "ci_high", "n", "ci_method", "ci_note", "note",
]
CI_ITEMS, CI_ANSWERS, CI_MIXED = "items", "answers", "items+answers"
CI_PARTIAL, CI_NONE = "partial", "none"
"""`ci_method` of a row without a CI (not "n/a", which CSV readers take for a missing value)."""
CELL_KEYS = ["variant", "probe", "dimension", "format"]
RAW_ENDS = (0.0, 1.0)
MORAL_ENDS = (-0.5, 0.5)
"""The ends of the scale of raw scores and of normalised moral scores."""
ScoreKey = tuple[str, str, str, str]
"""(variant, probe, dimension, format) of one row of the scores table."""


@dataclass
class Estimate:
    """One row's point estimate, bootstrap replicates, item count and CI basis.

    Cells without a CI have constant replicates (their mean), so aggregates can count them at
    their mean; `ci_method` says that their own interval is n/a.
    """

    mean: float
    boot: np.ndarray
    n: int
    ci_method: str
    cells: int = 1
    cells_without_ci: int = 0
    ci_note: str = ""
    ends: tuple[float, float] = RAW_ENDS
    """The ends of the row's scale (raw or normalised moral)."""

    def at_end(self) -> bool:
        """Whether the point estimate is an end of the scale."""
        return any(math.isclose(self.mean, end) for end in self.ends)


def _combine(parts: Sequence[Estimate]) -> Estimate:
    cells = sum(part.cells for part in parts)
    without = sum(part.cells_without_ci for part in parts)
    methods = {part.ci_method for part in parts} - {CI_NONE, CI_PARTIAL}
    note = ""
    if without == cells:
        method, note = CI_NONE, "n/a: none of its cells has a CI"
    elif without:
        method = CI_PARTIAL
        note = f"{without} of {cells} cells have no CI and count at their mean"
    elif len(methods) == 1:
        method = methods.pop()
    else:
        method = CI_MIXED
    return Estimate(
        mean=float(np.mean([part.mean for part in parts])),
        boot=np.mean(np.stack([part.boot for part in parts]), axis=0),
        n=sum(part.n for part in parts),
        ci_method=method,
        cells=cells,
        cells_without_ci=without,
        ci_note=note,
        ends=parts[0].ends,
    )


def _seed(seed: int, *key: str) -> int:
    return zlib.crc32("|".join([str(seed), *key]).encode())


def _reduce(values: np.ndarray, how: str) -> np.ndarray:
    return values.max(axis=-1) if how == "max" else values.mean(axis=-1)


def _cell_estimate(
    values: np.ndarray,
    item_answers: Sequence[np.ndarray],
    reduce: str,
    n_boot: int,
    rng: np.random.Generator,
    ends: tuple[float, float] = RAW_ENDS,
) -> Estimate:
    """Bootstrap a cell over its items; over their answers where the items cannot vary."""
    mean = float(values.mean())
    n = int(values.size)
    if n >= 2 and np.ptp(values) > 0:
        return Estimate(mean, bootstrap_means(values, n_boot, rng), n, CI_ITEMS, ends=ends)
    answers = [a for a in item_answers if a.size]
    pooled = np.concatenate(answers) if answers else np.empty(0)
    if pooled.size >= 2 and np.ptp(pooled) > 0:
        boot = np.mean([
            _reduce(a[rng.integers(0, a.size, size=(n_boot, a.size))], reduce) for a in answers
        ], axis=0)
        return Estimate(mean, boot, n, CI_ANSWERS, ends=ends)
    estimate = Estimate(mean, np.full(n_boot, mean), n, CI_ITEMS if n >= 2 else CI_ANSWERS,
                        ends=ends)
    units = max(n, int(pooled.size))
    if units >= 2 and estimate.at_end():
        return estimate
    if units >= 2:
        reason = f"n/a: all {units} values are {mean:.3g}, no spread to resample"
    elif pooled.size:
        reason = "n/a: one item with one scored answer, nothing to resample"
    else:
        reason = "n/a: a single item and no answers to resample"
    estimate.ci_method, estimate.cells_without_ci, estimate.ci_note = CI_NONE, 1, reason
    return estimate


def resampling_answers(items: pd.DataFrame, answers: pd.DataFrame) -> pd.DataFrame:
    """The scored answers of the items in cells whose items cannot vary (a single item, or
    items of equal value): what the bootstrap resamples there. Columns: the cell keys,
    ``item_id``, ``value``."""
    columns = [*CELL_KEYS, "item_id", "value"]
    if items.empty or answers.empty:
        return pd.DataFrame(columns=columns)
    cells = items.groupby(CELL_KEYS, observed=True)["value"]
    flat = (cells.transform("min") == cells.transform("max")).to_numpy()
    wanted = items.loc[flat, [*CELL_KEYS, "item_id"]].astype(str)
    if wanted.empty:
        return pd.DataFrame(columns=columns)
    candidates = answers[
        answers["item_id"].isin(set(wanted["item_id"])) & answers["value"].notna()
    ]
    slim = candidates[columns].copy()
    for column in columns[:-1]:
        slim[column] = slim[column].astype(str)
    return slim.merge(wanted, on=[*CELL_KEYS, "item_id"]).reset_index(drop=True)


def probe_estimates(
    items: pd.DataFrame,
    variant: str,
    probe: str,
    n_boot: int,
    seed: int,
    item_answers: Mapping[tuple[str, str, str], np.ndarray] | None = None,
    reduce: str = "mean",
) -> dict[tuple[str, str], Estimate]:
    """Return the cell and aggregate estimates of one (variant, probe) from its item rows.

    `item_answers` maps (dimension, format, item_id) to the item's answer values, for cells
    whose items cannot vary (see the module docstring); `reduce` is the probe's item
    reduction.
    """
    estimates: dict[tuple[str, str], Estimate] = {}
    by_dimension: dict[str, list[str]] = {}
    moral = bool(items["moral"].astype(bool).any()) if "moral" in items else False
    for (dimension, fmt), cell in items.groupby(["dimension", "format"], sort=True):
        values = cell["value"].to_numpy(dtype=float)
        answers = [
            item_answers[key] for key in (
                (str(dimension), str(fmt), str(item)) for item in cell["item_id"]
            ) if key in item_answers
        ] if item_answers else []
        rng = np.random.default_rng(_seed(seed, variant, probe, dimension, fmt))
        estimates[(dimension, fmt)] = _cell_estimate(
            values, answers, reduce, n_boot, rng, MORAL_ENDS if moral else RAW_ENDS
        )
        by_dimension.setdefault(dimension, []).append(fmt)
    for dimension, formats in by_dimension.items():
        if formats != [ALL]:
            estimates[(dimension, ALL)] = _combine([estimates[(dimension, f)] for f in formats])
    dimensions = [d for d in by_dimension if d != ALL]
    if dimensions:
        formats = sorted({fmt for _, fmt in estimates}, key=lambda f: (f == ALL, f))
        for fmt in formats:
            parts = [estimates[(d, fmt)] for d in dimensions if (d, fmt) in estimates]
            if parts:
                estimates[(ALL, fmt)] = _combine(parts)
    return estimates


def score_estimates(
    items: pd.DataFrame,
    n_boot: int = DEFAULT_BOOTSTRAP,
    seed: int = 0,
    answers: pd.DataFrame | None = None,
    item_reduce: Mapping[str, str] | None = None,
) -> dict[ScoreKey, Estimate]:
    """Every row's estimate (with its bootstrap replicates) for every (variant, probe).

    `answers`: the `resampling_answers` (only those are used); `item_reduce`: per probe,
    ``max`` or ``mean`` (default).
    """
    by_cell: dict[tuple[str, str], dict[tuple[str, str, str], np.ndarray]] = {}
    if answers is not None and not answers.empty:
        keys = [*CELL_KEYS, "item_id"]
        for key, group in answers.groupby(keys, sort=False):
            cell = by_cell.setdefault((str(key[0]), str(key[1])), {})
            cell[(str(key[2]), str(key[3]), str(key[4]))] = group["value"].to_numpy(dtype=float)
    reductions = dict(item_reduce or {})
    estimates: dict[ScoreKey, Estimate] = {}
    for (variant, probe), group in items.groupby(["variant", "probe"], sort=False):
        per_probe = probe_estimates(
            group, str(variant), str(probe), n_boot, seed, by_cell.get((variant, probe)),
            reductions.get(str(probe), "mean"),
        )
        for (dimension, fmt), estimate in per_probe.items():
            estimates[(str(variant), str(probe), str(dimension), str(fmt))] = estimate
    return estimates


def scores_table(
    estimates: Mapping[ScoreKey, Estimate], variants: Sequence[Variant]
) -> pd.DataFrame:
    """Return `variant_scores.csv` from `score_estimates` (variants in registry order)."""
    order = {variant.name: index for index, variant in enumerate(variants)}
    by_name = {variant.name: variant for variant in variants}
    rows = []
    for (variant_name, probe, dimension, fmt), estimate in estimates.items():
        variant = by_name[variant_name]
        method, ci_note = estimate.ci_method, estimate.ci_note
        low, high = (
            (math.nan, math.nan) if method == CI_NONE else percentile_interval(estimate.boot)
        )
        if method == CI_PARTIAL and low == high and not estimate.at_end():
            method, low, high = CI_NONE, math.nan, math.nan
            ci_note = f"n/a: {ci_note}, and the cells with a CI do not vary"
        rows.append({
            "variant": variant.name, "size": variant.size, "domain": variant.domain,
            "stage": variant.stage, "probe": probe, "dimension": dimension, "format": fmt,
            "mean": estimate.mean, "ci_low": low, "ci_high": high, "n": estimate.n,
            "ci_method": method, "ci_note": ci_note, "note": "",
        })
    table = pd.DataFrame(rows, columns=SCORE_COLUMNS)
    if table.empty:
        return table
    table["_order"] = table["variant"].map(order)
    table["_dim_all"] = table["dimension"] == ALL
    table["_fmt_all"] = table["format"] == ALL
    table = table.sort_values(
        ["_order", "probe", "_dim_all", "dimension", "_fmt_all", "format"]
    )
    return table.drop(columns=["_order", "_dim_all", "_fmt_all"]).reset_index(drop=True)


def variant_scores(
    items: pd.DataFrame,
    variants: Sequence[Variant],
    n_boot: int = DEFAULT_BOOTSTRAP,
    seed: int = 0,
    answers: pd.DataFrame | None = None,
    item_reduce: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Return `variant_scores.csv`: means, 95% bootstrap CIs and item counts (see module doc).

    `answers` (the per-answer frame, or its `resampling_answers`) lets cells whose items
    cannot vary resample their answers; without it those cells are n/a (or at a scale end).
    """
    if answers is not None:
        answers = resampling_answers(items, answers)
    return scores_table(score_estimates(items, n_boot, seed, answers, item_reduce), variants)


def group_means(keys: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(distinct keys, mean of `values` per key) for integer `keys`, without pandas."""
    distinct, inverse = np.unique(keys, return_inverse=True)
    sums = np.bincount(inverse, weights=values, minlength=distinct.size)
    return distinct, sums / np.bincount(inverse, minlength=distinct.size)


def pooled_means(
    groups: np.ndarray, dimensions: np.ndarray, formats: np.ndarray, values: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per group: the mean over dimensions of the mean over formats of the mean over items,
    i.e. the scores' aggregation (formats and dimensions weigh equally, whatever their item
    counts). All arguments are integer codes (values: floats), one entry per item; returns
    (distinct groups, their pooled means)."""
    n_formats = int(formats.max()) + 1 if formats.size else 1
    n_dimensions = int(dimensions.max()) + 1 if dimensions.size else 1
    cell_keys = (groups.astype(np.int64) * n_dimensions + dimensions) * n_formats + formats
    cells, cell_means = group_means(cell_keys, values.astype(float))
    dimension_keys, dimension_means = group_means(cells // n_formats, cell_means)
    return group_means(dimension_keys // n_dimensions, dimension_means)


def pooled_mean(items: pd.DataFrame) -> float:
    """The mean of `items` aggregated like the scores (see `pooled_means`); NaN for none."""
    if items.empty:
        return math.nan
    dimensions = pd.factorize(items["dimension"])[0]
    formats = pd.factorize(items["format"])[0]
    _, means = pooled_means(np.zeros(len(items), dtype=np.int64), dimensions, formats,
                            items["value"].to_numpy(dtype=float))
    return float(means[0])


def headline_rows(scores: pd.DataFrame) -> pd.DataFrame:
    """Per (variant, probe): the headline row (harmless dimension, else the overall mean)."""
    pooled = scores[scores["format"] == ALL]
    harmless = pooled[pooled["dimension"] == HEADLINE_DIMENSION]
    overall = pooled[pooled["dimension"] == ALL]
    keys = ["variant", "probe"]
    with_harmless = set(map(tuple, harmless[keys].to_numpy()))
    fallback = overall[[tuple(key) not in with_harmless for key in overall[keys].to_numpy()]]
    return pd.concat([harmless, fallback]).reset_index(drop=True)


def secondary_rows(scores: pd.DataFrame) -> pd.DataFrame:
    """Per (variant, probe): the mean over all dimensions (and formats)."""
    overall = scores[(scores["format"] == ALL) & (scores["dimension"] == ALL)]
    return overall.reset_index(drop=True)


def format_estimate(row: Mapping[str, object]) -> str:
    """``mean [low, high]`` with 3 decimals, ``[n/a]`` without an interval, and a dagger when
    the row carries a note (e.g. no reliable moral reference)."""
    low, high = float(row["ci_low"]), float(row["ci_high"])  # type: ignore[arg-type]
    interval = "[n/a]" if math.isnan(low) else f"[{low:.3f}, {high:.3f}]"
    note = row.get("note")
    flag = " †" if isinstance(note, str) and note else ""
    return f"{float(row['mean']):.3f} {interval}{flag}"  # type: ignore[arg-type]


def summary_table(scores: pd.DataFrame, variants: Sequence[Variant]) -> pd.DataFrame:
    """One row per variant: headline (and, for multi-dimension probes, secondary) per probe."""
    head = headline_rows(scores)
    second = secondary_rows(scores)
    multi = {
        probe for probe, group in scores.groupby("probe")
        if len(set(group["dimension"]) - {ALL}) > 1
    }
    rows = []
    for variant in variants:
        row: dict[str, object] = {
            "variant": variant.name, "size": variant.size, "domain": variant.domain,
            "stage": variant.stage,
        }
        for probe in sorted(scores["probe"].unique()):
            for label, table in (("", head), (" (all dims)", second)):
                if label and probe not in multi:
                    continue
                match = table[(table["variant"] == variant.name) & (table["probe"] == probe)]
                if match.empty:
                    row[probe + label] = ""
                    continue
                row[probe + label] = format_estimate(match.iloc[0])
        rows.append(row)
    return pd.DataFrame(rows)
