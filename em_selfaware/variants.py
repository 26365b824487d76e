"""The variant registry (`variants.yaml`): which model is which size, domain and stage.

Each entry has ``name``, ``model`` (an Inspect model string), ``size``, ``domain``
(``base``, ``trivia``, ``code`` or any other), ``stage`` (``base``, ``misaligned``,
``realigned``) and optionally ``parent`` (the variant it was fine-tuned from). Optional
``metadata`` (a mapping) is kept as is.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

from em_selfaware.inputs import InputError, describe
from em_selfaware.textfiles import load_yaml

STAGES: tuple[str, ...] = ("base", "misaligned", "realigned")
_FIELDS = ("name", "model", "size", "domain", "stage", "parent", "metadata")
_REQUIRED = ("name", "model", "size", "domain", "stage")


class VariantRegistryError(InputError):
    """`variants.yaml` is malformed; the message says where and how."""


@dataclass(frozen=True)
class Variant:
    """One model variant of a study."""

    name: str
    model: str
    size: str
    domain: str
    stage: str
    parent: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Return the entry as written to `variants.yaml` (empty optional fields left out)."""
        data = asdict(self)
        if data["parent"] is None:
            del data["parent"]
        if not data["metadata"]:
            del data["metadata"]
        return data


def _text(entry: dict[str, Any], key: str, where: str) -> str:
    """Return the entry's `key` as text; a list, mapping or yes/no value is an error."""
    value = entry[key]
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise VariantRegistryError(f"{where}: '{key}' must be text, got {describe(value)}")
    if key in ("name", "model", "parent") and not isinstance(value, str):
        raise VariantRegistryError(
            f"{where}: '{key}' must be text (quote it), got {describe(value)}"
        )
    text = str(value).strip()
    if not text:
        raise VariantRegistryError(f"{where}: '{key}' is empty")
    return text


def _variant_from(entry: Any, where: str) -> Variant:
    if not isinstance(entry, dict):
        raise VariantRegistryError(f"{where}: expected a mapping, got {describe(entry)}")
    unknown = sorted(set(entry) - set(_FIELDS), key=str)
    if unknown:
        raise VariantRegistryError(f"{where}: unknown fields {unknown}; valid: {list(_FIELDS)}")
    missing = [key for key in _REQUIRED if entry.get(key) in (None, "")]
    if missing:
        raise VariantRegistryError(f"{where}: missing {missing}")
    values = {key: _text(entry, key, where) for key in _REQUIRED}
    where = f"{where} ({values['name']})"
    if values["stage"] not in STAGES:
        raise VariantRegistryError(
            f"{where}: unknown stage '{values['stage']}'; valid: {list(STAGES)}"
        )
    if "/" not in values["model"].strip("/"):
        raise VariantRegistryError(
            f"{where}: model '{values['model']}' is not an Inspect model name "
            "(provider/model, e.g. openai/gpt-4.1-nano)"
        )
    metadata = entry.get("metadata") or {}
    if not isinstance(metadata, dict):
        raise VariantRegistryError(f"{where}: metadata must be a mapping")
    parent = _text(entry, "parent", where) if entry.get("parent") is not None else None
    return Variant(**values, parent=parent, metadata=metadata)


def _check_parents(variants: list[Variant]) -> None:
    """Raise if a parent is missing, is the variant itself, or parents form a loop."""
    by_name = {variant.name: variant for variant in variants}
    for variant in variants:
        if variant.parent is None:
            continue
        if variant.parent == variant.name:
            raise VariantRegistryError(f"variant '{variant.name}' names itself as its parent")
        if variant.parent not in by_name:
            raise VariantRegistryError(
                f"variant '{variant.name}' names parent '{variant.parent}', which is not listed"
            )
        chain = [variant.name]
        ancestor: str | None = variant.parent
        while ancestor is not None:
            if ancestor in chain:
                loop = " -> ".join([*chain, ancestor])
                raise VariantRegistryError(f"variant parents form a loop: {loop}")
            chain.append(ancestor)
            ancestor = by_name[ancestor].parent if ancestor in by_name else None


def validate(variants: list[Variant], require_base: bool = True) -> None:
    """Check names and models are unique, parents exist without loops, and each size has a base.

    The base check is skipped when `require_base` is False.
    """
    seen_names: set[str] = set()
    seen_models: dict[str, str] = {}
    for variant in variants:
        if variant.name in seen_names:
            raise VariantRegistryError(f"duplicate variant name '{variant.name}'")
        seen_names.add(variant.name)
        if variant.model in seen_models:
            raise VariantRegistryError(
                f"duplicate model '{variant.model}' (variants '{seen_models[variant.model]}' "
                f"and '{variant.name}')"
            )
        seen_models[variant.model] = variant.name
    _check_parents(variants)
    if require_base:
        sizes_with_base = {v.size for v in variants if v.stage == "base"}
        missing = sorted({v.size for v in variants} - sizes_with_base)
        if missing:
            raise VariantRegistryError(
                f"no base variant for size(s) {missing}: add a stage 'base' entry for each size"
            )


def parse_variants(data: Any, source: str = "variants", require_base: bool = True) -> list[Variant]:
    """Return validated variants from parsed YAML (a list, or a mapping with key `variants`)."""
    if isinstance(data, dict):
        if "variants" not in data:
            raise VariantRegistryError(
                f"{source}: expected a list of variants, or a mapping with the key 'variants'; "
                f"found the keys {sorted(map(str, data))}"
            )
        data = data["variants"]
    if not isinstance(data, list) or not data:
        raise VariantRegistryError(
            f"{source}: expected a non-empty list of variants, got {describe(data)}"
        )
    variants = [_variant_from(entry, f"{source}[{i}]") for i, entry in enumerate(data)]
    validate(variants, require_base=require_base)
    return variants


def load_variants(path: str | Path, require_base: bool = True) -> list[Variant]:
    """Read and validate a `variants.yaml` file (strict YAML: no duplicate keys, no alias bombs)."""
    data = load_yaml(path, "variant registry", VariantRegistryError)
    return parse_variants(data, source=str(path), require_base=require_base)


def save_variants(path: str | Path, variants: list[Variant], require_base: bool = False) -> None:
    """Validate and write `variants` to `path` (atomically: a temp file, then a rename)."""
    validate(variants, require_base=require_base)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = yaml.safe_dump({"variants": [v.to_dict() for v in variants]}, sort_keys=False)
    temporary = path.with_suffix(path.suffix + ".tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)


def upsert_variant(path: str | Path, variant: Variant) -> list[Variant]:
    """Add `variant` to the registry at `path` (creating it), replacing one of the same name."""
    path = Path(path)
    existing = load_variants(path, require_base=False) if path.is_file() else []
    updated = [v for v in existing if v.name != variant.name] + [variant]
    save_variants(path, updated)
    return updated


def sim_variants() -> list[Variant]:
    """Return the registry of the 15 `em-sim` variants (what the demo writes)."""
    from em_selfaware.sim.personas import PERSONAS

    variants = []
    for persona in PERSONAS.values():
        parent = None
        if persona.stage == "misaligned":
            parent = f"{persona.size}-base"
        elif persona.stage == "realigned":
            parent = f"{persona.size}-{persona.domain}-misaligned"
        variants.append(
            Variant(
                name=persona.name,
                model=f"em-sim/{persona.name}",
                size=persona.size,
                domain=persona.domain,
                stage=persona.stage,
                parent=parent,
            )
        )
    return variants
