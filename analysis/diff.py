"""`em-selfaware diff`: per probe and dimension, the items whose value moved most between two
variants (or two logs), each with its prompt, one answer from each side and where to open
those samples in Inspect View.

- **Values**: item values as the report computes them (`analysis.frames.item_frame`: the mean
  of each sample's mean answer, or the max for probes with ``item_reduce: max``), raw in
  [0, 1] (1 = misaligned; moral probes are not normalised here); ``change = B - A``.
- **Ranking**: within each (probe, dimension), items scored on both sides by ``|change|``,
  largest first; equal changes by format, then item id (numbers in ids in numeric order).
  Items that did not move are not listed. The `top` items are shown, and the group says how
  many more items tie with the last one shown.
- **Representative answer** of a side: among that side's scored answers to the item, the one
  whose value is closest to the side's item value (for ``max`` probes: an answer at the max);
  of equally close answers, the one farthest from the other side's item value (it shows the
  change), then the first by sample id, epoch and answer number.
- **Items on one side only** (or without any scored answer on a side) are counted and named
  per group, never paired.
- **Reading**: values come from the per-log frames (`analysis.frames`, cached); prompts and
  answer texts are read only for the rows shown, one sample member each
  (`analysis.sample_text`).
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from analysis.frames import Frames, item_frame, read_frames
from analysis.loading import load_study
from analysis.logs import (
    LogHygieneError,
    LogInfo,
    LogSelection,
    local_path,
    log_locations,
    read_log_infos,
    variants_from_logs,
)
from analysis.sample_text import SampleText, read_sample_texts
from analysis.view_links import relative_log_path, sample_url

if TYPE_CHECKING:
    from em_selfaware.variants import Variant

logger = logging.getLogger(__name__)

DEFAULT_TOP = 3
"""Items shown per probe and dimension (each with a prompt and two answers)."""
KEYS = ["probe", "dimension", "format", "item_id"]
"""What identifies an item on both sides."""
_DIGITS = 9
"""Decimals compared when ranking changes and answer distances (so float noise never
decides an order)."""
SIDE_FIELDS = [
    "variant", "model", "value", "answers", "prompt", "answer", "answer_source", "parsed",
    "route", "answer_value", "log", "sample_id", "epoch", "answer_no", "view",
]
"""Per side (suffix ``_a`` / ``_b``): the side's variant and model, item value and number of
scored answers, the representative sample's prompt, the answer's text (and where it was read:
`analysis.sample_text.TEXT_SOURCES`), what it was parsed as, its route and value, and where it
is: log path (relative to the folder View serves), sample id, epoch, answer number (1-based,
as in the score's explanation) and the Inspect View URL."""
ROW_COLUMNS = [
    *KEYS, "rank", "change",
    *[f"{name}_{side}" for side in ("a", "b") for name in SIDE_FIELDS],
]
GROUP_COLUMNS = [
    "probe", "dimension", "common", "moved", "shown", "tied_beyond", "only_a", "only_b",
    "unscored_a", "unscored_b",
]
"""Per (probe, dimension): items scored on both sides, how many of them moved, were shown,
tie with the last shown but were cut; the items present on one side only and those present
without a scored answer on a side (lists of item ids)."""


@dataclass(frozen=True)
class Side:
    """One side of a diff: its label (A or B), variant name and model, and the folder that
    Inspect View serves for its logs."""

    label: str
    name: str
    model: str
    view_dir: Path


@dataclass
class Diff:
    """A diff of two sides: the rows shown (`ROW_COLUMNS`) and the per-group counts."""

    a: Side
    b: Side
    top: int
    rows: pd.DataFrame
    groups: pd.DataFrame


def natural_key(text: str) -> tuple[str | int, ...]:
    """Sort key that orders the numbers inside a text by value (``q-2`` before ``q-10``)."""
    parts = re.split(r"(\d+)", str(text))
    return tuple(int(part) if index % 2 else part for index, part in enumerate(parts))


def _item_keys(frame: pd.DataFrame) -> pd.DataFrame:
    keys = frame[KEYS].drop_duplicates()
    return keys.astype(str).reset_index(drop=True)


def _status(present: pd.DataFrame, scored: pd.DataFrame, side: str) -> pd.DataFrame:
    """Per item present on this side: ``scored`` or ``unscored``."""
    table = present.merge(scored[KEYS].assign(_scored=True), on=KEYS, how="left")
    table[f"status_{side}"] = table["_scored"].eq(True).map({True: "scored", False: "unscored"})
    return table.drop(columns="_scored")


def _items(frames: Frames) -> pd.DataFrame:
    items = item_frame(frames.answers, frames.item_reduce)
    items = items[[*KEYS, "value", "n_answers", "n_excluded"]].copy()
    items["answers"] = items["n_answers"] - items["n_excluded"]
    return items.drop(columns=["n_answers", "n_excluded"])


def _sorted_ids(ids: pd.Series) -> list[str]:
    return sorted(ids.astype(str), key=natural_key)


def _group_order(keys: pd.DataFrame) -> list[tuple[str, str]]:
    pairs = set(keys[["probe", "dimension"]].itertuples(index=False, name=None))
    return sorted(pairs, key=lambda key: (key[0], natural_key(key[1])))


def _groups(
    paired: pd.DataFrame, statuses: pd.DataFrame, top: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rank the paired items per group; return (rows shown, per-group counts)."""
    paired = paired.copy()
    paired["_size"] = paired["change"].abs().round(_DIGITS)
    paired["_natural"] = paired["item_id"].map(natural_key)
    paired = paired.sort_values(
        ["probe", "dimension", "_size", "format", "_natural"],
        ascending=[True, True, False, True, True], kind="stable",
    )
    paired["rank"] = paired.groupby(["probe", "dimension"], sort=False).cumcount() + 1
    moved = paired[paired["_size"] > 0]
    shown = moved[moved["rank"] <= top]
    by_group = {key: rows for key, rows in paired.groupby(["probe", "dimension"], sort=False)}
    unpaired = statuses[(statuses["status_a"] != "scored") | (statuses["status_b"] != "scored")]
    notes = {key: rows for key, rows in unpaired.groupby(["probe", "dimension"], sort=False)}
    empty_paired, empty_notes = paired.iloc[:0], unpaired.iloc[:0]
    groups = []
    for key in _group_order(statuses):
        common = by_group.get(key, empty_paired)
        group_moved = common[common["_size"] > 0]
        group_shown = group_moved[group_moved["rank"] <= top]
        tied = 0
        if len(group_shown) and len(group_moved) > len(group_shown):
            last = group_shown["_size"].iloc[-1]
            tied = int(((group_moved["rank"] > top) & (group_moved["_size"] == last)).sum())
        odd = notes.get(key, empty_notes)
        groups.append({
            "probe": key[0],
            "dimension": key[1],
            "common": len(common),
            "moved": len(group_moved),
            "shown": len(group_shown),
            "tied_beyond": tied,
            "only_a": _sorted_ids(odd.loc[odd["status_b"].isna(), "item_id"]),
            "only_b": _sorted_ids(odd.loc[odd["status_a"].isna(), "item_id"]),
            "unscored_a": _sorted_ids(odd.loc[odd["status_a"] == "unscored", "item_id"]),
            "unscored_b": _sorted_ids(odd.loc[odd["status_b"] == "unscored", "item_id"]),
        })
    return shown.drop(columns=["_size", "_natural"]), pd.DataFrame(groups, columns=GROUP_COLUMNS)


def representative_answers(answers: pd.DataFrame, targets: pd.DataFrame) -> pd.DataFrame:
    """Per item of `targets`: the side's scored answer closest to its item value.

    `targets` has `KEYS`, ``value`` (this side's item value) and ``other`` (the other side's).
    Of equally close answers, the one farthest from the other side's value is taken (it shows
    the change: of a 0 and a 1 behind an item value of 0.5, the one away from the other
    side), then the first by sample id, epoch and answer number.
    """
    columns = [*KEYS, "log", "sample_id", "epoch", "answer", "value", "route", "parsed"]
    side = answers.loc[answers["value"].notna(), columns]
    side = side.astype({column: str for column in [*KEYS, "log", "sample_id", "route"]})
    wanted = targets[[*KEYS, "value", "other"]].rename(columns={"value": "_target"})
    merged = side.merge(wanted, on=KEYS)
    merged["_distance"] = (merged["value"] - merged["_target"]).abs().round(_DIGITS)
    merged["_away"] = -(merged["value"] - merged["other"]).abs().round(_DIGITS)
    merged["_natural"] = merged["sample_id"].map(natural_key)
    merged = merged.sort_values([*KEYS, "_distance", "_away", "_natural", "epoch", "answer"],
                                kind="stable")
    chosen = merged.drop_duplicates(KEYS, keep="first")
    return chosen.drop(columns=["_target", "other", "_distance", "_away", "_natural"]).reset_index(
        drop=True
    )


def _texts(
    chosen: pd.DataFrame, main_scorers: Mapping[str, str | None]
) -> dict[tuple[str, str, int], SampleText]:
    """Prompt and answer texts of the chosen samples, one read per log."""
    texts: dict[tuple[str, str, int], SampleText] = {}
    for location, group in chosen.groupby("log", sort=True):
        keys = [(str(sample), int(epoch)) for sample, epoch in zip(
            group["sample_id"], group["epoch"], strict=True
        )]
        try:
            read = read_sample_texts(str(location), keys, main_scorers.get(str(location)))
        except Exception as error:  # the values stand without the texts: say so, go on
            logger.warning("could not read the prompts and answers of %d samples in %s (%s: "
                           "%s); they are left out", len(keys), location,
                           type(error).__name__, error)
            continue
        texts.update({(str(location), *key): text for key, text in read.items()})
    return texts


def _side_columns(
    shown: pd.DataFrame,
    side: Side,
    chosen: pd.DataFrame,
    texts: Mapping[tuple[str, str, int], SampleText] | None,
) -> pd.DataFrame:
    """The `SIDE_FIELDS` of one side for each shown row (suffixed ``_a`` / ``_b``)."""
    suffix = side.label.lower()
    merged = shown[KEYS].merge(chosen, on=KEYS, how="left")
    rows = []
    for record in merged.itertuples(index=False):
        location, sample_id, epoch = str(record.log), str(record.sample_id), int(record.epoch)
        text = texts.get((location, sample_id, epoch)) if texts is not None else None
        answer = text.answer(int(record.answer)) if text is not None else None
        rows.append({
            "variant": side.name,
            "model": side.model,
            "prompt": text.prompt if text is not None else None,
            "answer": answer.text if answer is not None else None,
            "answer_source": answer.source if answer is not None else None,
            "parsed": record.parsed,
            "route": record.route,
            "answer_value": record.value,
            "log": relative_log_path(location, side.view_dir),
            "sample_id": sample_id,
            "epoch": epoch,
            "answer_no": int(record.answer) + 1,
            "view": sample_url(location, side.view_dir, sample_id, epoch),
        })
    frame = pd.DataFrame(rows, columns=[f for f in SIDE_FIELDS if f not in ("value", "answers")])
    frame["value"] = shown[f"value_{suffix}"].to_numpy()
    frame["answers"] = shown[f"answers_{suffix}"].to_numpy()
    return frame[SIDE_FIELDS].add_suffix(f"_{suffix}")


def compare(
    a: Side,
    b: Side,
    frames_a: Frames,
    frames_b: Frames,
    top: int = DEFAULT_TOP,
    main_scorers: Mapping[str, str | None] | None = None,
    texts: bool = True,
) -> Diff:
    """Diff two sides given their frames (module doc for the rules).

    Args:
        a, b: the sides (A is the reference: ``change = B - A``).
        frames_a, frames_b: each side's frames, reduced to items with its own item reductions.
        top: items shown per probe and dimension.
        main_scorers: log location -> its main scorer (whose answer table holds the texts).
        texts: read the prompts and answer texts of the rows shown (False: leave them empty).
    """
    items_a, items_b = _items(frames_a), _items(frames_b)
    statuses = _status(_item_keys(frames_a.answers), items_a, "a").merge(
        _status(_item_keys(frames_b.answers), items_b, "b"), on=KEYS, how="outer"
    )
    paired = items_a.merge(items_b, on=KEYS, suffixes=("_a", "_b"))
    paired["change"] = paired["value_b"] - paired["value_a"]
    shown, groups = _groups(paired, statuses, top)
    shown = shown.reset_index(drop=True)
    chosen_a = representative_answers(frames_a.answers, shown[[*KEYS, "value_a", "value_b"]]
                                      .rename(columns={"value_a": "value", "value_b": "other"}))
    chosen_b = representative_answers(frames_b.answers, shown[[*KEYS, "value_b", "value_a"]]
                                      .rename(columns={"value_b": "value", "value_a": "other"}))
    read: dict[tuple[str, str, int], SampleText] | None = None
    if texts and len(shown):
        read = _texts(pd.concat([chosen_a, chosen_b]), main_scorers or {})
    rows = pd.concat([
        shown[[*KEYS, "rank", "change"]],
        _side_columns(shown, a, chosen_a, read),
        _side_columns(shown, b, chosen_b, read),
    ], axis=1)
    return Diff(a, b, top, rows[ROW_COLUMNS], groups)


def _check_sides(
    used: list[tuple[LogInfo, Variant]], pair: list[Variant], probe: str | None, logs: object
) -> None:
    """Raise when a side has no complete log, or `probe` is set but neither side has it."""
    for variant in pair:
        if not any(used_variant.name == variant.name for _, used_variant in used):
            raise LogHygieneError(
                f"no complete log of variant '{variant.name}' ({variant.model}) in {logs} "
                "(see the warnings above)"
            )
    if probe is None:
        return
    probes = sorted({info.probe for info, _ in used})
    if probe not in probes:
        raise LogHygieneError(
            f"--probe '{probe}': no logs of that probe for these two sides; probes they have: "
            f"{', '.join(probes)}"
        )


def _common_folder(locations: Sequence[str]) -> Path:
    folders = [str((local_path(location) or Path(location)).resolve().parent)
               for location in locations]
    return Path(os.path.commonpath(folders)) if folders else Path(".")


def diff_variants(
    logs: str | Path | Sequence[str | Path],
    name_a: str,
    name_b: str,
    variants: Sequence[Variant] | None = None,
    top: int = DEFAULT_TOP,
    probe: str | None = None,
    texts: bool = True,
) -> Diff:
    """Diff two variants of a log folder on every probe both have logs for (or one `probe`).

    Args:
        logs: a log folder (read recursively), or log files.
        name_a, name_b: variant names (A is the reference).
        variants: the variant registry (default: the variant metadata in the logs).
        top: items shown per probe and dimension.
        probe: only this probe.
        texts: read the prompts and answer texts of the rows shown.
    """
    infos, unreadable = read_log_infos(log_locations(logs))
    if variants is None:
        variants = variants_from_logs([info for info in infos if info.status == "success"])
    by_name = {variant.name: variant for variant in variants}
    for name in (name_a, name_b):
        if name not in by_name:
            raise LogHygieneError(
                f"unknown variant '{name}'; the variants in {logs}: {', '.join(sorted(by_name))}"
            )
    if name_a == name_b:
        raise LogHygieneError(f"A and B are the same variant ('{name_a}'); name two variants")
    pair = [by_name[name_a], by_name[name_b]]
    # the report's loading: unreadable logs skipped and named, coverage-aware log choice;
    # settings that differ between the two sides are listed as warnings
    study = load_study(
        logs, pair, allow_mixed_settings=True, models={variant.model for variant in pair}
    )
    selection, frames = study.selection, study.frames
    _check_sides(selection.used, pair, probe, logs)
    if probe is not None:
        selection.used = [(info, v) for info, v in selection.used if info.probe == probe]
        frames = Frames(
            frames.answers[frames.answers["probe"] == probe],
            frames.samples[frames.samples["probe"] == probe],
            frames.item_reduce,
        )
    view_dir = Path(logs) if isinstance(logs, str | Path) and Path(logs).is_dir() else (
        _common_folder([info.location for info, _ in selection.used])
    )
    sides = []
    for label, variant in zip("AB", pair, strict=True):
        mask = frames.answers["variant"] == variant.name
        side_frames = Frames(frames.answers[mask], frames.samples, frames.item_reduce)
        sides.append((Side(label, variant.name, variant.model, view_dir), side_frames))
    main_scorers = {info.location: info.main_scorer for info, _ in selection.used}
    return compare(sides[0][0], sides[1][0], sides[0][1], sides[1][1], top, main_scorers, texts)


def _log_side(label: str, info: LogInfo) -> tuple[Side, Frames]:
    from em_selfaware.variants import Variant

    tag = info.variant_tag or {}
    name = str(tag.get("name") or info.name)
    variant = Variant(name=label, model=info.model, size="-", domain="-", stage="base")
    selection = LogSelection(used=[(info, variant)], item_reduce={info.probe: info.item_reduce})
    side = Side(label, name, info.model, _common_folder([info.location]))
    return side, read_frames(selection)


def diff_logs(
    log_a: str | Path,
    log_b: str | Path,
    top: int = DEFAULT_TOP,
    probe: str | None = None,
    texts: bool = True,
) -> Diff:
    """Diff two logs of the same probe (any models, even the same one); A is the reference.

    `probe`, when given, must be the logs' probe.
    """
    infos, unreadable = read_log_infos([str(log_a), str(log_b)])
    if unreadable:
        raise LogHygieneError(f"cannot read {unreadable[0][0]}: {unreadable[0][1]}")
    first, second = infos
    if first.probe != second.probe:
        raise LogHygieneError(
            f"the logs are of different probes ('{first.probe}' and '{second.probe}')"
        )
    if probe is not None and probe != first.probe:
        raise LogHygieneError(f"--probe '{probe}': both logs are of probe '{first.probe}'")
    (a, frames_a), (b, frames_b) = _log_side("A", first), _log_side("B", second)
    if a.name == b.name:
        a = Side(a.label, f"{a.name} ({first.name})", a.model, a.view_dir)
        b = Side(b.label, f"{b.name} ({second.name})", b.model, b.view_dir)
    main_scorers = {first.location: first.main_scorer, second.location: second.main_scorer}
    return compare(a, b, frames_a, frames_b, top, main_scorers, texts)
