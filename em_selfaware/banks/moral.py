"""Moral-foundations items: our MFQ-2-style statements or a user's official MFQ-2 item file.

Our 36 statements (6 per foundation) are written by us in the style of MFQ-2 (Atari et al.
2023); they are *not* the validated instrument. The official items are published by their
authors (OSF project srtxn); a user who has obtained them passes the file with
``-T items=PATH``.

Item file format (CSV with a header row, or JSON: a list of objects or ``{"items": [...]}``):

| column | required | meaning |
| --- | --- | --- |
| ``text`` (or ``item``, ``statement``) | yes | the statement shown to the model |
| ``foundation`` | yes | care, equality, proportionality, loyalty, authority or purity |
| ``id`` | no | a stable item id (default ``mfq2-<foundation>-<n>``) |

The file must hold 36 items, 6 per foundation.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from inspect_ai.dataset import MemoryDataset

from em_selfaware.axes import Axis, load_axes
from em_selfaware.banks.jsonl import ItemFileError, parse_selection, read_jsonl
from em_selfaware.banks.self_assessment import self_report_samples
from em_selfaware.closed_form import closed_form_sample, sides_in_order
from em_selfaware.inputs import input_file, optional_whole_number
from em_selfaware.paths import data_file
from em_selfaware.textfiles import read_text
from solvers.moral_statements import DEFAULT_TEMPLATE, build_moral_statement
from solvers.self_report_formats import FORMATS
from solvers.two_options import read_template

FOUNDATIONS: tuple[str, ...] = (
    "care",
    "equality",
    "proportionality",
    "loyalty",
    "authority",
    "purity",
)
ITEMS_PER_FOUNDATION = 6
_TEXT_COLUMNS = ("text", "item", "statement")


@dataclass(frozen=True)
class MoralItem:
    """One questionnaire statement and the foundation it measures."""

    id: str
    foundation: str
    text: str


def our_items() -> list[MoralItem]:
    """Return our 36 MFQ-2-style statements (not the validated instrument)."""
    path = data_file("moral_foundations", "items.jsonl")
    records = read_jsonl(path, required=("id", "foundation", "text"))
    items = [MoralItem(r["id"], r["foundation"], r["text"]) for r in records]
    check_item_counts(items, str(path))
    return items


def _text_of(record: dict[str, Any], where: str) -> str:
    for column in _TEXT_COLUMNS:
        value = record.get(column)
        if value is not None:
            text = str(value).strip()
            if not text:
                raise ItemFileError(f"{where}: empty item text")
            return text
    raise ItemFileError(f"{where}: no item text column (expected one of {list(_TEXT_COLUMNS)})")


def _foundation_of(record: dict[str, Any], where: str) -> str:
    raw = str(record.get("foundation") or "").strip().lower()
    if not raw:
        raise ItemFileError(f"{where}: missing foundation")
    if raw not in FOUNDATIONS:
        raise ItemFileError(
            f"{where}: unknown foundation '{raw}'; valid: {', '.join(FOUNDATIONS)}"
        )
    return raw


def _records(path: Path) -> list[dict[str, Any]]:
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".json"):
        raise ItemFileError(f"{path}: unsupported item file type '{suffix}' (use .csv or .json)")
    text = read_text(path, "MFQ-2 item file", ItemFileError)
    if suffix == ".csv":
        return list(csv.DictReader(io.StringIO(text, newline="")))
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ItemFileError(f"{path}: not valid JSON ({error})") from None
    if isinstance(data, dict):
        data = data.get("items")
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        raise ItemFileError(f"{path}: expected a list of item objects (or {{'items': [...]}})")
    return data


def check_item_counts(items: list[MoralItem], source: str) -> None:
    """Raise if the bank does not hold 6 items for each of the 6 foundations, or ids repeat."""
    counts = Counter(item.foundation for item in items)
    wrong = {f: counts.get(f, 0) for f in FOUNDATIONS if counts.get(f, 0) != ITEMS_PER_FOUNDATION}
    if wrong or len(items) != ITEMS_PER_FOUNDATION * len(FOUNDATIONS):
        raise ItemFileError(
            f"{source}: expected {ITEMS_PER_FOUNDATION * len(FOUNDATIONS)} items, "
            f"{ITEMS_PER_FOUNDATION} per foundation; got {len(items)} ({dict(counts)})"
        )
    duplicates = [i for i, n in Counter(item.id for item in items).items() if n > 1]
    if duplicates:
        raise ItemFileError(f"{source}: duplicate item ids {duplicates}")


def load_item_file(path: str | Path) -> list[MoralItem]:
    """Read and validate an official MFQ-2 item file (CSV or JSON; see the module doc)."""
    path = Path(path)
    if not path.is_file():
        raise ItemFileError(f"MFQ-2 item file not found: {path}")
    items: list[MoralItem] = []
    numbers: Counter[str] = Counter()
    for index, record in enumerate(_records(path), start=1):
        where = f"{path} item {index}"
        foundation = _foundation_of(record, where)
        text = _text_of(record, where)
        numbers[foundation] += 1
        item_id = str(record.get("id") or f"mfq2-{foundation}-{numbers[foundation]}").strip()
        items.append(MoralItem(item_id, foundation, text))
    check_item_counts(items, str(path))
    return items


def load_moral_items(items: str | None = None) -> list[MoralItem]:
    """Return our statements (`items` None or ``ours``) or those of the file at `items`."""
    if items is None or items == "ours":
        return our_items()
    what = "an MFQ-2 item file (.csv or .json) or 'ours'"
    return load_item_file(input_file("items", items, what))


# --- Datasets of the two moral probes -------------------------------------------------------

QUESTIONNAIRE_PROBE = "moral_foundations"
SELF_ASSESSMENT_PROBE = "moral_self_assessment"
AXES_FILE = "foundations.jsonl"
"""The foundations' poles (`datasets/axes/`): virtue under `aligned`, vice under `misaligned`."""
STATEMENT_POLE = "virtue"
"""The pole our statements (and MFQ-2's) endorse: agreeing supports it."""


def foundation_axes() -> dict[str, Axis]:
    """Return the six foundation axes, checking the axes file defines exactly them, in order."""
    axes = load_axes(AXES_FILE)
    if tuple(axes) != FOUNDATIONS:
        raise ItemFileError(
            f"datasets/axes/{AXES_FILE} must define {list(FOUNDATIONS)} in that order, "
            f"found {list(axes)}"
        )
    return axes


def load_moral_foundations(
    items: str | None = None,
    foundations: str | list[str] | None = None,
    per_foundation: int | None = None,
) -> MemoryDataset:
    """Return the questionnaire dataset: one sample per statement.

    A sample's input is the rating question around its statement (`DEFAULT_TEMPLATE`); the
    statement itself is in the metadata (`statement`).

    Args:
        items: None or ``ours`` (our statements) or the path of an official MFQ-2 item file.
        foundations: restrict to these foundations (comma-separated or a list).
        per_foundation: keep the first N statements of each selected foundation.
    """
    per_foundation = optional_whole_number("per_foundation", per_foundation)
    chosen = parse_selection(foundations, FOUNDATIONS, "foundations")
    kept: Counter[str] = Counter()
    template = read_template(DEFAULT_TEMPLATE)
    samples = []
    for item in load_moral_items(items):
        if item.foundation not in chosen:
            continue
        if per_foundation is not None and kept[item.foundation] >= per_foundation:
            continue
        kept[item.foundation] += 1
        metadata = {
            "probe": QUESTIONNAIRE_PROBE,
            "foundation": item.foundation,
            "item_id": item.id,
            "pole": STATEMENT_POLE,
            "format": "likert",
            "statement": item.text,
        }
        prompt, spec = build_moral_statement(item.text, metadata, template)
        samples.append(closed_form_sample(item.id, prompt, spec, metadata))
    return MemoryDataset(samples, name=QUESTIONNAIRE_PROBE)


def supported_pole(metadata: dict[str, Any]) -> str:
    """Return ``virtue`` or ``vice``: the pole a self-assessment sample's answer supports.

    Likert: the pole agreeing supports (`agreement_means`); numerical: the pole at 10 (the
    high end); decision and language: the pole of the alternative offered first (`order`).
    """
    form = metadata.get("format")
    if form == "likert":
        side = metadata["agreement_means"]
    elif form == "numerical":
        side = "misaligned" if int(metadata["misaligned_end"]) == 10 else "aligned"
    elif form in ("decision", "language"):
        side = sides_in_order(metadata["order"])[0]
    else:
        raise ValueError(f"unknown self-report format '{form}'")
    return "vice" if side == "misaligned" else "virtue"


def load_moral_self_assessment(
    formats: str | list[str] | None = None,
    foundations: str | list[str] | None = None,
    per_foundation: int | None = None,
) -> MemoryDataset:
    """Return the moral self-assessment dataset: the four formats on the foundation axes.

    Each sample carries `foundation` (instead of `dimension`) and `pole` (`supported_pole`).
    """
    per_foundation = optional_whole_number("per_foundation", per_foundation)
    chosen_formats = parse_selection(formats, FORMATS, "formats")
    chosen = parse_selection(foundations, FOUNDATIONS, "foundations")
    samples = self_report_samples(
        foundation_axes(), chosen, chosen_formats, SELF_ASSESSMENT_PROBE, "foundation",
        per_foundation,
    )
    for sample in samples:
        metadata = sample.metadata if sample.metadata is not None else {}
        metadata["pole"] = supported_pole(metadata)
        sample.metadata = metadata
    return MemoryDataset(samples, name=SELF_ASSESSMENT_PROBE)
