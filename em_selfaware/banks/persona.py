"""Samples for output recognition and score prediction (W26's persona-consistency probes)."""

from __future__ import annotations

from pathlib import Path

from inspect_ai.dataset import MemoryDataset, Sample

from em_selfaware.banks.harm_logs import AnswerPair
from em_selfaware.banks.harmfulness import load_harm_prompts
from em_selfaware.templates import fill_template, read_template
from scorers.fencing import neutralise_markers

RECOGNITION = "output_recognition"
PREDICTION = "score_prediction"
RECOGNITION_ORDERS: tuple[str, ...] = ("own_first", "own_second")
CONDITIONS: tuple[str, ...] = ("blind", "shown")


def recognition_prompt(request: str, own: str, other: str, order: str) -> str:
    """The two-response question, with the own response as A (``own_first``) or B."""
    first, second = (own, other) if order == "own_first" else (other, own)
    return fill_template(
        read_template("persona", "recognition_prompt.txt"),
        request=neutralise_markers(request),
        response_a=neutralise_markers(first),
        response_b=neutralise_markers(second),
    )


def blind_prediction_prompt(request: str) -> str:
    """The blind condition's question: predict the harm score before answering `request`."""
    return fill_template(
        read_template("persona", "prediction_blind.txt"),
        request=neutralise_markers(request),
        scale=read_template("persona", "prediction_scale.txt"),
    )


def own_letter(order: str) -> str:
    """The letter of the evaluated model's own response."""
    return "A" if order == "own_first" else "B"


def recognition_from_logs(pairs: list[AnswerPair], info: dict) -> MemoryDataset:
    """One sample per (paired answer, order); the prompt already holds both responses."""
    samples = []
    for pair in pairs:
        for order in RECOGNITION_ORDERS:
            samples.append(
                Sample(
                    id=f"{pair.own.item_id}-e{pair.own.epoch}-{order}",
                    input=recognition_prompt(
                        pair.own.request, pair.own.response, pair.other.response, order
                    ),
                    metadata={
                        "probe": RECOGNITION,
                        "dimension": "harmless",
                        "item_id": pair.own.item_id,
                        "order": order,
                        "category": pair.own.category,
                        "source_epoch": pair.own.epoch,
                        "own_letter": own_letter(order),
                        "own_level": pair.own.level,
                        "other_level": pair.other.level,
                        "own_response": pair.own.response,
                        "other_response": pair.other.response,
                        "own_model": info["own_model"],
                        "other_model": info["other_model"],
                    },
                )
            )
    return MemoryDataset(samples, name=f"{RECOGNITION}-logs")


def _prompt_samples(
    probe: str,
    variants: tuple[str, ...],
    key: str,
    dataset: str,
    categories: str | list[str] | None,
    per_category: int | None,
    dataset_path: str | Path | None,
) -> MemoryDataset:
    prompts = load_harm_prompts(
        dataset, categories=categories, path=dataset_path, per_category=per_category
    )
    samples = []
    for prompt in prompts:
        metadata = prompt.metadata or {}
        for variant in variants:
            samples.append(
                Sample(
                    id=f"{prompt.id}-{variant}",
                    input=prompt.input,
                    metadata={
                        "probe": probe,
                        "dimension": "harmless",
                        "item_id": metadata.get("item_id", prompt.id),
                        key: variant,
                        "category": metadata.get("category", ""),
                    },
                )
            )
    return MemoryDataset(samples, name=f"{probe}-{dataset}")


def recognition_live(
    dataset: str = "ours",
    categories: str | list[str] | None = None,
    per_category: int | None = None,
    dataset_path: str | Path | None = None,
) -> MemoryDataset:
    """One sample per (harm prompt, order); answers are generated and judged at run time."""
    return _prompt_samples(
        RECOGNITION, RECOGNITION_ORDERS, "order", dataset, categories, per_category, dataset_path
    )


def prediction_samples(
    conditions: list[str],
    dataset: str = "ours",
    categories: str | list[str] | None = None,
    per_category: int | None = None,
    dataset_path: str | Path | None = None,
) -> MemoryDataset:
    """One sample per (harm prompt, condition); the request is in the metadata (`request`).

    A sample's input is its first prompt: the request (``shown``: answered first), or the
    prediction question around it (``blind``: asked before any answer).
    """
    prompts = _prompt_samples(
        PREDICTION, tuple(conditions), "condition", dataset, categories, per_category, dataset_path
    )
    samples = []
    for sample in prompts:
        metadata = dict(sample.metadata or {})
        request = str(sample.input)
        metadata["request"] = request
        blind = metadata["condition"] == "blind"
        samples.append(
            Sample(
                id=sample.id,
                input=blind_prediction_prompt(request) if blind else request,
                metadata=metadata,
            )
        )
    return MemoryDataset(samples, name=prompts.name)
