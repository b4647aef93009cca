"""Engine concurrency (vLLM's ``max_num_seqs``): throughput, and the work a kill throws away.

A stage writes a record when its request finishes; a kill (a session's end, Ctrl-C) loses every request still
in flight, however far it got. vLLM admits up to ``max_num_seqs`` requests at once (256 by default on CPU),
so with many requests nearly all finish together at the end and a kill mid-way loses almost everything done
since the last completions. A lower ``max_num_seqs`` finishes requests steadily. This bench measures what it
costs in throughput: the same greedy GSM8K zero-shot requests through fresh engines (one subprocess per
setting, the settings in turn), and for each

* output tokens/s (wall time from the first submit to the last result; engine start excluded), and its
  ratio to the first setting (the baseline, vLLM's default);
* the expected loss of a kill at a uniformly random moment: the wall time of work in flight, estimated as
  ``t - F(t) / R`` (F(t) the output tokens of requests finished by t, R the mean rate), averaged over t.

    python bench/concurrency.py                                   # qwen2.5-coder-0.5b, 256 vs 32 vs 16
    python bench/concurrency.py --model qwen2.5-coder-1.5b --seqs 256 32 --problems 48
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def one(model: str, seqs: int, problems: int, max_tokens: int, dtype: str) -> dict:
    """Run the requests through a fresh engine with ``max_num_seqs = seqs``; timings and finish times."""
    from eval.benchmarks import load
    from pipeline.config import EngineConfig
    from pipeline.engines import vllm_factory
    from pipeline.engines.base import Request, Sampling
    from prompts.solve import solve_messages

    engine = vllm_factory(model, EngineConfig(dtype=dtype, extra={"max_num_seqs": seqs}))
    try:
        requests = [Request(engine.apply_chat_template(solve_messages(p.question, [])), seed=i)
                    for i, p in enumerate(load("gsm8k", limit=problems))]
        start = time.perf_counter()
        done = []
        for _, result in engine.generate(requests, Sampling(max_tokens=max_tokens)):
            done.append((time.perf_counter() - start, result.completions[0].n_tokens))
        return {"seqs": seqs, "done": done}
    finally:
        engine.close()


def summarise(run: dict) -> tuple[float, float, float]:
    """``(output tok/s, expected seconds lost by a kill at a random moment, wall seconds)``."""
    done = sorted(run["done"])
    wall, total = done[-1][0], sum(n for _, n in done)
    rate = total / wall
    steps, lost, finished, i = 1000, 0.0, 0, 0
    for s in range(steps):
        t = wall * (s + 0.5) / steps
        while i < len(done) and done[i][0] <= t:
            finished, i = finished + done[i][1], i + 1
        lost += max(0.0, t - finished / rate)
    return rate, lost / steps, wall


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", default="qwen2.5-coder-0.5b")
    ap.add_argument("--seqs", type=int, nargs="+", default=[256, 32, 16], help="first = baseline")
    ap.add_argument("--problems", type=int, default=96)
    ap.add_argument("--max-tokens", type=int, default=192)
    ap.add_argument("--dtype", default="float32")
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one is not None:
        print(json.dumps(one(args.model, args.one, args.problems, args.max_tokens, args.dtype)))
        return
    base, rows = None, []
    print(f"{args.model} ({args.dtype}), {args.problems} greedy GSM8K zero-shot requests, <= {args.max_tokens} tokens")
    for seqs in args.seqs:
        out = subprocess.run([sys.executable, __file__, "--one", str(seqs), "--model", args.model, "--problems",
                              str(args.problems), "--max-tokens", str(args.max_tokens), "--dtype", args.dtype],
                             check=True, capture_output=True, text=True).stdout
        rate, lost, wall = summarise(json.loads(out.strip().splitlines()[-1]))
        base = base or rate
        rows.append(f"{seqs}: {rate / base:.2f}x, {lost:.0f} s lost")
        print(f"max_num_seqs {seqs:>4}: {rate:6.1f} output tok/s (ratio {rate / base:.2f} vs {args.seqs[0]}), "
              f"wall {wall:5.0f} s, a kill at a random moment loses {lost:5.0f} s of work on average", flush=True)
    print(f"SUMMARY max_num_seqs throughput ratio vs {args.seqs[0]} and expected loss at a kill: " + "; ".join(rows))


if __name__ == "__main__":
    main()
