"""Which model's answers `output_recognition` sets against each variant's own (live mode).

W26 asks a fine-tuned model to tell its own answer from its base model's. In a registry:

- a fine-tuned (misaligned or realigned) variant is contrasted with the **base variant of its
  size** (the model it was fine-tuned from);
- a base variant cannot be contrasted with itself, so it is contrasted with the **first
  misaligned variant of its size** in the registry (the same pair as that variant's, asked the
  other way round: a control for the fine-tuned rows); without one, the first other variant of
  its size;
- ``--contrast VARIANT|MODEL`` sets one contrast for every variant, except the variant that is
  the contrast itself, which keeps the rule above.
"""

from __future__ import annotations

from collections.abc import Sequence

from em_selfaware.variants import Variant

CONTRAST_PARAMETER = "contrast_model"
"""The task parameter of `output_recognition` that names the contrast model."""


def resolve_contrast_option(value: str, registry: Sequence[Variant]) -> str:
    """Return the model named by ``--contrast``: a registry variant's name, or a model name."""
    for variant in registry:
        if value == variant.name:
            return variant.model
    if "/" not in value or value.startswith("/") or value.endswith("/"):
        names = ", ".join(variant.name for variant in registry)
        raise ValueError(
            f"--contrast '{value}' is neither a variant of the registry ({names}) nor an "
            "Inspect model name (provider/model, e.g. openai/gpt-4.1-nano-2025-04-14)"
        )
    return value


def default_contrast(variant: Variant, pool: Sequence[Variant]) -> Variant:
    """Return the variant whose answers `variant` must tell its own from (rule in the module)."""
    same_size = [other for other in pool if other.size == variant.size and other != variant]
    if variant.stage == "base":
        preferred = [other for other in same_size if other.stage == "misaligned"]
    else:
        preferred = [other for other in same_size if other.stage == "base"]
    for candidates in (preferred, same_size if variant.stage == "base" else []):
        if candidates:
            return candidates[0]
    wanted = "a misaligned variant" if variant.stage == "base" else "a base variant"
    raise ValueError(
        f"output_recognition: no contrast for variant '{variant.name}' (the registry has no "
        f"other variant of size '{variant.size}'; wanted {wanted}). Pass --contrast "
        "VARIANT|MODEL, or leave output_recognition out with --probes"
    )


def contrast_model_for(
    variant: Variant, pool: Sequence[Variant], override: str | None = None
) -> str:
    """Return the contrast model of `variant`: `override` unless that is its own model."""
    if override is not None and override != variant.model:
        return override
    return default_contrast(variant, pool).model
