"""The whole pipeline with a deterministic fake engine: caching, resume, leakage, records."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.config import RunConfig, load_config
from pipeline.errors import SaicotError
from pipeline.runner import RunHooks, run_pipeline
from tests.helpers.fake_embedder import HashEmbedder
from tests.helpers.fake_engine import FakeFactory as Factory


def make_cfg(run_dir: Path, *extra: str) -> RunConfig:
    return load_config(None, run_dir=run_dir, overrides=[
        "benchmark.limit=6", "generator.model=gen-a", "sample.model=gen-a", "solver.model=solver-a",
        "retrieve.strategies=[zero-shot, knn, random]", "retrieve.k=2", "sample.n=3", *extra])


def run(cfg: RunConfig, factory: Factory, embedder=None):
    """A fake-engine run; the hashed bag-of-words embedder unless a real one is given."""
    return run_pipeline(cfg, RunHooks(engine_factory=factory, embedder_factory=lambda n: embedder or HashEmbedder(),
                                      identity=lambda m: m))


def read(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text().splitlines()]


def stage_file(run_dir: Path, stage: str, name: str) -> Path:
    (match,) = list((run_dir / stage).glob(f"*/{name}"))
    return match


def test_full_run_writes_every_stage_and_scores(tmp_path: Path, minilm) -> None:
    factory = Factory()
    result = run(make_cfg(tmp_path), factory, minilm)
    files = [("load", "problems.jsonl"), ("generate", "generated.jsonl"), ("sample", "solutions.jsonl"),
             ("index", "pool.jsonl"), ("solve", "predictions.jsonl")]
    for stage, name in files:
        assert stage_file(tmp_path, stage, name).stat().st_size > 0
    assert len(list((tmp_path / "index").glob("*/pool.faiss"))) == 1
    assert set(result.summary["strategies"]) == {"zero-shot", "knn", "random"}
    assert all(s["n"] == 6 for s in result.summary["strategies"].values())
    assert (tmp_path / "report.md").read_text().count("|") > 10
    # one engine per model, closed before the next loads, all closed at the end
    assert result.engine_loads == ["gen-a", "solver-a"]
    assert all(e.closed for e in factory.engines)
    scores = read(tmp_path / "scores.jsonl")
    assert len(scores) == 18 and all(isinstance(s["correct"], bool) for s in scores)
    preds = read(stage_file(tmp_path, "solve", "predictions.jsonl"))
    knn = [p for p in preds if p["strategy"] == "knn"]
    assert all(1 <= len(p["demo_ids"]) <= 2 for p in knn)
    assert all(not p["demo_ids"] for p in preds if p["strategy"] == "zero-shot")


def test_self_consistency_filter_keeps_only_majority_answers(tmp_path: Path) -> None:
    run(make_cfg(tmp_path), Factory())
    solutions = {r["gen_id"]: r for r in read(stage_file(tmp_path, "sample", "solutions.jsonl"))}
    pool = read(stage_file(tmp_path, "index", "pool.jsonl"))
    assert pool
    for item in pool:
        rec = solutions[item["pool_id"].rsplit("/s", 1)[0]]
        assert item["answer"] == rec["majority"] and rec["agreement"] >= 0.5


def test_rerun_is_fully_cached(tmp_path: Path) -> None:
    first = run(make_cfg(tmp_path), Factory())
    factory = Factory()
    second = run(make_cfg(tmp_path), factory)
    assert factory.engines == []
    assert second.summary == first.summary


def test_changing_solver_reuses_generation_and_pool(tmp_path: Path) -> None:
    run(make_cfg(tmp_path), Factory())
    factory = Factory()
    run(make_cfg(tmp_path, "solver.model=solver-b"), factory)
    assert [e.name for e in factory.engines] == ["solver-b"]
    assert len(list((tmp_path / "generate").iterdir())) == 1
    assert len(list((tmp_path / "index").iterdir())) == 1


def test_adding_a_strategy_only_solves_the_new_one(tmp_path: Path) -> None:
    run(make_cfg(tmp_path), Factory())
    factory = Factory()
    run(make_cfg(tmp_path, "retrieve.strategies=[zero-shot, knn, random, mmr]"), factory)
    assert [e.name for e in factory.engines] == ["solver-a"]
    assert len(factory.prompts) == 6


@pytest.mark.parametrize("kill_after", [3, 10, 25, 40])  # generate, sample, sample, solve
def test_kill_and_resume_gives_identical_outputs(tmp_path: Path, kill_after: int) -> None:
    reference = run(make_cfg(tmp_path / "ref"), Factory())
    with pytest.raises(KeyboardInterrupt):
        run(make_cfg(tmp_path / "run"), Factory(kill_after=kill_after))
    resumed = run(make_cfg(tmp_path / "run"), Factory())
    assert resumed.summary == reference.summary
    for stage, name in [("generate", "generated.jsonl"), ("sample", "solutions.jsonl"),
                        ("solve", "predictions.jsonl")]:
        key = lambda r: json.dumps(r, sort_keys=True)  # noqa: E731
        got = sorted(map(key, read(stage_file(tmp_path / "run", stage, name))))
        want = sorted(map(key, read(stage_file(tmp_path / "ref", stage, name))))
        assert got == want, stage


def test_corrupt_record_is_an_error_naming_file_and_line(tmp_path: Path) -> None:
    run(make_cfg(tmp_path), Factory())
    path = stage_file(tmp_path, "solve", "predictions.jsonl")
    lines = path.read_text().splitlines(keepends=True)
    lines[1] = "{broken\n"
    path.write_text("".join(lines))
    with pytest.raises(SaicotError, match=r"predictions\.jsonl:2"):
        run(make_cfg(tmp_path, "retrieve.strategies=[zero-shot, knn, random, mmr]"), Factory())


def test_no_leakage_of_test_questions_or_gold(tmp_path: Path, minilm) -> None:
    """With the real MiniLM, so knn ranks the pool by meaning, as in a user's run."""
    from eval.benchmarks import load

    factory = Factory()
    run(make_cfg(tmp_path), factory, minilm)
    problems = load("gsm8k", limit=6)
    pool = read(stage_file(tmp_path, "index", "pool.jsonl"))
    pool_text = "\n".join(p["question"] + p["solution"] for p in pool)
    for problem in problems:
        assert problem.question not in pool_text
    # gold solutions (with their "####" answer line) never reach any prompt
    assert not any("####" in p for p in factory.prompts)
    preds = read(stage_file(tmp_path, "solve", "predictions.jsonl"))
    assert len(preds) == 3 * len(problems)
    for pred in preds:  # a test question appears only in its own prompt, and there exactly once
        for problem in problems:
            expected = 1 if problem.id == pred["problem_id"] else 0
            assert pred["prompt"].count(problem.question) == expected, (pred["strategy"], problem.id)


def test_degenerate_comparisons_are_flagged_in_log_and_report(tmp_path: Path) -> None:
    pool_size = run(make_cfg(tmp_path / "a"), Factory()).summary["pool"]["pool_size"]
    big_k = pool_size + 1
    result = run(make_cfg(tmp_path / "b", f"retrieve.k={big_k}"), Factory())
    warnings = result.summary["warnings"]
    assert any(f"fewer than k={big_k}" in w and "pool holds" in w for w in warnings)
    assert any(w.startswith("knn used") for w in warnings) and not any(w.startswith("zero-shot") for w in warnings)
    assert "## Warnings" in (tmp_path / "b" / "report.md").read_text()
    ok = run(make_cfg(tmp_path / "c", "retrieve.k=1"), Factory()).summary
    assert ok["pool"]["pool_size"] >= 1 and ok["warnings"] == []


def test_self_consistency_samples_m_answers_and_votes(tmp_path: Path) -> None:
    cfg = make_cfg(tmp_path, "retrieve.strategies=[zero-shot, self-consistency]", "retrieve.sc_samples=4",
                   "retrieve.sc_temperature=0.8")
    result = run(cfg, Factory())
    preds = read(stage_file(tmp_path, "solve", "predictions.jsonl"))
    by = {s: [p for p in preds if p["strategy"] == s] for s in ("zero-shot", "self-consistency")}
    assert all(len(p["samples"]) == 1 for p in by["zero-shot"])
    assert all(len(p["samples"]) == 4 and p["demo_ids"] == [] for p in by["self-consistency"])
    assert by["self-consistency"][0]["prompt"] == next(p["prompt"] for p in by["zero-shot"]
                                                     if p["problem_id"] == by["self-consistency"][0]["problem_id"])
    scores = read(tmp_path / "scores.jsonl")
    sc = [s for s in scores if s["strategy"] == "self-consistency"]
    assert all(len(s["answers"]) == 4 for s in sc)
    s = result.summary["strategies"]["self-consistency"]
    assert s["mean_completion_tokens"] > 3 * result.summary["strategies"]["zero-shot"]["mean_completion_tokens"]
    again = run(make_cfg(tmp_path, "retrieve.strategies=[self-consistency]", "retrieve.sc_samples=4",
                         "retrieve.sc_temperature=0.8"), (f := Factory()))
    assert f.engines == [] and again.summary["strategies"]["self-consistency"] == s  # cached, not resampled


def test_total_tokens_charge_the_pool_to_the_strategies_that_use_it(tmp_path: Path) -> None:
    result = run(make_cfg(tmp_path), Factory())
    generated = read(stage_file(tmp_path, "generate", "generated.jsonl"))
    solutions = read(stage_file(tmp_path, "sample", "solutions.jsonl"))
    pool = sum(g["n_prompt_tokens"] + g["n_tokens"] for g in generated) + sum(
        r["n_prompt_tokens"] + sum(s["n_tokens"] for s in r["samples"]) for r in solutions)
    per_problem = pool / result.summary["n_problems"]
    assert result.summary["pool"]["tokens_per_problem"] == per_problem > 0
    for name, s in result.summary["strategies"].items():
        own = s["mean_prompt_tokens"] + s["mean_completion_tokens"]
        assert s["total_tokens"] == (own if name == "zero-shot" else own + per_problem)
    assert "total tok" in (tmp_path / "report.md").read_text()


def test_solve_instruction_is_selectable_and_shared_by_pool_and_answers(tmp_path: Path) -> None:
    from prompts.solve import instruction, instruction_template

    assert instruction_template("auto", "qwen2.5-coder-0.5b") == "solve"
    assert instruction_template("qwen-math", "anything") == "solve-qwen"
    with pytest.raises(ValueError, match="allowed"):
        instruction_template("nope")
    qwen = instruction("solve-qwen")
    assert "\\boxed{}" in qwen
    factory = Factory()
    run(make_cfg(tmp_path / "q", "solver.instruction=qwen-math"), factory)
    sample_prompts = [p for p in factory.engines[0].prompts if "new practice problems" not in p]
    assert sample_prompts and all(qwen in p for p in sample_prompts)  # the pool's solutions
    preds = read(stage_file(tmp_path / "q", "solve", "predictions.jsonl"))
    assert all(p["prompt"].startswith(f"<system>{qwen}</system>") for p in preds)  # the answers
    run(make_cfg(tmp_path / "d"), Factory())
    keys = {d: {s: next((tmp_path / d / s).iterdir()).name for s in ("generate", "sample", "solve")}
            for d in ("q", "d")}
    assert keys["q"]["generate"] == keys["d"]["generate"]  # the generator's prompt is not the solver's
    assert keys["q"]["sample"] != keys["d"]["sample"] and keys["q"]["solve"] != keys["d"]["solve"]


def test_stages_that_did_work_record_their_wall_time_and_cached_ones_do_not(tmp_path: Path) -> None:
    run(make_cfg(tmp_path), Factory())
    timings = {p.parent.parent.name: p for p in tmp_path.glob("*/*/timing.json")}
    assert {"generate", "sample", "index", "solve"} <= set(timings)
    before = {name: p.read_text() for name, p in timings.items()}
    assert all(json.loads(t)["wall_s"] >= 0 for t in before.values())
    run(make_cfg(tmp_path), Factory())  # all cached
    assert {name: p.read_text() for name, p in timings.items()} == before
    run(make_cfg(tmp_path, "retrieve.strategies=[zero-shot, knn, random, long]"), Factory())  # solve does work
    assert {n: t for n, t in before.items() if n != "solve"} == {
        n: timings[n].read_text() for n in before if n != "solve"}


def test_a_toy_strategy_runs_with_one_registration_and_no_runner_change(tmp_path: Path) -> None:
    from retriever.registry import Strategy, register
    from retriever.strategies import get_strategy

    @register("test-last-rows")
    class LastRows(Strategy):
        def select(self, query_vectors, pool, k, *, allowed=None, seed=0):
            return [list(range(len(pool.items) - 1, len(pool.items) - 1 - k, -1)) for _ in range(len(query_vectors))]

    result = run(make_cfg(tmp_path, "retrieve.strategies=[zero-shot, test-last-rows]"), Factory())
    assert result.summary["strategies"]["test-last-rows"]["mean_demos"] == 2
    demos = read(next(p for p in (tmp_path / "retrieve").glob("*/demos.jsonl")
                      if read(p)[0]["strategy"] == "test-last-rows"))
    assert all(len(d["pool_ids"]) == 2 for d in demos) and get_strategy("test-last-rows")
