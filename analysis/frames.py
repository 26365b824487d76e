"""Tidy frames from the selected logs: one row per answer, per sample, per item.

Every probe follows the score contract: its main scorer (the task's first) returns a Score
whose metadata holds the answer table (`scorers.answer_table`, read with `unpack_answers`) of
the answers behind it (``value`` None = excluded). The
answers of all epochs of a sample are the answers of that sample. An item's value is the
max of its answers' values for probes whose task metadata says ``item_reduce: max``
(harmfulness) and their mean otherwise.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from inspect_ai.log import (
    EvalSampleSummary,
    read_eval_log_sample_summaries,
    read_eval_log_samples_by_id,
)
from inspect_ai.scorer import Score

from analysis.logs import LogInfo, LogSelection
from em_selfaware.variants import Variant
from scorers.answer_table import table_thinned, unpack_answers

ALL = "all"
"""Dimension or format value of rows pooled over dimensions or formats (and of probes without)."""
_EXCLUDE_FIELDS = {"messages", "events", "store", "attachments", "output", "model_usage"}

SAMPLE_COLUMNS = [
    "variant", "probe", "log", "sample_id", "epoch", "item_id", "dimension", "format",
    "moral", "value", "unscored", "error", "n_answers",
]
ANSWER_COLUMNS = [
    "variant", "probe", "log", "sample_id", "epoch", "item_id", "dimension", "format",
    "moral", "answer", "value", "route", "parsed",
]
ITEM_COLUMNS = [
    "variant", "probe", "dimension", "format", "moral", "item_id", "value", "n_answers",
    "n_excluded",
]


@dataclass
class Frames:
    """The tidy frames of one analysis."""

    answers: pd.DataFrame
    samples: pd.DataFrame
    item_reduce: dict[str, str]


def _as_float(value: Any) -> float:
    if value is None:
        return math.nan
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def _score_value(score: Score | None) -> float:
    if score is None:
        return math.nan
    try:
        return float(score.as_float())
    except (TypeError, ValueError):
        return math.nan


class _LogReader:
    """Accumulates the rows of one log's samples."""

    def __init__(self, info: LogInfo, variant: Variant, warn: Callable[[str], None]):
        self.info = info
        self.variant = variant
        self.warn = warn
        self.samples: list[tuple[Any, ...]] = []
        self.answers: list[tuple[Any, ...]] = []
        self._no_item_id = 0
        self._no_answers = 0

    def read(self) -> None:
        summaries = read_eval_log_sample_summaries(self.info.location)
        thinned: list[EvalSampleSummary] = []
        for summary in summaries:
            score = self._main_score(summary.scores)
            if score is not None and table_thinned(score.metadata):
                thinned.append(summary)
                continue
            self._add(summary, score)
        if thinned:
            full = read_eval_log_samples_by_id(
                self.info.location,
                [(summary.id, summary.epoch) for summary in thinned],
                exclude_fields=_EXCLUDE_FIELDS,
            )
            for summary, sample in zip(thinned, full, strict=True):
                self._add(summary, self._main_score(sample.scores))
        if self._no_item_id:
            self.warn(
                f"{self.info.name} ({self.info.probe}): {self._no_item_id} samples have no "
                "item_id in their metadata; their sample id pairs them instead"
            )
        if self._no_answers:
            self.warn(
                f"{self.info.name} ({self.info.probe}): {self._no_answers} scores carry no "
                "answer table (score contract); their score value counts as one answer"
            )

    def _main_score(self, scores: dict[str, Score] | None) -> Score | None:
        if not scores:
            return None
        if self.info.main_scorer and self.info.main_scorer in scores:
            return scores[self.info.main_scorer]
        return next(iter(scores.values()))

    def _add(self, summary: EvalSampleSummary, score: Score | None) -> None:
        metadata = summary.metadata or {}
        moral = "foundation" in metadata and "dimension" not in metadata
        dimension = metadata.get("dimension", metadata.get("foundation"))
        item_id = metadata.get("item_id")
        if item_id is None:
            self._no_item_id += 1
            item_id = summary.id
        key = (
            self.variant.name, self.info.probe, self.info.location, str(summary.id),
            int(summary.epoch), str(item_id), str(dimension) if dimension else ALL,
            str(metadata.get("format") or ALL), moral,
        )
        answers = self._answers(score)
        sample_value = _score_value(score)
        self.samples.append(
            (*key, sample_value, math.isnan(sample_value), summary.error is not None,
             len(answers))
        )
        for index, answer in enumerate(answers):
            parsed = answer.get("parsed")
            self.answers.append(
                (*key, index, _as_float(answer.get("value")), str(answer.get("route", "")),
                 None if parsed is None else str(parsed))
            )

    def _answers(self, score: Score | None) -> list[dict[str, Any]]:
        if score is None:
            return []
        answers = unpack_answers(score.metadata)
        if answers is not None:
            return answers
        self._no_answers += 1
        value = _score_value(score)
        return [{
            "value": None if math.isnan(value) else value,
            "route": "score" if not math.isnan(value) else "excluded",
            "parsed": score.answer,
        }]


def _categorical(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    for column in columns:
        frame[column] = frame[column].astype("category")
    return frame


def read_frames(
    selection: LogSelection, on_progress: Callable[[], None] | None = None
) -> Frames:
    """Read the samples of every selected log into per-answer and per-sample frames."""
    samples: list[tuple[Any, ...]] = []
    answers: list[tuple[Any, ...]] = []
    for info, variant in selection.used:
        reader = _LogReader(info, variant, selection.warn)
        reader.read()
        samples.extend(reader.samples)
        answers.extend(reader.answers)
        if on_progress is not None:
            on_progress()
    sample_frame = pd.DataFrame(samples, columns=SAMPLE_COLUMNS)
    answer_frame = pd.DataFrame(answers, columns=ANSWER_COLUMNS)
    answer_frame["value"] = answer_frame["value"].astype(float)
    keys = ["variant", "probe", "log", "item_id", "dimension", "format", "route"]
    return Frames(
        answers=_categorical(answer_frame, keys),
        samples=_categorical(sample_frame, keys[:-1]),
        item_reduce=dict(selection.item_reduce),
    )


def item_frame(answers: pd.DataFrame, item_reduce: dict[str, str]) -> pd.DataFrame:
    """Return one row per (variant, probe, dimension, format, item): the item's value.

    The value is the max (``item_reduce`` "max") or mean of the item's answer values over
    all its samples and epochs. Items without any scored answer are left out; the
    data-used table counts their answers as excluded.
    """
    keys = ["variant", "probe", "dimension", "format", "moral", "item_id"]
    if answers.empty:
        return pd.DataFrame(columns=ITEM_COLUMNS)
    grouped = answers.groupby(keys, observed=True, sort=True)["value"]
    table = pd.DataFrame({
        "mean": grouped.mean(),
        "max": grouped.max(),
        "n_answers": grouped.size(),
        "n_scored": grouped.count(),
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
    """Per variant and probe: logs, samples, unscored samples, answers by route, items."""
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
            rows.append({
                "variant": variant.name,
                "probe": probe,
                "logs": logs_per_pair.get(key, 0),
                "samples": 0 if sample_rows is None else len(sample_rows),
                "errored_samples": 0 if sample_rows is None else int(sample_rows["error"].sum()),
                "unscored_samples": (
                    0 if sample_rows is None else int(sample_rows["unscored"].sum())
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
