"""UDR's first-round (query, demo) pairs for the scoring benches (`udr_prefix_cache.py`, `udr_scorer_dtype.py`).

Each of `--queries` GSM8K *train* problems, with its reference solution as the target, is paired with its
`--candidates` MiniLM-nearest entries of a pool of the first `--pool` train problems (itself excluded); a pair is
the solver's one-demo chat prompt and the target, as `saicot udr train` scores it. Pairs come grouped by query.
"""

from __future__ import annotations

import argparse
from typing import Any


def add_pair_args(ap: argparse.ArgumentParser, *, queries: int, candidates: int, model: str) -> None:
    """The pair set's and the scorer's command-line options, with a bench's own defaults."""
    ap.add_argument("--pool", type=int, default=2000, help="demos in the pool")
    ap.add_argument("--queries", type=int, default=queries, help="queries scored")
    ap.add_argument("--candidates", type=int, default=candidates, help="L: nearest candidates per query")
    ap.add_argument("--model", default=model, help="LM giving feedback")
    ap.add_argument("--max-model-len", type=int, default=2048)


def first_round_pairs(args: argparse.Namespace, engine: Any) -> list[tuple[str, str]]:
    """`args.queries` x `args.candidates` (prompt, target) pairs; `engine` supplies the chat template."""
    import numpy as np

    from eval.benchmarks import load
    from pipeline.models import resolve
    from pipeline.udr import gsm8k_target, pool_examples
    from prompts.solve import Demo, solve_messages
    from retriever.embed import Embedder
    from retriever.registry import PoolItem

    problems = load("gsm8k", split="train", limit=args.pool)
    items = [PoolItem(p.id, p.id, p.question, gsm8k_target(p.meta["solution"]), p.gold) for p in problems]
    queries, cands = pool_examples(items)
    queries = queries[:args.queries]
    embedder = Embedder(resolve("minilm-l6"))
    sims = embedder.encode([q.question for q in queries]) @ embedder.encode([c.question for c in cands]).T
    pairs = []
    for qi, q in enumerate(queries):
        ranked = [int(j) for j in np.argsort(-sims[qi]) if cands[int(j)].id != q.id][:args.candidates]
        for j in ranked:
            messages = solve_messages(q.question, [Demo(cands[j].question, cands[j].solution)])
            pairs.append((engine.apply_chat_template(messages), q.target))
    return pairs
