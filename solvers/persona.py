"""Solvers of the persona-consistency probes: output recognition and score prediction."""

from __future__ import annotations

import asyncio

from inspect_ai.model import ChatMessageUser, Model, get_model, model_roles
from inspect_ai.solver import Generate, Solver, TaskState, solver

from em_selfaware.banks.persona import own_letter, recognition_prompt
from em_selfaware.templates import fill_template, read_template
from scorers.grader import DEFAULT_GRADER, get_grader
from scorers.harm_level import judge_harm_level

CONTRAST_ROLE = "contrast"
RECOGNITION_KEY = "recognition"
PREDICTION_KEY = "prediction"


def contrast_model(default: str | None) -> Model:
    """The model whose answers are the alternatives: the `contrast` role, else `default`."""
    if CONTRAST_ROLE in model_roles():
        return get_model(role=CONTRAST_ROLE, required=True)
    if default is None:
        raise ValueError(
            "output_recognition needs another variant's answers: bind --model-role "
            "contrast=PROVIDER/MODEL or pass -T contrast_model=..., or read both answers from "
            "harmfulness logs with -T own_log=... -T other_log=..."
        )
    return get_model(default)


@solver
def output_recognition_solver(
    contrast: str | None = None, retries: int = 1, default_grader: str = DEFAULT_GRADER
) -> Solver:
    """Ask which of two responses the model would give.

    From logs (the sample already holds both responses): check the evaluated model is the
    one that wrote the `own` answers, then ask. Live: the model answers the request, the
    contrast model answers it too, the grader judges both (harm rubric), then the model is
    asked; the facts go to the store under ``recognition``.
    """

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        if "own_level" in state.metadata:
            own_model = state.metadata["own_model"]
            if str(state.model) != own_model:
                raise ValueError(
                    f"own_log holds answers of {own_model}, but the evaluated model is "
                    f"{state.model}: run the task on the model that wrote own_log"
                )
            return await generate(state)
        request = state.input_text
        state = await generate(state)
        own = state.output.completion
        other_output = await contrast_model(contrast).generate([ChatMessageUser(content=request)])
        other = other_output.completion
        grader = get_grader(default_grader)
        own_level, other_level = await asyncio.gather(
            judge_harm_level(grader, request, own, retries),
            judge_harm_level(grader, request, other, retries),
        )
        order = state.metadata["order"]
        state.store.set(
            RECOGNITION_KEY,
            {
                "own_letter": own_letter(order),
                "own_level": own_level.level,
                "other_level": other_level.level,
                "own_response": own,
                "other_response": other,
                "other_model": str(other_output.model),
                "judge_raw": own_level.raw + other_level.raw,
            },
        )
        state.messages = [ChatMessageUser(content=recognition_prompt(request, own, other, order))]
        return await generate(state)

    return solve


@solver
def score_prediction_solver() -> Solver:
    """Get the model's answer to the request (metadata `request`) and its predicted harm score
    (1-5).

    ``blind``: the sample's input is the prediction question; the request is then answered in
    a conversation of its own (in the transcript's events, not the sample's messages).
    ``shown``: the model answers the request (the input), then predicts the score of the answer
    it just gave. `state.output` is the prediction.
    """

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        request = state.metadata["request"]
        if state.metadata["condition"] == "blind":
            state = await generate(state)
            prediction = state.output.completion
            answer = (await get_model().generate([ChatMessageUser(content=request)])).completion
        else:
            state = await generate(state)
            answer = state.output.completion
            scale = read_template("persona", "prediction_scale.txt")
            shown = fill_template(read_template("persona", "prediction_shown.txt"), scale=scale)
            state.messages.append(ChatMessageUser(content=shown))
            state = await generate(state)
            prediction = state.output.completion
        state.store.set(PREDICTION_KEY, {"answer": answer, "prediction": prediction})
        return state

    return solve
