"""The whole pipeline on the real vLLM engine (tiny random Llama) with the real MiniLM embedder and FAISS."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from pipeline.config import load_config
from pipeline.runner import RunHooks, run_pipeline
from tests.conftest import needs_vllm
from tests.helpers.tiny_model import tiny_run_overrides

pytestmark = [needs_vllm, pytest.mark.vllm]
ROOT = Path(__file__).resolve().parents[2]


class Borrowed:
    """The session's shared engine, lent to a run: the run's close() must not shut it down."""

    def __init__(self, engine) -> None:
        self._engine = engine
        self.closed = 0

    def __getattr__(self, name):
        return getattr(self._engine, name)

    def close(self) -> None:
        self.closed += 1


def read(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text().splitlines()]


def predictions(run_dir: Path) -> list[dict]:
    (path,) = run_dir.glob("solve/*/predictions.jsonl")
    return sorted(read(path), key=lambda r: (r["strategy"], r["problem_id"]))


def test_run_on_real_engine_writes_consistent_records(tiny_engine, tiny_model_dir, tmp_path) -> None:
    borrowed = Borrowed(tiny_engine)
    cfg = load_config(None, overrides=tiny_run_overrides(tiny_model_dir), run_dir=tmp_path)
    result = run_pipeline(cfg, RunHooks(engine_factory=lambda model, c: borrowed))
    assert borrowed.closed >= 1
    assert set(result.summary["strategies"]) == {"zero-shot", "knn", "mmr"}
    preds = predictions(tmp_path)
    assert len(preds) == 9
    for p in preds:
        assert p["samples"][0]["n_tokens"] <= 24 and p["n_prompt_tokens"] > 0
        assert p["prompt"].startswith("<s><|system|>")  # the model's own chat template
    generated = read(next(tmp_path.glob("generate/*/generated.jsonl")))
    assert [g["problem_id"] for g in generated] == [f"gsm8k-test-{i:05d}" for i in range(3)]
    assert (tmp_path / "report.md").exists() and (tmp_path / "summary.json").exists()


def test_self_consistency_on_the_real_engine_is_reproducible(tiny_engine, tiny_model_dir, tmp_path) -> None:
    overrides = [*tiny_run_overrides(tiny_model_dir), "retrieve.strategies=[zero-shot, self-consistency]",
                 "retrieve.sc_samples=3", "retrieve.sc_temperature=1.0"]
    runs = []
    for name in ("a", "b"):
        cfg = load_config(None, overrides=overrides, run_dir=tmp_path / name)
        run_pipeline(cfg, RunHooks(engine_factory=lambda model, c: Borrowed(tiny_engine)))
        runs.append(predictions(tmp_path / name))
    sc = [p for p in runs[0] if p["strategy"] == "self-consistency"]
    assert len(sc) == 3 and all(len(p["samples"]) == 3 for p in sc)
    assert any(len({s["text"] for s in p["samples"]}) > 1 for p in sc)  # sampled at T=1, not greedy copies
    assert all(s["finish_reason"] in ("stop", "length") for p in runs[0] for s in p["samples"])
    strip = lambda ps: [{k: v for k, v in p.items() if k != "solver"} for p in ps]  # noqa: E731
    assert strip(runs[0]) == strip(runs[1])  # per-request seeds: the same samples in a fresh directory


def test_knn_sc_draws_its_own_demos_per_sample_on_the_real_engine(tiny_engine, tiny_model_dir, tmp_path) -> None:
    """The pool comes from the fake engine (the tiny model's random text never makes a pool entry); the real
    MiniLM and FAISS retrieve, and the real engine answers one prompt per draw."""
    from tests.helpers.fake_engine import FakeEngine

    overrides = [*tiny_run_overrides(tiny_model_dir), "generator.model=gen-fake", "sample.model=gen-fake",
                 "retrieve.strategies=[knn-sc]", "retrieve.k=1", "retrieve.sc_samples=3", "retrieve.sc_temperature=1.0"]
    solver = str(tiny_model_dir)
    runs = []
    for name in ("a", "b"):
        cfg = load_config(None, overrides=overrides, run_dir=tmp_path / name)
        result = run_pipeline(cfg, RunHooks(
            engine_factory=lambda model, c: Borrowed(tiny_engine) if model == solver else FakeEngine(name=model),
            identity=lambda m: m))
        runs.append(predictions(tmp_path / name))
    assert result.summary["pool"]["pool_size"] >= 3
    preds = runs[0]
    assert len(preds) == 3 and result.summary["strategies"]["knn-sc"]["n"] == 3
    for p in preds:  # one record per question: a sample per draw, each with the demo it was shown
        assert len(p["samples"]) == 3 and all(len(s["demo_ids"]) == 1 for s in p["samples"])
        assert p["demo_ids"] == [s["demo_ids"][0] for s in p["samples"]]
        assert all(0 < s["n_tokens"] <= 24 for s in p["samples"])
    assert any(len({s["demo_ids"][0] for s in p["samples"]}) > 1 for p in preds)  # the draws differ
    strip = lambda ps: [{k: v for k, v in p.items() if k != "solver"} for p in ps]  # noqa: E731
    assert strip(runs[0]) == strip(runs[1])  # seeded draws and samples: the same records in a fresh directory


def test_report_html_of_a_tiny_engine_run_in_a_browser(tiny_engine, tiny_model_dir, tmp_path) -> None:
    import re

    from pipeline.engines import Borrowed
    from tests.helpers.browser import dom, screenshot

    # the random model never stops before max_tokens, so its pool is empty (cut samples never enter it): the two
    # strategies with demos here are the ones whose demos do not come from the pool
    overrides = [*tiny_run_overrides(tiny_model_dir), "retrieve.strategies=[zero-shot, manual-8shot, auto-cot]"]
    run_pipeline(load_config(None, overrides=overrides, run_dir=tmp_path),
                 RunHooks(engine_factory=lambda model, c: Borrowed(tiny_engine)))
    page = tmp_path / "report.html"
    listing = dom(page)
    assert "3 problems shown" in listing and listing.count('href="#p=run%2Fgsm8k-test-') == 3
    def count_shown(status: str) -> int:
        return int(re.search(r"(\d+) problems shown", dom(page, f"list&strategy=manual-8shot&status={status}"))[1])

    shown = {s: count_shown(s) for s in ("correct", "wrong", "truncated")}
    assert shown["correct"] + shown["wrong"] == 3 and shown["truncated"] == 3  # every answer hit max_tokens
    problem = dom(page, "p=run/gsm8k-test-00000")
    for strategy, n_demos in (("manual-8shot", 8), ("auto-cot", 2)):
        column = problem.split(f'data-strategy="{strategy}"', 1)[1].split('data-strategy="', 1)[0]
        boxes = column.count('class="demo"')
        assert 1 <= boxes <= n_demos and f"<h4>{boxes} demos</h4>" in column
    if os.environ.get("SAICOT_SCREENSHOTS"):  # refresh the docs' pictures: SAICOT_SCREENSHOTS=docs/viewer
        out = Path(os.environ["SAICOT_SCREENSHOTS"])
        out.mkdir(parents=True, exist_ok=True)
        screenshot(page, "", out / "list.png")
        screenshot(page, "p=run/gsm8k-test-00000", out / "problem.png", size="1400,1000")
