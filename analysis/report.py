"""`em-selfaware report`: a folder of logs -> CSV tables, figures, report.md and report.html."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from analysis.comparisons import wilcoxon_table
from analysis.correlations import correlation_table
from analysis.document import Document
from analysis.figures import all_figures
from analysis.frames import Frames, data_used, item_frame
from analysis.loading import load_study
from analysis.logs import LogSelection
from analysis.moral import DEFAULT_REFERENCE_PROBE, normalise_moral
from analysis.persona import PersonaThresholds, persona_report
from analysis.scores import headline_rows, summary_table, variant_scores
from analysis.settings import ALLOW_OPTION, SettingsCheck, settings_blocks
from analysis.stats import DEFAULT_BOOTSTRAP
from em_selfaware.variants import Variant

REPORT_FILES = (
    "variant_scores.csv", "wilcoxon.csv", "correlations.csv", "persona.csv", "data_used.csv",
    "items.csv", "settings.csv",
    "logs.csv", "answers.parquet", "report.md", "report.html",
)


@dataclass
class Analysis:
    """Everything the report shows, as data frames."""

    source: str
    variants: list[Variant]
    selection: LogSelection
    frames: Frames
    items: pd.DataFrame
    scores: pd.DataFrame
    wilcoxon: pd.DataFrame
    correlations: pd.DataFrame
    data_used: pd.DataFrame
    persona: pd.DataFrame
    settings: SettingsCheck
    n_boot: int
    seed: int
    moral_probes: set[str] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)


def analyse(
    logs: str | Path | Sequence[str | Path],
    variants: Sequence[Variant] | None = None,
    n_boot: int = DEFAULT_BOOTSTRAP,
    seed: int = 0,
    moral_reference: str = DEFAULT_REFERENCE_PROBE,
    moral_reference_variant: str | None = None,
    progress: bool = False,
    allow_mixed_settings: bool = False,
) -> Analysis:
    """Read, select and analyse the logs of a folder (or a list of log files).

    Without `variants`, the registry is rebuilt from the variant metadata that
    `em-selfaware run` writes into every log. Logs are chosen and read by
    `analysis.loading.load_study` (unreadable logs skipped and named; variants run with
    settings that bias a comparison refused unless `allow_mixed_settings`).
    """
    study = load_study(logs, variants, allow_mixed_settings, progress=progress)
    locations, variants, selection, frames = (
        study.locations, study.variants, study.selection, study.frames
    )
    items = item_frame(frames.answers, frames.item_reduce)
    moral_probes = set(items.loc[items["moral"].astype(bool), "probe"])
    items, notes = normalise_moral(items, variants, moral_reference, moral_reference_variant)
    scores = variant_scores(items, variants, n_boot=n_boot, seed=seed)
    return Analysis(
        source=_describe(logs, locations),
        variants=list(variants),
        selection=selection,
        frames=frames,
        items=items,
        scores=scores,
        wilcoxon=wilcoxon_table(items, variants),
        correlations=correlation_table(scores),
        data_used=data_used(frames, selection, items),
        persona=persona_report(headline_rows(scores)),
        settings=study.settings,
        n_boot=n_boot,
        seed=seed,
        moral_probes=moral_probes,
        notes=notes,
    )


def _describe(logs: str | Path | Sequence[str | Path], locations: list[str]) -> str:
    if isinstance(logs, str | Path):
        return str(logs)
    folders = sorted({str(Path(location.removeprefix("file://")).parent) for location in locations})
    return ", ".join(folders)


LOG_COLUMNS = ["log", "probe", "model", "variant", "status", "coverage", "detail"]


def logs_table(selection: LogSelection) -> pd.DataFrame:
    """Every log considered: used, superseded (by which, why) or skipped (why), with what
    each run covered (samples run / samples in its dataset, epochs, ``--limit``)."""
    rows = [
        {"log": info.name, "probe": info.probe, "model": info.model, "variant": variant.name,
         "status": "used", "coverage": info.coverage(), "detail": ""}
        for info, variant in selection.used
    ]
    rows += [
        {"log": old.name, "probe": old.probe, "model": old.model, "variant": "",
         "status": "superseded", "coverage": old.coverage(), "detail": why}
        for old, _, why in selection.superseded
    ]
    for entry, reason in selection.skipped:
        info = None if isinstance(entry, str) else entry
        rows.append({
            "log": Path(entry.removeprefix("file://")).name if info is None else info.name,
            "probe": "" if info is None else info.probe,
            "model": "" if info is None else info.model,
            "variant": "", "status": "skipped",
            "coverage": "" if info is None else info.coverage(), "detail": reason,
        })
    return pd.DataFrame(rows, columns=LOG_COLUMNS)


def _mixed_settings_note(document: Document, settings: SettingsCheck) -> None:
    """At the top of a report written with biasing differences allowed: which probes."""
    if not settings.biasing:
        return
    probes = sorted({difference.probe for difference in settings.biasing})
    document.paragraph(
        f"Written with {ALLOW_OPTION}: the variants of {', '.join(probes)} were run with "
        "settings that bias their comparison (see Settings); their tests, correlations and "
        "figures compare unlike runs."
    )


def _settings_section(document: Document, settings: SettingsCheck) -> None:
    """The settings each probe ran with, one table per probe (`analysis.settings`)."""
    document.heading("Settings")
    text = (
        "Per probe, the settings its variants ran with (one row per group of variants with "
        "the same settings; full table: `settings.csv`). coverage = samples run / samples in "
        "the dataset. Differences in mode, temperature, grader or judge prompts (and in "
        "samples or epochs for max-reduced probes) bias comparisons and stop the report "
        f"unless {ALLOW_OPTION} is given; other differences are warnings."
    )
    if settings.biasing:
        text += (
            f" This report was written with {ALLOW_OPTION}: comparisons across variants of "
            "the probes below that differ in a biasing setting are biased."
        )
    document.paragraph(text)
    for _, sentence, table in settings_blocks(settings.table):
        document.paragraph(sentence)
        document.table(table)


def _document(analysis: Analysis, figures: list[Path]) -> Document:
    used = analysis.selection.used
    document = Document("em-selfaware report")
    document.paragraph(
        f"{len(used)} logs from `{analysis.source}`, {len(analysis.variants)} variants; "
        f"written {datetime.now(UTC):%Y-%m-%d %H:%M} UTC. Scores are in [0, 1] with "
        "1 = misaligned (moral foundations: -0.5 = the base model's pole, +0.5 = the opposite). "
        f"95% CIs: percentile bootstrap over items ({analysis.n_boot} replicates, seed "
        f"{analysis.seed})."
    )
    _mixed_settings_note(document, analysis.settings)
    document.heading("Headline scores")
    document.paragraph(
        "Headline = the harmless/harmful dimension (V26's trend lines); '(all dims)' = the mean "
        "of all dimensions (for self-assessment, each dimension is the mean of its format "
        "means). Full table: `variant_scores.csv`."
    )
    document.table(summary_table(analysis.scores, analysis.variants))
    pngs = [path for path in figures if path.suffix == ".png"]
    if pngs:
        document.heading("Figures")
        for path in pngs:
            document.figure(path, path.stem.replace("_", " "))
    document.heading("Spearman correlations across variants")
    if analysis.correlations.empty:
        document.paragraph("Needs at least two probes.")
    else:
        document.table(analysis.correlations)
    document.heading("Persona classification (W26)")
    if analysis.persona.empty:
        document.paragraph("Needs the harmfulness probe and a self-report probe.")
    else:
        document.paragraph(
            PersonaThresholds().describe() + " One classification per self-report measure "
            "(self-assessment, self-report, two-AI identification), on headline scores."
        )
        document.table(analysis.persona)
    document.heading("Wilcoxon signed-rank tests (pooled)")
    document.paragraph(
        "Paired by item (same probe, dimension, format, item_id); zero differences dropped; "
        "Holm's correction over every test in `wilcoxon.csv` (which also has the per-dimension, "
        "per-size and per-domain tests). rank_biserial > 0: group B scores higher."
    )
    pooled = analysis.wilcoxon[analysis.wilcoxon["scope"] == "pooled"]
    document.table(pooled.drop(columns=["scope", "dimension", "size", "domain"]))
    document.heading("Data used")
    document.paragraph(
        "Per variant and probe: logs, samples (sample x epoch), samples without a score, "
        "answers, answers excluded (no value), answers by scoring route, and scored items."
    )
    document.table(analysis.data_used)
    _settings_section(document, analysis.settings)
    document.heading("Logs")
    document.paragraph(
        "Every log found: used, superseded (a run covering more samples or epochs, or a later "
        "run of the same samples, is used instead) or skipped, with the reason."
    )
    document.table(logs_table(analysis.selection))
    messages = analysis.selection.warnings + analysis.notes
    if messages:
        document.heading("Warnings and notes")
        document.bullets(messages)
    return document


def write_report(analysis: Analysis, out_dir: str | Path, figures: bool = True) -> list[Path]:
    """Write the tables, figures, report.md and report.html into `out_dir`; return the paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    tables = {
        "variant_scores.csv": analysis.scores,
        "wilcoxon.csv": analysis.wilcoxon,
        "correlations.csv": analysis.correlations,
        "persona.csv": analysis.persona,
        "data_used.csv": analysis.data_used,
        "items.csv": analysis.items,
        "settings.csv": analysis.settings.table,
        "logs.csv": logs_table(analysis.selection),
    }
    written: list[Path] = []
    for name, frame in tables.items():
        frame.to_csv(out / name, index=False)
        written.append(out / name)
    analysis.frames.answers.to_parquet(out / "answers.parquet", index=False)
    written.append(out / "answers.parquet")
    figure_paths = (
        all_figures(analysis.scores, analysis.correlations, analysis.variants,
                    out / "figures", analysis.moral_probes)
        if figures else []
    )
    written += figure_paths
    document = _document(analysis, figure_paths)
    (out / "report.md").write_text(document.markdown(out), encoding="utf-8")
    (out / "report.html").write_text(document.html(), encoding="utf-8")
    written += [out / "report.md", out / "report.html"]
    return written
