"""Which logs the report uses: discovery, variant mapping and log hygiene.

Rules (nothing is dropped silently; every decision lands in `LogSelection`):

- a log whose status is not ``success`` (error, cancelled, still running) is skipped with a
  warning;
- a log whose model is not in the variant registry is skipped with a warning naming it;
- several complete logs of the same (task, model, task arguments): the latest is used, the
  others are listed as superseded;
- one probe run on one variant in several configurations is combined only when their
  samples do not overlap (e.g. one log per format); overlapping ones are an error;
- one probe with different task versions, item banks or item reductions across its logs is
  an error (scores from different banks cannot be paired or compared).
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from inspect_ai.log import EvalLog, list_eval_logs, read_eval_log

from em_selfaware.variants import Variant, parse_variants

logger = logging.getLogger(__name__)

ITEM_REDUCTIONS = ("max", "mean")


class LogHygieneError(ValueError):
    """The logs cannot be analysed together (the message says which and why)."""


@dataclass(frozen=True)
class LogInfo:
    """What the report needs from one log's header."""

    location: str
    task: str
    probe: str
    model: str
    task_args: dict[str, Any]
    task_args_passed: dict[str, Any]
    task_version: int | str
    dataset: str | None
    sample_ids: tuple[str, ...]
    status: str
    created: str
    item_reduce: str
    main_scorer: str | None
    variant_tag: dict[str, Any] | None = None
    grader: str | None = None
    error: str | None = None
    run_args: dict[str, Any] | None = None
    """The arguments `em-selfaware run` passed (task metadata ``run_args``), if it wrote it."""

    @property
    def config_key(self) -> tuple[str, str, str]:
        """(task, model, task arguments): logs sharing it are re-runs of one evaluation."""
        return self.task, self.model, json.dumps(self.task_args, sort_keys=True, default=str)

    @property
    def name(self) -> str:
        """The log's file name (for tables)."""
        return Path(self.location.removeprefix("file://")).name

    @property
    def created_at(self) -> datetime:
        """Creation time, for picking the latest of several runs."""
        return datetime.fromisoformat(self.created)


@dataclass
class LogSelection:
    """The outcome of log hygiene: logs used, superseded, skipped, and the warnings."""

    used: list[tuple[LogInfo, Variant]] = field(default_factory=list)
    superseded: list[tuple[LogInfo, LogInfo]] = field(default_factory=list)
    """(older log, the log used instead)."""
    skipped: list[tuple[LogInfo | str, str]] = field(default_factory=list)
    """(log or location, reason)."""
    warnings: list[str] = field(default_factory=list)
    variants: list[Variant] = field(default_factory=list)
    item_reduce: dict[str, str] = field(default_factory=dict)
    """Per probe: ``max`` or ``mean``."""

    def warn(self, message: str) -> None:
        """Record a warning and log it."""
        self.warnings.append(message)
        logger.warning(message)


VARIANT_TAG_FIELDS = ("variant", "size", "domain", "stage")
"""Tags that name a log's variant (``--tags variant:NAME,size:S,domain:D,stage:ST`` on a
plain ``inspect eval``; `em-selfaware run` writes them too)."""


def variant_from_tags(tags: Sequence[str] | None, model: str) -> dict[str, Any] | None:
    """The registry entry the tags name, or None unless all of `VARIANT_TAG_FIELDS` are there."""
    found: dict[str, str] = {}
    for tag in tags or []:
        key, sep, value = str(tag).partition(":")
        if sep and key in VARIANT_TAG_FIELDS and value:
            found[key] = value
    if set(found) != set(VARIANT_TAG_FIELDS):
        return None
    return {"name": found["variant"], "model": model, "size": found["size"],
            "domain": found["domain"], "stage": found["stage"]}


def log_info(header: EvalLog) -> LogInfo:
    """Extract a `LogInfo` from a log header (read with ``header_only=True``)."""
    spec = header.eval
    metadata = spec.metadata or {}
    probe = str(metadata.get("probe") or spec.task.split("/")[-1])
    main_scorer = None
    if header.results is not None and header.results.scores:
        main_scorer = header.results.scores[0].scorer or header.results.scores[0].name
    grader = None
    if spec.model_roles and "grader" in spec.model_roles:
        grader = spec.model_roles["grader"].model
    sample_ids: tuple[str, ...] = ()
    if spec.dataset is not None and spec.dataset.sample_ids is not None:
        sample_ids = tuple(str(sample_id) for sample_id in spec.dataset.sample_ids)
    variant_tag = metadata.get("variant")
    if not isinstance(variant_tag, dict):
        variant_tag = variant_from_tags(spec.tags, spec.model)
    return LogInfo(
        location=header.location,
        task=spec.task.split("/")[-1],
        probe=probe,
        model=spec.model,
        task_args=dict(spec.task_args or {}),
        task_args_passed=dict(spec.task_args_passed or {}),
        task_version=spec.task_version,
        dataset=spec.dataset.name if spec.dataset is not None else None,
        sample_ids=sample_ids,
        status=header.status,
        created=spec.created,
        item_reduce=str(metadata.get("item_reduce", "mean")),
        main_scorer=main_scorer,
        variant_tag=variant_tag if isinstance(variant_tag, dict) else None,
        grader=grader,
        error=header.error.message if header.error is not None else None,
        run_args=run_args if isinstance(run_args := metadata.get("run_args"), dict) else None,
    )


def log_locations(paths: str | Path | Sequence[str | Path]) -> list[str]:
    """Return the log files in a folder (recursively) or the given files, sorted."""
    items = [paths] if isinstance(paths, str | Path) else list(paths)
    locations: list[str] = []
    for item in items:
        path = Path(item)
        if path.is_dir():
            locations.extend(info.name for info in list_eval_logs(str(path)))
        elif path.is_file():
            locations.append(str(path))
        else:
            raise FileNotFoundError(f"no log folder or log file at {path}")
    return sorted(set(locations))


def read_log_infos(
    locations: Iterable[str],
    on_progress: Callable[[], None] | None = None,
) -> tuple[list[LogInfo], list[tuple[str, str]]]:
    """Read the header of every log; return (infos, [(location, reason)] for unreadable ones)."""
    infos: list[LogInfo] = []
    unreadable: list[tuple[str, str]] = []
    for location in locations:
        try:
            infos.append(log_info(read_eval_log(location, header_only=True)))
        except Exception as error:  # a corrupt or foreign file must not stop the report
            unreadable.append((location, f"unreadable log ({type(error).__name__}: {error})"))
        if on_progress is not None:
            on_progress()
    return infos, unreadable


def variants_from_logs(infos: Iterable[LogInfo]) -> list[Variant]:
    """Rebuild the variant registry from the variant metadata the runner writes into logs."""
    entries: dict[str, dict[str, Any]] = {}
    untagged = sorted({info.model for info in infos if info.variant_tag is None})
    if untagged:
        raise LogHygieneError(
            f"logs of models {untagged} carry no variant metadata (they were not written by "
            "`em-selfaware run`): pass a registry naming these models with --variants "
            "variants.yaml, or tag the runs (inspect eval ... --tags "
            "variant:NAME,size:SIZE,domain:DOMAIN,stage:base|misaligned|realigned)"
        )
    for info in infos:
        tag = dict(info.variant_tag or {})
        tag.setdefault("model", info.model)
        entries.setdefault(tag["model"], tag)
    names = {entry.get("name") for entry in entries.values()}
    for entry in entries.values():
        if entry.get("parent") not in names:
            entry.pop("parent", None)  # the folder may hold only some variants
    stage_order = {"base": 0, "misaligned": 1, "realigned": 2}
    ordered = sorted(entries.values(), key=lambda entry: (
        str(entry.get("size")), stage_order.get(str(entry.get("stage")), 3),
        str(entry.get("domain")), str(entry.get("name")),
    ))
    return parse_variants(ordered, source="variant metadata in the logs", require_base=False)


def _latest_per_config(infos: list[LogInfo], selection: LogSelection) -> list[LogInfo]:
    groups: dict[tuple[str, str, str], list[LogInfo]] = defaultdict(list)
    for info in infos:
        groups[info.config_key].append(info)
    latest: list[LogInfo] = []
    for group in groups.values():
        ordered = sorted(group, key=lambda info: (info.created_at, info.location))
        chosen = ordered[-1]
        latest.append(chosen)
        for older in ordered[:-1]:
            selection.superseded.append((older, chosen))
    return latest


def _check_configurations(used: list[tuple[LogInfo, Variant]]) -> None:
    """One probe on one variant in several configurations: allowed only if samples are disjoint."""
    groups: dict[tuple[str, str], list[LogInfo]] = defaultdict(list)
    for info, variant in used:
        groups[(info.probe, variant.name)].append(info)
    for (probe, variant_name), infos in groups.items():
        seen: dict[str, LogInfo] = {}
        for info in infos:
            for sample_id in info.sample_ids:
                if sample_id in seen:
                    other = seen[sample_id]
                    raise LogHygieneError(
                        f"probe '{probe}' on variant '{variant_name}' was run in several "
                        f"configurations that share samples (e.g. '{sample_id}'): "
                        f"{other.name} with {other.task_args} and {info.name} with "
                        f"{info.task_args}. Keep one configuration per log folder."
                    )
                seen[sample_id] = info


def _check_banks(used: list[tuple[LogInfo, Variant]], selection: LogSelection) -> None:
    """Every log of one probe must share task version, item bank and item reduction."""
    by_probe: dict[str, list[tuple[LogInfo, Variant]]] = defaultdict(list)
    for info, variant in used:
        by_probe[info.probe].append((info, variant))
    for probe, entries in by_probe.items():
        for attribute, what in (
            ("task_version", "task versions"),
            ("dataset", "item banks"),
            ("item_reduce", "item reductions"),
        ):
            values: dict[str, list[str]] = defaultdict(list)
            for info, variant in entries:
                values[str(getattr(info, attribute))].append(f"{variant.name} ({info.name})")
            if len(values) > 1:
                listing = "; ".join(
                    f"{value}: {', '.join(sorted(names))}"
                    for value, names in sorted(values.items())
                )
                raise LogHygieneError(
                    f"probe '{probe}': logs use different {what} ({listing}). Scores from "
                    "different item banks cannot be compared; re-run the odd ones or move "
                    "them to another folder."
                )
        reduce = entries[0][0].item_reduce
        if reduce not in ITEM_REDUCTIONS:
            raise LogHygieneError(
                f"probe '{probe}': unknown item_reduce '{reduce}' in task metadata; "
                f"valid: {', '.join(ITEM_REDUCTIONS)}"
            )
        selection.item_reduce[probe] = reduce
        item_sets: dict[str, set[str]] = defaultdict(set)
        for info, variant in entries:
            item_sets[variant.name].update(info.sample_ids)
        if len({frozenset(items) for items in item_sets.values()}) > 1:
            sizes = ", ".join(f"{name}: {len(items)}" for name, items in sorted(item_sets.items()))
            selection.warn(
                f"probe '{probe}': variants were run on different sample sets ({sizes}); "
                "paired tests use the items the two sides share"
            )


def select_logs(
    infos: Iterable[LogInfo],
    variants: Sequence[Variant],
    unreadable: Iterable[tuple[str, str]] = (),
) -> LogSelection:
    """Apply the hygiene rules to the logs of a folder; raise `LogHygieneError` on conflicts."""
    selection = LogSelection(variants=list(variants))
    for location, reason in unreadable:
        selection.skipped.append((location, reason))
        selection.warn(f"skipped {location}: {reason}")
    by_model = {variant.model: variant for variant in variants}
    complete: list[LogInfo] = []
    for info in sorted(infos, key=lambda info: info.location):
        if info.status != "success":
            reason = f"status '{info.status}'" + (f": {info.error}" if info.error else "")
            selection.skipped.append((info, reason))
            selection.warn(f"skipped {info.name} ({info.probe}, {info.model}): {reason}")
        elif info.model not in by_model:
            reason = f"model '{info.model}' is not in the variant registry"
            selection.skipped.append((info, reason))
            selection.warn(f"skipped {info.name} ({info.probe}): {reason}")
        else:
            complete.append(info)
    for info in _latest_per_config(complete, selection):
        selection.used.append((info, by_model[info.model]))
    selection.used.sort(key=lambda pair: (pair[0].probe, pair[1].name, pair[0].location))
    _check_configurations(selection.used)
    _check_banks(selection.used, selection)
    return selection
