"""Self-assessment items: 6 dimensions x 4 formats, counterbalanced, from our own templates.

Per dimension (defaults give 500 answers per format, as in V26):
- decision: 10 paraphrases x 2 word orders (25 answers each);
- numerical: 10 paraphrases, the misaligned end alternating between 10 and 0 (50 each);
- language: 25 neutral questions x 4 variants (misaligned pole -> French or German, its rule
  stated first or second) (5 each);
- likert: 25 statements x 2 polarities (agreeing means the aligned or the misaligned pole)
  (10 each).

Samples of one base item share an `item_id` (the pairing unit): both orders of a decision
paraphrase, the four language variants of a question, both polarities of a Likert statement.
Every sample's input is its rendered prompt (the template filled with the axis's pole words,
languages and question), its answer spec in the metadata (`closed_form`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from inspect_ai.dataset import MemoryDataset, Sample

from em_selfaware.axes import DIMENSIONS, SIDES, Axis, dimension_axes
from em_selfaware.banks.jsonl import parse_selection, read_jsonl
from em_selfaware.closed_form import ORDERS
from em_selfaware.inputs import optional_whole_number
from em_selfaware.paths import data_file
from solvers.self_report_formats import FORMATS, LANGUAGE_NAMES, self_report_sample

PROBE = "self_assessment"
DEFAULT_SAMPLES: dict[str, int] = {"decision": 25, "numerical": 50, "language": 5, "likert": 10}
"""Answers per sample for each format: 500 per (dimension, format) with all items."""


def templates(file_name: str, field: str = "template") -> list[dict[str, str]]:
    """Return the records of `datasets/self_assessment/<file_name>` (each needs `id`, `field`)."""
    return read_jsonl(data_file("self_assessment", file_name), required=("id", field))


def _sample(
    axis: Axis, sample_id: str, template: str, base: dict[str, Any], **fields: Any
) -> Sample:
    return self_report_sample(sample_id, template, {**base, **fields}, axis)


def decision_samples(axis: Axis, base: dict[str, Any], limit: int | None) -> list[Sample]:
    """Each decision paraphrase in both word orders."""
    samples = []
    for record in templates("decision.jsonl")[:limit]:
        item_id = f"sa-{axis.name}-{record['id']}"
        for order in ORDERS:
            samples.append(
                _sample(
                    axis, f"{item_id}-{order}", record["template"], base, item_id=item_id,
                    format="decision", order=order, aligned_word=axis.aligned.word,
                    misaligned_word=axis.misaligned.word,
                )
            )
    return samples


def numerical_samples(axis: Axis, base: dict[str, Any], limit: int | None) -> list[Sample]:
    """Each numerical paraphrase once; odd-numbered ones put the misaligned pole at 10."""
    samples = []
    for index, record in enumerate(templates("numerical.jsonl")[:limit]):
        item_id = f"sa-{axis.name}-{record['id']}"
        misaligned_end = 10 if index % 2 == 0 else 0
        samples.append(
            _sample(
                axis, item_id, record["template"], base, item_id=item_id, format="numerical",
                misaligned_end=misaligned_end, aligned_word=axis.aligned.word,
                misaligned_word=axis.misaligned.word,
            )
        )
    return samples


def language_samples(axis: Axis, base: dict[str, Any], limit: int | None) -> list[Sample]:
    """Each neutral question under the 4 (language mapping x rule order) variants."""
    rules = templates("language_rules.jsonl")
    samples = []
    questions = templates("neutral_questions.jsonl", field="question")[:limit]
    for q_index, question in enumerate(questions):
        item_id = f"sa-{axis.name}-language-{question['id']}"
        variants = [(language, order) for language in LANGUAGE_NAMES for order in ORDERS]
        for v_index, (language, order) in enumerate(variants):
            rule = rules[(q_index + v_index) % len(rules)]
            samples.append(
                _sample(
                    axis, f"{item_id}-{language}-{order}", rule["template"], base, item_id=item_id,
                    format="language", order=order, misaligned_language=language,
                    question=question["question"], rule_id=rule["id"],
                    aligned_word=axis.aligned.word, misaligned_word=axis.misaligned.word,
                )
            )
    return samples


def likert_samples(axis: Axis, base: dict[str, Any], limit: int | None) -> list[Sample]:
    """Each statement in both polarities: agreeing means the aligned or the misaligned pole."""
    samples = []
    for record in templates("likert.jsonl")[:limit]:
        item_id = f"sa-{axis.name}-{record['id']}"
        for agreement in SIDES:
            samples.append(
                _sample(
                    axis, f"{item_id}-agree_{agreement}", record["template"], base, item_id=item_id,
                    format="likert", agreement_means=agreement, aligned_word=axis.aligned.word,
                    misaligned_word=axis.misaligned.word,
                )
            )
    return samples


def self_report_samples(
    axes: dict[str, Axis],
    selected: Iterable[str],
    formats: Iterable[str],
    probe: str,
    axis_key: str,
    per_axis: int | None,
) -> list[Sample]:
    """Return the samples of every selected (axis, format), the first `per_axis` base items.

    `axes` maps axis names to axes; `selected` names the axes to include.
    """
    per_axis = optional_whole_number(f"per_{axis_key}", per_axis)
    samples: list[Sample] = []
    for name in selected:
        axis = axes[name]
        base = {"probe": probe, axis_key: axis.name}
        for form in formats:
            if form == "decision":
                samples += decision_samples(axis, base, per_axis)
            elif form == "numerical":
                samples += numerical_samples(axis, base, per_axis)
            elif form == "language":
                samples += language_samples(axis, base, per_axis)
            elif form == "likert":
                samples += likert_samples(axis, base, per_axis)
            else:
                raise ValueError(f"unknown format '{form}'; valid: {', '.join(FORMATS)}")
    return samples


def load_self_assessment(
    formats: str | list[str] | None = None,
    dimensions: str | list[str] | None = None,
    per_dimension: int | None = None,
) -> MemoryDataset:
    """Return the self-assessment dataset for the selected formats and dimensions."""
    chosen_formats = parse_selection(formats, FORMATS, "formats")
    chosen_dimensions = parse_selection(dimensions, DIMENSIONS, "dimensions")
    samples = self_report_samples(
        dimension_axes(), chosen_dimensions, chosen_formats, PROBE, "dimension", per_dimension
    )
    return MemoryDataset(samples, name="self_assessment")
