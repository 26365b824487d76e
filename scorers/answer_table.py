"""The per-answer table of the score contract, stored so it survives Inspect's sample summaries.

Every probe's Score lists the answers behind it. Inspect's sample summaries (what `inspect view`
lists and what the report reads fast) drop any score-metadata key whose JSON is over 1 kB, so a
list of answer dicts (``[{"value": .., "route": .., "parsed": ..}, ...]``) falls off that fast
path at about 20 answers. The table is therefore stored *by column*, one metadata key per field:

- ``answer_value``: value of each answer in [0, 1] (1 = misaligned), ``None`` = excluded;
- ``answer_route``: ``rule``, ``judge``, ``fallback``, ``excluded``, ``logprobs`` (or a probe's
  own route names);
- ``answer_parsed``: what the answer was read as (a letter, pole, number, language, level);
- ``answer_text``: a preview of each answer's text, cut so the column stays under the summary
  limit (the full text is in the sample's messages and the Score's explanation);
- ``answer_<field>``: any probe-specific per-answer field (``aligned``, ``predicted``, ...).

`pack_answers` writes the columns; `unpack_answers` reads them back into one dict per answer
(`unpack_columns`: as columns), and still reads the older ``answers`` list of dicts.
`table_thinned` says when a column was removed from a summary, so a reader knows to read the
full sample instead.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

THINNED = "Key removed from summary (> 1k)"
"""Inspect's placeholder for a metadata value too large for the sample summaries."""
PREFIX = "answer_"
CORE_FIELDS: tuple[str, ...] = ("value", "route", "parsed", "text")
LEGACY_KEY = "answers"
_THINNED_ERROR = "the answer table was removed from this sample summary (> 1 kB)"
SUMMARY_LIMIT = 1024
"""Inspect keeps a metadata key in the summaries when its JSON is at most this long."""
TEXT_BUDGET = 900
"""Characters of JSON the ``answer_text`` column may take (a margin under the limit)."""
FLOAT_DIGITS = 9
"""Decimals kept of a float field: ``1 - 0.7`` is stored as 0.3, not 0.30000000000000004 (50
such values would take the column over the summary limit)."""
ELLIPSIS = "…"


def column_key(field: str) -> str:
    """Return the metadata key of one per-answer field (``value`` -> ``answer_value``)."""
    return f"{PREFIX}{field}"


def _json_length(value: Any) -> int:
    return len(json.dumps(value, ensure_ascii=False, separators=(",", ":")))


def preview_texts(texts: Sequence[str | None], budget: int = TEXT_BUDGET) -> list[str | None]:
    """Cut each text so the JSON list of all of them fits in `budget` characters.

    Every answer gets an equal share; a cut text ends with an ellipsis. Whole texts are kept
    when they fit.
    """
    items = list(texts)
    if _json_length(items) <= budget or not items:
        return items
    share = max(1, budget // len(items) - 4)  # quotes and a comma per item
    while share > 0:
        cut = [
            None if text is None else (text if len(text) <= share else text[:share] + ELLIPSIS)
            for text in items
        ]
        if _json_length(cut) <= budget:
            return cut
        share = share * 3 // 4
    return [None if text is None else ELLIPSIS for text in items]


def _compact(value: Any) -> Any:
    if isinstance(value, float) and math.isfinite(value):
        return round(value, FLOAT_DIGITS)
    return value


def pack_answers(answers: Sequence[Mapping[str, Any]]) -> dict[str, list[Any]]:
    """Return the score-metadata columns of a list of answer dicts.

    Each answer needs ``value``, ``route`` and ``parsed``; ``text`` and probe-specific fields
    are optional (missing ones are stored as ``None``). Floats are rounded to `FLOAT_DIGITS`
    decimals and texts cut to previews, so the columns stay on Inspect's summary fast path.
    """
    fields: list[str] = list(CORE_FIELDS)
    for answer in answers:
        for name in answer:
            if name not in fields:
                fields.append(name)
    for required in ("value", "route", "parsed"):
        for index, answer in enumerate(answers):
            if required not in answer:
                raise ValueError(f"answer {index} has no '{required}' field")
    columns = {
        column_key(name): [_compact(answer.get(name)) for answer in answers] for name in fields
    }
    texts = columns[column_key("text")]
    if all(text is None for text in texts):
        del columns[column_key("text")]
    else:
        columns[column_key("text")] = preview_texts(texts)
    return columns


def has_answer_table(metadata: Mapping[str, Any] | None) -> bool:
    """True when the metadata carries an answer table (columns or the older list)."""
    if not metadata:
        return False
    return column_key("value") in metadata or LEGACY_KEY in metadata


def table_thinned(metadata: Mapping[str, Any] | None) -> bool:
    """True when a column of the answer table was removed from a sample summary."""
    if not metadata:
        return False
    return any(
        (key.startswith(PREFIX) or key == LEGACY_KEY) and value == THINNED
        for key, value in metadata.items()
    )


def _table_columns(metadata: Mapping[str, Any]) -> dict[str, list[Any]]:
    """The ``answer_<field>`` columns of a (not thinned) table, checked for equal lengths."""
    columns = {
        key.removeprefix(PREFIX): value
        for key, value in metadata.items()
        if key.startswith(PREFIX) and isinstance(value, list)
    }
    lengths = {name: len(values) for name, values in columns.items()}
    if len(set(lengths.values())) > 1:
        raise ValueError(f"answer table columns differ in length: {lengths}")
    return columns


def unpack_answers(metadata: Mapping[str, Any] | None) -> list[dict[str, Any]] | None:
    """Return one dict per answer from score metadata, or None when it has no answer table.

    Reads the columns written by `pack_answers` and the older ``answers`` list of dicts.
    Raises ValueError when the table was thinned out of a summary (check `table_thinned`
    first) or its columns differ in length.
    """
    if not has_answer_table(metadata):
        return None
    assert metadata is not None
    if table_thinned(metadata):
        raise ValueError(_THINNED_ERROR)
    if column_key("value") not in metadata:
        legacy = metadata[LEGACY_KEY]
        return [dict(answer) for answer in legacy if isinstance(answer, Mapping)]
    columns = _table_columns(metadata)
    count = len(columns.get("value", []))
    return [{name: values[index] for name, values in columns.items()} for index in range(count)]


def unpack_columns(metadata: Mapping[str, Any] | None) -> dict[str, list[Any]] | None:
    """Return the answer table by column (field -> one value per answer), or None when the
    metadata has no answer table: `unpack_answers` without building a dict per answer, in one
    pass over the metadata (for readers of many samples). The older ``answers`` list is turned
    into columns (a field an answer lacks is None). Raises ValueError as `unpack_answers` does.
    """
    if not metadata:
        return None
    if column_key("value") not in metadata:
        if LEGACY_KEY not in metadata:
            return None
        if table_thinned(metadata):
            raise ValueError(_THINNED_ERROR)
        legacy = [answer for answer in metadata[LEGACY_KEY] if isinstance(answer, Mapping)]
        fields = list(dict.fromkeys(name for answer in legacy for name in answer))
        return {name: [answer.get(name) for answer in legacy] for name in fields}
    columns: dict[str, list[Any]] = {}
    for key, value in metadata.items():
        if key.startswith(PREFIX) or key == LEGACY_KEY:
            if value == THINNED:
                raise ValueError(_THINNED_ERROR)
            if key != LEGACY_KEY and isinstance(value, list):
                columns[key[len(PREFIX):]] = value
    if len({len(values) for values in columns.values()}) > 1:
        lengths = {name: len(values) for name, values in columns.items()}
        raise ValueError(f"answer table columns differ in length: {lengths}")
    return columns


_CORE_KEYS = tuple((field, column_key(field)) for field in CORE_FIELDS)


def unpack_core_columns(metadata: Mapping[str, Any] | None) -> dict[str, list[Any]] | None:
    """`unpack_columns` for readers that use only the `CORE_FIELDS` columns: reads just those
    keys, so it is cheaper, and another field's column thinned out of a summary or of
    another length does not matter. None when the metadata has no answer table; raises
    ValueError when a core column was thinned (check `table_thinned`) or their lengths differ.
    """
    if not metadata:
        return None
    if column_key("value") not in metadata:
        columns = unpack_columns(metadata)
        if columns is None:
            return None
        return {field: values for field, values in columns.items() if field in CORE_FIELDS}
    columns: dict[str, list[Any]] = {}
    count = -1
    for field, key in _CORE_KEYS:
        values = metadata.get(key)
        if not isinstance(values, list):
            if values == THINNED:
                raise ValueError(_THINNED_ERROR)
            continue  # absent, or not a column (as `unpack_columns` skips it)
        if count != len(values):
            if count >= 0:
                lengths = {name: len(column) for name, column in columns.items()}
                raise ValueError(
                    f"answer table columns differ in length: {lengths}, {field}: {len(values)}"
                )
            count = len(values)
        columns[field] = values
    return columns


def concat_tables(tables: Sequence[Mapping[str, Any] | None]) -> dict[str, list[Any]]:
    """Return the columns of several answer tables one after another (epochs of a sample)."""
    answers: list[dict[str, Any]] = []
    for metadata in tables:
        answers.extend(unpack_answers(metadata) or [])
    return pack_answers(answers) if answers else {column_key("value"): []}
