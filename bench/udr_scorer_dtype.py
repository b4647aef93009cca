"""UDR's LM-feedback scorer in float32 and in bfloat16, side by side in one run: speed and ranking agreement.

UDR training is mostly scoring (query, demo) pairs with the solver (`prompt_logprobs` of the query's target
given a one-demo prompt), and the reference study runs its solver in float32 so that its stage keys hold on every
machine. On a CPU with native bf16 (AMX / AVX512-BF16) a bf16 forward may be much faster; this bench says how
much, and whether the cheaper scorer ranks a query's candidates as the float32 one does, which is all UDR uses
(the list-wise loss sees each query's order of candidates, never the NLL values).

The pairs are UDR's first-round ones (`bench/udr_pairs.py`). The same
pairs are scored by one engine per dtype, one after the other (the order alternates with `--bf16-first`).

Run from the repository root (heavy: ~8 min on 2 cores with the defaults and the 0.5b)::

    python bench/udr_scorer_dtype.py
    python bench/udr_scorer_dtype.py --queries 4 --model smollm2-135m     # a quick look

Per query it compares the two rankings: Kendall's tau, whether the best candidate is the same, and the NDCG@k
of the bf16 order against the float32 order as relevance (UDR's own held-out measure, `1/rank` gains). The last
line is the summary with the throughput ratio bf16 / float32.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.udr_pairs import add_pair_args, first_round_pairs  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_pair_args(ap, queries=8, candidates=10, model="qwen2.5-coder-0.5b")
    ap.add_argument("--bf16-first", action="store_true", help="score in bf16 first (default: float32 first)")
    args = ap.parse_args()

    os.environ.setdefault("VLLM_CPU_KVCACHE_SPACE", "2")
    import numpy as np
    from scipy.stats import kendalltau

    from pipeline.engines.vllm_engine import VLLMEngine
    from pipeline.models import model_identity, resolve
    from retriever.udr.sampler import lm_relevance, ndcg_at_k

    dtypes = ["bfloat16", "float32"] if args.bf16_first else ["float32", "bfloat16"]
    pairs: list[tuple[str, str]] = []
    nll: dict[str, np.ndarray] = {}
    seconds: dict[str, float] = {}
    n_tokens = 0
    for dtype in dtypes:
        engine = VLLMEngine(resolve(args.model), name=model_identity(args.model), max_model_len=args.max_model_len,
                            dtype=dtype, show_progress=False)
        try:
            if not pairs:
                pairs = first_round_pairs(args, engine)
                n_tokens = sum(engine.count_tokens(p + c) for p, c in pairs)
            t0 = time.perf_counter()
            nll[dtype] = np.array(engine.loglikelihood(pairs))
            seconds[dtype] = time.perf_counter() - t0
        finally:
            engine.close()
        print(f"{dtype:>8}: {len(pairs)} pairs, {n_tokens} tokens in {seconds[dtype]:.1f} s = "
              f"{n_tokens / seconds[dtype]:.0f} prompt tok/s", flush=True)

    L = args.candidates
    full, half = nll["float32"].reshape(-1, L), nll["bfloat16"].reshape(-1, L)
    taus, same_best, ndcg5, ndcg8 = [], [], [], []
    for a, b in zip(full, half, strict=True):
        order_a, order_b = [int(i) for i in np.argsort(a)], [int(i) for i in np.argsort(b)]  # lowest NLL first
        taus.append(kendalltau(a, b).statistic)
        same_best.append(order_a[0] == order_b[0])
        relevance = lm_relevance(order_a)
        ndcg5.append(ndcg_at_k(order_b, relevance, 5))
        ndcg8.append(ndcg_at_k(order_b, relevance, 8))
    diff = np.abs(full - half)
    spread = np.median(full.max(axis=1) - full.min(axis=1))
    print(f"per query ({len(taus)}): Kendall tau mean {np.mean(taus):.3f} (min {np.min(taus):.3f}); same best "
          f"candidate {np.mean(same_best):.0%}; NDCG@5 {np.mean(ndcg5):.3f}, NDCG@8 {np.mean(ndcg8):.3f} (1.0: same "
          f"order); |NLL bf16 - float32| median {np.median(diff):.4f}, max {diff.max():.4f} against a median "
          f"spread of {spread:.4f} within a query's candidates")
    ratio = (n_tokens / seconds["bfloat16"]) / (n_tokens / seconds["float32"])
    print(f"SUMMARY udr_scorer_dtype model={args.model} pairs={len(pairs)} L={L} order={'/'.join(dtypes)}: prompt "
          f"tok/s bf16/float32 = {ratio:.2f}; Kendall tau {np.mean(taus):.3f}, NDCG@5 {np.mean(ndcg5):.3f}")


if __name__ == "__main__":
    main()
