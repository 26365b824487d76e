"""The report's figures, all with 95% bootstrap CIs as error bars, each with a caption.

Every figure is drawn once and saved in one format (PNG by default, SVG on request), with a
fixed constrained layout (no ``bbox_inches="tight"``, which draws a figure twice). matplotlib
is imported when the first figure is drawn, and figures are built with
`matplotlib.figure.Figure` (not pyplot), so the report neither pays for matplotlib before it
needs it nor changes the caller's matplotlib backend.

Names from the logs (probes, variants, domains, sizes, dimensions) reach matplotlib through
`plain` (never parsed as mathtext) and file names through `analysis.names.safe_file_stem`.
Colours are keyed by name (a fixed palette for the known domains and probes, a checksum of the
name for others), so a domain or probe has the same colour in every run.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from analysis.correlations import correlation_matrix
from analysis.frames import ALL
from analysis.names import file_in, safe_file_stem
from analysis.scores import headline_rows
from em_selfaware.variants import STAGES, Variant

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

HARMFULNESS = "harmfulness"
FIGURE_FORMATS = ("png", "svg")
BASE_COLOUR = "#8c8c8c"
DOMAIN_COLOURS: dict[str, str] = {"trivia": "#b2182b", "code": "#2166ac"}
"""The domains of the protocol; other domains get a colour of `_EXTRA_DOMAIN_COLOURS`."""
_EXTRA_DOMAIN_COLOURS = ["#1b7837", "#762a83", "#e08214", "#35978f", "#8c510a", "#c51b7d"]
PROBE_COLOURS: dict[str, str] = {
    "intentions": "#111111",
    "self_assessment": "#e6550d",
    "emergent_misalignment": "#756bb1",
    "self_report": "#31a354",
    "two_ai_identification": "#3182bd",
    "output_recognition": "#8c6d31",
    "score_prediction": "#d6616b",
    "moral_foundations": "#17becf",
    "moral_self_assessment": "#bcbd22",
}
"""Line colours of the suite's probes; other probes get a colour of `_EXTRA_PROBE_COLOURS`."""
_EXTRA_PROBE_COLOURS = ["#7f7f7f", "#9467bd", "#e377c2", "#2ca02c", "#ff7f0e", "#1f77b4"]
_STAGE_SHADE = {"base": 0.55, "misaligned": 1.0, "realigned": 0.45}
UNRELIABLE_HATCH = "///"
_DPI = 120
_CI_TEXT = "error bars: 95% bootstrap CIs"


@dataclass(frozen=True)
class FigureFile:
    """One saved figure and the caption that says what it shows and its n."""

    path: Path
    caption: str


def plain(text: object) -> str:
    """`text` as matplotlib shows it literally: every ``$`` escaped, so no mathtext."""
    return str(text).replace("$", r"\$")


def stable_colours(
    names: Iterable[str], fixed: Mapping[str, str], palette: Sequence[str]
) -> dict[str, str]:
    """A colour per name: its `fixed` colour, else the palette entry a checksum of the name
    picks (the next unused one when two names of the figure collide). Names are handled in
    sorted order, so the colours do not depend on the order the names appear in."""
    colours: dict[str, str] = {}
    taken = set()
    for name in sorted(set(names)):
        if name in fixed:
            colours[name] = fixed[name]
            taken.add(fixed[name])
    for name in sorted(set(names) - set(fixed)):
        start = zlib.crc32(name.encode("utf-8")) % len(palette)
        free = [palette[(start + i) % len(palette)] for i in range(len(palette))]
        colours[name] = next((c for c in free if c not in taken), free[0])
        taken.add(colours[name])
    return colours


def _new_figure(width: float, height: float) -> Figure:
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def _save(figure: Figure, folder: Path, name: str, figure_format: str) -> Path:
    if figure_format not in FIGURE_FORMATS:
        raise ValueError(
            f"unknown figure format '{figure_format}'; valid: {', '.join(FIGURE_FORMATS)}"
        )
    folder.mkdir(parents=True, exist_ok=True)
    path = file_in(folder, safe_file_stem(name), f".{figure_format}")
    figure.savefig(path, dpi=_DPI, format=figure_format)
    return path


def _domains(variants: Sequence[Variant]) -> list[str]:
    return list(dict.fromkeys(v.domain for v in variants if v.stage != "base"))


def _sizes(variants: Sequence[Variant]) -> list[str]:
    return list(dict.fromkeys(v.size for v in variants))


def _variant_at(variants: Sequence[Variant], size: str, domain: str, stage: str) -> str | None:
    for variant in variants:
        if variant.size == size and variant.stage == stage and (
            stage == "base" or variant.domain == domain
        ):
            return variant.name
    return None


def _group_colour(domain_colour: str, stage: str) -> tuple[float, ...]:
    from matplotlib.colors import to_rgba

    if stage == "base":
        return to_rgba(BASE_COLOUR)
    base = to_rgba(domain_colour)
    shade = _STAGE_SHADE.get(stage, 0.7)
    return tuple(1 - shade * (1 - channel) for channel in base[:3]) + (1.0,)


def _group_label(domain: str, stage: str) -> str:
    return "base" if stage == "base" else f"{domain} {stage}"


def _legend_entries(axes: Sequence[Axes]) -> tuple[list[Any], list[str]]:
    """Legend handles and labels of all panels, each label once, in order of appearance."""
    entries: dict[str, object] = {}
    for axis in axes:
        for handle, label in zip(*axis.get_legend_handles_labels(), strict=True):
            entries.setdefault(label, handle)
    return list(entries.values()), list(entries)


def _error(rows: pd.DataFrame) -> np.ndarray:
    """Error-bar lengths below and above the mean (0 where the interval is n/a)."""
    means = rows["mean"].to_numpy(dtype=float)
    below = means - rows["ci_low"].to_numpy(dtype=float)
    above = rows["ci_high"].to_numpy(dtype=float) - means
    return np.clip(np.nan_to_num(np.vstack([below, above]), nan=0.0), 0.0, None)


def _n_text(rows: pd.DataFrame) -> str:
    """``n = 24`` or ``n = 3-24`` items behind each plotted value."""
    counts = rows["n"].dropna().astype(int)
    if counts.empty:
        return "n = 0"
    low, high = int(counts.min()), int(counts.max())
    return f"n = {low}" if low == high else f"n = {low}-{high}"


def _na_text(rows: pd.DataFrame) -> str:
    missing = int(rows["ci_low"].isna().sum())
    if not missing:
        return ""
    return (
        f" {missing} of {len(rows)} values have no CI (n/a, no error bar; see "
        "variant_scores.csv)."
    )


def _panel_title(axis: Axes, text: str) -> None:
    axis.set_title(plain(text), fontsize=10)


def inverted_v(
    scores: pd.DataFrame,
    variants: Sequence[Variant],
    folder: Path,
    moral: set[str],
    figure_format: str = "png",
) -> list[FigureFile]:
    """Bars: harmfulness per stage; lines: the other probes' headline scores. Domain x size."""
    from matplotlib.patches import Patch

    head_rows = headline_rows(scores)
    head = head_rows.set_index(["variant", "probe"])
    line_probes = sorted(set(scores["probe"]) - {HARMFULNESS} - moral)
    domains, sizes = _domains(variants), _sizes(variants)
    if not domains:
        return []
    domain_colours = stable_colours(domains, DOMAIN_COLOURS, _EXTRA_DOMAIN_COLOURS)
    probe_colours = stable_colours(line_probes, PROBE_COLOURS, _EXTRA_PROBE_COLOURS)
    has_bars = HARMFULNESS in set(scores["probe"])
    figure = _new_figure(3.6 * len(sizes), 3.2 * len(domains) + 0.8)
    axes = figure.subplots(len(domains), len(sizes), squeeze=False, sharey=True)
    stages = list(STAGES)
    positions = np.arange(len(stages))
    plotted: list[pd.DataFrame] = []
    bar_entries: dict[str, Patch] = {}
    for row, domain in enumerate(domains):
        for column, size in enumerate(sizes):
            axis = axes[row][column]
            names = [_variant_at(variants, size, domain, stage) for stage in stages]

            def lookup(probe: str, names: list[str | None] = names) -> pd.DataFrame:
                return pd.DataFrame([
                    head.loc[(name, probe)] if name and (name, probe) in head.index
                    else pd.Series({"mean": np.nan, "ci_low": np.nan, "ci_high": np.nan,
                                    "n": np.nan})
                    for name in names
                ])

            if has_bars:
                bars = lookup(HARMFULNESS)
                plotted.append(bars.assign(probe=HARMFULNESS))
                colours = [_group_colour(domain_colours[domain], s) for s in stages]
                axis.bar(positions, bars["mean"], yerr=_error(bars), capsize=3, color=colours,
                         edgecolor="black", linewidth=0.5)
                for stage, colour in zip(stages, colours, strict=True):
                    label = plain(f"{HARMFULNESS}: {_group_label(domain, stage)}")
                    bar_entries.setdefault(label, Patch(facecolor=colour, edgecolor="black",
                                                        linewidth=0.5))
            for probe in line_probes:
                line = lookup(probe)
                plotted.append(line.assign(probe=probe))
                axis.errorbar(positions, line["mean"], yerr=_error(line), marker="o",
                              capsize=3, color=probe_colours[probe], label=plain(probe))
            axis.set_xticks(positions, [plain(stage) for stage in stages])
            axis.set_ylim(0, 1)
            _panel_title(axis, f"{domain} / {size}")
            if column == 0:
                axis.set_ylabel("score (1 = misaligned)")
    handles, labels = _legend_entries([axis for row in axes for axis in row])
    handles = list(bar_entries.values()) + handles
    labels = list(bar_entries) + labels
    figure.suptitle("Harmfulness (bars) and headline self-descriptions (lines) by stage")
    figure.legend(handles, labels, loc="outside lower center",
                  ncol=max(1, min(len(labels), 4)), frameon=False, fontsize=8)
    values = pd.concat(plotted, ignore_index=True) if plotted else pd.DataFrame()
    shown = values.dropna(subset=["mean"]) if not values.empty else values
    per_probe = "; ".join(
        f"{probe} {_n_text(rows)}" for probe, rows in shown.groupby("probe", sort=True)
    ) if not shown.empty else "no values"
    caption = (
        "Inverted V: per domain (rows) and size (columns), the harmfulness headline score of "
        "the base, misaligned and realigned variant (bars) and the other probes' headline "
        f"scores (lines; the harmless dimension where a probe has one). {_CI_TEXT}. Items "
        f"per value: {per_probe}." + (_na_text(shown) if not shown.empty else "")
    )
    return [FigureFile(_save(figure, folder, "inverted_v", figure_format), caption)]


def correlation_heatmap(
    correlations: pd.DataFrame, folder: Path, figure_format: str = "png"
) -> list[FigureFile]:
    """Spearman rho between probes' headline scores across variants, p-values annotated."""
    matrix = correlation_matrix(correlations, "headline")
    if len(matrix) < 2:
        return []
    subset = correlations[correlations["measure"] == "headline"]
    p_of = {(r.probe_a, r.probe_b): r.p for r in subset.itertuples()}
    figure = _new_figure(3.0 + 1.3 * len(matrix), 1.8 + 1.1 * len(matrix))
    axis = figure.subplots()
    image = axis.imshow(matrix.to_numpy(dtype=float), vmin=-1, vmax=1, cmap="RdBu_r")
    labels = list(matrix.index)
    axis.set_xticks(range(len(labels)), [plain(label) for label in labels], rotation=30,
                    ha="right")
    axis.set_yticks(range(len(labels)), [plain(label) for label in labels])
    for i, first in enumerate(labels):
        for j, second in enumerate(labels):
            rho = matrix.iloc[i, j]
            p = p_of.get((first, second), p_of.get((second, first)))
            text = f"{rho:.2f}" if i == j or p is None else f"{rho:.2f}\np={p:.2g}"
            axis.text(j, i, text, ha="center", va="center", fontsize=8,
                      color="white" if abs(rho) > 0.6 else "black")
    figure.colorbar(image, ax=axis, label="Spearman rho")
    figure.suptitle("Spearman correlation across variants (headline scores)")
    counts = subset["n_variants"].astype(int)
    n_text = (
        f"n = {counts.min()} variants" if counts.min() == counts.max()
        else f"n = {counts.min()}-{counts.max()} variants"
    )
    methods = sorted(set(subset["p_method"].astype(str)))
    caption = (
        f"Spearman's rho between the probes' headline scores across variants ({n_text} per "
        "pair); each cell shows rho and its two-sided p ("
        + ", ".join({"exact": "exact over every pairing", "t": "t approximation"}.get(m, m)
                    for m in methods)
        + "). CIs of rho are in the correlations table."
    )
    return [FigureFile(_save(figure, folder, "correlations", figure_format), caption)]


def grouped_bars(
    scores: pd.DataFrame,
    variants: Sequence[Variant],
    probe: str,
    by: str,
    folder: Path,
    name: str,
    ylim: tuple[float, float] = (0.0, 1.0),
    label: str | None = None,
    figure_format: str = "png",
) -> list[FigureFile]:
    """Bars per dimension (`by` = "dimension") or format (`by` = "format"), one panel per size.

    Bars whose score row carries a note (e.g. no reliable moral reference) are hatched.
    """
    other = "format" if by == "dimension" else "dimension"
    rows = scores[(scores["probe"] == probe) & (scores[other] == ALL) & (scores[by] != ALL)]
    categories = list(dict.fromkeys(rows[by]))
    if len(categories) < 2:
        return []
    domains, sizes = _domains(variants), _sizes(variants)
    domain_colours = stable_colours(domains, DOMAIN_COLOURS, _EXTRA_DOMAIN_COLOURS)
    groups = [("base", "base")] + [(d, s) for d in domains for s in ("misaligned", "realigned")]
    panel_width = max(4.0, 0.3 * len(categories) * len(groups))
    figure = _new_figure(panel_width * len(sizes), 4.4)
    axes = figure.subplots(1, len(sizes), squeeze=False, sharey=True)
    width = 0.8 / len(groups)
    positions = np.arange(len(categories))
    plotted: list[pd.DataFrame] = []
    hatched = 0
    for column, size in enumerate(sizes):
        axis = axes[0][column]
        for index, (domain, stage) in enumerate(groups):
            variant = _variant_at(variants, size, domain, stage)
            if variant is None:
                continue
            picked = rows[rows["variant"] == variant].set_index(by).reindex(categories)
            plotted.append(picked)
            notes = picked["note"] if "note" in picked else pd.Series([""] * len(picked))
            marks = [isinstance(note, str) and bool(note) for note in notes]
            hatched += sum(marks)
            bars = axis.bar(
                positions + (index - (len(groups) - 1) / 2) * width, picked["mean"],
                width=width, yerr=_error(picked.reset_index()), capsize=2,
                color=_group_colour(domain_colours.get(domain, BASE_COLOUR), stage),
                label=plain(_group_label(domain, stage)), edgecolor="black", linewidth=0.4,
            )
            for bar, mark in zip(bars, marks, strict=True):
                if mark:
                    bar.set_hatch(UNRELIABLE_HATCH)
        axis.set_xticks(positions, [plain(c) for c in categories], rotation=20, ha="right")
        axis.set_ylim(*ylim)
        axis.axhline(0, color="black", linewidth=0.5)
        _panel_title(axis, size)
    axes[0][0].set_ylabel("score" if ylim[0] >= 0 else "normalised score")
    handles, labels = _legend_entries(axes[0])
    figure.suptitle(plain(f"{probe}: per {label or by}"))
    figure.legend(handles, labels, loc="outside lower center", ncol=min(len(labels), 5),
                  frameon=False, fontsize=8)
    values = pd.concat(plotted).dropna(subset=["mean"]) if plotted else pd.DataFrame()
    scale = (
        "normalised: -0.5 = the reference's (base's) pole, +0.5 = the opposite pole"
        if ylim[0] < 0 else "1 = misaligned"
    )
    caption = (
        f"{probe}: mean per {label or by} ({scale}) of each variant, one panel per size; "
        f"{_CI_TEXT}. Items per bar: {_n_text(values) if not values.empty else 'n = 0'}."
        + (_na_text(values) if not values.empty else "")
        + (f" Hatched ({hatched} bars): no reliable moral reference (see the moral "
           "reference table)." if hatched else "")
    )
    return [FigureFile(_save(figure, folder, name, figure_format), caption)]


def all_figures(
    scores: pd.DataFrame,
    correlations: pd.DataFrame,
    variants: Sequence[Variant],
    folder: Path,
    moral: set[str],
    figure_format: str = "png",
) -> list[FigureFile]:
    """Draw every figure the data supports, each once, in `figure_format` (png or svg)."""
    from matplotlib import rc_context

    files: list[FigureFile] = []
    with rc_context({"text.usetex": False, "svg.fonttype": "none"}):
        files += inverted_v(scores, variants, folder, moral, figure_format)
        files += correlation_heatmap(correlations, folder, figure_format)
        for probe in sorted(set(scores["probe"])):
            if probe in moral:
                files += grouped_bars(scores, variants, probe, "dimension", folder,
                                      f"{probe}_foundations", ylim=(-0.5, 0.5),
                                      label="foundation", figure_format=figure_format)
                continue
            files += grouped_bars(scores, variants, probe, "dimension", folder,
                                  f"{probe}_dimensions", figure_format=figure_format)
            files += grouped_bars(scores, variants, probe, "format", folder,
                                  f"{probe}_formats", figure_format=figure_format)
    return files
