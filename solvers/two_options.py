"""Two lettered options (A/B) in a counterbalanced order, with the letter mapping as a spec.

Every item is expanded into one sample per order (`with_both_orders`), so both orders are asked
equally often. Each sample's input is the rendered prompt, with the options under the letters
its order dictates; its answer spec (metadata `closed_form`) and `aligned_letter` /
`misaligned_letter` record which letter is which.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from inspect_ai.dataset import Sample

from em_selfaware.closed_form import (
    ORDERS,
    AnswerSpec,
    Choice,
    binary_spec,
    closed_form_sample,
    side_value,
    sides_in_order,
)
from em_selfaware.paths import data_file

LETTERS: tuple[str, str] = ("A", "B")
DEFAULT_TEMPLATE = "intentions/prompt.txt"


def with_both_orders(
    item_id: str, scenario: str, metadata: dict[str, Any], template_file: str = DEFAULT_TEMPLATE
) -> list[Sample]:
    """Return one rendered sample per order for one item (ids ``<item_id>-<order>``, shared
    item_id).

    `metadata` needs `aligned_option` and `misaligned_option`; `template_file` (under
    `datasets/`) has the placeholders ``{scenario}``, ``{option_a}`` and ``{option_b}``.
    """
    template = read_template(template_file)
    samples = []
    for order in ORDERS:
        fields = {**metadata, "item_id": item_id, "order": order}
        prompt, spec = build_two_option_prompt(template, scenario, fields)
        letters = {choice.value: choice.label for choice in spec.choices}
        fields.update(aligned_letter=letters[0.0], misaligned_letter=letters[1.0])
        samples.append(closed_form_sample(f"{item_id}-{order}", prompt, spec, fields))
    return samples


def letter_sides(order: str) -> dict[str, str]:
    """Return which pole side each letter shows under `order`: {"A": side, "B": side}."""
    return dict(zip(LETTERS, sides_in_order(order), strict=True))


def build_two_option_prompt(
    template: str, scenario: str, metadata: dict[str, Any]
) -> tuple[str, AnswerSpec]:
    """Return the prompt and the letter spec for one (item, order).

    `metadata` needs `order`, `aligned_option` and `misaligned_option`; `template` has the
    placeholders ``{scenario}``, ``{option_a}`` and ``{option_b}``.
    """
    sides = letter_sides(metadata["order"])
    texts = {letter: metadata[f"{side}_option"] for letter, side in sides.items()}
    prompt = template.format(scenario=scenario, option_a=texts["A"], option_b=texts["B"])
    spec = binary_spec(
        "letter",
        [
            Choice(label=letter, value=side_value(side), description=f"{letter}) {texts[letter]}")
            for letter, side in sides.items()
        ],
    )
    return prompt, spec


@cache
def read_template(relative_path: str) -> str:
    """Return a prompt template under `datasets/` (e.g. ``intentions/prompt.txt``), stripped."""
    return data_file(*relative_path.split("/")).read_text(encoding="utf-8").rstrip()
