"""From log files to the frames every analysis starts from: headers, log choice, sample rows
and the settings check, with unreadable logs skipped rather than stopping everything.

A log can fail at two points: its header (a truncated file, not a zip, not a log) is caught
by `read_log_infos`; its sample data (a valid header with a corrupt ``summaries.json`` or
sample member: a zstd, CRC or JSON error; or no sample data at all although its header lists
samples) only when its rows are read. Such a log is skipped
with a warning that names it and the error, listed in ``logs.csv``, and the logs are chosen
again without it, so a run it had superseded (an earlier complete run of the same
evaluation) takes its place. A failed read is never cached (`analysis.frame_cache` stores
rows only after a successful read), and a cached log that changed on disk is read again.

The settings check (`analysis.settings`) runs on the final choice of logs.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from analysis.frames import Frames, LogRows, cache_folder, frames_from_rows
from analysis.logs import (
    LogHygieneError,
    LogInfo,
    LogSelection,
    log_locations,
    read_log_infos,
    select_logs,
    variants_from_logs,
)
from analysis.parallel_read import read_rows_of
from analysis.progress import progress_bar
from analysis.settings import SettingsCheck, check_settings

if TYPE_CHECKING:
    from em_selfaware.variants import Variant

LogPaths = str | Path | Sequence[str | Path]
"""A log folder (read recursively), a log file, or a list of them."""
NO_SAMPLE_DATA = (
    "no sample data: the header lists {count} samples but the log holds none (samples not "
    "logged, or removed)"
)


@dataclass
class Study:
    """The logs of a study, chosen and read."""

    locations: list[str]
    """Every log file found."""
    variants: list[Variant]
    selection: LogSelection
    frames: Frames
    settings: SettingsCheck


def load_study(
    logs: LogPaths,
    variants: Sequence[Variant] | None = None,
    allow_mixed_settings: bool = False,
    cache: Path | None | bool = True,
    fast: bool = True,
    progress: bool = False,
    models: Collection[str] | None = None,
    parallel: bool = False,
) -> Study:
    """Find, choose and read a study's logs (see the module doc).

    Args:
        logs: a log folder (recursively), a log file, or a list of them.
        variants: the variant registry; by default rebuilt from the variant metadata that
            ``em-selfaware run`` writes into every log.
        allow_mixed_settings: compare variants run with settings that bias the comparison
            (listed as warnings) instead of refusing (`analysis.settings`).
        cache: the frame cache: True (the project's), a folder, or False/None (none).
        fast: read ``.eval`` logs directly (False: only Inspect's reader).
        progress: show progress bars.
        models: only the logs of these models (the others are left out without a warning;
            a diff of two variants, say).
        parallel: parse large uncached logs in worker processes (`analysis.parallel_read`);
            only for a program whose main module is guarded, as the ``em-selfaware`` command.

    Raises:
        LogHygieneError: logs that cannot be analysed together, or no usable log.
    """
    locations = log_locations(logs)
    with progress_bar("Reading log headers", len(locations), progress) as advance:
        infos, unreadable = read_log_infos(locations, advance)
    if models is not None:
        infos = [info for info in infos if info.model in models]
    if variants is None:
        variants = variants_from_logs([info for info in infos if info.status == "success"])
    folder = cache_folder(cache)
    rows: dict[str, LogRows] = {}
    failed: list[tuple[LogInfo | str, str]] = []
    selection = select_logs(infos, variants, unreadable, echo=False)
    with progress_bar("Reading samples", len(selection.used), progress) as advance:
        while True:
            new_failures = _read_rows(selection, rows, folder, fast, advance, parallel)
            if not new_failures:
                break
            failed += new_failures
            skipped = _names(failed)
            candidates = [info for info in infos if info.location not in skipped]
            selection = select_logs(candidates, variants, [*unreadable, *failed], echo=False)
    selection.echo_warnings()
    if not selection.used:
        raise LogHygieneError(f"no usable logs in {_source(logs)} (see the warnings above)")
    frames = frames_from_rows(selection, rows)
    judge = {info.location: rows[info.location].judge for info, _ in selection.used}
    settings = check_settings(selection, allow_mixed_settings, judge)
    return Study(locations, list(variants), selection, frames, settings)


def _names(failed: list[tuple[LogInfo | str, str]]) -> set[str]:
    return {entry if isinstance(entry, str) else entry.location for entry, _ in failed}


def _read_rows(
    selection: LogSelection,
    rows: dict[str, LogRows],
    folder: Path | None,
    fast: bool,
    advance: Callable[[], None],
    parallel: bool,
) -> list[tuple[LogInfo | str, str]]:
    """Read the rows of every used log not read yet; return the logs that failed."""
    failures: list[tuple[LogInfo, str]] = []
    pending = [info for info, _ in selection.used if info.location not in rows]
    for info, read in read_rows_of(pending, fast, folder, advance, parallel):
        if isinstance(read, str):
            failures.append((info, read))
        elif read.table.num_rows == 0:
            failures.append((info, NO_SAMPLE_DATA.format(count=len(info.sample_ids))))
        else:
            rows[info.location] = read
    order = {info.location: index for index, info in enumerate(pending)}
    return sorted(failures, key=lambda failure: order[failure[0].location])  # as listed


def _source(logs: LogPaths) -> str:
    if isinstance(logs, str | Path):
        return str(logs)
    return ", ".join(str(item) for item in logs)
