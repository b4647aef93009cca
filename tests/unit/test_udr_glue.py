"""UDR pipeline glue without models: pair scoring and its cache, settings, queries, the missing-encoder error."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest

from pipeline.errors import SaicotError
from pipeline.store import JsonlStore
from pipeline.udr import (
    PairScorer,
    find_encoder,
    gsm8k_target,
    labelled_queries,
    load_settings,
    pool_examples,
    udr_retrieval,
)
from retriever.registry import PoolItem
from retriever.udr import Query, split_queries, top_candidates
from tests.helpers.fake_engine import FakeEngine


@dataclass
class CountingEngine(FakeEngine):
    scored: list[tuple[str, str]] = field(default_factory=list)

    def loglikelihood(self, pairs):
        self.scored += list(pairs)
        return super().loglikelihood(pairs)


def items(n: int = 6) -> list[PoolItem]:
    return [PoolItem(f"p{i // 2}/g{i % 2}/s0", f"p{i // 2}", f"Question {i}: {i} + 1?", f"{i} + 1 = {i + 1}. "
                     f"The answer is {i + 1}.", str(i + 1)) for i in range(n)]


def scorer(tmp_path: Path, engine: FakeEngine | None = None) -> PairScorer:
    queries, cands = pool_examples(items())
    return PairScorer(engine or CountingEngine(), JsonlStore(tmp_path / "scores.jsonl", key=lambda r: r["key"]),
                      {q.id: q for q in queries}, {c.id: c for c in cands}, chunk=2, log=lambda m: None)


def test_pair_prompt_is_the_solver_prompt_with_one_demo_and_target_continuation(tmp_path: Path) -> None:
    sc = scorer(tmp_path)
    sc([("p0/g0/s0", "p1/g0/s0")])
    ((prompt, cont),) = sc.engine.scored
    assert prompt.startswith("<system>Solve the problem step by step")
    assert prompt.index("<user>Question 2: 2 + 1?</user><assistant>2 + 1 = 3.") < prompt.index(
        "<user>Question 0: 0 + 1?</user><assistant>")
    assert prompt.endswith("<user>Question 0: 0 + 1?</user><assistant>")
    assert cont == "0 + 1 = 1. The answer is 1."          # the query's kept solution is the target


def test_scores_are_cached_on_disk_and_only_new_pairs_are_scored(tmp_path: Path) -> None:
    sc = scorer(tmp_path)
    pairs = [("p0/g0/s0", "p1/g0/s0"), ("p0/g0/s0", "p2/g1/s0"), ("p1/g1/s0", "p0/g0/s0")]
    first = sc(pairs)
    assert len(sc.engine.scored) == 3 and sc.stats["pairs"] == 3
    again = sc([*pairs, ("p2/g0/s0", "p0/g1/s0")])
    assert again[:3] == first and len(sc.engine.scored) == 4
    # a new process (fresh store on the same file) scores nothing already known
    fresh = scorer(tmp_path)
    assert fresh(pairs) == first and fresh.engine.scored == []
    records = [json.loads(x) for x in (tmp_path / "scores.jsonl").read_text().splitlines()]
    assert len(records) == 4 and {"q", "c", "nll", "key"} <= set(records[0])


def test_demo_nll_orders_most_relevant_last(tmp_path: Path) -> None:
    sc = scorer(tmp_path)
    q = sc.queries["p0/g0/s0"]
    sc.demo_nll([(q, [sc.candidates["p1/g0/s0"], sc.candidates["p2/g0/s0"]])])
    ((prompt, _),) = sc.engine.scored
    assert prompt.index("Question 4") < prompt.index("Question 2")


def test_load_settings_yaml_and_overrides(tmp_path: Path) -> None:
    path = tmp_path / "udr.yaml"
    path.write_text("rounds: 2\nn_candidates: 10\ntrain:\n  epochs: 1\n")
    s = load_settings(path, ["train.batch_size=4", "candidate_text=question+solution"])
    assert (s.rounds, s.n_candidates, s.train.epochs, s.train.batch_size) == (2, 10, 1, 4)
    assert s.candidate_text == "question+solution" and s.train.factor == 4.0
    with pytest.raises(SaicotError, match="unknown field.*train.epoch"):
        load_settings(None, ["train.epoch=3"])
    with pytest.raises(SaicotError, match="unknown field.*round"):
        load_settings(None, ["round=3"])


def test_missing_encoder_tells_the_user_to_train(tmp_path: Path) -> None:
    with pytest.raises(SaicotError, match=r"saicot udr train --run"):
        udr_retrieval(tmp_path, "abc")
    d = tmp_path / "udr" / "k1"
    d.mkdir(parents=True)
    (d / "meta.json").write_text(json.dumps({"index_key": "abc", "identity": "x"}))
    assert find_encoder(tmp_path, "abc") is None               # not finished: no DONE
    (d / "DONE").write_text("")
    assert find_encoder(tmp_path, "abc") == d and find_encoder(tmp_path, "other") is None


def test_gsm8k_target_and_labelled_queries() -> None:
    sol = "Natalia sold 48/2 = <<48/2=24>>24 clips in May.\nSo 48+24 = <<48+24=72>>72.\n#### 72"
    assert gsm8k_target(sol) == "Natalia sold 48/2 = 24 clips in May.\nSo 48+24 = 72.\nThe answer is 72."

    class P:
        id, question, gold, meta = "t1", "Q?", "72", {"solution": sol}

    (q,) = labelled_queries([P()])
    assert q.target.endswith("The answer is 72.") and q.group == "t1"


def test_split_keeps_groups_whole() -> None:
    qs = [Query(f"{g}/{i}", g, "q", "t") for g in "abcdefghij" for i in range(3)]
    train, test = split_queries(qs, heldout=0.2, max_heldout=100, seed=1)
    assert len(test) == 6 and not {q.group for q in train} & {q.group for q in test}
    train2, _ = split_queries(qs, heldout=0.2, max_heldout=100, seed=1, max_train=5)
    assert len(train2) == 5


def test_top_candidates_excludes_own_row() -> None:
    v = np.eye(4, dtype=np.float32)
    q = v[[0, 1]] + 0.1
    rows = top_candidates(q / np.linalg.norm(q, axis=1, keepdims=True), v, 2, [0, None])
    assert rows[0][0] != 0 and len(rows[0]) == 2 and rows[1][0] == 1


def test_a_study_runs_udr_stages_live_in_the_study_directory(tmp_path: Path) -> None:
    from pipeline.udr.train import stage_root

    run = tmp_path / "study" / "runs" / "gen--solver--k2--global"
    run.mkdir(parents=True)
    (tmp_path / "study" / "study.json").write_text("{}")
    assert stage_root(run) == tmp_path / "study"
    plain = tmp_path / "plain"
    (plain / "index").mkdir(parents=True)
    assert stage_root(plain) == plain


def test_the_training_report_prints_its_k_and_the_paired_heldout_intervals() -> None:
    """The table is headed by the NDCG cutoff the training used, and the paired differences come with intervals."""
    from rich.console import Console

    from pipeline.udr.train import heldout_intervals
    from retriever.udr.report import print_report

    lists = {"udr": [0.9, 0.8, 0.7, 0.9], "untrained": [0.5, 0.6, 0.4, 0.5], "knn": [0.4, 0.6, 0.5, 0.3],
             "random": [0.5, 0.5, 0.5, 0.5]}
    report = {"eval_k": 5, "n_train": 10, "n_heldout": 4,
              "baseline": {"ndcg": 0.5, "mrr": 0.3, "ndcg_per_query": lists["untrained"],
                           "knn": {"ndcg": 0.45, "mrr": 0.2, "ndcg_per_query": lists["knn"]},
                           "random": {"ndcg": 0.5, "mrr": 0.3, "ndcg_per_query": lists["random"]}},
              "rounds": [{"round": 1, "new_pairs": 8, "epochs": [], "ndcg": 0.825, "mrr": 0.6, "seconds": {},
                          "ndcg_per_query": lists["udr"]}]}
    report["heldout_vs"] = heldout_intervals(report)
    assert report["heldout_vs"]["udr - knn"]["diff"] == pytest.approx(0.825 - 0.45)
    assert report["heldout_vs"]["udr - knn"]["low"] > 0  # udr above knn on every list
    assert report["heldout_vs"]["knn - random"]["low"] < 0 < report["heldout_vs"]["knn - random"]["high"]
    console = Console(record=True, width=200)
    print_report(report, console)
    text = console.export_text()
    assert "NDCG@5" in text and "NDCG@8" not in text
    assert "same 4 lists" in text and "udr - knn +0.3750 [" in text
    # a report saved before per-list NDCG was kept prints without intervals
    old = {**report, "rounds": [{k: v for k, v in report["rounds"][0].items() if k != "ndcg_per_query"}]}
    assert set(heldout_intervals(old)) == {"knn - random"}
