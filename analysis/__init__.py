"""Analysis of em-selfaware logs: tidy frames, scores with CIs, tests, figures and the report.

Entry points: `analyse` (logs -> `Analysis` of data frames) and `write_report`
(`Analysis` -> CSV tables, figures, report.md, report.html); `analysis.dataframes` for the
per-answer and per-item frames. Names are imported on first use, so importing one module of
the package (the log reader, say) does not load the statistics and figure libraries.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from analysis.logs import LogHygieneError, LogSelection, select_logs
    from analysis.report import Analysis, analyse, write_report

_EXPORTS = {
    "Analysis": "analysis.report",
    "LogHygieneError": "analysis.logs",
    "LogSelection": "analysis.logs",
    "analyse": "analysis.report",
    "select_logs": "analysis.logs",
    "write_report": "analysis.report",
}
__all__ = [
    "Analysis", "LogHygieneError", "LogSelection", "analyse", "select_logs", "write_report",
]


def __getattr__(name: str) -> Any:
    """Import an exported name from its module on first use."""
    if name not in _EXPORTS:
        raise AttributeError(f"module 'analysis' has no attribute '{name}'")
    return getattr(import_module(_EXPORTS[name]), name)
