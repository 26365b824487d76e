"""Where a sample opens in Inspect View: the command that serves a log folder and the URL of
one sample (log, sample id, epoch) in it.

``inspect view`` has no option that opens a given sample; its page routes do: with
``inspect view --log-dir DIR`` serving on its default address (``http://127.0.0.1:7575``), the
URL ``#/logs/<log path relative to DIR>/samples/sample/<sample id>/<epoch>/`` opens that
sample (the route Inspect View's own links use; each path segment URI-encoded, as its
``encodeURIComponent``). A log outside DIR gets its absolute location in the route, which
View refuses to load: serve a folder that holds the log.
"""

from __future__ import annotations

import shlex
from pathlib import Path
from urllib.parse import quote

from analysis.logs import local_path

VIEW_ADDRESS = "http://127.0.0.1:7575"
"""Where ``inspect view`` serves by default (its ``--host`` and ``--port`` defaults)."""
_URI_SAFE = "-_.!~*'()"
"""Characters JavaScript's ``encodeURIComponent`` leaves as they are (besides letters and
digits)."""


def _encode(segment: str) -> str:
    return quote(segment, safe=_URI_SAFE)


def view_command(log_dir: str | Path) -> str:
    """The shell command that serves `log_dir` in Inspect View."""
    return f"inspect view --log-dir {shlex.quote(str(log_dir))}"


def relative_log_path(location: str, log_dir: str | Path) -> str:
    """The log's path relative to `log_dir` as View names it (``/``-separated); the location
    itself when the log is remote or outside the folder."""
    path = local_path(location)
    if path is None:
        return location
    try:
        return path.resolve().relative_to(Path(log_dir).resolve()).as_posix()
    except ValueError:
        return location


def sample_route(location: str, log_dir: str | Path, sample_id: str, epoch: int) -> str:
    """The URL fragment (``#/logs/...``) that opens one sample of a log served from `log_dir`."""
    relative = relative_log_path(location, log_dir)
    log = "/".join(_encode(segment) for segment in relative.split("/"))
    return f"#/logs/{log}/samples/sample/{_encode(str(sample_id))}/{int(epoch)}/"


def sample_url(
    location: str, log_dir: str | Path, sample_id: str, epoch: int, address: str = VIEW_ADDRESS
) -> str:
    """The URL of one sample in Inspect View serving `log_dir` at `address`."""
    return address.rstrip("/") + "/" + sample_route(location, log_dir, sample_id, epoch)
