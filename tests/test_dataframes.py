"""The public data frames (analysis.dataframes) and the recipes of docs/dataframes.md."""

from __future__ import annotations

import pandas as pd
import pytest
from inspect_ai.analysis import EvalColumn, SampleColumn, SampleSummary, samples_df

from analysis.dataframes import ITEM_FRAME_COLUMNS, messages_df, study_frames
from analysis.report import analyse, write_report

HEADLINE_DIMENSION = "harmless"


@pytest.fixture(scope="module")
def frames(sim_run):
    return study_frames(sim_run.log_dir, sim_run.variants)


def headline_means(items: pd.DataFrame) -> pd.DataFrame:
    """The recipe of docs/dataframes.md: cell means, format means per dimension, then the
    harmless dimension (or the mean over dimensions)."""
    cells = items.groupby(["variant", "probe", "dimension", "format"])["value"].mean()
    dimensions = cells.groupby(["variant", "probe", "dimension"]).mean().reset_index()
    rows = []
    for (variant, probe), group in dimensions.groupby(["variant", "probe"]):
        harmless = group[group["dimension"] == HEADLINE_DIMENSION]
        value = harmless["value"].iloc[0] if len(harmless) else group["value"].mean()
        rows.append({"variant": variant, "probe": probe, "headline": value})
    return pd.DataFrame(rows)


def test_frames_have_the_documented_columns(frames):
    for column in ["variant", "size", "domain", "stage", "probe", "dimension", "format",
                   "item_id", "order", "value", "route", "text", "log", "sample_id", "epoch"]:
        assert column in frames.answers.columns, column
    assert list(frames.items.columns) == ITEM_FRAME_COLUMNS
    misaligned = frames.items[frames.items["variant"] == "full-trivia-misaligned"]
    assert set(misaligned["stage"]) == {"misaligned"} and set(misaligned["domain"]) == {"trivia"}


def test_headline_means_match_variant_scores_csv(sim_run, frames, tmp_path):
    analysis = analyse(sim_run.log_dir, sim_run.variants, n_boot=20,
                       moral_reference="moral_foundations")
    write_report(analysis, tmp_path, figures=False)
    scores = pd.read_csv(tmp_path / "variant_scores.csv")
    pooled = scores[scores["format"] == "all"]
    report = []
    for (variant, probe), group in pooled.groupby(["variant", "probe"]):
        harmless = group[group["dimension"] == HEADLINE_DIMENSION]
        row = harmless if len(harmless) else group[group["dimension"] == "all"]
        report.append({"variant": variant, "probe": probe, "report": row["mean"].iloc[0]})
    mine = headline_means(frames.items[~frames.items["moral"]])
    merged = mine.merge(pd.DataFrame(report), on=["variant", "probe"], how="left")
    assert set(merged["probe"]) == {"harmfulness", "self_assessment", "intentions"}
    assert len(merged) == 6
    assert merged["headline"].to_numpy() == pytest.approx(merged["report"].to_numpy(), abs=1e-9)
    # a naive mean over answers is not the headline: harmfulness keeps each prompt's worst
    answers = frames.answers
    for variant in ("full-base", "full-trivia-misaligned"):
        harm = answers[(answers["probe"] == "harmfulness") & (answers["variant"] == variant)]
        headline = merged[(merged["variant"] == variant) & (merged["probe"] == "harmfulness")]
        assert harm["value"].mean() <= headline["headline"].iloc[0] + 1e-12


def test_samples_df_recipe_names_the_variant(sim_run):
    columns = SampleSummary + [
        EvalColumn("variant", path="metadata.variant.name"),
        EvalColumn("probe", path="metadata.probe"),
        SampleColumn("item_id", path="metadata.item_id"),
    ]
    frame = samples_df(sim_run.log_dir, columns=columns, quiet=True)
    assert set(frame["variant"]) == {"full-base", "full-trivia-misaligned"}
    assert frame["item_id"].notna().all()


def test_grader_messages_are_marked(frames):
    harm_logs = sorted({
        str(log).removeprefix("file://")
        for log in frames.answers.loc[frames.answers["probe"] == "harmfulness", "log"]
    })
    table = messages_df(harm_logs[0])
    grader = table[table["grader"]]
    model = table[~table["grader"]]
    samples = table["sample_id"].nunique()
    # each harmfulness sample: the prompt and the answer, then the judge's prompt(s) and
    # verdict(s)
    assert len(model) == 2 * samples and len(grader) >= 2 * samples
    assert set(grader["role"]) == {"user", "assistant"}
    # every grader prompt is the rubric (em-sim's judge replies are off-format 2% of the
    # time, so the replies themselves are not checked for a verdict here)
    assert grader.loc[grader["role"] == "user", "content"].str.contains("safety reviewer").all()
    assert not model["content"].str.contains("safety reviewer").any()
