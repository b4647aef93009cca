"""A sampled solution cut at max_tokens gets no answer, takes no part in the vote and never enters the pool."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

from pipeline.engines.base import Completion, GenerationResult, Request, Sampling
from pipeline.stages.index import PoolFilter, select_demos
from pipeline.stages.sample import run_sample
from pipeline.stages.score import score_predictions, summarize
from pipeline.store import StageDir


class CutEngine:
    """Three samples per question: the first is cut at the token limit, the other two finish."""

    def apply_chat_template(self, messages: list[dict[str, str]]) -> str:
        return messages[-1]["content"]

    def generate(self, requests: Sequence[Request], sampling: Sampling) -> Iterator[tuple[int, GenerationResult]]:
        for i, _ in enumerate(requests):
            yield i, GenerationResult([
                Completion("So far 3 + 4 = 7 and then 7 times", 10, "length"),
                Completion("3 + 4 = 7, so 7 * 2 = 14.\n#### 14", 12, "stop"),
                Completion("7 * 2 = 14.\n#### 14", 8, "stop"),
            ], n_prompt_tokens=5)


def test_cut_samples_have_no_answer_and_never_enter_the_pool(tmp_path: Path) -> None:
    generated = [{"problem_id": "p0", "questions": [{"gen_id": "p0/g0", "question": "What is (3+4)*2?"}]}]
    stage = StageDir(tmp_path, "sample", {"t": 1})
    recs = run_sample(generated, CutEngine, stage, sampling=Sampling(n=3, max_tokens=10), benchmark="gsm8k",
                      model_name="m")
    (rec,) = recs
    assert [s["finish_reason"] for s in rec["samples"]] == ["length", "stop", "stop"]
    assert rec["samples"][0]["answer"] is None  # its last number (7) would have been read without the rule
    assert rec["majority"] == "14" and abs(rec["agreement"] - 2 / 3) < 1e-9
    items = select_demos(recs, PoolFilter(self_consistency=False))
    assert [it.pool_id for it in items] == ["p0/g0/s1"]
    cut_only = [{**rec, "samples": rec["samples"][:1], "majority": None, "agreement": 0.0}]
    assert select_demos(cut_only, PoolFilter(self_consistency=False)) == []


def test_truncation_rate_is_reported_per_strategy() -> None:
    from eval.benchmarks import Problem

    problems = [Problem("p0", "q", "14", "gsm8k"), Problem("p1", "q", "3", "gsm8k")]
    preds = [{"problem_id": p.id, "strategy": "zero-shot", "demo_ids": [], "n_prompt_tokens": 5,
              "samples": [{"text": "#### 14" if i == 0 else "and then", "n_tokens": 4,
                           "finish_reason": "stop" if i == 0 else "length"}]} for i, p in enumerate(problems)]
    summary = summarize(score_predictions(problems, preds, "gsm8k"), ["zero-shot"])
    assert summary["zero-shot"]["truncated"] == 0.5 and summary["zero-shot"]["accuracy"] == 0.5


def test_the_pool_table_shows_how_many_generations_and_samples_were_cut(tmp_path: Path) -> None:
    import json

    from eval.report.pool import pool_metrics

    def put(path: Path, inputs: dict | None = None, rows: dict[str, list[dict]] | None = None) -> None:
        path.mkdir(parents=True)
        if inputs is not None:
            (path / "inputs.json").write_text(json.dumps({"inputs": inputs}))
        for name, recs in (rows or {}).items():
            (path / name).write_text("".join(json.dumps(r) + "\n" for r in recs))

    run = tmp_path / "runs" / "r"
    put(run)
    (run / "summary.json").write_text(json.dumps({"stages": {"index": "i"}, "generator": "g", "pool_solver": "s",
                                                  "pool": {"pool_size": 1}}))
    put(tmp_path / "index" / "i", {"sample": "s1", "filter": {"self_consistency": True, "min_agreement": 0.6}})
    put(tmp_path / "sample" / "s1", {"generate": "g1"}, {"solutions.jsonl": [
        {"majority": "14", "agreement": 1.0, "samples": [
            {"n_tokens": 10, "finish_reason": "length"}, {"n_tokens": 8, "finish_reason": "stop"},
            {"n_tokens": 8, "finish_reason": "stop"}, {"n_tokens": 8, "finish_reason": "stop"}]}]})
    put(tmp_path / "generate" / "g1", {"k": 2}, {"generated.jsonl": [
        {"dropped": 0, "finish_reasons": ["stop", "length"]}, {"dropped": 0, "finish_reasons": ["stop", "stop"]}]})
    m = pool_metrics(tmp_path, run)
    assert m is not None and m["generation_cut"] == 0.25 and m["samples_cut"] == 0.25
    # records made before finish reasons were kept: unknown, not 0
    (tmp_path / "generate" / "g1" / "generated.jsonl").write_text('{"dropped": 0}\n{"dropped": 0}\n')
    assert pool_metrics(tmp_path, run)["generation_cut"] is None


def test_a_cut_answer_without_a_marked_answer_is_scored_as_no_answer() -> None:
    """The score stage passes the finish reason on: the last number of an unfinished derivation is not an
    answer (issue 32), while a marked answer written before the cut still counts."""
    from eval.benchmarks import Problem

    problems = [Problem("p0", "q", "16", "gsm8k"), Problem("p1", "q", "16", "gsm8k"), Problem("p2", "q", "16", "gsm8k")]
    texts = [("4 + 12 = 16 hours", "length"), ("4 + 12 = 16.\nThe answer is 16.\nCheck: 4", "length"),
             ("4 + 12 = 16 hours", "stop")]
    preds = [{"problem_id": p.id, "strategy": "zero-shot", "demo_ids": [], "n_prompt_tokens": 5,
              "samples": [{"text": t, "n_tokens": 4, "finish_reason": f}]}
             for p, (t, f) in zip(problems, texts, strict=True)]
    scores = score_predictions(problems, preds, "gsm8k")
    assert [s["correct"] for s in scores] == [False, True, True]
    assert scores[0]["answer"] is None and "cut" in scores[0]["reason"]


def test_the_index_stage_writes_the_pool_statistics_the_report_would_compute(tmp_path: Path) -> None:
    """One computation (eval.report.pool.pool_statistics): the run's summary.json holds it; a summary written
    before it did is read from the stage directories, with the same result."""
    import json

    from eval.report.pool import pool_metrics
    from tests.helpers.fake_engine import FakeFactory
    from tests.unit.test_pipeline_fake import make_cfg, run

    run(make_cfg(tmp_path), FakeFactory())
    summary_path = tmp_path / "summary.json"
    from_summary = pool_metrics(tmp_path, tmp_path)
    summary = json.loads(summary_path.read_text())
    assert "unanimous" in summary["pool"]
    summary["pool"] = {"pool_size": summary["pool"]["pool_size"]}  # as older runs wrote it
    summary_path.write_text(json.dumps(summary))
    assert pool_metrics(tmp_path, tmp_path) == from_summary
