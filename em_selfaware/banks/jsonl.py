"""Read and validate our JSONL item files with clear errors."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from em_selfaware.inputs import InputError, parse_selection
from em_selfaware.textfiles import read_jsonl_lines

__all__ = ["ItemFileError", "parse_selection", "read_jsonl"]


class ItemFileError(InputError):
    """An item file is malformed; the message names the file and line."""


def read_jsonl(path: Path, required: Iterable[str]) -> list[dict[str, Any]]:
    """Return the records of a JSONL file, checking each has the `required` non-empty fields."""
    required = tuple(required)
    records: list[dict[str, Any]] = []
    seen_ids: set[str] = set()
    for line_number, record in read_jsonl_lines(path, "item file", ItemFileError):
        if not isinstance(record, dict):
            raise ItemFileError(f"{path}:{line_number}: expected a JSON object")
        missing = [key for key in required if record.get(key) in (None, "")]
        if missing:
            raise ItemFileError(f"{path}:{line_number}: missing or empty {missing}")
        item_id = record.get("id")
        if item_id is not None:
            if item_id in seen_ids:
                raise ItemFileError(f"{path}:{line_number}: duplicate id '{item_id}'")
            seen_ids.add(item_id)
        records.append(record)
    if not records:
        raise ItemFileError(f"{path}: no records")
    return records
