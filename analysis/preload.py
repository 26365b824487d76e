"""Import the modules a report needs after reading the logs in a background thread, so that
their import (scipy.special, matplotlib: about 0.5-1 s) overlaps reading rather than following it.

Reading waits on worker processes or on disk for most of its time; the import runs then. A
module the main thread needs before the thread has imported it is simply waited for (Python's
import lock), so the result is the same with or without the thread.
"""

from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import Iterable

logger = logging.getLogger(__name__)

STATISTICS_MODULES = ("scipy.special", "analysis.report")
FIGURE_MODULES = (
    "matplotlib.figure", "matplotlib.backends.backend_agg", "matplotlib.patches",
    "analysis.figures",
)


def preload(modules: Iterable[str]) -> threading.Thread:
    """Start importing `modules` in a daemon thread; return the thread."""
    names = list(modules)

    def run() -> None:
        for name in names:
            try:
                importlib.import_module(name)
            except Exception as error:  # the main thread's own import will raise it properly
                logger.debug("preloading %s failed (%s)", name, error)
                return

    thread = threading.Thread(target=run, name="em-selfaware-preload", daemon=True)
    thread.start()
    return thread
