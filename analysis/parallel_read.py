"""Read many logs' rows, in worker processes when there is enough to read.

Logs whose rows the frame cache holds are read here, in this process (a cache read is fast).
The others are parsed from the logs: one by one, or, when the caller allows it (`parallel`),
they hold at least `PARALLEL_MIN_BYTES` of log files and more than one CPU is available, in a
pool of worker processes (one log per task; each worker also writes that log's cache entry).
Workers are spawned, which imports the caller's main module again in each of them: only a
program whose main module is guarded (``if __name__ == "__main__":``, as the ``em-selfaware``
command is) may allow it, so library calls (a notebook, a user's script) read in-process.
Parsing a log is pure Python over its sample summaries, so processes are what makes it use
more than one core. ``EM_SELFAWARE_READ_WORKERS`` sets the number of workers (1: always in
this process).

Any failure to read a log is returned as its reason (never raised), so one corrupt log is
skipped and named, whichever process read it. A pool that cannot start or breaks leaves the
logs it did not return to be read in this process.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import get_context
from pathlib import Path

from analysis.frames import LogRows, cached_log_rows, read_and_cache_log_rows
from analysis.logs import LogInfo

logger = logging.getLogger(__name__)

WORKERS_ENV = "EM_SELFAWARE_READ_WORKERS"
PARALLEL_MIN_BYTES = 64 * 2**20
"""Log bytes to parse below which worker processes are not worth starting (each imports
pyarrow and the reader, about 0.4 s)."""
MAX_WORKERS = 4
"""At most this many workers: each holds one parsed log (about 180 MiB for a log of 20,000
samples), so more would cost memory faster than they save time."""
_REASON_LENGTH = 300


def unreadable_reason(error: BaseException) -> str:
    """The reason listed for a log whose sample data could not be read."""
    text = f"unreadable sample data ({type(error).__name__}: {error})"
    return text if len(text) <= _REASON_LENGTH else text[:_REASON_LENGTH - 4] + "...)"


def read_worker_count(logs: int) -> int:
    """Worker processes for `logs` logs to parse: ``EM_SELFAWARE_READ_WORKERS`` or the CPUs
    this process may use, at most `MAX_WORKERS` and one per log."""
    setting = os.environ.get(WORKERS_ENV, "").strip()
    if setting:
        try:
            wanted = int(setting)
        except ValueError:
            raise ValueError(f"{WORKERS_ENV} must be a whole number, not {setting!r}") from None
        if wanted < 1:
            raise ValueError(f"{WORKERS_ENV} must be at least 1, not {wanted}")
    else:
        wanted = min(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
                     else os.cpu_count() or 1, MAX_WORKERS)
    return max(1, min(wanted, logs))


def read_rows_of(
    infos: Sequence[LogInfo],
    fast: bool,
    cache: Path | None,
    advance: Callable[[], None] = lambda: None,
    parallel: bool = False,
    parallel_min_bytes: int | None = None,
) -> Iterator[tuple[LogInfo, LogRows | str]]:
    """Yield each log with its rows, or the reason it could not be read (cached logs first).

    `parallel`: parse in worker processes when there is enough to parse (see the module doc
    for who may allow it). `parallel_min_bytes`: log bytes to parse from which workers are
    used (default `PARALLEL_MIN_BYTES`).
    """
    if parallel_min_bytes is None:
        parallel_min_bytes = PARALLEL_MIN_BYTES
    to_parse: list[LogInfo] = []
    for info in infos:
        try:
            cached = cached_log_rows(info, cache)
        except Exception as error:  # a cache problem is a miss, never a lost log
            logger.debug("cache read of %s failed (%s)", info.location, error)
            cached = None
        if cached is None:
            to_parse.append(info)
        else:
            advance()
            yield info, cached
    size = sum(info.file.size for info in to_parse if info.file is not None)
    workers = read_worker_count(len(to_parse)) if parallel else 1
    if workers > 1 and size >= parallel_min_bytes:
        done: set[str] = set()
        try:
            for info, result in _parse_in_workers(to_parse, fast, cache, workers):
                done.add(info.location)
                advance()
                yield info, result
        except (BrokenProcessPool, OSError) as error:
            logger.warning("reading logs in worker processes failed (%s); reading the rest "
                           "in this process", error)
        to_parse = [info for info in to_parse if info.location not in done]
    for info in to_parse:
        result = parse_log_rows(info, fast, cache)
        advance()
        yield info, result


def parse_log_rows(info: LogInfo, fast: bool, cache: Path | None) -> LogRows | str:
    """One log's rows parsed from the log (and cached), or the reason it cannot be read."""
    try:
        return read_and_cache_log_rows(info, fast, cache)
    except Exception as error:  # any corrupt log is skipped and named, never fatal
        return unreadable_reason(error)


def _parse_in_workers(
    infos: Sequence[LogInfo], fast: bool, cache: Path | None, workers: int
) -> Iterator[tuple[LogInfo, LogRows | str]]:
    # spawn: a fresh interpreter per worker (forking a process that may hold threads, a
    # progress bar's say, is unsafe)
    with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:
        largest_first = sorted(infos, key=lambda info: -(info.file.size if info.file else 0))
        futures = {pool.submit(parse_log_rows, info, fast, cache): info for info in largest_first}
        for future in as_completed(futures):
            yield futures[future], future.result()
