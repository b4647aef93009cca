"""UDR's LM-feedback scoring with and without reading vLLM's prefix cache, side by side in one process.

vLLM 0.32 turns prefix caching off for any request with `prompt_logprobs` (cached positions return no
logprobs). UDR needs only the target's logprobs, at the end of each prompt (system, demo question + solution,
query, target), so `VLLMEngine(score_prefix_cache=True)` lets those requests read the cache, sends prompts
sorted so that pairs of one demo follow each other, and scores again without the cache any pair whose target
came back without logprobs. This bench scores the same pairs both ways on one engine (the cache reset before
each pass) and prints the prompt-token throughput ratio and the largest NLL difference (must be <= 1e-3).

The pairs are UDR's first-round ones (`bench/udr_pairs.py`).

Run from the repository root (heavy: ~10 min on 2 cores with the defaults)::

    python bench/udr_prefix_cache.py
    python bench/udr_prefix_cache.py --queries 80 --candidates 10     # a quick look

The last line is the summary with the ratio cached / plain.
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
    add_pair_args(ap, queries=160, candidates=20, model="smollm2-135m")
    args = ap.parse_args()

    os.environ.setdefault("VLLM_CPU_KVCACHE_SPACE", "2")
    from pipeline.engines.vllm_engine import VLLMEngine
    from pipeline.models import model_identity, resolve

    engine = VLLMEngine(resolve(args.model), name=model_identity(args.model), max_model_len=args.max_model_len,
                        show_progress=False)
    try:
        pairs = first_round_pairs(args, engine)
        n_tokens = sum(engine.count_tokens(p + c) for p, c in pairs)
        results = {}
        for label, flag in [("plain", False), ("cached", True)]:
            engine.reset_prefix_cache()
            engine.score_prefix_cache = flag
            engine.score_stats.update(prompt_tokens=0, cached_tokens=0, rescored=0)
            t0 = time.perf_counter()
            nll = engine.loglikelihood(pairs)
            seconds = time.perf_counter() - t0
            results[label] = (nll, seconds, dict(engine.score_stats))
            stats = results[label][2]
            print(f"{label:>6}: {len(pairs)} pairs, {n_tokens} tokens in {seconds:.1f} s = {n_tokens / seconds:.0f} "
                  f"prompt tok/s; cache hits {stats['cached_tokens'] / max(stats['prompt_tokens'], 1):.0%} of "
                  f"prompt tokens sent; scored again without the cache: {stats['rescored']}")
    finally:
        engine.close()
    plain, cached = results["plain"], results["cached"]
    diff = max(abs(a - b) for a, b in zip(plain[0], cached[0], strict=True))
    ratio = (n_tokens / cached[1]) / (n_tokens / plain[1])
    print(f"SUMMARY udr_prefix_cache pairs={len(pairs)} L={args.candidates} model={args.model}: prompt tok/s "
          f"cached/plain = {ratio:.2f}; max |NLL difference| = {diff:.1e} "
          f"({'ok' if diff <= 1e-3 else 'TOO LARGE'}, limit 1e-3)")


if __name__ == "__main__":
    main()
