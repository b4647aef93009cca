"""Grown vs fresh answers under a larger cap, on a study's real records (`pipeline.stages.extend`).

A run answered at a smaller cap (e.g. round one's 320) and afresh at a larger one (round two's 512): for its
greedy records whose answer the smaller cap cut, grow them to the larger cap (continue the cut text with the real
engine) and compare with the fresh answers: identical texts, identical verdicts, and the cost as a ratio of
generated tokens (grown / fresh; prompt tokens are the continuation's extra prefill). Run from the repository root:

    python bench/extend_check.py ~/saicot-runs/reference-gsm8k-r2 \
        qwen2.5-coder-0.5b--qwen2.5-coder-0.5b--k2--global--cap-512 --limit 40

The last line is the summary.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("study", type=Path, help="the study directory")
    ap.add_argument("run", help="the run (runs/NAME) answered at the larger cap")
    ap.add_argument("--limit", type=int, default=None, help="at most this many cut answers")
    args = ap.parse_args()

    import json

    from eval.checker.grade import grade
    from eval.report.pool import read_jsonl
    from pipeline.config import load_config
    from pipeline.engines import default_factory
    from pipeline.engines.base import Request, Sampling, truncated
    from pipeline.stages.extend import grow, shorter_answers, shorter_stages
    from pipeline.stages.solve import solve_seed
    from pipeline.store import JsonlStore

    cfg = load_config(args.study / "runs" / args.run / "config.yaml", run_dir=args.study)
    summary = json.loads((args.study / "runs" / args.run / "summary.json").read_text())
    solve = args.study / "solve" / summary["stages"]["solve"]
    inputs = json.loads((solve / "inputs.json").read_text())["inputs"]
    sources = shorter_stages(solve.parent, inputs)
    if not sources:
        raise SystemExit(f"no solve stage differing from {solve.name} by a smaller cap")
    shorter = shorter_answers(sources[:1])
    fresh = [r for r in JsonlStore(solve / "predictions.jsonl", key=lambda r: (r["strategy_key"], r["problem_id"]))
             .records() if "reused_from" not in r and not r.get("sampling")]
    pairs = [(r, shorter[k]) for r in fresh if (k := (r["strategy_key"], r["problem_id"], r["prompt"])) in shorter
             and truncated(shorter[k]["samples"][0]["finish_reason"])][:args.limit]
    cap = inputs["sampling"]["max_tokens"]
    print(f"{len(pairs)} greedy answers cut at {sources[0][1].name}'s cap, answered afresh at {cap} in {solve.name}",
          flush=True)
    gold = {r["problem_id"]: r["gold"] for r in read_jsonl(args.study / "runs" / args.run / "scores.jsonl")}
    engine = default_factory(cfg.solver.model, cfg.engine)
    try:
        sampling = Sampling(max_tokens=cap, seed=cfg.seed)
        requests = [Request(f["prompt"], seed=solve_seed(cfg.seed, f["strategy_key"], f["problem_id"]))
                    for f, _ in pairs]
        t0 = time.perf_counter()
        grown = dict(grow(engine, [(s, q) for (_, s), q in zip(pairs, requests, strict=True)], sampling))
        seconds = time.perf_counter() - t0
    finally:
        engine.close()
    same_text = same_verdict = 0
    added = fresh_tokens = 0
    for i, (f, _) in enumerate(pairs):
        a, b = grown[i]["samples"][0], f["samples"][0]
        same_text += a["text"] == b["text"]
        g = gold[f["problem_id"]]
        verdict = [grade(x["text"], g, cfg.benchmark.name, truncated=truncated(x["finish_reason"])).correct
                   for x in (a, b)]
        same_verdict += verdict[0] == verdict[1]
        added += a.get("extended", 0)
        fresh_tokens += b["n_tokens"]
    n = max(len(pairs), 1)
    print(f"SUMMARY extend_check n={len(pairs)} identical_text={same_text / n:.3f} same_verdict={same_verdict / n:.3f}"
          f" generated_tokens_ratio={added / max(fresh_tokens, 1):.3f} (grown {added} / fresh {fresh_tokens})"
          f" grow_seconds={seconds:.0f}")


if __name__ == "__main__":
    main()
