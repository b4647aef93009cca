"""Time UDR training on a pool of 2,000 demos for 3 rounds, against the 15-minute target on 2 CPU cores.

The pool: the first 2,000 GSM8K *train* problems with their reference solutions in the solver's format
(a real, labelled stand-in for a generated pool of the same size). Label-free setting as in a run: every
pool entry can be a query whose target is its own solution. LM feedback comes from SmolLM2-135M on vLLM
(the fast packaged model), MiniLM-L6 is the base encoder.

The cost is dominated by LM scoring: (training queries + held-out queries) x L one-demo prompts per round,
each a full solver prompt (system + demo question + demo solution + query + target, ~300 tokens), scored
with `prompt_logprobs`. So the number of training queries scored per round is a parameter; the bench
reports the measured scoring throughput and what the full setting (every pool entry a query, L=50) would
cost at that throughput.

Run from the repository root (after 01:58 on the shared machine: it is heavy)::

    python bench/udr_train.py                       # defaults below
    python bench/udr_train.py --queries 400 --candidates 50

The last line is the summary with the ratio measured / 15 min.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

TARGET_S = 15 * 60


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pool", type=int, default=2000, help="demos in the pool")
    ap.add_argument("--queries", type=int, default=160, help="training queries mined and scored per round")
    ap.add_argument("--candidates", type=int, default=20, help="L: candidates per query")
    ap.add_argument("--heldout", type=int, default=16, help="held-out queries for NDCG/MRR")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--model", default="smollm2-135m", help="LM giving feedback")
    ap.add_argument("--max-model-len", type=int, default=2048)
    ap.add_argument("--json", type=Path, default=None, help="also write the measurements here")
    args = ap.parse_args()

    os.environ.setdefault("VLLM_CPU_KVCACHE_SPACE", "2")
    from sentence_transformers import SentenceTransformer

    from eval.benchmarks import load
    from pipeline.engines.vllm_engine import VLLMEngine
    from pipeline.models import model_identity, resolve
    from pipeline.store import JsonlStore
    from pipeline.udr import PairScorer, gsm8k_target, pool_examples
    from retriever.registry import PoolItem
    from retriever.udr import UDRSettings, train_udr
    from retriever.udr.report import print_report
    from retriever.udr.train import TrainSettings

    t_start = time.perf_counter()
    problems = load("gsm8k", split="train", limit=args.pool)
    items = [PoolItem(p.id, p.id, p.question, gsm8k_target(p.meta["solution"]), p.gold) for p in problems]
    queries, cands = pool_examples(items)
    settings = UDRSettings(rounds=args.rounds, n_candidates=args.candidates, heldout=0.2, max_heldout=args.heldout,
                           max_train_queries=args.queries, train=TrainSettings(epochs=args.epochs))
    t0 = time.perf_counter()
    engine = VLLMEngine(resolve(args.model), name=model_identity(args.model), max_model_len=args.max_model_len,
                        show_progress=False)
    t_engine = time.perf_counter() - t0
    try:
        with tempfile.TemporaryDirectory() as tmp:
            store = JsonlStore(Path(tmp) / "scores.jsonl", key=lambda r: r["key"])
            scorer = PairScorer(engine, store, {q.id: q for q in queries}, {c.id: c for c in cands}, chunk=1024)
            encoder = SentenceTransformer(resolve("minilm-l6"), device="cpu")
            t1 = time.perf_counter()
            result = train_udr(encoder, queries, cands, scorer, settings)
            t_train = time.perf_counter() - t1
    finally:
        engine.close()
    total = time.perf_counter() - t_start

    st = scorer.stats
    rate = st["tokens"] / max(st["seconds"], 1e-9)
    tok_per_pair = st["tokens"] / max(st["pairs"], 1)
    phases = {k: sum(r.seconds[k] for r in result.rounds) for k in ("mine", "score", "train", "eval")}
    phases["held-out scoring + baseline"] = t_train - sum(phases.values())
    full_pairs = args.pool * 50
    report = {**result.as_dict(), "scoring": {**st, "tokens_per_s": rate}, "seconds": total}
    print_report(report)
    print(f"pool {args.pool} demos, {len(result.train_ids)} training queries x L={args.candidates}, "
          f"{len(result.heldout_ids)} held-out, {args.rounds} rounds x {args.epochs} epochs")
    print(f"time: load+engine start {t_engine:.0f} s (engine), UDR {t_train:.0f} s, total {total:.0f} s")
    print("UDR phases (s): " + ", ".join(f"{k} {v:.0f}" for k, v in phases.items()))
    print(f"LM scoring: {st['pairs']:.0f} pairs, {tok_per_pair:.0f} tokens/pair, {rate:.0f} prompt tok/s "
          f"({st['seconds'] / max(t_train, 1e-9):.0%} of UDR time)")
    print(f"full setting (every pool entry a query, L=50): >= {full_pairs} pairs in round 1 alone = "
          f"{full_pairs * tok_per_pair / rate / 3600:.1f} h of scoring at this rate")
    if args.json:
        args.json.write_text(json.dumps({**report, "phases": phases, "engine_start_s": t_engine,
                                         "args": vars(args) | {"json": str(args.json)}}, indent=2, default=str))
    print(f"SUMMARY udr_train pool={args.pool} queries={len(result.train_ids)} L={args.candidates} "
          f"rounds={args.rounds}: {total:.0f} s total; ratio measured/15min = {total / TARGET_S:.2f} "
          f"({'within' if total <= TARGET_S else 'over'} target); scoring {rate:.0f} tok/s")


if __name__ == "__main__":
    main()
