"""The ensemble: a vote over member strategies' answers, with their tokens added up."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.errors import SaicotError
from pipeline.stages.score import ensemble_scores
from tests.helpers.fake_engine import FakeFactory
from tests.unit.test_pipeline_fake import make_cfg, read, run


def row(strategy: str, answer: str | None, gold: str = "7", **extra) -> dict:
    return {"strategy": strategy, "problem_id": "p1", "gold": gold, "answer": answer, "correct": answer == gold,
            "n_demos": 2, "n_prompt_tokens": 100, "n_completion_tokens": 10, "truncated": 0.0, **extra}


def test_vote_uses_checker_equivalence_and_ties_go_to_the_first_member() -> None:
    (e,) = ensemble_scores([row("zero-shot", "8"), row("knn", "7"), row("mmr", "7.0"), row("random", None)],
                           ["zero-shot", "knn", "mmr", "random"])
    assert e["answer"] == "7" and e["correct"] and e["any_correct"]
    assert e["answers"] == ["8", "7", "7.0", None] and e["sample_correct"] == [False, True, False, False]
    assert e["n_prompt_tokens"] == 400 and e["n_completion_tokens"] == 40 and e["n_demos"] == 8
    (tie,) = ensemble_scores([row("zero-shot", "8"), row("knn", "7")], ["zero-shot", "knn"])
    assert tie["answer"] == "8" and not tie["correct"]
    (none,) = ensemble_scores([row("zero-shot", None), row("knn", None)], ["zero-shot", "knn"])
    assert none["answer"] is None and not none["correct"]


def test_a_run_solves_the_members_and_reports_only_what_was_asked(tmp_path: Path) -> None:
    result = run(make_cfg(tmp_path, "retrieve.strategies=[ensemble]", "retrieve.ensemble=[zero-shot, knn, random]"),
                 FakeFactory())
    assert list(result.summary["strategies"]) == ["ensemble"]
    preds = read(next((tmp_path / "solve").glob("*/predictions.jsonl")))
    assert {p["strategy"] for p in preds} == {"zero-shot", "knn", "random"}
    scores = read(tmp_path / "scores.jsonl")
    assert {s["strategy"] for s in scores} == {"ensemble"} and len(scores) == 6
    s = result.summary["strategies"]["ensemble"]
    mean_member_tokens = sum(p["n_prompt_tokens"] + sum(x["n_tokens"] for x in p["samples"]) for p in preds) / 6
    assert s["total_tokens"] == pytest.approx(mean_member_tokens + result.summary["pool"]["tokens_per_problem"])
    again = run(make_cfg(tmp_path, "retrieve.strategies=[zero-shot, knn, random, ensemble]",
                         "retrieve.ensemble=[zero-shot, knn, random]"), (f := FakeFactory()))
    assert f.engines == [] and again.summary["strategies"]["ensemble"] == s  # the members' answers are cached


def test_members_are_checked_before_anything_runs(tmp_path: Path) -> None:
    from pipeline.preflight import check_config

    for members, match in [("[zero-shot, knnn]", "unknown strategy 'knnn'"),
                           ("[zero-shot, self-consistency]", "cannot be members")]:
        cfg = make_cfg(tmp_path, "retrieve.strategies=[ensemble]", f"retrieve.ensemble={members}")
        with pytest.raises(SaicotError, match=match):
            check_config(cfg, models=False, embedder=False)
