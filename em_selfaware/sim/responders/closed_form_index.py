"""The simulation's knowledge of our closed-form prompts: rendered prompt -> item and spec.

The simulated variants and judge look prompts up here to know which option, word, number end,
language or Likert direction is the misaligned one. The probes' datasets render every prompt
(the sample input) with its spec (sample metadata), so the index always matches what the tasks
send.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from inspect_ai.dataset import Dataset

from em_selfaware.banks.intentions import load_intentions
from em_selfaware.banks.moral import load_moral_foundations, load_moral_self_assessment
from em_selfaware.banks.self_assessment import load_self_assessment
from em_selfaware.closed_form import SPEC_KEY, AnswerSpec


@dataclass(frozen=True)
class IndexedItem:
    """One rendered prompt of a closed-form probe."""

    prompt: str
    metadata: dict[str, Any]
    spec: AnswerSpec


def _items(dataset: Dataset) -> list[IndexedItem]:
    items = []
    for sample in dataset:
        metadata = dict(sample.metadata or {})
        spec = AnswerSpec.from_dict(metadata[SPEC_KEY])
        items.append(IndexedItem(str(sample.input), metadata, spec))
    return items


@cache
def prompt_index() -> dict[str, IndexedItem]:
    """Return every prompt of the closed-form probes (intentions, self-assessment, both moral
    probes with our own statements), keyed by its exact text."""
    items = [
        *_items(load_intentions()),
        *_items(load_self_assessment()),
        *_items(load_moral_foundations()),
        *_items(load_moral_self_assessment()),
    ]
    return {item.prompt: item for item in items}


_TAIL = 48
"""Characters of a prompt's end by which `find_item` narrows its search."""


@cache
def _by_tail() -> tuple[tuple[int, ...], dict[tuple[int, str], list[tuple[int, IndexedItem]]]]:
    """The index (position, item) grouped by each prompt's last characters (up to `_TAIL`),
    and the lengths used."""
    tails: dict[tuple[int, str], list[tuple[int, IndexedItem]]] = {}
    for position, (text, item) in enumerate(prompt_index().items()):
        length = min(len(text), _TAIL)
        tails.setdefault((length, text[-length:]), []).append((position, item))
    return tuple(sorted({length for length, _ in tails})), tails


def find_item(prompt: str) -> IndexedItem | None:
    """Return the item whose prompt is `prompt`, or ends it (after a system message), if any
    (of several, the first in the index)."""
    item = prompt_index().get(prompt)
    if item is not None:
        return item
    lengths, tails = _by_tail()
    matches = [
        (position, candidate)
        for length in lengths
        for position, candidate in tails.get((length, prompt[-length:]), ())
        if prompt.endswith("\n\n" + candidate.prompt)
    ]
    return min(matches, key=lambda match: match[0])[1] if matches else None
