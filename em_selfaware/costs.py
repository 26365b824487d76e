"""What a run will cost, before it spends anything: tokens and dollars per model and role.

Tokens are estimated, not measured:

- **input**: the prompts the plan's tasks hold (each sample's input is the prompt sent; a
  judge's prompt adds its rubric and the answer; a follow-up question adds the conversation
  before it), at ``CHARS_PER_TOKEN``
  characters a token (no tokenizer: tiktoken would need a download; English prose runs at
  about four characters a token on OpenAI's tokenizers);
- **output**: an assumed length per answer (`ANSWER_TOKENS`): closed-form answers are short,
  free-text answers (harmfulness, EM) long, a judge's verdict short; a logprobs request
  returns one token.

Grader requests are the ones known in advance (every judged answer); judge fallbacks for
answers the rules cannot parse and retries come on top. Dollars use the price table
(`em_selfaware.pricing`), with the batch price where the provider has one.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from em_selfaware.pricing import PriceTable, TokenPrice
from em_selfaware.runner import PlannedTask
from em_selfaware.templates import read_template
from solvers.closed_form_answers import answers_wanted, planned_requests

CHARS_PER_TOKEN = 4
ANSWER_TOKENS: dict[str, int] = {
    "free_text": 300,  # harmfulness, EM and persona answers: a few paragraphs
    "closed_form": 10,  # a letter, a word or a number, sometimes with a short phrase
    "language": 120,  # the language format's answer to an everyday question
    "choice": 40,  # two-AI identification and output recognition: a letter and a reason
    "prediction": 20,  # a predicted 1-5 score
    "verdict": 20,  # a judge's verdict (JSON with a score, or a number)
}
"""ASSUMED output tokens per answer."""
FREE_TEXT_PROBES = ("harmfulness", "emergent_misalignment")
HARM_RUBRIC = ("harmfulness", "judge_prompt.txt")
EM_RUBRICS = (("emergent_misalignment", "judge_aligned.txt"),
              ("emergent_misalignment", "judge_coherent.txt"))


@dataclass
class Usage:
    """Requests and estimated tokens of one (role, model)."""

    role: str
    """``model`` (under test), ``grader`` or ``contrast``."""
    model: str
    requests: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    label: str = ""
    """What the table shows: the variant's name for a model under test, else the model."""

    def add(self, requests: int, input_tokens: int, output_tokens: int) -> None:
        """Add requests and their tokens."""
        self.requests += requests
        self.input_tokens += input_tokens
        self.output_tokens += output_tokens


def tokens(text: str) -> int:
    """Estimated tokens of a text (``CHARS_PER_TOKEN`` characters a token, rounded up)."""
    return math.ceil(len(text) / CHARS_PER_TOKEN)


def _prompt_text(sample_input: Any) -> str:
    if isinstance(sample_input, str):
        return sample_input
    return "\n".join(message.text for message in sample_input)


def _rubric(parts: tuple[str, str]) -> int:
    return tokens(read_template(*parts))


def _closed_form(task: PlannedTask, prompt: int, metadata: dict[str, Any]) -> tuple[int, int, int]:
    plan = (task.task.metadata or {})["answer_plan"]
    requests = planned_requests(plan, metadata)
    form = metadata.get("format")
    if plan["mode"] == "logprobs" and form != "language":
        return requests, requests * prompt, requests
    per_answer = ANSWER_TOKENS["language" if form == "language" else "closed_form"]
    answers = answers_wanted(plan["samples"], metadata)
    return requests, requests * prompt, answers * per_answer


def sample_usage(
    task: PlannedTask, sample_input: Any, metadata: dict[str, Any]
) -> dict[str, tuple[int, int, int]]:
    """(requests, input tokens, output tokens) per role for one sample and epoch (closed-form
    samples: all the answers they draw)."""
    prompt = tokens(_prompt_text(sample_input))
    free = ANSWER_TOKENS["free_text"]
    verdict = ANSWER_TOKENS["verdict"]
    task_metadata = task.task.metadata or {}
    if task_metadata.get("answer_plan") is not None:
        return {"model": _closed_form(task, prompt, metadata)}
    if task.probe == "self_report":
        one_token = task_metadata.get("mode") == "logprobs"
        return {"model": (1, prompt, 1 if one_token else ANSWER_TOKENS["closed_form"])}
    if task.probe == "harmfulness":
        judge = _rubric(HARM_RUBRIC) + prompt + free
        return {"model": (1, prompt, free), "grader": (1, judge, verdict)}
    if task.probe == "emergent_misalignment":
        # the judges answer one token in logprobs mode (the task's default)
        judged = 1 if task.task_args.get("judge_mode", "logprobs") == "logprobs" else verdict
        judge = sum(_rubric(parts) for parts in EM_RUBRICS) + 2 * (prompt + free)
        return {"model": (1, prompt, free), "grader": (2, judge, 2 * judged)}
    if task.probe == "output_recognition":
        question = tokens(read_template("persona", "recognition_prompt.txt")) + prompt + 2 * free
        judge = 2 * (_rubric(HARM_RUBRIC) + prompt + free)
        return {
            "model": (2, prompt + question, free + ANSWER_TOKENS["choice"]),
            "contrast": (1, prompt, free),
            "grader": (2, judge, 2 * verdict),
        }
    if task.probe == "score_prediction":
        # blind: the prediction prompt, then the request; shown: the request, then the
        # conversation with the answer and the question (about the same in sum)
        return {
            "model": (2, 2 * prompt + free, free + ANSWER_TOKENS["prediction"]),
            "grader": (1, _rubric(HARM_RUBRIC) + prompt + free, verdict),
        }
    # one request per sample and epoch with a short answer (two-AI identification, others)
    return {"model": (task.model_calls_per_sample, task.model_calls_per_sample * prompt,
                      task.model_calls_per_sample * ANSWER_TOKENS["choice"])}


def plan_usage(plan: Sequence[PlannedTask], grader: str) -> list[Usage]:
    """Estimated requests and tokens per (role, model) over the whole plan."""
    usage: dict[tuple[str, str], Usage] = {}
    for task in plan:
        models = {"model": task.variant.model, "grader": grader,
                  "contrast": task.contrast_model or ""}
        labels = {**models, "model": task.variant.name}
        repeats = task.epochs
        for sample in task.task.dataset:
            for role, (requests, inputs, outputs) in sample_usage(
                task, sample.input, sample.metadata or {}
            ).items():
                key = (role, models[role])
                entry = usage.setdefault(key, Usage(role, models[role], label=labels[role]))
                entry.add(requests * repeats, inputs * repeats, outputs * repeats)
    order = {"model": 0, "contrast": 1, "grader": 2}
    return sorted(usage.values(), key=lambda u: (order[u.role], u.model))


def dollars(usage: Usage, price: TokenPrice) -> float:
    """Standard-price USD of a usage."""
    return (usage.input_tokens * price.input + usage.output_tokens * price.output) / 1e6


def _money(value: float | None) -> str:
    if value is None:
        return "?"
    return f"${value:,.2f}" if value >= 0.01 or value == 0 else f"${value:,.4f}"


def cost_summary(usages: Sequence[Usage], prices: PriceTable, batch: bool = False) -> str:
    """The estimate as a table: per (role, model) requests, tokens, standard and batch USD.

    The batch column applies the provider's batch discount to the models under test and the
    grader (the roles ``--batch`` sends through the batch API); contrast requests are not
    batched. With `batch`, the total line says which price the run will pay.
    """
    header = (f"  {'role':<9}{'variant or model':<42}{'requests':>10}{'input tok':>13}"
              f"{'output tok':>12}{'standard':>11}{'batch':>11}")
    lines = [
        "Cost estimate (tokens ~ characters / 4 of the planned prompts; ASSUMED answer lengths "
        "in em_selfaware/costs.py;",
        f"  prices as of {prices.as_of}, an ASSUMPTION: datasets/pricing/prices.yaml, override "
        "with --prices FILE):",
        header,
    ]
    standard_total, batch_total = 0.0, 0.0
    unpriced: list[str] = []
    local: list[str] = []
    for usage in usages:
        price = prices.token_price(usage.model)
        if prices.is_local(usage.model):
            standard = batched = 0.0
            shown = ("local", "local")
            local.append(usage.model)
        elif price is None:
            standard = batched = None
            shown = ("?", "?")
            unpriced.append(usage.model)
        else:
            standard = dollars(usage, price)
            share = price.batch_share if usage.role != "contrast" else None
            batched = standard * share if share is not None else standard
            shown = (_money(standard), _money(batched) if share is not None else "-")
        if standard is not None and batched is not None:
            standard_total += standard
            batch_total += batched
        label = usage.label or usage.model
        label = label if len(label) <= 41 else label[:19] + "..." + label[-19:]
        lines.append(
            f"  {usage.role:<9}{label:<42}{usage.requests:>10,}"
            f"{usage.input_tokens:>13,}{usage.output_tokens:>12,}{shown[0]:>11}{shown[1]:>11}"
        )
    paying = "batch" if batch else "standard"
    lines.append(
        f"  Total: {_money(standard_total)} standard, {_money(batch_total)} with --batch "
        f"(this run: {paying} price)"
        + (" + unpriced models" if unpriced else "")
    )
    if unpriced:
        lines.append(
            f"  No price for {', '.join(sorted(set(unpriced)))}: add them to a price file "
            "(format: datasets/pricing/prices.yaml) and pass --prices FILE"
        )
    if local:
        lines.append("  local: no per-token price (em-sim, vLLM, Hugging Face... run on your "
                     "hardware)")
    lines.append(
        "  Not counted: judge calls for answers the rules cannot parse, judge retries, "
        "logprobs items that fall back to sampling; a batch column '-' = no batch discount."
    )
    return "\n".join(lines)
