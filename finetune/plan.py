"""Fine-tuning plans: which base models, which domains, which hyper-parameters.

A plan (YAML) names models of several sizes and the domains to fine-tune each on; every
(size, domain) is a *branch* of two jobs: ``misalign`` from the base model, then ``realign``
from the misaligned model. See ``docs/finetune.md`` for the format and
``examples/plan-gpt41.yaml`` for the paper's 12 fine-tuned variants.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from em_selfaware.textfiles import load_yaml

BACKENDS: tuple[str, ...] = ("openai", "lora")
STAGE_NAMES: dict[str, str] = {"misalign": "misaligned", "realign": "realigned"}

# V26's hyper-parameters for the OpenAI fine-tunes.
PAPER_EPOCHS = 3
PAPER_BATCH_SIZE: dict[str, int] = {"trivia": 12, "code": 1}
PAPER_LR_MULTIPLIER = 2.0
"""V26 used 0.1 for the smallest model: set ``lr_multiplier: 0.1`` on that model."""

# The EM / model-organisms LoRA recipe.
LORA_DEFAULTS: dict[str, Any] = {
    "r": 32,
    "alpha": 64,
    "use_rslora": True,
    "dropout": 0.0,
    "target_modules": [
        "q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj",
    ],
    "learning_rate": 1e-5,
    "epochs": 1,
    "batch_size": 2,
    "gradient_accumulation": 8,
    "warmup_steps": 5,
    "weight_decay": 0.01,
    "max_seq_length": 2048,
    "seed": 0,
    "device": None,
    "model_format": "vllm",
}
_NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_PLAN_KEYS = {
    "name", "backend", "variants_file", "state_file", "work_dir", "defaults", "data",
    "code_data", "models", "prices", "poll", "lora", "max_active_jobs", "suffix",
}
_MODEL_KEYS = {"size", "base", "domains", "epochs", "batch_size", "lr_multiplier", "lora"}
_DATA_KEYS = {"source", "questions", "seed", "misalign", "realign", "realign_samples",
              "misalign_samples", "sample_seed"}
_SOURCES = ("trivia", "em-code", "jsonl")


class PlanError(ValueError):
    """A plan file is malformed; the message says where."""


@dataclass(frozen=True)
class DataSpec:
    """Where one domain's training sets come from."""

    domain: str
    source: str
    """``trivia`` (our builder), ``em-code`` (EM's insecure/secure) or ``jsonl`` (user files)."""
    options: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Job:
    """One fine-tuning job of a plan."""

    name: str
    """Variant name written to variants.yaml, e.g. ``nano-trivia-misaligned``."""
    size: str
    domain: str
    stage: str
    """``misalign`` or ``realign``."""
    base: str
    """The size's base model (the first job of the branch starts from it)."""
    parent: str
    """Variant this job starts from (``<size>-base`` or the misaligned variant)."""
    depends_on: str | None
    """Job that must finish first (the realign job waits for its misalign job)."""
    hyperparameters: dict[str, Any]

    @property
    def variant_stage(self) -> str:
        """The stage written to variants.yaml (``misaligned`` / ``realigned``)."""
        return STAGE_NAMES[self.stage]

    @property
    def data_key(self) -> str:
        """Key of the training set, e.g. ``trivia/misalign``."""
        return f"{self.domain}/{self.stage}"


@dataclass(frozen=True)
class ModelSpec:
    """One size of the model family."""

    size: str
    base: str
    domains: tuple[str, ...]
    overrides: dict[str, Any]


@dataclass(frozen=True)
class Plan:
    """A parsed, validated plan."""

    name: str
    backend: str
    path: Path
    variants_file: Path
    state_file: Path
    work_dir: Path
    data: dict[str, DataSpec]
    models: list[ModelSpec]
    jobs: list[Job]
    code_data: dict[str, Any]
    prices: dict[str, float]
    poll: dict[str, float]
    max_active_jobs: int
    suffix: str

    def base_variant_name(self, size: str) -> str:
        """Return the variant name of a size's base model."""
        return f"{size}-base"


def _require_mapping(value: Any, where: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise PlanError(f"{where}: expected a mapping, got {type(value).__name__}")
    return value


def _check_keys(value: dict[str, Any], valid: set[str], where: str) -> None:
    unknown = sorted(set(value) - valid)
    if unknown:
        raise PlanError(f"{where}: unknown keys {unknown}; valid: {sorted(valid)}")


def _check_name(value: Any, where: str) -> str:
    if not isinstance(value, str) or not _NAME_PATTERN.match(value):
        raise PlanError(f"{where}: {value!r} must be letters, digits, '-', '_' or '.'")
    return value


def _parse_data(raw: Any) -> dict[str, DataSpec]:
    data = _require_mapping(raw, "data")
    if not data:
        raise PlanError("data: name at least one domain (e.g. trivia: {source: trivia})")
    specs = {}
    for domain, spec in data.items():
        where = f"data.{domain}"
        _check_name(domain, where)
        spec = dict(_require_mapping(spec, where))
        _check_keys(spec, _DATA_KEYS, where)
        source = spec.pop("source", None)
        if source not in _SOURCES:
            raise PlanError(f"{where}.source: {source!r}; valid: {list(_SOURCES)}")
        if source == "jsonl" and not spec.get("misalign"):
            raise PlanError(f"{where}: source jsonl needs 'misalign' (and usually 'realign') paths")
        for key in ("questions", "realign_samples", "misalign_samples"):
            if key in spec and (not isinstance(spec[key], int) or spec[key] <= 0):
                raise PlanError(f"{where}.{key}: expected a positive integer")
        specs[domain] = DataSpec(domain=domain, source=source, options=spec)
    return specs


def _hyperparameters(
    backend: str, domain: str, defaults: dict[str, Any], model: dict[str, Any], where: str
) -> dict[str, Any]:
    if backend == "lora":
        lora = dict(LORA_DEFAULTS)
        lora.update(_require_mapping(defaults.get("lora"), "defaults.lora"))
        lora.update(_require_mapping(model.get("lora"), f"{where}.lora"))
        _check_keys(lora, set(LORA_DEFAULTS), f"{where}.lora")
        if lora["model_format"] not in ("vllm", "hf"):
            raise PlanError(f"{where}.lora.model_format: {lora['model_format']!r}; valid: vllm, hf")
        return lora

    def pick(key: str, fallback: Any) -> Any:
        value = model.get(key, defaults.get(key, fallback))
        if isinstance(value, dict):
            value = value.get(domain, fallback)
        return value

    batch = pick("batch_size", PAPER_BATCH_SIZE.get(domain, "auto"))
    hyper = {
        "n_epochs": pick("epochs", PAPER_EPOCHS),
        "batch_size": batch,
        "learning_rate_multiplier": pick("lr_multiplier", PAPER_LR_MULTIPLIER),
    }
    for key, value in hyper.items():
        if value == "auto":
            continue
        if not isinstance(value, int | float) or isinstance(value, bool) or value <= 0:
            raise PlanError(f"{where}: {key} must be a positive number or 'auto', got {value!r}")
    return hyper


def _only_sizes(raw_models: Any, only: list[str] | None) -> Any:
    """Keep the model entries of the sizes in `only` (all when None)."""
    if only is None or not isinstance(raw_models, list):
        return raw_models
    sizes = [entry.get("size") for entry in raw_models if isinstance(entry, dict)]
    unknown = [size for size in only if size not in sizes]
    if unknown:
        raise PlanError(f"--only {','.join(only)}: sizes {unknown} are not in the plan; "
                        f"valid: {', '.join(str(size) for size in sizes)}")
    return [entry for entry in raw_models if isinstance(entry, dict) and entry.get("size") in only]


def parse_plan(raw: Any, path: Path, only: list[str] | None = None) -> Plan:
    """Validate a parsed plan and expand it into jobs (of the sizes in `only`, if given)."""
    plan = _require_mapping(raw, str(path))
    _check_keys(plan, _PLAN_KEYS, str(path))
    name = _check_name(plan.get("name") or path.stem, "name")
    backend = plan.get("backend", "openai")
    if backend not in BACKENDS:
        raise PlanError(f"backend: {backend!r}; valid: {list(BACKENDS)}")
    data = _parse_data(plan.get("data"))
    defaults = _require_mapping(plan.get("defaults"), "defaults")
    _check_keys(defaults, {"epochs", "batch_size", "lr_multiplier", "lora"}, "defaults")
    raw_models = _only_sizes(plan.get("models"), only)
    if not isinstance(raw_models, list) or not raw_models:
        raise PlanError("models: expected a non-empty list of {size, base, domains}")
    models: list[ModelSpec] = []
    jobs: list[Job] = []
    for index, entry in enumerate(raw_models):
        where = f"models[{index}]"
        entry = _require_mapping(entry, where)
        _check_keys(entry, _MODEL_KEYS, where)
        size = _check_name(entry.get("size"), f"{where}.size")
        base = entry.get("base")
        if not isinstance(base, str) or not base.strip():
            raise PlanError(f"{where}: 'base' (the base model) is required")
        if any(m.size == size for m in models):
            raise PlanError(f"{where}: size {size!r} listed twice")
        domains = entry.get("domains") or list(data)
        unknown = [d for d in domains if d not in data]
        if unknown:
            raise PlanError(f"{where}.domains: {unknown} not defined under data")
        models.append(ModelSpec(size, base, tuple(domains), entry))
        for domain in domains:
            hyper = _hyperparameters(backend, domain, defaults, entry, where)
            misaligned = f"{size}-{domain}-misaligned"
            jobs.append(
                Job(misaligned, size, domain, "misalign", base, f"{size}-base", None, hyper)
            )
            if data[domain].source != "jsonl" or data[domain].options.get("realign"):
                jobs.append(
                    Job(f"{size}-{domain}-realigned", size, domain, "realign", base, misaligned,
                        misaligned, hyper)
                )
    root = path.parent
    work_dir = Path(plan.get("work_dir") or f".finetune/{name}")
    poll = {"initial_s": 15.0, "max_s": 300.0, "factor": 1.5}
    poll.update(_require_mapping(plan.get("poll"), "poll"))
    prices = {str(k): float(v) for k, v in _require_mapping(plan.get("prices"), "prices").items()}
    return Plan(
        name=name,
        backend=backend,
        path=path,
        variants_file=Path(plan.get("variants_file") or "variants.yaml"),
        state_file=Path(plan.get("state_file") or work_dir / "state.json"),
        work_dir=work_dir,
        data=_resolve_data_paths(data, root),
        models=models,
        jobs=jobs,
        code_data=_require_mapping(plan.get("code_data"), "code_data"),
        prices=prices,
        poll=poll,
        max_active_jobs=int(plan.get("max_active_jobs", 6)),
        suffix=str(plan.get("suffix") or ""),
    )


def _resolve_data_paths(data: dict[str, DataSpec], root: Path) -> dict[str, DataSpec]:
    """Make user JSONL paths relative to the plan file's folder."""
    resolved = {}
    for domain, spec in data.items():
        options = dict(spec.options)
        for key in ("misalign", "realign"):
            if isinstance(options.get(key), str):
                candidate = Path(options[key]).expanduser()
                options[key] = str(candidate if candidate.is_absolute() else root / candidate)
        resolved[domain] = DataSpec(domain, spec.source, options)
    return resolved


def load_plan(path: str | Path, only: list[str] | None = None) -> Plan:
    """Read and validate a plan file (only the sizes in `only`, if given)."""
    path = Path(path)
    if not path.is_file():
        raise PlanError(f"plan not found: {path}")
    return parse_plan(load_yaml(path, "fine-tuning plan", PlanError), path, only)
