"""Run a sample's concurrent requests under one transcript span.

Inspect's `collect()` opens a span per task; for a sample that draws 25-50 answers (or judges
them) that is one span per answer, which costs CPU and clutters the transcript. `gather_in_span`
runs the tasks concurrently (anyio, so Trio works too) inside a single span of the sample.
"""

from __future__ import annotations

from collections.abc import Awaitable, Sequence
from typing import TypeVar, cast

import anyio
from inspect_ai.util import span

T = TypeVar("T")


async def gather_in_span(name: str, tasks: Sequence[Awaitable[T]]) -> list[T]:
    """Await `tasks` concurrently inside one span called `name`; results in task order.

    A single failing task raises its own exception (not an exception group).
    """
    results: list[T | None] = [None] * len(tasks)
    if not tasks:
        return []

    async def run(index: int, task: Awaitable[T]) -> None:
        results[index] = await task

    async with span(name, type="answers"):
        try:
            async with anyio.create_task_group() as group:
                for index, task in enumerate(tasks):
                    group.start_soon(run, index, task)
        except BaseExceptionGroup as errors:
            if len(errors.exceptions) == 1:
                error = errors.exceptions[0]
                raise error from error.__cause__
            raise
    return cast(list[T], results)
