"""`em-selfaware report`: a folder of logs -> CSV tables, figures, report.md and report.html.

The report is written into a fresh folder beside `--out` and swapped in when complete, so the
folder never mixes files of two reports and a failed report leaves the previous one intact.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from analysis.comparisons import POOLING, wilcoxon_table
from analysis.correlations import correlation_table
from analysis.document import Document
from analysis.figures import FigureFile, all_figures
from analysis.frames import Frames, data_used, item_frame
from analysis.loading import Study, load_study
from analysis.logs import LogSelection
from analysis.moral import (
    DEFAULT_REFERENCE_PROBE,
    REFERENCE_COLUMNS,
    mark_unreliable,
    normalise_moral,
)
from analysis.persona import PersonaThresholds, persona_report
from analysis.scores import (
    CI_ANSWERS,
    CI_MIXED,
    CI_NONE,
    CI_PARTIAL,
    headline_rows,
    resampling_answers,
    score_estimates,
    scores_table,
    summary_table,
)
from analysis.settings import ALLOW_OPTION, SettingsCheck, settings_blocks
from analysis.stats import DEFAULT_BOOTSTRAP, SPEARMAN_EXACT_MAX_N
from em_selfaware.variants import Variant

REPORT_FILES = (
    "variant_scores.csv", "wilcoxon.csv", "correlations.csv", "persona.csv", "data_used.csv",
    "moral_reference.csv", "items.csv", "settings.csv", "logs.csv", "answers.parquet",
    "report.md", "report.html",
)
FIGURES_FOLDER = "figures"
MARKER = ".em-selfaware-report"
"""A file in every report folder: `write_report` replaces only folders that have it (or that
hold nothing but report files)."""


class ReportOutputError(ValueError):
    """`--out` cannot take the report (the message says why)."""


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
    moral_reference: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=REFERENCE_COLUMNS)
    )
    """Per size and foundation: the reference's raw mean, CI, pole and reliability."""
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
    parallel: bool = False,
) -> Analysis:
    """Read, select and analyse the logs of a folder (or a list of log files).

    `parallel`: parse large uncached logs in worker processes (the ``em-selfaware report``
    command; a library caller only from a guarded main module, see `analysis.parallel_read`).

    Without `variants`, the registry is rebuilt from the variant metadata that
    `em-selfaware run` writes into every log. Logs are chosen and read by
    `analysis.loading.load_study` (unreadable logs skipped and named; variants run with
    settings that bias a comparison refused unless `allow_mixed_settings`).
    """
    study = load_study(logs, variants, allow_mixed_settings, progress=progress,
                       parallel=parallel)
    return analyse_study(
        study, _describe(logs, study.locations), n_boot, seed, moral_reference,
        moral_reference_variant,
    )


def analyse_study(
    study: Study,
    source: str,
    n_boot: int = DEFAULT_BOOTSTRAP,
    seed: int = 0,
    moral_reference: str = DEFAULT_REFERENCE_PROBE,
    moral_reference_variant: str | None = None,
) -> Analysis:
    """The statistics of a loaded study (`analysis.loading.load_study`): scores, tests,
    correlations, moral normalisation, persona classification. `source` names the logs."""
    variants, selection, frames = study.variants, study.selection, study.frames
    items = item_frame(frames.answers, frames.item_reduce)
    moral_probes = set(items.loc[items["moral"].astype(bool), "probe"])
    moral = normalise_moral(
        items, variants, moral_reference, moral_reference_variant,
        answers=resampling_answers(items, frames.answers), n_boot=n_boot, seed=seed,
    )
    items = moral.items
    estimates = score_estimates(items, n_boot, seed, moral.answers, frames.item_reduce)
    scores = mark_unreliable(scores_table(estimates, variants), moral.reference, moral_probes)
    return Analysis(
        source=source,
        variants=list(variants),
        selection=selection,
        frames=frames,
        items=items,
        scores=scores,
        wilcoxon=wilcoxon_table(items, variants),
        correlations=correlation_table(scores, estimates, n_boot=n_boot, seed=seed),
        data_used=data_used(frames, selection, items),
        persona=persona_report(headline_rows(scores)),
        settings=study.settings,
        n_boot=n_boot,
        seed=seed,
        moral_probes=moral_probes,
        moral_reference=moral.reference,
        notes=moral.notes,
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


def _interval_counts(scores: pd.DataFrame) -> str:
    """A sentence on the rows whose CI resamples answers, is partial or is missing."""
    if scores.empty:
        return ""
    counts = scores["ci_method"].value_counts()
    parts = []
    answers = int(counts.get(CI_ANSWERS, 0)) + int(counts.get(CI_MIXED, 0))
    if answers:
        parts.append(
            f"{answers} rows of `variant_scores.csv` include cells whose items cannot vary (a "
            "single item, or items of equal value); there the CI resamples the items' answers "
            "(`ci_method` answers or items+answers)"
        )
    if counts.get(CI_PARTIAL, 0):
        parts.append(
            f"{int(counts[CI_PARTIAL])} aggregate rows count cells without a CI at their mean "
            "(`ci_method` partial)"
        )
    if counts.get(CI_NONE, 0):
        parts.append(
            f"{int(counts[CI_NONE])} rows have no CI (the reason is in `ci_note`): shown as "
            "[n/a], without an error bar"
        )
    return ("; ".join(parts) + ".") if parts else ""


def _document(analysis: Analysis, figures: list[FigureFile]) -> Document:
    used = analysis.selection.used
    document = Document("em-selfaware report")
    document.paragraph(
        f"{len(used)} logs from `{analysis.source}`, {len(analysis.variants)} variants; "
        f"written {datetime.now(UTC):%Y-%m-%d %H:%M} UTC. Scores are in [0, 1] with "
        "1 = misaligned (moral foundations: -0.5 = the base model's pole, +0.5 = the opposite). "
        f"95% CIs: percentile bootstrap over items within each (dimension, format) cell "
        f"({analysis.n_boot} replicates, seed {analysis.seed}), aggregated like the scores."
    )
    _mixed_settings_note(document, analysis.settings)
    document.heading("Headline scores")
    document.paragraph(
        "Headline = the harmless/harmful dimension (V26's trend lines); '(all dims)' = the mean "
        "of all dimensions (for self-assessment, each dimension is the mean of its format "
        "means). Full table: `variant_scores.csv`. " + _interval_counts(analysis.scores)
        + (" † = no reliable moral reference (see below)."
           if analysis.moral_reference is not None
           and not analysis.moral_reference["reliable"].astype(bool).all() else "")
    )
    document.table(summary_table(analysis.scores, analysis.variants))
    if figures:
        document.heading("Figures")
        for figure in figures:
            document.figure(figure.path, figure.caption)
    document.heading("Spearman correlations across variants")
    if analysis.correlations.empty:
        document.paragraph("Needs at least two probes.")
    else:
        document.paragraph(
            "rho between the probes' per-variant scores (headline and secondary measures); p "
            f"two-sided, exact over every pairing of the variants for up to "
            f"{SPEARMAN_EXACT_MAX_N} variants (`p_method` exact; e.g. 3 variants with rho = 1 "
            "give p = 2/6), else the t approximation (`p_method` t). 95% CI of rho: "
            "percentile bootstrap resampling the variants and, within each, its items "
            f"({analysis.n_boot} replicates)."
        )
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
        f"Paired by item (same probe, dimension, format, item_id), {POOLING}: `n_items` items, "
        "from `n_variant_pairs` variant pairs. Zero differences dropped; p two-sided as "
        "scipy.stats.wilcoxon; Holm's correction over every test in `wilcoxon.csv` (which also "
        "has the per-dimension, per-size and per-domain tests). mean_a, mean_b: per variant "
        "the mean over dimensions of format means of the paired items (like the scores), "
        "averaged over the variants of each group. rank_biserial > 0: group B scores higher."
    )
    pooled = analysis.wilcoxon[analysis.wilcoxon["scope"] == "pooled"]
    document.table(pooled.drop(columns=["scope", "dimension", "size", "domain"]))
    if analysis.moral_reference is not None and not analysis.moral_reference.empty:
        document.heading("Moral reference")
        document.paragraph(
            "Per size and foundation: the reference's raw score (0 = virtue pole, 1 = vice "
            "pole) with its 95% CI, and the pole that maps to -0.5. A reference whose CI "
            "includes 0.5 gives no reliable pole: its normalised scores are still computed "
            "with the point estimate's pole (the virtue pole at exactly 0.5) and marked "
            "(† in the tables, hatched bars, `note` in `variant_scores.csv`)."
        )
        document.table(analysis.moral_reference)
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


def _answers_table(answers: pd.DataFrame) -> pd.DataFrame:
    """answers.parquet: the per-answer frame, its answer text included when the frame has
    it (a ``text`` column), the answer's position in its score as ``answer_index``."""
    renamed = answers
    if "answer" in answers.columns and pd.api.types.is_integer_dtype(answers["answer"]):
        renamed = answers.rename(columns={"answer": "answer_index"})
    if "text" in renamed.columns:
        renamed = renamed[[c for c in renamed.columns if c != "text"] + ["text"]]
    return renamed


def _check_replaceable(out: Path) -> None:
    """Refuse an `out` that exists and holds anything but an earlier report."""
    if not out.exists():
        return
    if not out.is_dir():
        raise ReportOutputError(f"--out {out} is a file; give a folder for the report")
    if (out / MARKER).is_file():
        return
    known = {*REPORT_FILES, FIGURES_FOLDER}
    foreign = sorted(entry.name for entry in out.iterdir() if entry.name not in known)
    if foreign:
        shown = ", ".join(foreign[:5]) + (" ..." if len(foreign) > 5 else "")
        raise ReportOutputError(
            f"--out {out} holds files that are not part of a report ({shown}); the report "
            "replaces the whole folder, so give a new or empty folder (or an earlier report's)"
        )


def _sibling(out: Path, kind: str) -> Path:
    """A new hidden path beside `out` (same file system, so renames are atomic)."""
    return out.parent / f".{out.name}.{uuid.uuid4().hex[:12]}.{kind}"


def _swap_in(staging: Path, out: Path) -> None:
    """Replace `out` by `staging` (same parent folder): rename, rename, delete the old."""
    if not out.exists():
        staging.rename(out)
        return
    old = _sibling(out, "old")
    out.rename(old)
    try:
        staging.rename(out)
    except BaseException:
        old.rename(out)
        raise
    shutil.rmtree(old, ignore_errors=True)


def _write_files(
    analysis: Analysis, out: Path, figures: bool, figure_format: str
) -> list[Path]:
    tables = {
        "variant_scores.csv": analysis.scores,
        "wilcoxon.csv": analysis.wilcoxon,
        "correlations.csv": analysis.correlations,
        "persona.csv": analysis.persona,
        "data_used.csv": analysis.data_used,
        "moral_reference.csv": analysis.moral_reference,
        "items.csv": analysis.items,
        "settings.csv": analysis.settings.table,
        "logs.csv": logs_table(analysis.selection),
    }
    written: list[Path] = []
    for name, frame in tables.items():
        frame.to_csv(out / name, index=False)
        written.append(out / name)
    _answers_table(analysis.frames.answers).to_parquet(out / "answers.parquet", index=False)
    written.append(out / "answers.parquet")
    figure_files: list[FigureFile] = []
    if figures:
        figure_files = all_figures(
            analysis.scores, analysis.correlations, analysis.variants, out / FIGURES_FOLDER,
            analysis.moral_probes, figure_format,
        )
    written += [figure.path for figure in figure_files]
    document = _document(analysis, figure_files)
    (out / "report.md").write_text(document.markdown(out), encoding="utf-8")
    (out / "report.html").write_text(document.html(), encoding="utf-8")
    (out / MARKER).write_text("written by em-selfaware report; replaced whole by the next\n")
    return [*written, out / "report.md", out / "report.html"]


def write_report(
    analysis: Analysis,
    out_dir: str | Path,
    figures: bool = True,
    figure_format: str = "png",
) -> list[Path]:
    """Write the tables, figures (``png`` or ``svg``), report.md and report.html into
    `out_dir`; return the paths.

    Everything is written into a new folder beside `out_dir` first and swapped in when
    complete: no file of an earlier report survives in `out_dir`, and if anything fails the
    earlier report stays as it was. An existing `out_dir` must be an earlier report (or hold
    only report files); anything else is refused (`ReportOutputError`), not deleted.
    """
    out = Path(out_dir).absolute()
    _check_replaceable(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = _sibling(out, "partial")
    try:
        staging.mkdir()
    except PermissionError as error:
        raise ReportOutputError(
            f"--out {out}: the report is written beside it in {out.parent} and then swapped "
            f"in, which needs permission to write there ({error.strerror})"
        ) from error
    try:
        written = _write_files(analysis, staging, figures, figure_format)
        _swap_in(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    final = Path(out_dir)
    return [final / path.relative_to(staging) for path in written]
