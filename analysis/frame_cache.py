"""A per-log cache of the rows the report reads from a log (Parquet), so a second report on an
unchanged folder reads only the cache.

Where: ``frames/`` in the project's cache (`em_selfaware.paths.cache_dir`:
``$EM_SELFAWARE_CACHE``, else the user cache directory, e.g. ``~/.cache/em-selfaware``).
``EM_SELFAWARE_FRAME_CACHE=off`` turns it off. Log folders are never written to (they may be
read-only, shared or synced), and the cache may be deleted at any time.

One entry per log file: ``<sha256 of the log's absolute path>.parquet``. The entry records,
in its Parquet metadata, the cache format version, the log's path, size, mtime (ns) and the
CRC-32 of its ``header.json``; an entry is used only when all of them match the log as it is
now, so a log that was changed, replaced or rewritten is read again and its entry replaced.
An entry that cannot be read (truncated, corrupt, another format) is treated as missing and
removed. Entries are written to a temporary file and renamed, so a reader never sees half an
entry, and only when the log did not change while it was read.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analysis.logs import LogFile
from em_selfaware.paths import cache_dir as project_cache_dir

if TYPE_CHECKING:
    import pyarrow as pa

logger = logging.getLogger(__name__)

SWITCH_ENV = "EM_SELFAWARE_FRAME_CACHE"
CACHE_VERSION = 2
"""Bump whenever the rows read from a log change (columns, their meaning, or the reading)."""
_META_KEY = b"em_selfaware_frames"


def cache_dir() -> Path | None:
    """The folder of the frame cache, or None when the cache is off."""
    if os.environ.get(SWITCH_ENV, "").strip().lower() in ("off", "0", "false", "no"):
        return None
    return project_cache_dir() / "frames"


def _entry_path(folder: Path, file: LogFile) -> Path:
    return folder / (hashlib.sha256(file.path.encode()).hexdigest()[:32] + ".parquet")


def _key(file: LogFile) -> dict[str, Any]:
    return {
        "version": CACHE_VERSION, "path": file.path, "size": file.size,
        "mtime_ns": file.mtime_ns, "header_crc": file.header_crc,
    }


def load(
    file: LogFile, columns: list[str], folder: Path | None
) -> tuple[pa.Table, dict[str, Any]] | None:
    """Return (rows, notes) cached for this version of the log, or None (see module doc)."""
    if folder is None:
        return None
    path = _entry_path(folder, file)
    if not path.is_file():
        return None
    import pyarrow.parquet as pq

    try:
        schema = pq.read_schema(path)
        stored = json.loads((schema.metadata or {}).get(_META_KEY, b"{}"))
        if stored.get("key") != _key(file) or schema.names != columns:
            return None
        table = pq.read_table(path)
    except Exception as error:  # a corrupt entry is a miss, never an error or a wrong row
        logger.debug("frame cache entry %s unreadable (%s); removed", path, error)
        path.unlink(missing_ok=True)
        return None
    return table.replace_schema_metadata(None), dict(stored.get("notes", {}))


def store(file: LogFile, table: pa.Table, notes: Mapping[str, Any], folder: Path | None) -> None:
    """Write the entry of one log (atomically); skipped when the log changed meanwhile."""
    if folder is None or not file.unchanged():
        return
    import pyarrow.parquet as pq

    meta = json.dumps({"key": _key(file), "notes": dict(notes)}).encode()
    table = table.replace_schema_metadata({_META_KEY: meta})
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, partial = tempfile.mkstemp(dir=folder, prefix=".partial-", suffix=".parquet")
        os.close(handle)
        try:
            pq.write_table(table, partial, compression="zstd")
            os.replace(partial, _entry_path(folder, file))
        finally:
            Path(partial).unlink(missing_ok=True)
    except OSError as error:  # a read-only or full cache folder must not stop the report
        logger.warning("could not write the frame cache in %s: %s", folder, error)
