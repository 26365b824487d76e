"""The one price table (`datasets/pricing/prices.yaml`): inference, batch and training prices.

Read by the run's cost estimate and the fine-tuning dry run. A user's file in the same format
(``em-selfaware run --prices FILE``) overrides or extends the built-in entries; the table's
`as_of` date is shown with every estimate because prices change.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from em_selfaware.paths import data_file

PRICE_FILE = ("pricing", "prices.yaml")
_ENTRY_KEYS = {"aliases", "input", "output", "fine_tuned"}
_FINE_TUNED_KEYS = {"input", "output", "training"}
_TABLE_KEYS = {"as_of", "batch_discount", "no_token_price", "models"}


class PriceTableError(ValueError):
    """A price file is malformed; the message names the file, the key and what is valid."""


@dataclass(frozen=True)
class TokenPrice:
    """USD per 1M input and output tokens of one model, and where the price came from."""

    input: float
    output: float
    entry: str
    """The table entry that priced it (with ``(fine-tuned)`` for fine-tuned models)."""
    batch_share: float | None
    """Share of the price paid in batch mode (None: the provider has no batch discount)."""


@dataclass
class PriceTable:
    """Prices by Inspect model name, with aliases resolved to their entries."""

    as_of: str
    models: dict[str, dict[str, Any]] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)
    batch_discount: dict[str, float] = field(default_factory=dict)
    no_token_price: set[str] = field(default_factory=set)
    sources: list[str] = field(default_factory=list)

    def entry_name(self, name: str) -> str | None:
        """Return the table entry for a model name (or alias), None when unknown."""
        if name in self.models:
            return name
        return self.aliases.get(name)

    def is_local(self, model: str) -> bool:
        """True for providers billed by hardware rather than per token (em-sim, vllm, hf...)."""
        return model.split("/", 1)[0] in self.no_token_price

    def token_price(self, model: str) -> TokenPrice | None:
        """Return the inference price of an Inspect model name, or None when unknown.

        ``openai/ft:SNAPSHOT:org:suffix:id`` is priced as a fine-tune of ``openai/SNAPSHOT``.
        """
        provider, _, name = model.partition("/")
        fine_tuned = name.startswith("ft:")
        base = f"{provider}/{name.split(':')[1]}" if fine_tuned and ":" in name else model
        entry_name = self.entry_name(base)
        if entry_name is None:
            return None
        entry = self.models[entry_name]
        prices = (entry.get("fine_tuned") or {}) if fine_tuned else entry
        if "input" not in prices or "output" not in prices:
            return None
        return TokenPrice(
            input=float(prices["input"]),
            output=float(prices["output"]),
            entry=entry_name + (" (fine-tuned)" if fine_tuned else ""),
            batch_share=self.batch_discount.get(provider),
        )

    def training_price(self, model: str, provider: str = "openai") -> float | None:
        """Return USD per 1M training tokens for fine-tuning `model` (a snapshot or ft: id)."""
        name = model.split("/", 1)[1] if "/" in model else model
        if name.startswith("ft:"):
            name = name.split(":")[1]
        entry_name = self.entry_name(f"{provider}/{name}")
        if entry_name is None:
            return None
        training = (self.models[entry_name].get("fine_tuned") or {}).get("training")
        return float(training) if training is not None else None


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise PriceTableError(f"{where}: expected a price >= 0 (USD per 1M tokens), got {value!r}")
    return float(value)


def _check_keys(value: Any, valid: set[str], where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise PriceTableError(f"{where}: expected a mapping, got {type(value).__name__}")
    unknown = sorted(set(value) - valid)
    if unknown:
        raise PriceTableError(f"{where}: unknown keys {unknown}; valid: {sorted(valid)}")
    return value


def _merge(table: PriceTable, raw: Any, source: str) -> None:
    """Add one parsed price file to `table` (later files override earlier entries)."""
    raw = _check_keys(raw, _TABLE_KEYS, source)
    if "as_of" in raw:
        dated = str(raw["as_of"])
        table.as_of = f"{table.as_of}; {source}: {dated}" if table.sources else dated
    discounts = raw.get("batch_discount") or {}
    if not isinstance(discounts, dict):
        raise PriceTableError(f"{source}: batch_discount: expected a mapping provider -> share")
    for provider, share in discounts.items():
        share = _number(share, f"{source}: batch_discount.{provider}")
        if share > 1:
            raise PriceTableError(
                f"{source}: batch_discount.{provider} = {share}: the share of the standard price "
                "paid in batch mode, between 0 and 1"
            )
        table.batch_discount[str(provider)] = share
    local = raw.get("no_token_price") or []
    if not isinstance(local, list):
        raise PriceTableError(f"{source}: no_token_price: expected a list of provider names")
    table.no_token_price.update(str(provider) for provider in local)
    models = raw.get("models") or {}
    if not isinstance(models, dict):
        raise PriceTableError(f"{source}: models: expected a mapping of model name -> prices")
    for name, entry in models.items():
        where = f"{source}: models.{name}"
        if "/" not in str(name):
            raise PriceTableError(f"{where}: use the Inspect model name, provider/model")
        entry = dict(_check_keys(entry, _ENTRY_KEYS, where))
        for key in ("input", "output"):
            if key in entry:
                entry[key] = _number(entry[key], f"{where}.{key}")
        if "fine_tuned" in entry:
            fine_tuned = _check_keys(entry["fine_tuned"], _FINE_TUNED_KEYS, f"{where}.fine_tuned")
            entry["fine_tuned"] = {
                key: _number(value, f"{where}.fine_tuned.{key}")
                for key, value in fine_tuned.items()
            }
        aliases = entry.pop("aliases", None) or []
        if not isinstance(aliases, list):
            raise PriceTableError(f"{where}.aliases: expected a list of model names")
        table.models[str(name)] = entry
        for alias in aliases:
            table.aliases[str(alias)] = str(name)
    table.sources.append(source)


def load_prices(path: str | Path | None = None) -> PriceTable:
    """Return the built-in price table, overridden by the user's file at `path` if given."""
    table = PriceTable(as_of="unknown")
    files = [data_file(*PRICE_FILE)] + ([Path(path)] if path is not None else [])
    for file in files:
        if not file.is_file():
            raise PriceTableError(f"price file not found: {file}")
        try:
            raw = yaml.safe_load(file.read_text(encoding="utf-8"))
        except (yaml.YAMLError, UnicodeDecodeError) as error:
            raise PriceTableError(f"{file}: not a valid YAML price table ({error})") from None
        _merge(table, raw, str(file) if table.sources else "built-in table")
    return table
