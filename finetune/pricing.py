"""Estimated cost of OpenAI fine-tuning jobs, from the one price table.

Training prices (USD per 1M training tokens) are the ``fine_tuned.training`` entries of
`datasets/pricing/prices.yaml` (see `em_selfaware.pricing`; an ASSUMPTION dated by its
``as_of``). A plan's ``prices:`` overrides them. Billed training tokens are the tokens in the
training file times the number of epochs.
"""

from __future__ import annotations

from functools import cache

from em_selfaware.pricing import PriceTable, load_prices


@cache
def _table() -> PriceTable:
    return load_prices()


def prices_as_of() -> str:
    """The date of the built-in price table."""
    return _table().as_of


def snapshot_of(model: str) -> str:
    """Return the base snapshot of a model id (``ft:BASE:org::id`` -> ``BASE``)."""
    if model.startswith("ft:"):
        return model.split(":")[1]
    return model


def training_price(model: str, overrides: dict[str, float] | None = None) -> float | None:
    """Return USD per 1M training tokens for `model` (plan overrides first), or None."""
    snapshot = snapshot_of(model)
    for name in (model, snapshot):
        if name in (overrides or {}):
            return float((overrides or {})[name])
    return _table().training_price(snapshot)


def training_cost(model: str, tokens_per_epoch: int, epochs: int | str,
                  overrides: dict[str, float] | None = None) -> float | None:
    """Return the estimated USD cost of one job, or None when the price or epochs are unknown."""
    price = training_price(model, overrides)
    if price is None or not isinstance(epochs, int):
        return None
    return tokens_per_epoch * epochs * price / 1_000_000
