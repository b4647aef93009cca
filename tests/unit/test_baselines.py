"""Baseline recipes (manual-8shot, self-icl, analogical, auto-cot): demos and prompts, with the fake engine."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from pipeline.baselines import autocot_demos, autocot_ok, cluster_order, kmeans, self_icl_demos
from pipeline.config import load_config
from pipeline.runner import RunHooks, run_pipeline
from pipeline.strategies import is_recipe, needs_pool, strategy_axes
from prompts.analogical import analogical_messages
from prompts.fewshot_gsm8k import MANUAL_GSM8K
from retriever.registry import available, get_strategy
from tests.helpers.fake_embedder import HashEmbedder
from tests.helpers.fake_engine import FakeEngine


def test_every_strategy_is_a_row_of_the_table_and_plugins_are_pool_selects() -> None:
    from pipeline.strategies import TABLE, known, spec

    assert {"manual-8shot", "self-icl", "analogical", "auto-cot", "knn", "udr", "ensemble"} <= set(known())
    assert set(available()) <= set(known())  # every registered selection strategy runs
    assert all(spec(n).how == "select" for n in available() if n in TABLE)
    assert {n for n, s in TABLE.items() if s.how == "select"} - {"udr"} <= set(available())
    with pytest.raises(ValueError, match="unknown retrieval strategy"):
        get_strategy("auto-cot")  # recipes are not pool selections
    with pytest.raises(KeyError):
        spec("no-such-strategy")
    assert is_recipe("self-icl") and not is_recipe("knn")
    assert [needs_pool(s) for s in ("zero-shot", "manual-8shot", "analogical", "auto-cot", "self-icl", "mmr")] == [
        False, False, False, False, True, True]
    assert strategy_axes("zero-shot") == ("solver",)
    assert strategy_axes("knn") == ("generator", "solver", "k", "scope")
    assert "scope" not in strategy_axes("self-icl") and "generator" in strategy_axes("self-icl")


def test_the_table_names_the_roles_the_reports_and_stages_use() -> None:
    from pipeline.strategies import TABLE, report_roles, spec

    roles = report_roles()
    assert (roles.baseline, roles.votes) == ("zero-shot", "self-consistency")
    assert roles.order == tuple(TABLE) and roles.rank("zero-shot") == 0
    assert spec("zero-shot").how == "none" and "zero-shot" not in available()  # no retriever for no demos
    assert spec("auto-cot").after == "zero-shot" and spec("auto-cot").recipe == "clusters"
    assert not spec("self-consistency").member and not spec("ensemble").member and spec("knn").member


def test_self_icl_uses_only_the_problems_own_questions_and_first_answered_sample() -> None:
    sols = [
        {"gen_id": "p1/g0", "problem_id": "p1", "question": "Q10", "samples": [
            {"sample_id": 0, "text": "no answer", "answer": None}, {"sample_id": 1, "text": " A11 ", "answer": "1"}]},
        {"gen_id": "p2/g0", "problem_id": "p2", "question": "Q20", "samples": [
            {"sample_id": 0, "text": "A20", "answer": "5"}, {"sample_id": 1, "text": "A21", "answer": "6"}]},
        {"gen_id": "p1/g1", "problem_id": "p1", "question": "Q11", "samples": [
            {"sample_id": 0, "text": "A10", "answer": "2"}]},
        {"gen_id": "p1/g2", "problem_id": "p1", "question": "Q12", "samples": [
            {"sample_id": 0, "text": "x", "answer": None}]},
    ]
    p1, p2, p3 = self_icl_demos(["p1", "p2", "p3"], sols, k=5)
    assert [(d["id"], d["question"], d["solution"]) for d in p1] == [("p1/g0/s1", "Q10", "A11"),
                                                                     ("p1/g1/s0", "Q11", "A10")]
    assert [d["id"] for d in p2] == ["p2/g0/s0"]  # no self-consistency filter: 5 vs 6 disagree, still used
    assert p3 == []
    assert len(self_icl_demos(["p1"], sols, k=1)[0]) == 1


def test_kmeans_is_deterministic_and_separates_obvious_clusters() -> None:
    rng = np.random.default_rng(0)
    x = np.vstack([rng.normal(0, 0.05, (5, 3)) + [1, 0, 0], rng.normal(0, 0.05, (4, 3)) + [0, 1, 0]])
    labels, _ = kmeans(x, 2, seed=3)
    assert len(set(labels[:5])) == 1 and len(set(labels[5:])) == 1 and labels[0] != labels[5]
    assert np.array_equal(kmeans(x, 2, seed=3)[0], labels)
    clusters = cluster_order(x, 2, seed=3)
    assert sorted(map(sorted, clusters)) == [list(range(5)), list(range(5, 9))]
    with pytest.raises(ValueError):
        kmeans(x, 10)


def test_autocot_heuristics() -> None:
    assert autocot_ok("Short question?", "2 + 2 = 4. The answer is 4.", "4")
    assert not autocot_ok("Short question?", "2 + 2 = 4", "4")  # no final answer: truncated chain
    assert not autocot_ok("Short question?", "The answer is 4.", None)
    assert not autocot_ok("word " * 61, "The answer is 4.", "4")
    assert not autocot_ok("Q?", "A. B. C. D. E. F. The answer is 4.", "4")  # 7 steps > 5


def test_autocot_demos_one_per_cluster_filtered_and_never_the_question_itself() -> None:
    x = np.array([[1, 0], [0.98, 0.02], [0.97, 0.03], [0, 1], [0.02, 0.98]], dtype=float)
    questions = [f"question {i}?" for i in range(5)]
    good = lambda i: (f"step {i}. The answer is {i}.", str(i))  # noqa: E731
    chains = [("rambling without end", "0"), good(1), good(2), good(3), good(4)]
    demos = autocot_demos([f"p{i}" for i in range(5)], questions, x, chains, k=2)
    assert all(len(d) == 2 for d in demos)
    for i, ds in enumerate(demos):
        assert f"auto-cot/p{i}" not in [d["id"] for d in ds]
        assert "auto-cot/p0" not in [d["id"] for d in ds]  # its chain fails the heuristics
    first_cluster = {d[0]["id"] for d in demos} | {d[1]["id"] for d in demos}
    assert first_cluster <= {"auto-cot/p1", "auto-cot/p2", "auto-cot/p3", "auto-cot/p4"}
    assert autocot_demos(["a"], ["q"], x[:1], [good(0)], k=0) == [[]]


def test_analogical_prompt_asks_to_recall_then_solve() -> None:
    system, user = analogical_messages("Tom has 3 apples. How many?", n=3)
    assert "recall 3 relevant problems" in system["content"]
    assert "Tom has 3 apples" in user["content"] and "The answer is X." in user["content"]
    with pytest.raises(ValueError):
        analogical_messages("q", n=0)


# -- through the pipeline with the fake engine --------------------------------------------------------

def _run(tmp_path: Path, strategies: str, *extra: str):
    cfg = load_config(None, run_dir=tmp_path, overrides=[
        "benchmark.limit=5", "generator.model=gen-a", "sample.model=gen-a", "solver.model=solver-a",
        f"retrieve.strategies=[{strategies}]", "retrieve.k=2", "sample.n=3", *extra])
    engines: list[FakeEngine] = []

    def factory(model, c):
        engines.append(FakeEngine(name=model))
        return engines[-1]

    result = run_pipeline(cfg, RunHooks(engine_factory=factory, embedder_factory=lambda n: HashEmbedder(),
                                        identity=lambda m: m))
    preds = [json.loads(x) for p in tmp_path.glob("solve/*/predictions.jsonl") for x in p.read_text().splitlines()]
    return result, engines, preds


def test_pool_free_baselines_never_generate(tmp_path: Path) -> None:
    result, engines, preds = _run(tmp_path, "manual-8shot, analogical")
    assert [e.name for e in engines] == ["solver-a"]
    assert not (tmp_path / "generate").exists()
    manual = [p for p in preds if p["strategy"] == "manual-8shot"]
    assert len(manual) == 5
    for p in manual:
        # the 8 published exemplars, in published order, before the test question
        positions = [p["prompt"].index(d.question) for d in MANUAL_GSM8K]
        assert positions == sorted(positions) and len(p["demo_ids"]) == 8
    analog = [p for p in preds if p["strategy"] == "analogical"]
    assert all("recall 2 relevant problems" in p["prompt"] and not p["demo_ids"] for p in analog)
    assert set(result.summary["strategies"]) == {"manual-8shot", "analogical"}


def test_manual_demos_are_packed_to_the_budget(tmp_path: Path) -> None:
    _, _, preds = _run(tmp_path, "manual-8shot", "solver.prompt_budget=150")
    assert all(0 < len(p["demo_ids"]) < 8 for p in preds)


def test_self_icl_prompts_hold_only_the_problems_own_generated_questions(tmp_path: Path) -> None:
    _, _, preds = _run(tmp_path, "self-icl")
    assert len(preds) == 5
    for p in preds:
        assert p["demo_ids"] and all(d.startswith(p["problem_id"] + "/g") for d in p["demo_ids"])


def test_auto_cot_reuses_zero_shot_answers_as_demos(tmp_path: Path) -> None:
    result, engines, preds = _run(tmp_path, "auto-cot")
    zero = {p["problem_id"]: p for p in preds if p["strategy"] == "zero-shot"}
    auto = [p for p in preds if p["strategy"] == "auto-cot"]
    assert len(zero) == 5 and len(auto) == 5  # zero-shot answered once, as Auto-CoT's chains
    assert set(result.summary["strategies"]) == {"auto-cot"}  # ... but not reported
    scores = [json.loads(x) for x in (tmp_path / "scores.jsonl").read_text().splitlines()]
    assert {s["strategy"] for s in scores} == {"auto-cot"}
    for p in auto:
        assert 1 <= len(p["demo_ids"]) <= 2
        for demo_id in p["demo_ids"]:
            source = demo_id.split("/", 1)[1]
            assert source != p["problem_id"]
            assert zero[source]["samples"][0]["text"].strip() in p["prompt"]
    assert [e.name for e in engines] == ["solver-a"]
    # re-running is fully cached, including the clustering
    _, engines2, _ = _run(tmp_path, "auto-cot")
    assert engines2 == []
