"""A live progress line for runs without Inspect's display: evaluations and samples done.

An Inspect hook counts finished evaluations and samples while a `RunProgress` is active (it
is inert otherwise). On a terminal the line is redrawn in place (at most a few times a
second, and every second by a ticker so the elapsed time moves while Inspect prepares the
tasks); elsewhere a line is printed each time another tenth of the evaluations is done.
"""

from __future__ import annotations

import sys
import threading
import time
from types import TracebackType
from typing import TextIO

from inspect_ai.hooks import Hooks, SampleEnd, TaskEnd, hooks

_ACTIVE: list[RunProgress] = []
_REDRAW_S = 0.25


class RunProgress:
    """Counts evaluations and samples done out of those planned; prints the progress line."""

    def __init__(
        self,
        evaluations: int,
        samples: int,
        already_done: int = 0,
        label: str = "Evaluations",
        stream: TextIO | None = None,
    ) -> None:
        self.evaluations = evaluations
        self.samples = samples
        self.done = already_done
        self.samples_done = 0
        self.label = label
        self.stream = stream or sys.stderr
        self.live = self.stream.isatty()
        self.started = time.monotonic()
        self._drawn = 0.0
        self._tenths = -1
        self._lock = threading.Lock()
        self._stop = threading.Event()

    def line(self) -> str:
        """The progress line: evaluations and samples done of those planned, elapsed time."""
        elapsed = time.monotonic() - self.started
        return (f"{self.label}: {self.done}/{self.evaluations} done, samples "
                f"{self.samples_done:,}/{self.samples:,}, {elapsed:.0f} s")

    def task_done(self) -> None:
        """Count a finished evaluation and show the line."""
        self.done += 1
        self._show(force=True)

    def sample_done(self) -> None:
        """Count a finished sample (redraws the live line now and then)."""
        self.samples_done += 1
        self._show(force=False)

    def _show(self, force: bool) -> None:
        if self.live:
            now = time.monotonic()
            if force or now - self._drawn >= _REDRAW_S:
                self._drawn = now
                with self._lock:
                    self.stream.write("\r" + self.line() + "   ")
                    self.stream.flush()
            return
        tenths = (10 * self.done) // max(self.evaluations, 1)
        if force and tenths > self._tenths:
            self._tenths = tenths
            print(self.line(), file=self.stream, flush=True)

    def __enter__(self) -> RunProgress:
        """Start counting (the hook reports to the innermost active progress)."""
        _ACTIVE.append(self)
        self._show(force=True)
        if self.live:
            threading.Thread(target=self._tick, daemon=True).start()
        return self

    def _tick(self) -> None:
        while not self._stop.wait(1.0):
            self._show(force=True)

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Stop counting; end the live line."""
        _ACTIVE.remove(self)
        self._stop.set()
        if self.live:
            with self._lock:
                self.stream.write("\r" + self.line() + "   \n")
                self.stream.flush()


@hooks(name="em_selfaware_progress", description="em-selfaware's progress line")
class _ProgressHook(Hooks):
    """Reports finished evaluations and samples to the active `RunProgress`."""

    def enabled(self) -> bool:
        """Only while a `RunProgress` is active."""
        return bool(_ACTIVE)

    async def on_task_end(self, data: TaskEnd) -> None:
        """One evaluation finished."""
        if _ACTIVE:
            _ACTIVE[-1].task_done()

    async def on_sample_end(self, data: SampleEnd) -> None:
        """One sample (one epoch of it) finished."""
        if _ACTIVE:
            _ACTIVE[-1].sample_done()
