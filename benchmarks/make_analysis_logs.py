"""Build a large em-sim log folder for the analysis benchmark (not a test; run on demand).

    python benchmarks/make_analysis_logs.py --out logs/bench-analysis --epochs 63

Running ~300,000 em-sim samples through Inspect takes hours on a small machine, so the folder
is built in two steps:

1. a real `em-selfaware run` of harmfulness on the 15 em-sim variants at the full item bank
   (320 prompts) with `--seed-epochs` samples per prompt (logs written by Inspect, tagged
   with the variants);
2. each log is widened to `--epochs` answers per prompt with `inspect_ai.log`: every new
   answer is drawn from the variant's em-sim persona exactly as the provider draws it
   (`draw_level`, the same sentence bank, the judge's 1-5 level), with its own sample uuid.
   The copies keep messages, output and scores; their event transcripts are dropped (the
   report reads headers and sample summaries only, and those are complete).

Only harmfulness exists so far; with `--epochs 63` the folder holds 15 x 320 x 63 =
302,400 scored answers, the volume of the full paper protocol in sample mode.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

from inspect_ai.log import EvalLog, EvalSample, read_eval_log, write_eval_log
from inspect_ai.model import ChatMessageAssistant
from shortuuid import uuid

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from em_selfaware.probes import PROBES  # noqa: E402
from em_selfaware.runner import plan_runs, run_plan  # noqa: E402
from em_selfaware.sim.personas import get_persona  # noqa: E402
from em_selfaware.sim.responders.harmfulness import HARM_BANK, draw_level  # noqa: E402
from em_selfaware.variants import sim_variants  # noqa: E402
from scorers.answer_table import LEGACY_KEY, PREFIX, pack_answers  # noqa: E402
from scorers.harm_judge import explain_level  # noqa: E402


def seed_logs(folder: Path, seed_epochs: int) -> list[str]:
    """Run harmfulness (full bank, `seed_epochs` samples) on the 15 em-sim variants."""
    plan = plan_runs(sim_variants(), [PROBES["harmfulness"]], samples=seed_epochs)
    success, logs = run_plan(plan, folder, grader="em-sim/judge", display="none",
                             max_tasks=4, log_level="warning", log_realtime=False)
    if not success:
        raise RuntimeError("the em-sim seed run did not complete")
    return [log.location for log in logs]


def _answer(template: EvalSample, epoch: int, level: int, text: str) -> EvalSample:
    value = (level - 1) / 4
    message = ChatMessageAssistant(content=text, model=template.output.model)
    choice = template.output.choices[0].model_copy(update={"message": message})
    score = next(iter(template.scores.values()))
    scorer = next(iter(template.scores))
    kept = {
        key: item for key, item in (score.metadata or {}).items()
        if not key.startswith(PREFIX) and key != LEGACY_KEY
    }
    new_score = score.model_copy(update={
        "value": value, "answer": text,
        "explanation": explain_level(level, [f'{{"score": {level}}}']),
        "metadata": {**kept, "judge_level": level,
                     **pack_answers([{"value": value, "route": "judge", "parsed": str(level)}])},
    })
    return template.model_copy(update={
        "epoch": epoch, "uuid": uuid(), "events": [], "attachments": {},
        "messages": [*template.messages[:-1], message],
        "output": template.output.model_copy(update={"choices": [choice]}),
        "scores": {scorer: new_score},
    })


def widen(location: str, out: Path, epochs: int, seed: int = 0) -> Path:
    """Write a copy of one seed log with `epochs` answers per prompt drawn from its persona."""
    log: EvalLog = read_eval_log(location)
    variant = log.eval.metadata["variant"]["name"]
    persona = get_persona(variant)
    rng = random.Random(f"{seed}|{variant}")
    by_id: dict[str, list[EvalSample]] = {}
    for sample in log.samples or []:
        by_id.setdefault(str(sample.id), []).append(sample)
    samples = []
    for group in by_id.values():
        for epoch in range(1, epochs + 1):
            level = draw_level(persona, rng)
            template = group[(epoch - 1) % len(group)]
            samples.append(_answer(template, epoch, level, rng.choice(HARM_BANK[level])))
    log.samples = samples
    log.eval.config.epochs = epochs
    log.reductions = None
    target = out / Path(location).name
    partial = target.with_name("partial-" + target.name.removesuffix(".eval") + ".tmp")
    write_eval_log(log, str(partial), format="eval")
    partial.replace(target)
    return target


def main() -> int:
    """Build the folder; print what it holds."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default="logs/bench-analysis")
    parser.add_argument("--epochs", type=int, default=63)
    parser.add_argument("--seed-epochs", type=int, default=2)
    args = parser.parse_args()
    out = Path(args.out)
    seed_dir = out.parent / (out.name + "-seed")
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    locations = seed_logs(seed_dir, args.seed_epochs)  # resumes: complete logs are kept
    print(f"seed run: {len(locations)} logs in {time.perf_counter() - started:.0f} s")
    for index, location in enumerate(sorted(locations), start=1):
        if (out / Path(location).name).is_file():
            continue
        target = widen(location, out, args.epochs)
        print(f"[{index}/{len(locations)}] {target.name} "
              f"({time.perf_counter() - started:.0f} s)", flush=True)
    answers = len(locations) * 320 * args.epochs
    print(f"{out}: {len(locations)} logs, {answers:,} scored answers")
    return 0


if __name__ == "__main__":
    sys.exit(main())
