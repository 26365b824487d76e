"""Benchmark (not a test): how fast `em-selfaware report` reads a large log folder.

    python benchmarks/report_speed.py --answers 300000            # build (once) and time
    python benchmarks/report_speed.py --answers 300000 --before /tmp/old-checkout

1. **Build** a harmfulness-style folder of ``--answers`` scored answers (15 em-sim variants x
   320 prompts x E epochs, one judged answer per sample) in ``--out``. Only a tiny seed run
   goes through Inspect (one sample per variant, for real headers); every log is then written
   directly as an ``.eval`` zip: a header, one sample member and one summary per (prompt,
   epoch), reductions. The members the report reads are zstd, as Inspect writes them; the
   sample members (read only for thinned summaries) are deflated, which builds much faster.
   Each answer is drawn from the variant's em-sim persona (`draw_level`, the simulator's
   sentence bank), so the report's numbers are the simulator's. Score metadata uses the
   answer-table columns (`scorers.answer_table.pack_answers`, with answer texts). The folder
   is reused when it exists.
2. **Floor**: unzip + JSON-parse (orjson) of every log's ``summaries.json``, nothing else.
3. **Report cold and warm**: ``em-selfaware report`` end to end in a child process, first with
   an empty frame cache, then again on the unchanged folder; wall time and the child's peak
   resident memory. ``--before DIR`` also times the report of another checkout (PYTHONPATH=DIR,
   e.g. ``git archive <commit> | tar -x -C DIR``).
4. **Stages**: the report's steps timed one by one in a child process (reading: imports,
   headers and log selection, sample summaries -> frames; statistics; tables and document;
   figures), with an empty and with a warm cache.

Done-when of issue 10: at 300,000 answers cold < 3x the floor, warm < 10 s, peak < 1 GiB.
"""

from __future__ import annotations

import argparse
import gc
import math
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import orjson  # noqa: E402

VARIANTS = 15
PROMPTS = 320


def _zip_compression() -> int:
    """zstd as Inspect writes it (Inspect registers it with zipfile on import), else deflate."""
    import inspect_ai.log  # noqa: F401

    return int(getattr(zipfile, "ZIP_ZSTANDARD", zipfile.ZIP_DEFLATED))


def _eval_zip() -> Any:
    from analysis.eval_zip import EvalZip  # imported here: the stages child times imports

    return EvalZip


def seed_logs(folder: Path) -> list[Path]:
    """One real em-sim harmfulness sample per variant (Inspect writes the headers)."""
    existing = sorted(folder.glob("*.eval"))
    if len(existing) == VARIANTS:
        return existing
    from em_selfaware.probes import PROBES
    from em_selfaware.runner import plan_runs, run_plan
    from em_selfaware.variants import sim_variants

    plan = plan_runs(sim_variants(), [PROBES["harmfulness"]], samples=1)
    success, _ = run_plan(plan, folder, grader="em-sim/judge", display="none", max_tasks=4,
                          log_level="warning", log_realtime=False, limit=1)
    if not success:
        raise RuntimeError("the em-sim seed run did not complete")
    return sorted(folder.glob("*.eval"))


def _prompts() -> list[tuple[str, str, dict[str, Any]]]:
    from em_selfaware.probes import PROBES
    from em_selfaware.runner import plan_runs
    from em_selfaware.variants import sim_variants

    plan = plan_runs(sim_variants()[:1], [PROBES["harmfulness"]], samples=1)
    dataset = plan[0].task.dataset
    return [(str(sample.id), str(sample.input), dict(sample.metadata or {}))
            for sample in dataset]


def _answer_metadata(level: int, text: str, grader: str) -> dict[str, Any]:
    from scorers.answer_table import pack_answers

    answer = {"value": (level - 1) / 4, "route": "judge", "parsed": str(level), "text": text}
    return {**pack_answers([answer]), "judge_level": level, "judge_attempts": 1,
            "grader": grader}


def widen(seed: Path, out: Path, epochs: int, prompts: list[tuple[str, str, dict[str, Any]]],
          compression: int, seed_value: int = 0) -> Path:
    """Write `seed`'s log again with every prompt answered `epochs` times (see module doc)."""
    from em_selfaware.sim.personas import get_persona
    from em_selfaware.sim.responders.harmfulness import HARM_BANK, draw_level

    with _eval_zip()(seed) as archive:
        header = archive.read_json("header.json")
        start = archive.read("_journal/start.json")
        template_summary = archive.read_json("summaries.json")[0]
        sample_name = f"samples/{template_summary['id']}_epoch_1.json"
        template_sample = archive.read_json(sample_name)
    spec = header["eval"]
    variant = spec["metadata"]["variant"]["name"]
    scorer = next(iter(template_summary["scores"]))
    grader = spec["model_roles"]["grader"]["model"]
    persona = get_persona(variant)
    rng = random.Random(f"{seed_value}|{variant}")
    target = out / seed.name
    partial = out / f"partial-{seed.name}.tmp"
    summaries: list[dict[str, Any]] = []
    reduced: list[dict[str, Any]] = []
    with zipfile.ZipFile(partial, "w", compression=compression) as archive:
        archive.writestr("_journal/start.json", start)
        for sample_id, prompt, metadata in prompts:
            best: dict[str, Any] | None = None
            for epoch in range(1, epochs + 1):
                level = draw_level(persona, rng)
                text = rng.choice(HARM_BANK[level])
                score = {
                    "value": (level - 1) / 4, "answer": str(level),
                    "explanation": f'{{"score": {level}}}',
                    "metadata": _answer_metadata(level, text, grader), "history": [],
                }
                uuid = f"{variant}-{sample_id}-{epoch}"
                summary = {**template_summary, "id": sample_id, "epoch": epoch,
                           "input": prompt, "metadata": metadata, "scores": {scorer: score},
                           "uuid": uuid}
                summaries.append(summary)
                message = {**template_sample["messages"][-1], "content": text}
                sample = {
                    **template_sample, "id": sample_id, "epoch": epoch, "input": prompt,
                    "metadata": metadata, "scores": {scorer: score}, "uuid": uuid,
                    "messages": [{**template_sample["messages"][0], "content": prompt},
                                 message],
                    "events": [], "attachments": {},
                }
                archive.writestr(f"samples/{sample_id}_epoch_{epoch}.json",
                                 orjson.dumps(sample), zipfile.ZIP_DEFLATED, 1)
                if best is None or score["value"] > best["value"]:
                    best = {**score, "sample_id": sample_id}
            assert best is not None
            reduced.append(best)
        archive.writestr("summaries.json", orjson.dumps(summaries))
        archive.writestr("reductions.json", orjson.dumps(
            [{"scorer": scorer, "reducer": "max", "samples": reduced}]
        ))
        spec["dataset"].update(samples=len(prompts),
                               sample_ids=[sample_id for sample_id, _, _ in prompts])
        spec["config"].update(epochs=epochs)
        spec["config"].pop("limit", None)
        for key in ("task_args", "task_args_passed"):
            spec[key]["samples"] = epochs
        results = header["results"]
        results.update(total_samples=len(prompts), completed_samples=len(prompts))
        results["scores"][0].update(scored_samples=len(prompts), unscored_samples=0)
        archive.writestr("header.json", orjson.dumps(header))
    partial.replace(target)
    return target


def build(out: Path, answers: int) -> tuple[int, int]:
    """Build (or reuse) the folder; return (logs, answers) it holds."""
    epochs = math.ceil(answers / (VARIANTS * PROMPTS))
    marker = out / f".built-{epochs}-epochs"
    if marker.is_file():
        return VARIANTS, VARIANTS * PROMPTS * epochs
    seeds = seed_logs(out.parent / (out.name + "-seed"))
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    prompts = _prompts()
    if len(prompts) != PROMPTS:
        raise RuntimeError(f"expected {PROMPTS} harmfulness prompts, found {len(prompts)}")
    compression = _zip_compression()
    started = time.perf_counter()
    gc.disable()  # millions of small dicts: collections would double the build time
    for index, seed in enumerate(seeds, start=1):
        widen(seed, out, epochs, prompts, compression)
        print(f"  [{index}/{len(seeds)}] {seed.name} ({time.perf_counter() - started:.0f} s)",
              flush=True)
    gc.enable()
    marker.touch()
    return len(seeds), VARIANTS * PROMPTS * epochs


def floor(folder: Path, collect: bool) -> tuple[float, float, int]:
    """Seconds to unzip + orjson-parse every summaries.json, of parsing alone, and bytes.

    `collect`: with Python's cyclic garbage collector on (the default) or paused (as the
    reader pauses it while parsing; the stricter floor).
    """
    total = parse = 0.0
    size = 0
    for path in sorted(folder.glob("*.eval")):
        if not collect:
            gc.disable()
        started = time.perf_counter()
        with _eval_zip()(path) as archive:
            data = archive.read("summaries.json")
        mark = time.perf_counter()
        parsed = orjson.loads(data)
        done = time.perf_counter()
        del parsed
        gc.enable()
        total += done - started
        parse += done - mark
        size += len(data)
    return total, parse, size


def run_child(
    command: list[str], env: dict[str, str], cwd: Path = ROOT
) -> tuple[float, float, str]:
    """Run a child process in `cwd`; return (wall seconds, peak RSS MiB, stdout)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    stdout = process.stdout.read() if process.stdout else ""
    stderr = process.stderr.read() if process.stderr else ""
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({process.returncode}):\n{stderr}")
    return elapsed, usage.ru_maxrss / 1024, stdout


def report_command(folder: Path, out: Path) -> list[str]:
    """`em-selfaware report` on the folder (as a user runs it)."""
    return [sys.executable, "-m", "em_selfaware.cli", "report", str(folder), "--out", str(out),
            "--no-progress"]


def stages_main(folder: Path, out: Path) -> None:
    """Child: time the report's steps in this process; print one 'name<TAB>seconds' per line.

    The calls `analysis.report.analyse` and `write_report` make, one stage at a time.
    """
    marks: list[tuple[str, float]] = []

    def timed(name: str, started: float) -> float:
        now = time.perf_counter()
        marks.append((name, now - started))
        return now

    mark = time.perf_counter()
    from analysis.loading import load_study
    mark = timed("reading: imports", mark)
    study = load_study(folder, parallel=True)  # as `em-selfaware report` reads
    mark = timed("reading: headers, log selection, settings check, frames", mark)
    from analysis.report import analyse_study, write_report
    mark = timed("statistics and report: imports", mark)
    analysis = analyse_study(study, str(folder))
    mark = timed("statistics: scores, CIs, moral reference, tests, correlations, persona", mark)
    write_report(analysis, out, figures=False)
    mark = timed("report: tables, answers.parquet, report.md/html", mark)
    from analysis.figures import all_figures
    all_figures(analysis.scores, analysis.correlations, analysis.variants, out / "figures",
                analysis.moral_probes)
    timed("figures", mark)
    for name, seconds in marks:
        print(f"{name}\t{seconds:.2f}")


def main() -> int:
    """Build the folder, then time the floor and the report."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--answers", type=int, default=300_000)
    parser.add_argument("--out", default="logs/bench-report")
    parser.add_argument("--before", help="checkout whose report to time too (PYTHONPATH)")
    parser.add_argument("--stages", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--report-out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    folder = Path(args.out)
    if args.stages:
        stages_main(folder, Path(args.report_out))
        return 0
    started = time.perf_counter()
    logs, answers = build(folder, args.answers)
    print(f"{folder}: {logs} logs, {answers:,} answers (ready in "
          f"{time.perf_counter() - started:.0f} s)")
    loose, _, size = floor(folder, collect=True)
    total, parse, _ = floor(folder, collect=False)
    print(f"floor: unzip + orjson of every summaries.json ({size / 2**20:.0f} MiB of JSON): "
          f"{total:.2f} s with the garbage collector paused (parse alone {parse:.2f} s), "
          f"{loose:.2f} s with it on; ratios below use {total:.2f} s")
    with tempfile.TemporaryDirectory() as scratch:
        env = {**os.environ, "EM_SELFAWARE_CACHE": str(Path(scratch) / "cache")}
        out = Path(scratch) / "report"
        cold, cold_peak, _ = run_child(report_command(folder, out), env)
        warm, warm_peak, _ = run_child(report_command(folder, out), env)
        print(f"report cold {cold:.1f} s (peak {cold_peak:.0f} MiB) = {cold / total:.1f}x floor; "
              f"warm {warm:.1f} s (peak {warm_peak:.0f} MiB)")
        if args.before:
            before_dir = Path(args.before).resolve()
            before_env = {**env, "PYTHONPATH": str(before_dir)}
            before, before_peak, _ = run_child(report_command(folder.resolve(), out),
                                               before_env, cwd=before_dir)
            print(f"report before ({args.before}): {before:.1f} s (peak {before_peak:.0f} MiB)"
                  f" = {before / total:.1f}x floor")
        for label in ("cold", "warm"):
            if label == "cold":
                shutil.rmtree(Path(env["EM_SELFAWARE_CACHE"]) / "frames", ignore_errors=True)
            command = [sys.executable, str(Path(__file__).resolve()), "--stages", "--out",
                       str(folder), "--report-out", str(out)]
            _, peak, stdout = run_child(command, env)
            print(f"stages, {label} cache (peak {peak:.0f} MiB):")
            for line in stdout.strip().splitlines():
                name, seconds = line.split("\t")
                print(f"  {name:<54} {float(seconds):6.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
