"""knn-sc: self-consistency where each sample gets its own demos, drawn from the nearest pool rows (issue 33)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from retriever.strategies import Pool, PoolItem, get_strategy
from tests.helpers.fake_engine import FakeFactory
from tests.unit.test_pipeline_fake import make_cfg, read, run, stage_file


def _pool(n: int) -> Pool:
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(n, 8)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    items = [PoolItem(f"g{i}", "p", f"q{i}", f"s{i}", "1") for i in range(n)]
    return Pool(items, vectors)


def test_each_draw_takes_k_of_the_nearest_candidates() -> None:
    pool = _pool(40)
    query = pool.vectors[:2] + 0.01
    strategy = get_strategy("knn-sc", draws=5, candidates=3)
    picks = strategy.select(query, pool, 2, seed=7)
    nearest = get_strategy("knn").select(query, pool, 6)
    for rows, near in zip(picks, nearest, strict=True):
        draws = strategy.split(rows)
        assert len(draws) == 5 and all(len(d) == 2 for d in draws)
        assert all(set(d) <= set(near) for d in draws)  # from the 3k nearest only
        assert all(near.index(d[0]) < near.index(d[1]) for d in draws)  # nearest first within a draw
        assert len({tuple(d) for d in draws}) > 1  # the samples do not all see the same demos
    assert strategy.select(query, pool, 2, seed=7) == picks  # seeded
    assert strategy.select(query, pool, 2, seed=8) != picks


def test_a_run_answers_each_draw_with_one_sample_and_votes(tmp_path: Path) -> None:
    factory = FakeFactory()
    cfg = make_cfg(tmp_path, "retrieve.strategies=[zero-shot, knn-sc]", "retrieve.k=1", "retrieve.sc_samples=3",
                   "retrieve.sc_temperature=0.6")
    result = run(cfg, factory)
    preds = [p for p in read(stage_file(tmp_path, "solve", "predictions.jsonl")) if p["strategy"] == "knn-sc"]
    assert len(preds) == 6
    for p in preds:
        assert len(p["samples"]) == 3 and p["sampling"] == {"n": 1, "temperature": 0.6}
        assert [len(s["demo_ids"]) for s in p["samples"]] == [1, 1, 1]
        assert p["demo_ids"] == [d for s in p["samples"] for d in s["demo_ids"]]
    assert any(len({s["demo_ids"][0] for s in p["samples"]}) > 1 for p in preds)
    prompts = [q for e in factory.engines if e.name == "solver-a" for q in e.prompts]
    assert len(prompts) == 6 + 6 * 3  # zero-shot once per question, knn-sc once per draw
    assert result.summary["strategies"]["knn-sc"]["n"] == 6
    factory2 = FakeFactory()
    run(make_cfg(tmp_path, "retrieve.strategies=[zero-shot, knn-sc]", "retrieve.k=1", "retrieve.sc_samples=3",
                 "retrieve.sc_temperature=0.6"), factory2)
    assert not [q for e in factory2.engines for q in e.prompts]  # resumed from the records: nothing re-asked
