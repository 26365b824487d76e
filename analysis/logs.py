"""Which logs the report uses: discovery, variant mapping and log hygiene.

Discovery lists log files by Inspect's rule (``.eval`` files, and ``.json`` files with a
timestamped name). Headers are read straight from a local ``.eval`` zip (`analysis.eval_zip`)
into a `LogInfo`, which carries the settings a consistency check needs (task arguments,
generate config, model roles, sample ids and limit, epochs, scorers) from that one read;
other logs are read with Inspect's reader into the same `LogInfo`.

Rules (nothing is dropped silently; every decision lands in `LogSelection`):

- a log whose status is not ``success`` (error, cancelled, still running) is skipped with a
  warning; so are unreadable files (named, with the reason), logs of models not in the
  variant registry, and logs run with ``--no-log-samples`` (no samples to analyse);
- several logs of one evaluation (same task, model and task arguments): the run covering
  the most samples of the dataset is used, then the one with more epochs, then the latest,
  so a later ``--limit`` or ``--sample-id`` run never replaces a complete one; runs of
  disjoint sample sets are combined; the others are listed as superseded, with the reason;
- a (probe, variant) whose runs cover only part of their dataset gets a warning that says
  how much (samples used / samples in the dataset);
- one probe run on one variant in several configurations is combined only when their
  samples do not overlap (e.g. one log per format); overlapping ones are an error;
- one probe with different task versions, item banks or item reductions across its logs is
  an error (scores from different banks cannot be paired or compared).

The settings each log ran with are compared across variants in `analysis.settings`.
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analysis.eval_zip import HEADER_JSON, START_JSON, EvalZip, UnrecognisedLog

if TYPE_CHECKING:
    from inspect_ai.log import EvalLog

    from em_selfaware.variants import Variant

logger = logging.getLogger(__name__)

ITEM_REDUCTIONS = ("max", "mean")
LOG_VERSION = 2
"""The Inspect log format version the fast header reader knows (others go to Inspect)."""
_LOG_NAME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}[:-]\d{2}[:-]\d{2}.*$")
"""Inspect's rule for log files other than ``.eval``: a timestamped name (``is_log_file``)."""


class LogHygieneError(ValueError):
    """The logs cannot be analysed together (the message says which and why)."""


@dataclass(frozen=True)
class LogFile:
    """Where a log is and which version of it was read: path, size, mtime, header CRC."""

    path: str
    size: int
    mtime_ns: int
    header_crc: int | None = None
    """CRC-32 of ``header.json`` from the zip directory (None for ``.json`` logs)."""

    @classmethod
    def of(cls, path: str | Path, header_crc: int | None = None) -> LogFile:
        """Stat `path` now."""
        stat = os.stat(path)
        return cls(str(Path(path).resolve()), stat.st_size, stat.st_mtime_ns, header_crc)

    def unchanged(self) -> bool:
        """True when the file still has this size and mtime."""
        try:
            stat = os.stat(self.path)
        except OSError:
            return False
        return (stat.st_size, stat.st_mtime_ns) == (self.size, self.mtime_ns)


@dataclass(frozen=True)
class LogInfo:
    """What the report needs from one log's header (fields after `error` are for checks of
    settings and coverage; all come from the same header read)."""

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
    epochs: int | None = None
    """Epochs the task ran (``eval.config.epochs``)."""
    limit: int | tuple[int, int] | None = None
    """Sample limit of the run (``eval.config.limit``)."""
    dataset_samples: int | None = None
    """Samples in the dataset (``eval.dataset.samples``)."""
    generate_config: dict[str, Any] = field(default_factory=dict)
    """The model's generate config (``eval.model_generate_config``), without unset keys."""
    eval_config: dict[str, Any] = field(default_factory=dict)
    """The eval config (``eval.config``: epochs, limit, sample ids, ...), without unset keys."""
    model_roles: dict[str, str] = field(default_factory=dict)
    """Role -> model (e.g. ``{"grader": "openai/gpt-4.1"}``)."""
    scorers: tuple[str, ...] = ()
    """Scorer names, the task's order (the first is the main scorer)."""
    metadata: dict[str, Any] = field(default_factory=dict)
    """The task metadata (``eval.metadata``)."""
    plan_config: dict[str, Any] = field(default_factory=dict)
    """The generate config of the run (``plan.config``: the task's config under the eval's
    options, e.g. ``--temperature``), without unset keys; it overrides `generate_config`."""
    role_configs: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Role -> the generate config bound with the role (e.g. a grader's temperature)."""
    scorer_metadata: dict[str, Any] = field(default_factory=dict)
    """The main scorer's registry metadata (``eval.scorers[i].metadata``)."""
    file: LogFile | None = None
    """Path, size, mtime and header CRC of the file read (None for remote logs)."""

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

    @property
    def logged_samples(self) -> bool:
        """False when the run was told not to log its samples (``--no-log-samples``)."""
        return self.eval_config.get("log_samples") is not False

    @property
    def in_dataset(self) -> int:
        """Samples in the task's dataset (before ``--limit`` and ``--sample-id``)."""
        return self.dataset_samples if self.dataset_samples is not None else len(self.sample_ids)

    @property
    def complete(self) -> bool:
        """True when the run covered every sample of its dataset."""
        return len(set(self.sample_ids)) >= self.in_dataset

    @property
    def run_epochs(self) -> int:
        """Epochs of the run (1 when the header does not say)."""
        return int(self.epochs) if isinstance(self.epochs, int) else 1

    def coverage(self) -> str:
        """What the run covered, e.g. ``12/12 samples x 2 epochs`` (with ``--limit 3``)."""
        epochs = f"{self.run_epochs} epoch" + ("s" if self.run_epochs != 1 else "")
        text = f"{len(set(self.sample_ids))}/{self.in_dataset} samples x {epochs}"
        restriction = run_restriction(self)
        return f"{text} ({restriction})" if restriction else text


@dataclass
class LogSelection:
    """The outcome of log hygiene: logs used, superseded, skipped, and the warnings."""

    used: list[tuple[LogInfo, Variant]] = field(default_factory=list)
    superseded: list[tuple[LogInfo, LogInfo, str]] = field(default_factory=list)
    """(log not used, the log used instead, why)."""
    skipped: list[tuple[LogInfo | str, str]] = field(default_factory=list)
    """(log or location, reason)."""
    warnings: list[str] = field(default_factory=list)
    variants: list[Variant] = field(default_factory=list)
    item_reduce: dict[str, str] = field(default_factory=dict)
    """Per probe: ``max`` or ``mean``."""
    echo: bool = True
    """Log each warning as it is recorded (False: the caller logs them, see `echo_warnings`)."""

    def warn(self, message: str) -> None:
        """Record a warning (and log it, when `echo`)."""
        self.warnings.append(message)
        if self.echo:
            logger.warning(message)

    def echo_warnings(self) -> None:
        """Log the warnings recorded so far and every later one as it comes."""
        if not self.echo:
            for message in self.warnings:
                logger.warning(message)
        self.echo = True

    def coverage(self) -> dict[tuple[str, str], tuple[int, int]]:
        """Per (probe, variant name): (samples used, samples in the datasets of its runs).

        Logs of one evaluation (same task, model and task arguments) share a dataset: their
        samples are counted once against it; logs of other configurations (one per format,
        say) add their own datasets.
        """
        groups: dict[tuple[str, str, tuple[str, str, str]], list[LogInfo]] = defaultdict(list)
        for info, variant in self.used:
            groups[(info.probe, variant.name, info.config_key)].append(info)
        totals: dict[tuple[str, str], tuple[int, int]] = {}
        for (probe, name, _), infos in groups.items():
            used = len({sample_id for info in infos for sample_id in info.sample_ids})
            in_dataset = max(info.in_dataset for info in infos)
            before = totals.get((probe, name), (0, 0))
            totals[(probe, name)] = (before[0] + used, before[1] + in_dataset)
        return totals


def _dict(value: Any) -> dict[str, Any]:
    return dict(value) if isinstance(value, Mapping) else {}


def _set(value: Any) -> dict[str, Any]:
    """The keys of a config that are set (Inspect's JSON leaves unset ones out)."""
    return {key: item for key, item in _dict(value).items() if item is not None}


VARIANT_TAG_FIELDS = ("variant", "size", "domain", "stage")
"""Tags that name a log's variant (``--tags variant:NAME,size:S,domain:D,stage:ST`` on a
plain ``inspect eval``; `em-selfaware run` writes them too)."""


def variant_from_tags(tags: Any, model: str) -> dict[str, Any] | None:
    """The registry entry the tags name, or None unless all of `VARIANT_TAG_FIELDS` are there."""
    found: dict[str, str] = {}
    for tag in tags if isinstance(tags, list | tuple) else []:
        key, sep, value = str(tag).partition(":")
        if sep and key in VARIANT_TAG_FIELDS and value:
            found[key] = value
    if set(found) != set(VARIANT_TAG_FIELDS):
        return None
    return {"name": found["variant"], "model": model, "size": found["size"],
            "domain": found["domain"], "stage": found["stage"]}


def log_info_from_json(
    header: Mapping[str, Any], location: str, file: LogFile | None = None
) -> LogInfo:
    """Build a `LogInfo` from a log header as JSON (``header.json``, or the in-progress
    ``_journal/start.json``, which has no status: ``started``)."""
    spec = header["eval"]
    metadata = _dict(spec.get("metadata"))
    probe = str(metadata.get("probe") or spec["task"].split("/")[-1])
    results = header.get("results") or {}
    scores = results.get("scores") or []
    main_scorer = (scores[0].get("scorer") or scores[0].get("name")) if scores else None
    roles = {
        str(role): _role_model(config) for role, config in _dict(spec.get("model_roles")).items()
    }
    role_configs = {
        str(role): _role_config(config) for role, config in _dict(spec.get("model_roles")).items()
    }
    scorer_specs = [
        scorer for scorer in spec.get("scorers") or [] if isinstance(scorer, Mapping)
    ]
    dataset = spec.get("dataset") or {}
    ids = dataset.get("sample_ids")
    config = _set(spec.get("config"))
    variant_tag = metadata.get("variant")
    if not isinstance(variant_tag, dict):
        variant_tag = variant_from_tags(spec.get("tags"), spec["model"])
    error = header.get("error")
    task_args = _dict(spec.get("task_args"))
    limit = config.get("limit")
    return LogInfo(
        location=location,
        task=spec["task"].split("/")[-1],
        probe=probe,
        model=spec["model"],
        task_args=task_args,
        task_args_passed=_dict(spec.get("task_args_passed", task_args)),
        task_version=spec.get("task_version", 0),
        dataset=dataset.get("name"),
        sample_ids=tuple(str(sample_id) for sample_id in ids) if ids is not None else (),
        status=str(header.get("status", "started")),
        created=spec["created"],
        item_reduce=str(metadata.get("item_reduce", "mean")),
        main_scorer=main_scorer,
        variant_tag=variant_tag if isinstance(variant_tag, dict) else None,
        grader=roles.get("grader"),
        error=error.get("message") if isinstance(error, Mapping) else None,
        epochs=config.get("epochs"),
        limit=tuple(limit) if isinstance(limit, list) else limit,
        dataset_samples=dataset.get("samples"),
        generate_config=_set(spec.get("model_generate_config")),
        eval_config=config,
        model_roles=roles,
        scorers=tuple(str(scorer.get("name")) for scorer in scorer_specs),
        metadata=metadata,
        plan_config=_set(_dict(header.get("plan")).get("config")),
        role_configs={role: config for role, config in role_configs.items() if config},
        scorer_metadata=_main_scorer_metadata(scorer_specs, main_scorer),
        file=file,
    )


def _role_model(config: Any) -> str:
    """The model(s) bound to a role (a name, a config, or a list of them)."""
    if isinstance(config, list):
        return ", ".join(_role_model(item) for item in config)
    return str(config.get("model")) if isinstance(config, Mapping) else str(config)


def _role_config(config: Any) -> dict[str, Any]:
    """The generate config bound with a role (merged over a list of models)."""
    if isinstance(config, list):
        merged: dict[str, Any] = {}
        for item in config:
            merged.update(_role_config(item))
        return merged
    return _set(config.get("config")) if isinstance(config, Mapping) else {}


def _main_scorer_metadata(
    scorers: list[Mapping[str, Any]], main_scorer: str | None
) -> dict[str, Any]:
    """The registry metadata of the main scorer (by name, else the task's first scorer)."""
    for scorer in scorers:
        if main_scorer is not None and scorer.get("name") == main_scorer:
            return _dict(scorer.get("metadata"))
    return _dict(scorers[0].get("metadata")) if scorers else {}


def run_restriction(info: LogInfo) -> str:
    """The options that ran only part of the dataset (``--limit``, ``--sample-id``), or ''."""
    parts = []
    if info.limit is not None:
        parts.append(f"--limit {info.limit}")
    sample_id = info.eval_config.get("sample_id")
    if sample_id is not None:
        ids = sample_id if isinstance(sample_id, list) else [sample_id]
        parts.append(f"--sample-id ({len(ids)} ids)")
    return ", ".join(parts)


def log_info(header: EvalLog) -> LogInfo:
    """Extract a `LogInfo` from a log header read by Inspect (``header_only=True``)."""
    data = header.model_dump(mode="json", exclude={"samples", "reductions"})
    return log_info_from_json(data, header.location)


def _listed(folder: Path) -> list[str]:
    """Log files under `folder` by Inspect's rule (``is_log_file``), as ``file://`` URIs."""
    found = []
    for directory, _, files in os.walk(folder):
        for name in files:
            if name.endswith(".eval") or (name.endswith(".json") and _LOG_NAME.match(name)):
                found.append("file://" + os.path.abspath(os.path.join(directory, name)))
    return found


def log_locations(paths: str | Path | Sequence[str | Path]) -> list[str]:
    """Return the log files in a folder (recursively) or the given files, sorted."""
    items = [paths] if isinstance(paths, str | Path) else list(paths)
    locations: list[str] = []
    for item in items:
        path = Path(item)
        if path.is_dir():
            locations.extend(_listed(path))
        elif path.is_file():
            locations.append(str(path))
        else:
            raise FileNotFoundError(f"no log folder or log file at {path}")
    return sorted(set(locations))


def local_path(location: str) -> Path | None:
    """The local file of a log location (a path or a ``file://`` URI); None when remote."""
    if location.startswith("file://"):
        return Path(location.removeprefix("file://"))
    if "://" in location:
        return None
    return Path(location)


def read_header_fast(location: str) -> LogInfo:
    """Read a local ``.eval`` log's header with `EvalZip`; raise `UnrecognisedLog` otherwise."""
    path = local_path(location)
    if path is None or path.suffix != ".eval":
        raise UnrecognisedLog(f"{location}: not a local .eval file")
    with EvalZip(path) as archive:
        member = HEADER_JSON if archive.has(HEADER_JSON) else START_JSON
        crc = archive.crc(member)
        try:
            header = archive.read_json(member)
        except KeyError as error:
            raise UnrecognisedLog(f"{location}: no header.json or journal start") from error
    if not isinstance(header, dict) or header.get("version") != LOG_VERSION:
        raise UnrecognisedLog(f"{location}: log format version is not {LOG_VERSION}")
    try:
        return log_info_from_json(header, location, LogFile.of(path, crc))
    except (KeyError, TypeError, AttributeError, ValueError) as error:
        raise UnrecognisedLog(f"{location}: unexpected header ({error})") from error


def read_header_inspect(location: str) -> LogInfo:
    """Read a log's header with Inspect's reader (any format Inspect knows)."""
    from inspect_ai.log import read_eval_log

    info = log_info(read_eval_log(location, header_only=True))
    path = local_path(location)
    return info if path is None else replace(info, file=LogFile.of(path))


def read_log_infos(
    locations: Iterable[str],
    on_progress: Callable[[], None] | None = None,
) -> tuple[list[LogInfo], list[tuple[str, str]]]:
    """Read the header of every log; return (infos, [(location, reason)] for unreadable ones).

    Local ``.eval`` logs are read directly (`read_header_fast`); anything else, or anything
    the fast reader does not recognise, by Inspect's reader.
    """
    infos: list[LogInfo] = []
    unreadable: list[tuple[str, str]] = []
    for location in locations:
        try:
            infos.append(read_header_fast(location))
        except (UnrecognisedLog, OSError, ValueError):
            try:
                infos.append(read_header_inspect(location))
            except Exception as error:  # a corrupt or foreign file must not stop the report
                unreadable.append(
                    (location, f"unreadable log ({type(error).__name__}: {error})")
                )
        if on_progress is not None:
            on_progress()
    return infos, unreadable


def variants_from_logs(infos: Iterable[LogInfo]) -> list[Variant]:
    """Rebuild the variant registry from the variant metadata the runner writes into logs."""
    from em_selfaware.variants import parse_variants  # imports Inspect: only when needed

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


def _preference(info: LogInfo) -> tuple[int, int, datetime, str]:
    """Order of preference among runs of one evaluation: more samples, then more epochs,
    then the latest."""
    return len(set(info.sample_ids)), info.run_epochs, info.created_at, info.location


def _why_not(info: LogInfo, chosen: LogInfo) -> str:
    """Why `info` is not used, `chosen` (a run of the same evaluation) being used."""
    samples, chosen_samples = len(set(info.sample_ids)), len(set(chosen.sample_ids))
    if samples < chosen_samples:
        later = " (a later run)" if info.created_at > chosen.created_at else ""
        return (f"partial run{later}: {info.coverage()}; {chosen.name} covers "
                f"{chosen.coverage()}")
    if info.run_epochs < chosen.run_epochs:
        later = " (a later run)" if info.created_at > chosen.created_at else ""
        return (f"fewer epochs{later}: {info.coverage()}; {chosen.name} covers "
                f"{chosen.coverage()}")
    shared = set(info.sample_ids) & set(chosen.sample_ids)
    if shared == set(info.sample_ids):
        return f"a later run of the same samples is used: {chosen.name}"
    return (f"shares {len(shared)} samples with {chosen.name}, a later run covering as many "
            "(runs of one evaluation are combined only when their samples are disjoint)")


def _choose_per_config(infos: list[LogInfo], selection: LogSelection) -> list[LogInfo]:
    """Per evaluation (task, model, task arguments): the runs to use.

    A run that covers more samples (then more epochs) is preferred, then the latest, so a
    complete run is never replaced by a later ``--limit`` or ``--sample-id`` run. Runs of
    disjoint sample sets (a dataset split over several runs) are combined; a run that
    overlaps a chosen one is superseded by it.
    """
    groups: dict[tuple[str, str, str], list[LogInfo]] = defaultdict(list)
    for info in infos:
        groups[info.config_key].append(info)
    chosen_all: list[LogInfo] = []
    for group in groups.values():
        chosen: list[LogInfo] = []
        covered: dict[str, LogInfo] = {}
        for info in sorted(group, key=_preference, reverse=True):
            overlap = next((covered[i] for i in info.sample_ids if i in covered), None)
            if overlap is None:
                chosen.append(info)
                covered.update(dict.fromkeys(info.sample_ids, info))
            else:
                selection.superseded.append((info, overlap, _why_not(info, overlap)))
        chosen_all.extend(chosen)
    return chosen_all


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


def _warn_partial(selection: LogSelection) -> None:
    """Warn about every (probe, variant) whose runs did not cover their datasets."""
    logs: dict[tuple[str, str], list[LogInfo]] = defaultdict(list)
    for info, variant in selection.used:
        logs[(info.probe, variant.name)].append(info)
    for (probe, name), (used, in_dataset) in sorted(selection.coverage().items()):
        if used < in_dataset:
            runs = "; ".join(
                f"{info.name}: {info.coverage()}" for info in logs[(probe, name)]
            )
            selection.warn(
                f"probe '{probe}' on variant '{name}' covers {used} of the {in_dataset} "
                f"samples of its dataset ({runs}); its scores and tests use those samples only"
            )


def select_logs(
    infos: Iterable[LogInfo],
    variants: Sequence[Variant],
    unreadable: Iterable[tuple[LogInfo | str, str]] = (),
    echo: bool = True,
) -> LogSelection:
    """Apply the hygiene rules to the logs of a folder; raise `LogHygieneError` on conflicts.

    `unreadable`: logs (or locations) that could not be read, with the reason; they are
    listed as skipped. `echo`: log each warning as it is recorded.
    """
    selection = LogSelection(variants=list(variants), echo=echo)
    for entry, reason in unreadable:
        selection.skipped.append((entry, reason))
        location = entry if isinstance(entry, str) else entry.location
        selection.warn(f"skipped {local_path(location) or location}: {reason}")
    by_model = {variant.model: variant for variant in variants}
    complete: list[LogInfo] = []
    for info in sorted(infos, key=lambda info: info.location):
        if info.status != "success":
            reason = f"status '{info.status}'" + (f": {info.error}" if info.error else "")
        elif info.model not in by_model:
            reason = f"model '{info.model}' is not in the variant registry"
        elif not info.logged_samples:
            reason = "run without logging its samples (--no-log-samples): nothing to analyse"
        elif not info.sample_ids:
            reason = "the run has no samples"
        else:
            complete.append(info)
            continue
        selection.skipped.append((info, reason))
        selection.warn(f"skipped {info.name} ({info.probe}, {info.model}): {reason}")
    for info in _choose_per_config(complete, selection):
        selection.used.append((info, by_model[info.model]))
    selection.used.sort(key=lambda pair: (pair[0].probe, pair[1].name, pair[0].location))
    selection.superseded.sort(key=lambda entry: entry[0].location)
    _check_configurations(selection.used)
    _check_banks(selection.used, selection)
    _warn_partial(selection)
    return selection
