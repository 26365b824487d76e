"""Tidy frames from the selected logs: one row per answer, per sample, per item.

Every probe follows the score contract: its main scorer (the task's first) returns a Score
whose metadata holds the answer table behind it (`scorers.answer_table`: columns
``answer_value``, ``answer_route``, ``answer_parsed``, ``answer_text``, or the older
``answers`` list; ``value`` None = excluded). The answers of all epochs of a sample are the
answers of that sample.

Reading (`read_frames`): a local ``.eval`` log's sample summaries are read directly
(`analysis.eval_zip`, orjson); a sample whose answer table Inspect thinned out of its summary
(over 1 kB) is read in full from its own member. Anything the fast reader does not recognise
(``.json`` logs, remote logs, an unknown layout) is read by Inspect's reader
(``read_eval_log_sample_summaries``, ``read_eval_log_samples_by_id``); both give the same rows.
Each log's rows are cached (`analysis.frame_cache`), keyed by the log's path, size, mtime and
header CRC.

Items (`item_frame`): each sample's answers are averaged first, then an item's value is the
mean of its samples' means, so every counterbalanced sample (option order, language mapping,
polarity) weighs the same whatever its number of answers. Probes whose task metadata says
``item_reduce: max`` (harmfulness: the worst of the 10 answers to a prompt) take the max over
all the item's answers instead.
"""

from __future__ import annotations

import gc
import json
import math
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from analysis import frame_cache
from analysis.eval_zip import SUMMARIES_JSON, EvalZip, UnrecognisedLog, restore_number
from analysis.logs import LogInfo, LogSelection, local_path
from scorers.answer_table import table_thinned, unpack_core_columns

if TYPE_CHECKING:
    import pyarrow as pa

    from em_selfaware.variants import Variant

ALL = "all"
"""Dimension or format value of rows pooled over dimensions or formats (and of probes without)."""
NO_ORDER = ""
"""`order` of a sample whose metadata has no ``order`` (it is not counterbalanced by order)."""

VARIANT_COLUMNS = ["variant", "size", "domain", "stage"]
"""Columns from the variant registry (not from the log, so not cached)."""
_SAMPLE_FIELDS = ["sample_id", "epoch", "item_id", "dimension", "format", "order", "moral"]
SAMPLE_COLUMNS = [
    *VARIANT_COLUMNS, "probe", "log", *_SAMPLE_FIELDS, "value", "unscored", "error",
    "n_answers",
]
ANSWER_COLUMNS = [
    *VARIANT_COLUMNS, "probe", "log", *_SAMPLE_FIELDS, "answer", "value", "route", "parsed",
    "text",
]
ITEM_COLUMNS = [
    "variant", "probe", "dimension", "format", "moral", "item_id", "value", "n_answers",
    "n_excluded", "n_samples",
]
_CATEGORIES = [
    *VARIANT_COLUMNS, "probe", "log", "item_id", "dimension", "format", "order", "route",
]
_TABLE_COLUMNS = [
    *_SAMPLE_FIELDS, "value", "error", "answer_value", "answer_route", "answer_parsed",
    "answer_text",
]
"""One log's rows as stored (and cached): one row per sample, answers as list columns."""
_ANSWER_FIELDS = ("value", "route", "parsed", "text")
JUDGE_KEYS = ("grader", "grader_temperature", "judge_prompts")
"""Score-metadata keys with the judge settings a score was judged with (`scorers.grader`)."""
_JUDGE_NOTE = "judge"
"""The cache entry's note that holds `LogRows.judge`."""
_EXCLUDE_FIELDS = {"messages", "events", "store", "attachments", "output", "model_usage"}


@dataclass
class Frames:
    """The tidy frames of one analysis."""

    answers: pd.DataFrame
    samples: pd.DataFrame
    item_reduce: dict[str, str]


@dataclass
class LogRows:
    """The rows read from one log (one per sample and epoch, answers as lists) and what was
    noticed while reading them."""

    table: pa.Table
    notes: dict[str, int] = field(default_factory=dict)
    """Counts: ``no_item_id``, ``no_answers`` (scores without an answer table),
    ``malformed`` (answer tables that could not be read), ``read_in_full`` (samples whose
    table was thinned from the summary)."""
    source: str = "fast"
    """``fast``, ``inspect`` or ``cache``."""
    judge: dict[str, list[str]] = field(default_factory=dict)
    """The judge settings the main scores record (`JUDGE_KEYS` in their metadata: grader,
    judge temperature, judge prompts): key -> the distinct values seen, sorted."""


def _as_float(value: Any) -> float:
    value = restore_number(value)
    if value is None:
        return math.nan
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def _score_value(score: Mapping[str, Any] | None) -> float:
    """A score's value as `Score.as_float` reads it; NaN when it is not a scalar number."""
    if score is None:
        return math.nan
    value = restore_number(score.get("value"))
    if not isinstance(value, str | int | float | bool):
        return math.nan
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def main_score(
    scores: Mapping[str, Any] | None, main_scorer: str | None
) -> Mapping[str, Any] | None:
    """The main scorer's score among a sample's scores (the first score when it is not named
    or absent); None when the sample has no score."""
    if not scores:
        return None
    if main_scorer and main_scorer in scores:
        return scores[main_scorer]
    return next(iter(scores.values()))


class _Malformed:
    """An answer table that cannot be read (its columns differ in length)."""


class _Thinned:
    """An answer table that Inspect removed from the sample summary (over 1 kB)."""


Columns = dict[str, list[Any]]


def _answer_table(score: Mapping[str, Any] | None) -> Columns | None | _Malformed | _Thinned:
    """The answer table of a score by column (`unpack_core_columns`: the columns the rows
    hold); None when it has none."""
    if score is None:
        return None
    metadata = score.get("metadata")
    try:
        return unpack_core_columns(metadata)
    except ValueError:
        return _Thinned() if table_thinned(metadata) else _Malformed()


def _score_as_answer(score: Mapping[str, Any]) -> Columns:
    """A score without an answer table counts as one answer: its own value."""
    value = _score_value(score)
    return {
        "value": [None if math.isnan(value) else value],
        "route": ["score" if not math.isnan(value) else "excluded"],
        "parsed": [score.get("answer")],
    }


def _judge_text(value: Any) -> str:
    """A recorded judge setting as text (numbers as JSON writes them, e.g. ``0.0``)."""
    value = restore_number(value)
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True, default=str)


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _parsed(value: Any) -> str | None:
    return None if value is None else str(restore_number(value))


def _route(value: Any) -> str:
    return "" if value is None else str(value)


def _converted(values: list[Any], kind: pa.DataType, convert: Callable[[Any], Any]) -> pa.Array:
    """Values as an Arrow array: in bulk when they already have the type (floats or None,
    strings or None, and no `NON_FINITE` marker), else each through `convert`."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if kind == pa.float64():
        try:
            return pa.array(values, type=kind, from_pandas=False)
        except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError):
            pass
        return pa.array(list(map(convert, values)), type=kind, from_pandas=False)
    try:
        array = pa.array(values, type=kind)
        if not pc.any(pc.match_substring(array, "\u0000")).as_py():
            return array
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError):
        pass
    return pa.array(list(map(convert, values)), type=kind)


class _RowBuilder:
    """Accumulates one log's rows from sample summaries given as plain dicts."""

    def __init__(self, main_scorer: str | None):
        self.main_scorer = main_scorer
        self.rows: list[tuple[Any, ...]] = []
        """Per sample: the `_SAMPLE_FIELDS`, its value and whether it errored."""
        self.offsets: list[int] = [0]
        self.answers: dict[str, list[list[Any]]] = {name: [] for name in _ANSWER_FIELDS}
        """Per answer field, each sample's column as read (converted in bulk by `table`)."""
        self.notes = {"no_item_id": 0, "no_answers": 0, "malformed": 0, "read_in_full": 0}
        self.judge: dict[str, set[Any]] = {}
        """Judge settings recorded in the scores' metadata: key -> values seen."""

    def judge_texts(self) -> dict[str, list[str]]:
        """The judge settings seen, as sorted text."""
        return {
            key: sorted({_judge_text(value) for value in values})
            for key, values in self.judge.items()
        }

    def main_score(self, scores: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
        """The main scorer's score of a sample (the first score when it is not named)."""
        return main_score(scores, self.main_scorer)

    def add(
        self,
        summary: Mapping[str, Any],
        score: Mapping[str, Any] | None,
        answers: Columns | None | _Malformed,
    ) -> None:
        """Add one sample (and epoch) with its main score and that score's answer table."""
        metadata = summary.get("metadata") or {}
        item_id = metadata.get("item_id")
        if item_id is None:
            self.notes["no_item_id"] += 1
            item_id = summary["id"]
        dimension = metadata.get("dimension", metadata.get("foundation"))
        self.rows.append((
            str(summary["id"]),
            int(summary["epoch"]),
            str(item_id),
            str(dimension) if dimension else ALL,
            str(metadata.get("format") or ALL),
            str(metadata.get("order") or NO_ORDER),
            "foundation" in metadata and "dimension" not in metadata,
            _score_value(score),
            summary.get("error") is not None,
        ))
        score_metadata = score.get("metadata") if score is not None else None
        if isinstance(score_metadata, Mapping):
            for key in JUDGE_KEYS:
                value = score_metadata.get(key)
                if value is not None:  # raw values here, as text once per log (`judge_texts`)
                    seen = self.judge.setdefault(key, set())
                    seen.add(value if isinstance(value, str | int | float) else _judge_text(value))
        if score is not None and not isinstance(answers, dict):
            self.notes["malformed" if isinstance(answers, _Malformed) else "no_answers"] += 1
            answers = _score_as_answer(score)
        count = len(next(iter(answers.values()))) if answers else 0
        if count:
            missing = [None] * count
            get = answers.get  # type: ignore[union-attr]
            fields = self.answers
            fields["value"].append(get("value") or missing)
            fields["route"].append(get("route") or missing)
            fields["parsed"].append(get("parsed") or missing)
            fields["text"].append(get("text") or missing)
        self.offsets.append(self.offsets[-1] + count)

    def table(self) -> pa.Table:
        """The rows as an Arrow table (`_TABLE_COLUMNS`)."""
        import pyarrow as pa

        offsets = pa.array(self.offsets, type=pa.int32())

        def listed(name: str, kind: pa.DataType, convert: Callable[[Any], Any]) -> pa.Array:
            values = list(chain.from_iterable(self.answers[name]))
            return pa.ListArray.from_arrays(offsets, _converted(values, kind, convert))

        columns = list(zip(*self.rows, strict=True)) or [()] * 9
        kinds = [pa.string(), pa.int64(), pa.string(), pa.string(), pa.string(), pa.string(),
                 pa.bool_(), pa.float64(), pa.bool_()]
        names = [*_SAMPLE_FIELDS, "value", "error"]
        return _sorted(pa.table({
            **{
                name: pa.array(values, type=kind, from_pandas=False)
                for name, values, kind in zip(names, columns, kinds, strict=True)
            },
            "answer_value": listed("value", pa.float64(), _as_float),
            "answer_route": listed("route", pa.string(), _route),
            "answer_parsed": listed("parsed", pa.string(), _parsed),
            "answer_text": listed("text", pa.string(), _text),
        }))


def _dedupe(summaries: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The last summary per (id, epoch), as Inspect's reader keeps it."""
    by_key: dict[tuple[str, int], Mapping[str, Any]] = {}
    for summary in summaries:
        by_key[(str(summary["id"]), summary["epoch"])] = summary
    return list(by_key.values())


def _score_dict(score: Any) -> dict[str, Any] | None:
    """An Inspect `Score` as the plain dict the row builder reads."""
    if score is None:
        return None
    return {"value": score.value, "answer": score.answer, "metadata": score.metadata}


def _build(
    info: LogInfo,
    summaries: list[Mapping[str, Any]],
    read_full: Callable[[list[tuple[str | int, int]]], list[Mapping[str, Any] | None]],
) -> LogRows:
    builder = _RowBuilder(info.main_scorer)
    scores = [builder.main_score(summary.get("scores")) for summary in summaries]
    tables = [_answer_table(score) for score in scores]
    thinned = [index for index, table in enumerate(tables) if isinstance(table, _Thinned)]
    if thinned:
        full = read_full([(summaries[i]["id"], summaries[i]["epoch"]) for i in thinned])
        for index, sample_scores in zip(thinned, full, strict=True):
            scores[index] = builder.main_score(sample_scores)
            table = _answer_table(scores[index])
            tables[index] = _Malformed() if isinstance(table, _Thinned) else table
        builder.notes["read_in_full"] = len(thinned)
    for summary, score, table in zip(summaries, scores, tables, strict=True):
        builder.add(summary, score, table)  # type: ignore[arg-type]
    return LogRows(builder.table(), builder.notes, judge=builder.judge_texts())


def _sorted(table: pa.Table) -> pa.Table:
    """Rows by (sample id, epoch), so they do not depend on the order samples completed in."""
    import pyarrow.compute as pc

    order = pc.sort_indices(table, [("sample_id", "ascending"), ("epoch", "ascending")])
    return table.take(order)


def _read_fast(info: LogInfo) -> LogRows:
    """Read a local ``.eval`` log's summaries with `EvalZip`; `UnrecognisedLog` otherwise."""
    path = local_path(info.location)
    if path is None or path.suffix != ".eval":
        raise UnrecognisedLog(f"{info.location}: not a local .eval file")
    with EvalZip(path) as archive:
        if not archive.has(SUMMARIES_JSON):
            raise UnrecognisedLog(f"{info.name}: no summaries.json (a log still running?)")
        data = archive.read_json(SUMMARIES_JSON)
        if not isinstance(data, list) or not all(
            isinstance(row, dict) and "id" in row and "epoch" in row for row in data
        ):
            raise UnrecognisedLog(f"{info.name}: summaries.json is not a list of summaries")

        def read_full(keys: list[tuple[str | int, int]]) -> list[Mapping[str, Any] | None]:
            full = []
            for sample_id, epoch in keys:
                sample = archive.read_json(f"samples/{sample_id}_epoch_{epoch}.json")
                full.append(sample.get("scores"))
            return full

        try:
            return _build(info, _dedupe(data), read_full)
        except KeyError as error:
            raise UnrecognisedLog(f"{info.name}: sample member missing ({error})") from error


def _read_inspect(info: LogInfo) -> LogRows:
    """Read a log's summaries (and thinned samples in full) with Inspect's reader."""
    from inspect_ai.log import read_eval_log_sample_summaries, read_eval_log_samples_by_id

    summaries = [
        {
            "id": summary.id, "epoch": summary.epoch, "metadata": summary.metadata,
            "error": summary.error,
            "scores": {name: _score_dict(score) for name, score in (summary.scores or {}).items()},
        }
        for summary in read_eval_log_sample_summaries(info.location)
    ]
    summaries = _dedupe(summaries)

    def read_full(keys: list[tuple[str | int, int]]) -> list[Mapping[str, Any] | None]:
        samples = read_eval_log_samples_by_id(info.location, keys, exclude_fields=_EXCLUDE_FIELDS)
        return [
            {name: _score_dict(score) for name, score in (sample.scores or {}).items()}
            for sample in samples
        ]

    rows = _build(info, summaries, read_full)
    rows.source = "inspect"
    return rows


@contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector: parsing a log makes millions of small containers
    (no cycles), and collections walking them would double the time. Memory is still freed
    by reference counting."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def read_log_rows(info: LogInfo, fast: bool = True, cache: Path | None = None) -> LogRows:
    """Read one log's rows: from the cache when it holds this version of the log, else with
    the fast reader (falling back to Inspect's reader), then cache them."""
    cached = cached_log_rows(info, cache)
    return cached if cached is not None else read_and_cache_log_rows(info, fast, cache)


def cached_log_rows(info: LogInfo, cache: Path | None) -> LogRows | None:
    """The log's rows from the frame cache when it holds this version of the log, else None."""
    if info.file is None:
        return None
    cached = frame_cache.load(info.file, list(_TABLE_COLUMNS), cache)
    if cached is None:
        return None
    notes = dict(cached[1])
    judge = notes.pop(_JUDGE_NOTE, {})
    return LogRows(cached[0], {key: int(value) for key, value in notes.items()},
                   "cache", judge={str(k): list(v) for k, v in judge.items()})


def read_and_cache_log_rows(info: LogInfo, fast: bool = True, cache: Path | None = None) -> LogRows:
    """Read one log's rows from the log itself (the fast reader, falling back to Inspect's
    reader) and store them in the cache."""
    rows: LogRows | None = None
    with _no_cyclic_gc():
        if fast:
            try:
                rows = _read_fast(info)
            except (UnrecognisedLog, OSError, ValueError):
                rows = None
        if rows is None:
            rows = _read_inspect(info)
    if info.file is not None:
        frame_cache.store(info.file, rows.table, {**rows.notes, _JUDGE_NOTE: rows.judge}, cache)
    return rows


def _constant(value: str | None, rows: int) -> pa.Array:
    import pyarrow as pa

    indices = pa.array(np.zeros(rows, dtype=np.int32))
    return pa.DictionaryArray.from_arrays(indices, pa.array([value], type=pa.string()))


def _log_tables(rows: LogRows, info: LogInfo, variant: Variant) -> tuple[pa.Table, pa.Table]:
    """(samples, answers) Arrow tables of one log, with the variant and log columns."""
    import pyarrow as pa
    import pyarrow.compute as pc

    table = rows.table
    constants = {
        "variant": variant.name, "size": variant.size, "domain": variant.domain,
        "stage": variant.stage, "probe": info.probe, "log": info.location,
    }
    values = table["value"]
    samples = {name: _constant(value, table.num_rows) for name, value in constants.items()}
    samples.update({name: table[name] for name in _SAMPLE_FIELDS})
    samples.update({
        "value": values,
        "unscored": pc.fill_null(pc.is_nan(values), True),
        "error": table["error"],
        "n_answers": pc.list_value_length(table["answer_value"]).cast(pa.int64()),
    })
    lists = table["answer_value"].combine_chunks()
    parents = pc.list_parent_indices(lists)
    offsets = lists.offsets.to_numpy()[:-1]
    position = np.arange(len(parents), dtype=np.int64) - np.repeat(
        offsets, np.diff(lists.offsets.to_numpy())
    )
    answers = {name: _constant(value, len(parents)) for name, value in constants.items()}
    answers.update({name: table[name].take(parents) for name in _SAMPLE_FIELDS})
    answers.update({
        "answer": pa.array(position),
        "value": pc.list_flatten(lists),
        "route": pc.list_flatten(table["answer_route"]),
        "parsed": pc.list_flatten(table["answer_parsed"]),
        "text": pc.list_flatten(table["answer_text"]),
    })
    return pa.table(samples), pa.table(answers)


def _to_frame(tables: list[pa.Table], columns: list[str]) -> pd.DataFrame:
    import pyarrow as pa

    if not tables:
        return pd.DataFrame({name: pd.Series(dtype=object) for name in columns})
    frame = pa.concat_tables(tables).to_pandas()
    for column in _CATEGORIES:
        if column in frame and not isinstance(frame[column].dtype, pd.CategoricalDtype):
            frame[column] = frame[column].astype("category")
    return frame[columns]


def _warn(info: LogInfo, notes: Mapping[str, int], warn: Callable[[str], None]) -> None:
    where = f"{info.name} ({info.probe})"
    if notes.get("no_item_id"):
        warn(f"{where}: {notes['no_item_id']} samples have no item_id in their metadata; their "
             "sample id pairs them instead")
    if notes.get("no_answers"):
        warn(f"{where}: {notes['no_answers']} scores carry no answer table (score contract); "
             "their score value counts as one answer")
    if notes.get("malformed"):
        warn(f"{where}: {notes['malformed']} scores carry an answer table whose columns differ "
             "in length; their score value counts as one answer")


def read_frames(
    selection: LogSelection,
    on_progress: Callable[[], None] | None = None,
    fast: bool = True,
    cache: Path | None | bool = True,
) -> Frames:
    """Read the samples of every selected log into per-answer and per-sample frames.

    Args:
        selection: the logs to read (`select_logs`), each with its variant.
        on_progress: called after each log.
        fast: read ``.eval`` logs directly (False: only Inspect's reader, for comparison).
        cache: True: the frame cache (`analysis.frame_cache.cache_dir`); a folder: that
            cache folder; False or None: no cache.
    """
    folder = cache_folder(cache)
    rows: dict[str, LogRows] = {}
    for info, _ in selection.used:
        rows[info.location] = read_log_rows(info, fast=fast, cache=folder)
        if on_progress is not None:
            on_progress()
    return frames_from_rows(selection, rows)


def cache_folder(cache: Path | None | bool) -> Path | None:
    """The frame cache folder for `read_frames`'s `cache` argument (None: no cache)."""
    return frame_cache.cache_dir() if cache is True else (cache or None)


def frames_from_rows(selection: LogSelection, rows: Mapping[str, LogRows]) -> Frames:
    """The per-answer and per-sample frames of the selected logs, from their rows (by log
    location); what was noticed while reading becomes warnings of `selection`."""
    sample_tables: list[pa.Table] = []
    answer_tables: list[pa.Table] = []
    for info, variant in selection.used:
        log_rows = rows[info.location]
        _warn(info, log_rows.notes, selection.warn)
        samples, answers = _log_tables(log_rows, info, variant)
        sample_tables.append(samples)
        answer_tables.append(answers)
    return Frames(
        answers=_to_frame(answer_tables, ANSWER_COLUMNS),
        samples=_to_frame(sample_tables, SAMPLE_COLUMNS),
        item_reduce=dict(selection.item_reduce),
    )


def item_frame(answers: pd.DataFrame, item_reduce: dict[str, str]) -> pd.DataFrame:
    """Return one row per (variant, probe, dimension, format, item): the item's value.

    ``item_reduce`` "max": the max of the item's answer values over all its samples and
    epochs. Otherwise each sample's (all epochs') scored answers are averaged first and the
    item's value is the mean over its samples that have one, so each counterbalanced sample
    weighs the same. Items without any scored answer are left out; the data-used table counts
    their answers as excluded.
    """
    keys = ["variant", "probe", "dimension", "format", "moral", "item_id"]
    if answers.empty:
        return pd.DataFrame(columns=ITEM_COLUMNS)
    per_sample = answers.groupby([*keys, "sample_id"], observed=True, sort=False)["value"]
    samples = pd.DataFrame({
        "mean": per_sample.mean(),
        "max": per_sample.max(),
        "n_answers": per_sample.size(),
        "n_scored": per_sample.count(),
    }).reset_index()
    samples["scored"] = samples["n_scored"] > 0
    grouped = samples.groupby(keys, observed=True, sort=True)
    table = pd.DataFrame({
        "mean": grouped["mean"].mean(),
        "max": grouped["max"].max(),
        "n_answers": grouped["n_answers"].sum(),
        "n_scored": grouped["n_scored"].sum(),
        "n_samples": grouped["scored"].sum(),
    }).reset_index()
    reduce = table["probe"].astype(str).map(lambda probe: item_reduce.get(probe, "mean"))
    table["value"] = np.where(reduce == "max", table["max"], table["mean"])
    table["n_excluded"] = table["n_answers"] - table["n_scored"]
    table = table[table["n_scored"] > 0]
    for column in ["variant", "probe", "dimension", "format", "item_id"]:
        table[column] = table[column].astype(str)
    return table[ITEM_COLUMNS].reset_index(drop=True)


def data_used(
    frames: Frames, selection: LogSelection, items: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Per variant and probe: logs, samples, errored samples, samples without a score (not
    errored), answers by route, items."""
    rows = []
    logs_per_pair: dict[tuple[str, str], int] = {}
    for info, variant in selection.used:
        key = (variant.name, info.probe)
        logs_per_pair[key] = logs_per_pair.get(key, 0) + 1
    probes = sorted({info.probe for info, _ in selection.used})
    samples = frames.samples
    answers = frames.answers
    sample_groups = dict(list(samples.groupby(["variant", "probe"], observed=True)))
    answer_groups = dict(list(answers.groupby(["variant", "probe"], observed=True)))
    item_counts = (
        items.groupby(["variant", "probe"]).size().to_dict() if items is not None else {}
    )
    for variant in selection.variants:
        for probe in probes:
            key = (variant.name, probe)
            sample_rows = sample_groups.get(key)
            answer_rows = answer_groups.get(key)
            routes = (
                answer_rows["route"].astype(str).value_counts().to_dict()
                if answer_rows is not None else {}
            )
            n_answers = 0 if answer_rows is None else len(answer_rows)
            excluded = 0 if answer_rows is None else int(answer_rows["value"].isna().sum())
            errored = (
                sample_rows["error"].astype(bool) if sample_rows is not None else None
            )
            rows.append({
                "variant": variant.name,
                "probe": probe,
                "logs": logs_per_pair.get(key, 0),
                "samples": 0 if sample_rows is None else len(sample_rows),
                "errored_samples": 0 if errored is None else int(errored.sum()),
                "unscored_samples": (
                    0 if sample_rows is None
                    else int((sample_rows["unscored"].astype(bool) & ~errored).sum())
                ),
                "answers": n_answers,
                "excluded_answers": excluded,
                "rule": routes.get("rule", 0),
                "judge": routes.get("judge", 0),
                "fallback": routes.get("fallback", 0),
                "logprobs": routes.get("logprobs", 0),
                "items": item_counts.get(key, 0),
            })
    return pd.DataFrame(rows)
