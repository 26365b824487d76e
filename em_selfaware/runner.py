"""`em-selfaware run`: every probe on every registered variant with Inspect's `eval_set`.

One task per (probe, variant), each bound to its variant's model and tagged with the
variant's metadata (task metadata ``variant`` and tags ``variant:<name>``, ``size:...``,
``domain:...``, ``stage:...``, ``mode:...``), so a log says which variant it measured even
without the registry. `eval_set` makes the run resumable: a second run into the same log
folder only runs (or finishes) what is missing. Before starting, the runner prints how many
requests it will make (and `em_selfaware.costs` what they cost); after the run it checks the
log folder itself (`unfinished`), because an interrupted `eval_set` can report success.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from inspect_ai import Task, eval_set, task_with
from inspect_ai.log import EvalLog
from inspect_ai.model import CachePolicy, GenerateConfig, Model, get_model

from analysis.logs import LogInfo, log_locations, read_log_infos
from em_selfaware.contrast import CONTRAST_PARAMETER, contrast_model_for
from em_selfaware.probes import Probe
from em_selfaware.variants import Variant
from scorers.grader import DEFAULT_GRADER
from solvers.closed_form_answers import planned_requests

MODES = ("sample", "logprobs")
RUN_TAG = "em-selfaware"
RUN_ARGS_KEY = "run_args"
"""Task metadata: the arguments the runner passed, so a log can be matched to its planned
evaluation exactly (Inspect's recorded arguments also hold those a factory binds itself)."""


@dataclass(frozen=True)
class PlannedTask:
    """One evaluation of the plan: a probe's task bound to one variant's model."""

    probe: str
    variant: Variant
    task: Task
    task_args: dict[str, Any]
    mode: str
    """The mode the task runs in (``sample`` for probes without a logprobs mode)."""
    samples: int
    epochs: int
    grader_calls_per_sample: int
    requests_per_epoch: int | None = None
    """Model requests of one pass over the samples, when the task declares an answer plan
    (closed-form probes draw several answers per sample); None: `model_calls_per_sample`."""
    model_calls_per_sample: int = 1
    """Requests to the model per sample and epoch (task metadata ``model_calls_per_sample``;
    e.g. output recognition: the answer, then the question about it)."""
    contrast_model: str | None = None
    """The model whose answers output recognition sets against the variant's own."""
    contrast_calls_per_sample: int = 0

    @property
    def model_requests(self) -> int:
        """Requests to the model under test, per the task's answer plan (else
        `model_calls_per_sample` per sample and epoch)."""
        if self.requests_per_epoch is None:
            per_epoch = self.samples * self.model_calls_per_sample
        else:
            per_epoch = self.requests_per_epoch
        return per_epoch * self.epochs

    @property
    def contrast_requests(self) -> int:
        """Requests to the contrast model (output recognition's other answers)."""
        return self.samples * self.epochs * self.contrast_calls_per_sample

    @property
    def grader_requests(self) -> int:
        """Grader requests known in advance (every judged answer); rule fallbacks come on top."""
        return self.samples * self.epochs * self.grader_calls_per_sample

    @property
    def cache_safe(self) -> bool:
        """False when one sample may send the same request several times in one epoch.

        Inspect's cache key is the request and the epoch: closed-form probes draw several
        answers to one prompt per epoch (and logprobs items fall back to such draws), so a
        cache would replay the first answer for every draw. Those tasks run uncached.
        """
        metadata = self.task.metadata or {}
        return metadata.get("answer_plan") is None and metadata.get("mode") != "logprobs"

    @property
    def config_key(self) -> tuple[str, str, str, str]:
        """(task, model, probe, the runner's arguments), to match the logs of earlier runs
        (`run_key` of a log header)."""
        return (
            self.task.name.split("/")[-1],  # as `LogInfo.task`: without a registry namespace
            self.variant.model,
            str((self.task.metadata or {}).get("probe", self.task.name)),
            json.dumps(self.task_args, sort_keys=True, default=str),
        )


def _accepts(probe: Probe, parameter: str) -> bool:
    return parameter in inspect.signature(probe.task).parameters


def probe_task_args(
    probe: Probe,
    mode: str = "sample",
    demo: bool = False,
    samples: int | None = None,
    choices: int | None = None,
) -> tuple[dict[str, Any], str]:
    """Return (task arguments, effective mode) for one probe.

    The paper protocol is each task's defaults; `demo` uses the probe's reduced demo
    arguments; `samples` overrides the sample count of probes that take one; ``logprobs``
    mode applies to probes with a ``mode`` parameter (free-text probes run sampled);
    `choices` (answers per request via ``num_choices``) goes to probes that take it.
    """
    if mode not in MODES:
        raise ValueError(f"unknown mode '{mode}'; valid: {', '.join(MODES)}")
    for name, value in (("samples", samples), ("choices", choices)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)
                                  or value < 1):
            raise ValueError(f"--{name} must be a whole number of at least 1, got {value!r}")
    args = dict(probe.demo_args) if demo else {}
    if samples is not None:
        if not _accepts(probe, "samples"):
            raise ValueError(f"probe '{probe.name}' has no 'samples' parameter")
        args["samples"] = samples
    if choices is not None and _accepts(probe, "choices"):
        args["choices"] = choices
    effective = "sample"
    if mode == "logprobs" and _accepts(probe, "mode"):
        args["mode"] = "logprobs"
        effective = "logprobs"
    return args, effective


def variant_tags(variant: Variant, mode: str) -> list[str]:
    """The tags every log of `variant` carries."""
    return [
        RUN_TAG, f"variant:{variant.name}", f"size:{variant.size}", f"domain:{variant.domain}",
        f"stage:{variant.stage}", f"mode:{mode}",
    ]


def plan_runs(
    variants: Sequence[Variant],
    probes: Sequence[Probe],
    mode: str = "sample",
    demo: bool = False,
    samples: int | None = None,
    choices: int | None = None,
    contrast: str | None = None,
    contrast_pool: Sequence[Variant] | None = None,
) -> list[PlannedTask]:
    """Build one tagged task per (probe, variant); `run_plan` binds each to its model.

    Probes that take a contrast model (output recognition, live) get one per variant: the
    rule of `em_selfaware.contrast` over `contrast_pool` (default: `variants`), or the
    `contrast` model for every variant but the contrast itself.
    """
    plan: list[PlannedTask] = []
    pool = list(contrast_pool if contrast_pool is not None else variants)
    for probe in probes:
        args, effective = probe_task_args(probe, mode, demo, samples, choices)
        for variant in variants:
            variant_args = dict(args)
            if _accepts(probe, CONTRAST_PARAMETER) and not {"own_log", "other_log"} & set(args):
                variant_args[CONTRAST_PARAMETER] = contrast_model_for(variant, pool, contrast)
            task = probe.task(**variant_args)
            metadata = dict(task.metadata or {})
            metadata["variant"] = variant.to_dict()
            metadata[RUN_ARGS_KEY] = variant_args
            # the model is bound in `run_plan`: creating it here would need API keys for
            # a dry run
            task_with(task, metadata=metadata, tags=variant_tags(variant, effective))
            contrast_calls = int(metadata.get("contrast_calls_per_sample", 0))
            plan.append(
                PlannedTask(
                    probe=probe.name,
                    variant=variant,
                    task=task,
                    task_args=variant_args,
                    mode=effective,
                    samples=len(task.dataset),
                    epochs=task.epochs or 1,
                    grader_calls_per_sample=int(metadata.get("grader_calls_per_sample", 0)),
                    requests_per_epoch=_requests_per_epoch(task, metadata),
                    model_calls_per_sample=int(metadata.get("model_calls_per_sample", 1)),
                    contrast_model=variant_args.get(CONTRAST_PARAMETER) if contrast_calls else None,
                    contrast_calls_per_sample=contrast_calls,
                )
            )
    return plan


def _requests_per_epoch(task: Task, metadata: dict[str, Any]) -> int | None:
    """Sum the planned requests of every sample when the task declares an answer plan."""
    plan = metadata.get("answer_plan")
    if plan is None:
        return None
    return sum(planned_requests(plan, sample.metadata or {}) for sample in task.dataset)


def run_key(info: LogInfo) -> tuple[str, str, str, str]:
    """A log's (task, model, probe, runner arguments): `PlannedTask.config_key` of the planned
    evaluation it completes (logs without `RUN_ARGS_KEY`: the arguments Inspect recorded)."""
    run_args = info.metadata.get(RUN_ARGS_KEY)
    args = run_args if isinstance(run_args, dict) else info.task_args_passed
    return info.task, info.model, info.probe, json.dumps(args, sort_keys=True, default=str)


def completed_configs(log_dir: str | Path) -> set[tuple[str, str, str, str]]:
    """`run_key` of the complete logs already in `log_dir`."""
    if not Path(log_dir).is_dir():
        return set()
    infos, _ = read_log_infos(log_locations(log_dir))
    return {run_key(info) for info in infos if info.status == "success"}


def unfinished(plan: Sequence[PlannedTask], log_dir: str | Path) -> list[PlannedTask]:
    """The planned evaluations without a complete (``success``) log in `log_dir`.

    The truth after a run: `eval_set` returns ``(True, [])`` when interrupted with Ctrl-C, so
    the runner checks the folder rather than trusting the returned status.
    """
    done = completed_configs(log_dir)
    return [task for task in plan if task.config_key not in done]


def _contrast_lines(plan: Sequence[PlannedTask]) -> list[str]:
    """One line per contrast model: which variants' answers are set against it."""
    against: dict[tuple[str, str], list[str]] = {}
    for task in plan:
        if task.contrast_model is not None:
            against.setdefault((task.probe, task.contrast_model), []).append(task.variant.name)
    return [
        f"  {probe}: contrast {model} for {', '.join(names)}"
        for (probe, model), names in against.items()
    ]


def request_summary(
    plan: Sequence[PlannedTask],
    done: set[tuple[str, str, str, str]] | None = None,
    grader: str = "",
) -> str:
    """Describe the plan: evaluations, and model, contrast and grader requests per probe."""
    done = done or set()
    variants = list(dict.fromkeys(task.variant.name for task in plan))
    probes = list(dict.fromkeys(task.probe for task in plan))
    lines = [
        f"Plan: {len(probes)} probes x {len(variants)} variants = {len(plan)} evaluations"
        + (f" (grader: {grader})" if grader else "")
    ]
    for probe in probes:
        tasks = [task for task in plan if task.probe == probe]
        first = tasks[0]
        model = sum(task.model_requests for task in tasks)
        graded = sum(task.grader_requests for task in tasks)
        contrast = sum(task.contrast_requests for task in tasks)
        lines.append(
            f"  {probe:<24} mode {first.mode:<8} {first.samples:>6} samples x "
            f"{first.epochs:>3} epochs = {first.model_requests:>8,} requests per variant; "
            f"total {model:>10,} model + {graded:>10,} grader"
            + (f" + {contrast:,} contrast" if contrast else "")
        )
    lines += _contrast_lines(plan)
    model_total = sum(task.model_requests for task in plan)
    grader_total = sum(task.grader_requests for task in plan)
    contrast_total = sum(task.contrast_requests for task in plan)
    contrast_part = f" + {contrast_total:,} contrast requests" if contrast_total else ""
    lines.append(
        f"Total: {model_total:,} model requests + {grader_total:,} grader requests"
        f"{contrast_part} = {model_total + grader_total + contrast_total:,} (grader: plus one "
        "per answer the rules cannot parse and one retry per unparseable judge answer)"
    )
    finished = [task for task in plan if task.config_key in done]
    if finished:
        left = [task for task in plan if task.config_key not in done]
        lines.append(
            f"Already complete in the log folder: {len(finished)} of {len(plan)} evaluations; "
            f"about {sum(t.model_requests + t.contrast_requests for t in left):,} model + "
            f"{sum(t.grader_requests for t in left):,} grader requests remain"
        )
    return "\n".join(lines)


def cache_policy(cache: bool | str | None) -> CachePolicy | None:
    """Inspect's cache policy for ``--cache`` (True: Inspect's default expiry; a string such
    as ``1W`` or ``3D``: that expiry); None when caching is off."""
    if cache is None or cache is False:
        return None
    if cache is True:
        return CachePolicy()
    policy = CachePolicy.from_string(cache) if isinstance(cache, str) else None
    if policy is None:
        raise ValueError(
            f"--cache '{cache}': expected an expiry such as 12h, 3D, 1W, 1M or 1Y "
            "(a number and one of s, m, h, D, W, M, Y)"
        )
    return policy


def _bound_task(task: PlannedTask, cache: CachePolicy | None) -> Task:
    """The planned task bound to its variant's model, with the cache where it is safe."""
    if cache is not None and task.cache_safe:
        config = task.task.config.merge(GenerateConfig(cache=cache))
        return task_with(task.task, model=task.variant.model, config=config)
    return task_with(task.task, model=task.variant.model)


def run_plan(
    plan: Sequence[PlannedTask],
    log_dir: str | Path,
    grader: str = DEFAULT_GRADER,
    display: str | None = None,
    max_tasks: int | None = None,
    retry_attempts: int | None = None,
    log_level: str | None = None,
    metadata: dict[str, Any] | None = None,
    batch: bool | int | None = None,
    cache: bool | str | None = None,
    **generate: Any,
) -> tuple[bool, list[EvalLog]]:
    """Run the plan with `eval_set` into `log_dir` (resumable); return (success, log headers).

    Each task is bound to its variant's model here (which needs the provider's API key).
    `batch` (True or a batch size) sends the requests of the models under test and the
    grader through the provider's batch API (Inspect's batch mode); `cache` (True or an
    expiry) turns on Inspect's response cache for the tasks where it is safe
    (`PlannedTask.cache_safe`; the grader and contrast inherit it there).

    The log folder may hold logs of other probes or variants (``log_dir_allow_dirty``): the
    report picks the latest complete log of each evaluation. Do not trust the returned
    status alone after an interrupt: check `unfinished`.
    """
    if not plan:
        raise ValueError("nothing to run: no probes or no variants selected")
    policy = cache_policy(cache)
    grader_role: str | Model = grader
    if batch:
        # role models do not inherit the eval's batch setting: give the grader its own
        grader_role = get_model(grader, config=GenerateConfig(batch=batch))
        generate["batch"] = batch
    return eval_set(
        tasks=[_bound_task(task, policy) for task in plan],
        model=None,
        model_roles={"grader": grader_role},
        log_dir=str(log_dir),
        log_dir_allow_dirty=True,
        display=display,  # type: ignore[arg-type]
        max_tasks=max_tasks,
        retry_attempts=retry_attempts,
        log_level=log_level,
        tags=[RUN_TAG],
        metadata={"em_selfaware": metadata or {}},
        **generate,
    )
