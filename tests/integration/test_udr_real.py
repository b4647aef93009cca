"""UDR's LM-feedback scorer on the real vLLM engine (tiny random Llama) against a direct transformers computation."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.store import JsonlStore
from pipeline.udr import PairScorer
from prompts.solve import Demo, solve_messages
from retriever.udr import Candidate, Query
from tests.conftest import needs_vllm

pytestmark = [needs_vllm, pytest.mark.vllm]

QUERIES = [Query("q0", "p0", "Tom has 3 apples and buys 4 more. How many apples?", "3 + 4 = 7. The answer is 7."),
           Query("q1", "p1", "Ann had 12 pears and sold 5. How many are left?", "12 - 5 = 7. The answer is 7.")]
CANDS = [Candidate("c0", "p2", "Bob has 2 pears and 5 apples. How many fruits?", "2 + 5 = 7. The answer is 7."),
         Candidate("c1", "p3", "Half of 40 is what?", "40 / 2 = 20. The answer is 20.")]


def reference_nll(model_dir: Path, query: Query, demo: Candidate) -> float:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32)
    prompt = tok.apply_chat_template(solve_messages(query.question, [Demo(demo.question, demo.solution)]),
                                     tokenize=False, add_generation_prompt=True)
    head = tok.encode(prompt, add_special_tokens=False)  # the chat template already starts with <s>
    tail = tok.encode(query.target, add_special_tokens=False)
    ids = torch.tensor([head + tail])
    with torch.no_grad():
        logprobs = torch.log_softmax(model(ids).logits.float()[0, :-1], dim=-1)
    targets = ids[0, 1:]
    return float(-logprobs[torch.arange(len(targets)), targets][-len(tail):].mean())


def test_pair_scores_match_transformers(tiny_engine, tiny_model_dir: Path, tmp_path: Path) -> None:
    store = JsonlStore(tmp_path / "scores.jsonl", key=lambda r: r["key"])
    scorer = PairScorer(tiny_engine, store, {q.id: q for q in QUERIES}, {c.id: c for c in CANDS},
                        log=lambda m: None)
    pairs = [("q0", "c0"), ("q0", "c1"), ("q1", "c0")]
    got = scorer(pairs)
    for (qid, cid), nll in zip(pairs, got, strict=True):
        want = reference_nll(tiny_model_dir, scorer.queries[qid], scorer.candidates[cid])
        assert nll == pytest.approx(want, abs=1e-2)
    assert len({round(x, 4) for x in got}) == 3          # different contexts, different scores
    assert scorer(pairs) == got and scorer.stats["pairs"] == 3   # cached: nothing re-scored
