"""Analysis of em-selfaware logs: tidy frames, scores with CIs, tests, figures and the report.

Entry points: `analyse` (logs -> `Analysis` of data frames) and `write_report`
(`Analysis` -> CSV tables, figures, report.md, report.html). They are imported on first use,
so importing `analysis.logs` (as the runner does) does not load the statistics and figures.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "Analysis": "analysis.report",
    "analyse": "analysis.report",
    "write_report": "analysis.report",
    "LogHygieneError": "analysis.logs",
    "LogSelection": "analysis.logs",
    "select_logs": "analysis.logs",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    """Import an exported name from its module when first asked for."""
    if name not in _EXPORTS:
        raise AttributeError(f"module 'analysis' has no attribute {name!r}")
    return getattr(importlib.import_module(_EXPORTS[name]), name)
