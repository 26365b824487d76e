"""The settings each probe ran with, per variant, and whether the variants may be compared.

Every number of the report compares variants (paired tests, correlations, the inverted V), so
the runs behind one probe must differ only in the model. From each used log's header
(`LogInfo`) and the judge settings its scores record (``grader``, ``grader_temperature``,
``judge_prompts`` in the score metadata, `scorers.grader.judge_settings`) this module reads
the settings that change what a probe measures and compares them across the variants of
each probe:

- **biasing** differences are an error (`LogHygieneError`) unless the report is told to
  compare anyway (``--allow-mixed-settings``; the differences are then listed as warnings):
  the mode (sampled vs log-probabilities), the temperature, the grader (its model and the
  settings bound with its role), the judge temperature and the judge prompts, and, for
  probes whose item value is the maximum over answers (harmfulness), the samples and epochs:
  the max of 10 answers is higher than the max of 2 by construction;
- other differences are a warning: samples and epochs of mean-reduced probes (they change
  precision, not the expected score), ``num_choices``, the rest of the generate config, other
  task arguments (item subsets), ``--limit``/``--sample-id``.

The item bank, task version and item reduction are checked in `analysis.logs` (different
banks cannot be paired at all); they are shown here too. Judge prompts are compared when the
log records them (``judge_prompts`` in the main scorer's or the task's metadata, else in the
scores': every judge records a digest of the prompt files it used, EM's judge ``ours`` or
a digest of the paper's prompts). A judge setting a variant's scores never record (no answer
needed the judge) is unknown, not a difference.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from analysis.logs import LogHygieneError, LogInfo, LogSelection, run_restriction

NOT_SET = "-"
"""Shown for a setting the run did not set (or the log does not record)."""
ALLOW_OPTION = "--allow-mixed-settings"
OPERATIONAL = frozenset({
    "max_retries", "timeout", "attempt_timeout", "stream_idle_timeout", "max_connections",
    "adaptive_connections", "cache_prompt", "extra_headers", "cache", "batch",
})
"""Generate-config keys that change how requests are sent, not what the model answers."""
_OWN_COLUMNS = frozenset({"samples", "mode", "choices"})
"""Task arguments with their own column (the rest are shown under ``task_args``)."""
_PER_VARIANT = frozenset({"contrast_model"})
"""Task arguments that differ across variants by design: output recognition sets each
variant against its own contrast (`em_selfaware.contrast`: its size's base, or for a base a
misaligned sibling)."""


@dataclass(frozen=True)
class Run:
    """One used log: its header and the judge settings its scores record
    (`analysis.frames.LogRows.judge`: key -> values seen)."""

    info: LogInfo
    judge: Mapping[str, list[str]] = field(default_factory=dict)


def _text(value: Any) -> str:
    """A setting's value as a short, stable string."""
    if value is None:
        return NOT_SET
    if isinstance(value, Mapping):
        return ", ".join(f"{key}={_text(item)}" for key, item in sorted(value.items()))
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_text(item) for item in value) + "]"
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True, default=str)


def effective_generate_config(info: LogInfo) -> dict[str, Any]:
    """The generate config the model answered with: the model's own config under the run's
    (``plan.config``: the task's config and the eval's options), as Inspect merges them."""
    return {**info.generate_config, **info.plan_config}


def _samples(run: Run) -> str:
    info = run.info
    plan = info.metadata.get("answer_plan")
    if isinstance(plan, Mapping) and "samples" in plan:
        return _text(plan["samples"])
    value = info.task_args.get("samples")
    return "default" if value is None and "samples" in info.task_args else _text(value)


def _mode(run: Run) -> str:
    info = run.info
    return _text(info.metadata.get("mode", info.task_args.get("mode")))


def _choices(run: Run) -> str:
    info = run.info
    plan = info.metadata.get("answer_plan")
    if isinstance(plan, Mapping) and "choices" in plan:
        return _text(plan["choices"])
    return _text(info.task_args.get("choices"))


def _epochs(run: Run) -> str:
    return str(run.info.run_epochs)


def _temperature(run: Run) -> str:
    return _text(effective_generate_config(run.info).get("temperature"))


def _generate_config(run: Run) -> str:
    config = effective_generate_config(run.info)
    rest = {
        key: value for key, value in config.items()
        if key != "temperature" and key not in OPERATIONAL
    }
    return _text(rest) if rest else NOT_SET


def _recorded(run: Run, key: str) -> str:
    """The values the scores recorded for a judge setting, or `NOT_SET`."""
    return " | ".join(run.judge.get(key) or []) or NOT_SET


def _grader(run: Run) -> str:
    """The model bound to the grader role (with the settings bound with it); without a
    binding, the grader the scores record."""
    model = run.info.model_roles.get("grader")
    if model is None:
        return _recorded(run, "grader")
    config = run.info.role_configs.get("grader")
    return f"{model} ({_text(config)})" if config else model


def _judge_temperature(run: Run) -> str:
    return _recorded(run, "grader_temperature")


def _judge_prompts(run: Run) -> str:
    info = run.info
    declared = info.scorer_metadata.get("judge_prompts", info.metadata.get("judge_prompts"))
    if declared:
        return _text(declared)
    return _recorded(run, "judge_prompts")


def _bank(run: Run) -> str:
    info = run.info
    return f"{info.dataset or NOT_SET} (task v{info.task_version}, {info.item_reduce})"


def _task_args(run: Run) -> str:
    rest = {
        key: value for key, value in run.info.task_args.items()
        if key not in _OWN_COLUMNS | _PER_VARIANT and value is not None
    }
    return _text(rest) if rest else NOT_SET


def _limit(run: Run) -> str:
    return run_restriction(run.info) or NOT_SET


def _always(_: str) -> bool:
    return True


def _never(_: str) -> bool:
    return False


def _when_max(item_reduce: str) -> bool:
    return item_reduce == "max"


@dataclass(frozen=True)
class Setting:
    """One compared setting: its column, how it is read from a log, and whether a difference
    biases a comparison (given the probe's item reduction)."""

    column: str
    read: Callable[[Run], str]
    biasing: Callable[[str], bool]
    why: str
    why_not_biasing: str = ""
    """Why a difference matters when it does not bias (default: `why`)."""
    unknown_ignored: bool = False
    """True when `NOT_SET` means "not recorded" (a judge setting of a log whose scores
    never called the judge): such variants are left out of the comparison."""


SETTINGS: tuple[Setting, ...] = (
    Setting("samples", _samples, _when_max,
            "the maximum over more answers is higher by construction",
            why_not_biasing="more answers per item give a more precise item value"),
    Setting("epochs", _epochs, _when_max,
            "the maximum over more answers is higher by construction",
            why_not_biasing="more answers per item give a more precise item value"),
    Setting("mode", _mode, _always,
            "log-probabilities and sampled answers measure differently"),
    Setting("temperature", _temperature, _always,
            "the temperature changes every sampled answer"),
    Setting("grader", _grader, _always, "another judge (or judge setting) scores differently",
            unknown_ignored=True),
    Setting("judge_temperature", _judge_temperature, _always,
            "a judge sampled at another temperature scores differently", unknown_ignored=True),
    Setting("judge_prompts", _judge_prompts, _always,
            "another judge prompt scores differently", unknown_ignored=True),
    Setting("choices", _choices, _never, "answers per request (num_choices)"),
    Setting("generate_config", _generate_config, _never, "other generation settings"),
    Setting("task_args", _task_args, _never, "other task arguments (item subsets)"),
    Setting("limit", _limit, _never, "part of the dataset was run"),
    Setting("bank", _bank, _never, "item bank, task version and item reduction"),
)
"""Compared settings, in the order of the settings table."""
SETTING_COLUMNS = [setting.column for setting in SETTINGS]
TABLE_COLUMNS = ["probe", "variant", "logs", *SETTING_COLUMNS, "coverage", "differs"]
"""Columns of ``settings.csv``: one row per (probe, variant)."""


@dataclass(frozen=True)
class Difference:
    """One setting that differs across the variants of one probe."""

    probe: str
    setting: Setting
    values: dict[str, list[str]]
    """Value -> the variants that ran with it."""
    biasing: bool

    def describe(self) -> str:
        """One line: probe, setting, which variants ran with which value, and why it matters."""
        listing = "; ".join(
            f"{value}: {', '.join(names)}" for value, names in sorted(self.values.items())
        )
        why = self.setting.why if self.biasing else (
            self.setting.why_not_biasing or self.setting.why
        )
        return (f"probe '{self.probe}': {self.setting.column} differs across variants "
                f"({listing}); {why}")


@dataclass
class SettingsCheck:
    """The settings of every (probe, variant) and the differences found."""

    table: pd.DataFrame
    """One row per (probe, variant): `TABLE_COLUMNS`."""
    differences: list[Difference] = field(default_factory=list)
    allowed: bool = False
    """True when biasing differences were allowed (``--allow-mixed-settings``)."""

    @property
    def biasing(self) -> list[Difference]:
        """The differences that bias a comparison."""
        return [difference for difference in self.differences if difference.biasing]


def _variant_values(
    selection: LogSelection, judge: Mapping[str, Mapping[str, list[str]]]
) -> dict[str, dict[str, dict[str, Any]]]:
    """probe -> variant -> {column: value, "logs": n} (several logs: their values joined)."""
    logs: dict[tuple[str, str], list[Run]] = defaultdict(list)
    for info, variant in selection.used:
        logs[(info.probe, variant.name)].append(Run(info, judge.get(info.location, {})))
    order = {variant.name: index for index, variant in enumerate(selection.variants)}
    values: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    for (probe, name), runs in sorted(
        logs.items(), key=lambda entry: (entry[0][0], order.get(entry[0][1], len(order)))
    ):
        row: dict[str, Any] = {"logs": len(runs)}
        for setting in SETTINGS:
            read = {setting.read(run) for run in runs}
            if setting.unknown_ignored and len(read) > 1:
                read.discard(NOT_SET)
            row[setting.column] = " + ".join(sorted(read))
        values[probe][name] = row
    return values


def check_settings(
    selection: LogSelection,
    allow_mixed: bool = False,
    judge: Mapping[str, Mapping[str, list[str]]] | None = None,
) -> SettingsCheck:
    """Compare the settings of every probe across its variants (see the module doc).

    `judge`: per log location, the judge settings its scores record
    (`analysis.frames.LogRows.judge`). Raises `LogHygieneError` on a biasing difference
    unless `allow_mixed`; every difference (biasing ones too, when allowed) becomes a warning
    of `selection`.
    """
    coverage = selection.coverage()
    rows: list[dict[str, Any]] = []
    differences: list[Difference] = []
    for probe, by_variant in _variant_values(selection, judge or {}).items():
        reduce = selection.item_reduce.get(probe, "mean")
        differs = []
        for setting in SETTINGS:
            grouped: dict[str, list[str]] = defaultdict(list)
            for name, row in by_variant.items():
                grouped[row[setting.column]].append(name)
            if setting.unknown_ignored:
                grouped.pop(NOT_SET, None)
            if len(grouped) > 1:
                differs.append(setting.column)
                differences.append(
                    Difference(probe, setting, dict(grouped), setting.biasing(reduce))
                )
        for name, row in by_variant.items():
            used, in_dataset = coverage.get((probe, name), (0, 0))
            rows.append({
                "probe": probe, "variant": name, **row,
                "coverage": f"{used}/{in_dataset}", "differs": ", ".join(differs),
            })
    check = SettingsCheck(pd.DataFrame(rows, columns=TABLE_COLUMNS), differences, allow_mixed)
    if check.biasing and not allow_mixed:
        lines = "\n".join(f"- {difference.describe()}" for difference in check.biasing)
        raise LogHygieneError(
            "the variants of a probe were run with settings that bias their comparison:\n"
            f"{lines}\nRe-run the odd ones with the same settings (or move them to another "
            f"folder), or pass {ALLOW_OPTION} to compare them anyway (the report then lists "
            "the differences)."
        )
    for difference in differences:
        suffix = (
            f" (allowed by {ALLOW_OPTION}: comparisons across these variants are biased)"
            if difference.biasing else ""
        )
        selection.warn(difference.describe() + suffix)
    return check


def settings_blocks(table: pd.DataFrame) -> list[tuple[str, str, pd.DataFrame]]:
    """Per probe: (probe, a sentence on what differs, a table with one row per group of
    variants that ran with the same settings; columns not set in any run are left out)."""
    blocks = []
    for probe, rows in table.groupby("probe", sort=True):
        columns = [*SETTING_COLUMNS, "coverage"]
        groups = rows.groupby(columns, sort=False)["variant"].agg(
            lambda names: ", ".join(names)
        ).reset_index()
        shown = [column for column in columns if (groups[column] != NOT_SET).any()]
        differs = rows["differs"].iloc[0]
        if differs:
            sentence = f"{probe}: differs across variants in {differs}."
        elif len(rows) == 1:
            sentence = f"{probe}: one variant."
        else:
            sentence = f"{probe}: the same settings for all {len(rows)} variants."
        blocks.append((str(probe), sentence, groups[["variant", *shown]].rename(
            columns={"variant": "variants"}
        )))
    return blocks
