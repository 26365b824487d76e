"""Data frames of a study's logs for your own analysis (see docs/dataframes.md).

- `answers_df`: one row per answer (the unit every probe scores);
- `items_df`: one row per item (prompt, scenario, statement) and variant: the value the
  report's statistics start from;
- `study_frames`: both, the per-sample frame and the log selection, from one read;
- `messages_df`: Inspect's ``messages_df`` with a ``grader`` column marking the grader's
  prompts and verdicts.

The answer and item frames come from the report's own reader (`analysis.frames`: sample
summaries read directly, with a per-log cache), not from ``inspect_ai.analysis.samples_df``:
on the same logs that reader is several times faster (benchmarks/report_speed.py and
docs/dataframes.md give the numbers), and the frames it returns are exactly the rows the
report's numbers are computed from. Logs are selected as the report selects them (latest
complete run per evaluation; see `analysis.logs`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from analysis.frames import VARIANT_COLUMNS, item_frame
from analysis.loading import LogPaths, load_study
from analysis.logs import LogSelection, log_locations

if TYPE_CHECKING:
    from inspect_ai.analysis import Column

    from em_selfaware.variants import Variant

ITEM_FRAME_COLUMNS = [
    *VARIANT_COLUMNS, "probe", "dimension", "format", "moral", "item_id", "value", "n_answers",
    "n_excluded", "n_samples",
]


@dataclass
class StudyFrames:
    """The frames of one read of a study's logs."""

    answers: pd.DataFrame
    """One row per answer: variant, size, domain, stage, probe, log, sample_id, epoch, item_id,
    dimension, format, order, moral, answer (its index in the sample), value, route, parsed,
    text (a preview)."""
    samples: pd.DataFrame
    """One row per sample and epoch: the keys above, the score's value, unscored, error and
    n_answers."""
    items: pd.DataFrame
    """One row per (variant, probe, dimension, format, item): `ITEM_FRAME_COLUMNS`."""
    selection: LogSelection
    """Which logs were used, superseded or skipped, and the warnings."""
    settings: pd.DataFrame
    """One row per (probe, variant): the settings it ran with and what differs across
    variants (`analysis.settings`; the report's ``settings.csv``)."""


def study_frames(
    logs: LogPaths,
    variants: Sequence[Variant] | None = None,
    cache: bool = True,
    allow_mixed_settings: bool = False,
) -> StudyFrames:
    """Read a study's logs into answer, sample and item frames.

    Args:
        logs: a log folder (recursively), a log file, or a list of them.
        variants: the variant registry; by default rebuilt from the variant metadata that
            ``em-selfaware run`` writes into every log.
        cache: use the per-log frame cache (`analysis.frame_cache`).
        allow_mixed_settings: return frames of variants run with settings that bias their
            comparison (e.g. another mode or grader) instead of raising `LogHygieneError`.
    """
    study = load_study(logs, variants, allow_mixed_settings, cache=cache)
    variants, selection, frames = study.variants, study.selection, study.frames
    items = item_frame(frames.answers, frames.item_reduce)
    registry = pd.DataFrame(
        [(v.name, v.size, v.domain, v.stage) for v in variants], columns=VARIANT_COLUMNS
    )
    items = items.merge(registry, on="variant", how="left")[ITEM_FRAME_COLUMNS]
    return StudyFrames(frames.answers, frames.samples, items, selection,
                       study.settings.table)


def answers_df(logs: LogPaths, variants: Sequence[Variant] | None = None) -> pd.DataFrame:
    """One row per answer of every used log (see `StudyFrames.answers`)."""
    return study_frames(logs, variants).answers


def items_df(logs: LogPaths, variants: Sequence[Variant] | None = None) -> pd.DataFrame:
    """One row per item and variant: the value the report's statistics start from.

    ``value``: the max over the item's answers for probes with ``item_reduce: max``
    (harmfulness), else the mean over the item's samples of each sample's mean answer.
    Moral-foundation probes (``moral`` True) are raw here; the report re-expresses them
    relative to the base model (`analysis.moral.normalise_moral`).
    """
    return study_frames(logs, variants).items


def _message_key(message_id: Any, role: Any, text: Any) -> tuple[str, ...]:
    """A message's id, or (role, text) for a message without one."""
    if isinstance(message_id, str) and message_id:
        return (message_id,)
    return (str(role), str(text))


def _grader_messages(sample: Any) -> set[tuple[str, ...]]:
    """Keys of the messages sent to or returned by the grader in one sample's model events
    (those that the model under test did not also see)."""
    grader: set[tuple[str, ...]] = set()
    model: set[tuple[str, ...]] = set()
    for event in sample.events or []:
        if event.event != "model":
            continue
        messages = list(event.input)
        if not event.output.empty:
            messages.append(event.output.message)
        target = grader if event.role == "grader" else model
        target.update(_message_key(message.id, message.role, message.text) for message in messages)
    return grader - model


def messages_df(logs: LogPaths, columns: Sequence[Column] | None = None) -> pd.DataFrame:
    """Inspect's ``messages_df`` of the logs plus ``grader``: True for the grader's prompts
    and verdicts, False for the conversation with the model under test.

    Each log is read once, in full (messages come from the samples' model events).
    """
    from inspect_ai.analysis import MessageColumns
    from inspect_ai.analysis import messages_df as inspect_messages_df
    from inspect_ai.log import read_eval_log

    frames = []
    for location in log_locations(logs):
        log = read_eval_log(location, resolve_attachments=True)
        grader = {
            (sample.uuid, key)
            for sample in log.samples or []
            for key in _grader_messages(sample)
        }
        frame = inspect_messages_df(log, columns=list(columns or MessageColumns), quiet=True)
        frame["grader"] = [
            (sample_id, _message_key(message_id, role, content)) in grader
            for sample_id, message_id, role, content in zip(
                frame["sample_id"], frame["message_id"], frame["role"], frame["content"],
                strict=True,
            )
        ]
        frames.append(frame)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
