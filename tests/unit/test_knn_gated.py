"""knn-gated: kNN demos where they are the most similar, none (the zero-shot prompt) for the rest."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from pipeline.stages.score import summarize
from retriever.strategies import get_strategy
from tests.helpers.fake_engine import FakeFactory
from tests.unit.test_pipeline_fake import make_cfg, read, run, stage_file
from tests.unit.test_retriever import make_pool, unit


def test_the_gate_drops_demos_of_the_queries_whose_demos_are_least_similar() -> None:
    pool = make_pool([[1, 0, 0], [0.9, 0.1, 0], [0, 1, 0], [0, 0.8, 0.6], [0, 0, 1]])
    queries = unit([[1, 0.05, 0], [0, 1, 0.1], [0.5, 0.5, 0.5], [0.9, 0.2, 0]])
    knn = get_strategy("knn").select(queries, pool, 2)
    sims = [float((pool.vectors[rows] @ queries[i]).min()) for i, rows in enumerate(knn)]
    order = sorted(range(4), key=lambda i: sims[i])
    half = get_strategy("knn-gated").select(queries, pool, 2)  # default: the lower half gets no demos
    assert half == [[] if i in order[:2] else knn[i] for i in range(4)]
    quarter = get_strategy("knn-gated", quantile=0.25).select(queries, pool, 2)
    assert quarter == [[] if i == order[0] else knn[i] for i in range(4)]
    gate = (sims[order[1]] + sims[order[2]]) / 2
    absolute = get_strategy("knn-gated", min_similarity=gate).select(queries, pool, 2)
    assert absolute == half
    assert get_strategy("knn-gated", quantile=0).select(queries, pool, 2) == knn
    assert get_strategy("knn-gated", quantile=1).select(queries, pool, 2) == [[]] * 4
    assert get_strategy("knn-gated").select(queries, make_pool(np.zeros((0, 3))), 2) == [[]] * 4
    for bad in ({"quantile": 1.5}, {"min_similarity": 2}):
        with pytest.raises(ValueError, match="knn-gated"):
            get_strategy("knn-gated", **bad)


def test_summary_and_report_show_each_branch_with_its_accuracy() -> None:
    rows = [{"strategy": "knn-gated", "correct": c, "any_correct": c, "answer": "1", "n_demos": d,
             "n_prompt_tokens": 10, "n_completion_tokens": 5} for c, d in
            [(True, 2), (True, 2), (False, 2), (False, 0), (True, 0)]]
    rows += [{**r, "strategy": "knn", "n_demos": 2} for r in rows]
    summary = summarize(rows, ["knn-gated", "knn"])
    b = summary["knn-gated"]["branches"]
    assert b["demos"] == {"n": 3, "share": 0.6, "accuracy": pytest.approx(2 / 3)}
    assert b["none"] == {"n": 2, "share": 0.4, "accuracy": 0.5}
    assert "branches" not in summary["knn"]  # one branch only


def test_a_gated_run_reports_each_branch(tmp_path: Path) -> None:
    result = run(make_cfg(tmp_path, "retrieve.strategies=[zero-shot, knn-gated]", "benchmark.limit=6"),
                 FakeFactory())
    b = result.summary["strategies"]["knn-gated"]["branches"]
    assert b["demos"]["n"] == b["none"]["n"] == 3  # the default quantile gates out half
    report = (tmp_path / "report.md").read_text()
    row = (f"| solver-a | gen-a | knn-gated | 2 | global | 0.50 (n=3) | {b['demos']['accuracy']:.3f} | 0.50 (n=3) | "
           f"{b['none']['accuracy']:.3f} |")
    assert "## With and without demos" in report and row in report
    assert not result.summary["warnings"]  # fewer demos than k is what the gate is for, not a warning


@pytest.mark.parametrize(("gate", "same_as"), [(0, "knn"), (1, "zero-shot")])
def test_gate_extremes_give_knn_or_zero_shot_prompts_in_a_run(tmp_path: Path, gate: float, same_as: str) -> None:
    run(make_cfg(tmp_path, "retrieve.strategies=[zero-shot, knn, knn-gated]", f"retrieve.gate_quantile={gate}"),
        FakeFactory())
    preds = read(stage_file(tmp_path, "solve", "predictions.jsonl"))
    prompts = {s: sorted((p["problem_id"], p["prompt"]) for p in preds if p["strategy"] == s)
               for s in ("zero-shot", "knn", "knn-gated")}
    assert prompts["knn-gated"] == prompts[same_as] and prompts["knn"] != prompts["zero-shot"]


def test_a_greedy_prompt_already_answered_is_not_sent_again(tmp_path: Path) -> None:
    """knn-gated's prompts are knn's or zero-shot's: the solve stage reuses those answers, marked as reused."""
    first = FakeFactory()
    run(make_cfg(tmp_path, "retrieve.strategies=[zero-shot, knn]"), first)
    preds = {(p["strategy"], p["problem_id"]): p for p in read(stage_file(tmp_path, "solve", "predictions.jsonl"))}
    later = FakeFactory()
    run(make_cfg(tmp_path, "retrieve.strategies=[zero-shot, knn, knn-gated]"), later)
    solver_prompts = [p for p in later.prompts if p in {r["prompt"] for r in preds.values()}]
    assert solver_prompts == []  # every knn-gated prompt was answered before
    gated = [p for p in read(stage_file(tmp_path, "solve", "predictions.jsonl")) if p["strategy"] == "knn-gated"]
    keys = {s: p["strategy_key"] for (s, _), p in preds.items()}
    assert len(gated) == 6 and {g["reused_from"] for g in gated} == {keys["knn"], keys["zero-shot"]}
    for g in gated:
        src = preds[("knn" if g["demo_ids"] else "zero-shot", g["problem_id"])]
        assert (g["prompt"], g["samples"], g["reused_from"]) == (src["prompt"], src["samples"], src["strategy_key"])


def test_equal_prompts_in_one_batch_are_sent_once_unless_sampled(tmp_path: Path) -> None:
    factory = FakeFactory()
    run(make_cfg(tmp_path, "retrieve.strategies=[zero-shot, knn-gated]", "retrieve.gate_quantile=1"), factory)
    preds = read(stage_file(tmp_path, "solve", "predictions.jsonl"))
    sent = [p for p in factory.prompts if p in {r["prompt"] for r in preds}]
    assert len(preds) == 12 and len(sent) == len(set(sent)) == 6
    assert sum("reused_from" in p for p in preds) == 6
    sampled = FakeFactory()
    run(make_cfg(tmp_path / "t", "retrieve.strategies=[zero-shot, knn-gated]", "retrieve.gate_quantile=1",
                 "solver.temperature=0.7"), sampled)
    preds = read(stage_file(tmp_path / "t", "solve", "predictions.jsonl"))
    assert len([p for p in sampled.prompts if p in {r["prompt"] for r in preds}]) == 12
    assert not any("reused_from" in p for p in preds)
