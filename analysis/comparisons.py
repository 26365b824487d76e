"""Paired Wilcoxon signed-rank tests between stage groups (PROTOCOL section 5).

Comparisons, each a list of variant pairs (A, B) from the registry:

- ``base_vs_misaligned``: every misaligned variant against its parent base (else the base of
  its size);
- ``misaligned_vs_realigned``: every realigned variant's parent misaligned variant (else the
  misaligned variant of its size and domain) against it;
- ``misaligned_<d1>_vs_<d2>``: misaligned variants of two domains at the same size.

The unit of every test is the item (same probe, dimension, format and ``item_id``), and each
item enters a test once: one comparison has several variant pairs (e.g. a base against the
misaligned variant of each domain, at each size), so an item has one difference B - A per
variant pair; the test takes, per item, the mean of its differences over the variant pairs
in the test's scope (pooled: all of the comparison's pairs; per dimension; per size; per
domain) and runs the signed-rank test on those means. Stacking the pairs instead would count
a base item once per domain and size and make p too small (pseudo-replication).
``mean_a``/``mean_b`` are computed like the scores (`analysis.scores.pooled_mean`: formats,
then dimensions weigh equally) per variant, then averaged over the distinct variants of each
side. Holm's correction runs over every test in the table. ``rank_biserial`` > 0 means B
scores higher (more misaligned) than A.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.scores import group_means, pooled_means
from analysis.stats import holm, wilcoxon_signed_rank
from em_selfaware.variants import Variant

WILCOXON_COLUMNS = [
    "comparison", "probe", "scope", "dimension", "size", "domain", "group_a", "group_b",
    "n_variant_pairs", "n_items", "n_nonzero", "mean_a", "mean_b", "W", "p", "p_holm",
    "rank_biserial", "method",
]
POOLING = (
    "one test value per item: the mean of its paired differences (B - A) over the variant "
    "pairs in the test's scope, so each item counts once however many domains and sizes "
    "the scope spans"
)
"""How the pooled tests use the items, for the report."""
ITEM_KEYS = ["probe", "dimension", "format", "item_id"]
_ALL = "all"
_DECIMALS = 12  # mean differences are rounded so float noise does not split tied ranks


@dataclass(frozen=True)
class Pairing:
    """Two variants whose items are compared, A first (e.g. base) and B second."""

    comparison: str
    a: Variant
    b: Variant
    group_a: str
    group_b: str

    @property
    def domain(self) -> str:
        """The domain the pair speaks for (both domains for a cross-domain pair)."""
        if self.a.domain != self.b.domain and self.a.stage == self.b.stage:
            return f"{self.a.domain} vs {self.b.domain}"
        return self.b.domain if self.b.stage != "base" else self.a.domain


def variant_pairings(variants: Sequence[Variant]) -> list[Pairing]:
    """Return the variant pairs of every comparison the registry supports."""
    by_name = {variant.name: variant for variant in variants}
    bases = {v.size: v for v in variants if v.stage == "base"}
    misaligned = [v for v in variants if v.stage == "misaligned"]
    pairings: list[Pairing] = []
    for variant in misaligned:
        parent = by_name.get(variant.parent or "")
        base = parent if parent is not None and parent.stage == "base" else bases.get(variant.size)
        if base is not None:
            pairings.append(
                Pairing("base_vs_misaligned", base, variant, "base", "misaligned")
            )
    by_size_domain = {(v.size, v.domain): v for v in misaligned}
    for variant in (v for v in variants if v.stage == "realigned"):
        parent = by_name.get(variant.parent or "")
        source = (
            parent if parent is not None and parent.stage == "misaligned"
            else by_size_domain.get((variant.size, variant.domain))
        )
        if source is not None:
            pairings.append(
                Pairing("misaligned_vs_realigned", source, variant, "misaligned", "realigned")
            )
    domains = list(dict.fromkeys(v.domain for v in misaligned))
    for index, first in enumerate(domains):
        for second in domains[index + 1 :]:
            for size in dict.fromkeys(v.size for v in misaligned):
                a = by_size_domain.get((size, first))
                b = by_size_domain.get((size, second))
                if a is not None and b is not None:
                    pairings.append(
                        Pairing(
                            f"misaligned_{first}_vs_{second}", a, b,
                            f"misaligned {first}", f"misaligned {second}",
                        )
                    )
    return pairings


def paired_items(items: pd.DataFrame, pairings: Sequence[Pairing]) -> pd.DataFrame:
    """Stack the item pairs of `pairings`: one row per (pair of variants, probe, item)."""
    keys = ITEM_KEYS
    frames = []
    by_variant = {name: group for name, group in items.groupby("variant")}
    for pairing in pairings:
        left = by_variant.get(pairing.a.name)
        right = by_variant.get(pairing.b.name)
        if left is None or right is None:
            continue
        merged = left[[*keys, "value"]].merge(
            right[[*keys, "value"]], on=keys, suffixes=("_a", "_b")
        )
        merged["comparison"] = pairing.comparison
        merged["group_a"] = pairing.group_a
        merged["group_b"] = pairing.group_b
        merged["size"] = pairing.b.size
        merged["domain"] = pairing.domain
        merged["variant_a"] = pairing.a.name
        merged["variant_b"] = pairing.b.name
        frames.append(merged)
    if not frames:
        return pd.DataFrame(
            columns=[*keys, "value_a", "value_b", "comparison", "group_a", "group_b", "size",
                     "domain", "variant_a", "variant_b"]
        )
    return pd.concat(frames, ignore_index=True)


def _coded(pairs: pd.DataFrame) -> pd.DataFrame:
    """`pairs` with integer codes of the item, both variants, dimension and format."""
    return pairs.assign(
        _item=pairs.groupby(ITEM_KEYS, sort=False, observed=True).ngroup().to_numpy(),
        _variant_a=pd.factorize(pairs["variant_a"])[0],
        _variant_b=pd.factorize(pairs["variant_b"])[0],
        _dimension=pd.factorize(pairs["dimension"])[0],
        _format=pd.factorize(pairs["format"])[0],
    )


def item_differences(pairs: pd.DataFrame) -> np.ndarray:
    """Per item: the mean over its variant pairs of ``value_b - value_a`` (`pairs` coded)."""
    differences = pairs["value_b"].to_numpy(dtype=float) - pairs["value_a"].to_numpy(dtype=float)
    _, means = group_means(pairs["_item"].to_numpy(), differences)
    return np.round(means, _DECIMALS)


def side_mean(pairs: pd.DataFrame, side: str) -> float:
    """Side ``a`` or ``b``: the mean over its distinct variants of their pooled mean (like the
    scores) over their paired items; an item shared by several pairs counts once per variant.
    `pairs` coded."""
    variants = pairs[f"_variant_{side}"].to_numpy()
    items = pairs["_item"].to_numpy()
    _, first = np.unique(variants.astype(np.int64) * (int(items.max()) + 1) + items,
                         return_index=True)
    _, means = pooled_means(
        variants[first], pairs["_dimension"].to_numpy()[first],
        pairs["_format"].to_numpy()[first], pairs[f"value_{side}"].to_numpy(dtype=float)[first],
    )
    return float(means.mean())


def _test_row(
    pairs: pd.DataFrame, comparison: str, probe: str, scope: str, dimension: str, size: str,
    domain: str,
) -> dict[str, object]:
    differences = item_differences(pairs)
    result = wilcoxon_signed_rank(np.zeros(differences.size), differences)
    variant_pairs = np.unique(
        pairs["_variant_a"].to_numpy().astype(np.int64) * (int(pairs["_variant_b"].max()) + 1)
        + pairs["_variant_b"].to_numpy()
    )
    return {
        "comparison": comparison, "probe": probe, "scope": scope, "dimension": dimension,
        "size": size, "domain": domain, "group_a": pairs["group_a"].iloc[0],
        "group_b": pairs["group_b"].iloc[0], "n_variant_pairs": int(variant_pairs.size),
        "n_items": result.n_pairs, "n_nonzero": result.n_nonzero,
        "mean_a": side_mean(pairs, "a"), "mean_b": side_mean(pairs, "b"),
        "W": result.statistic, "p": result.p_value, "rank_biserial": result.rank_biserial,
        "method": result.method,
    }


def wilcoxon_table(items: pd.DataFrame, variants: Sequence[Variant]) -> pd.DataFrame:
    """Return `wilcoxon.csv`: every comparison x probe, pooled / per dimension / size / domain."""
    pairs = _coded(paired_items(items, variant_pairings(variants)))
    rows: list[dict[str, object]] = []
    for (comparison, probe), group in pairs.groupby(["comparison", "probe"], sort=False):
        rows.append(_test_row(group, comparison, probe, "pooled", _ALL, _ALL, _ALL))
        for column, scope in (("dimension", "dimension"), ("size", "size"), ("domain", "domain")):
            if group[column].nunique() < 2:
                continue
            for value, subset in group.groupby(column, sort=True):
                labels = {"dimension": _ALL, "size": _ALL, "domain": _ALL, column: str(value)}
                rows.append(
                    _test_row(subset, comparison, probe, scope, labels["dimension"],
                              labels["size"], labels["domain"])
                )
    table = pd.DataFrame(rows, columns=WILCOXON_COLUMNS)
    table["p_holm"] = holm(table["p"].to_numpy(dtype=float)) if len(table) else []
    return table
