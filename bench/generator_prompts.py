"""Which way of asking the question generator gives the best pool questions? Side by side, same problems.

Each variant is a (style, example place, prefill) setting of `pipeline.config.GeneratorConfig` run through the
real generate stage (`pipeline.stages.generate.run_generate`) on one vLLM engine, on the same test problems:
GSM8K test problems 300-399 by default, so the reference study's problems (the first 300) are held out from
this choice. Records are cached per variant under ``--out`` (a cut-off run resumes). Per variant it prints:

- ``>=1`` / ``=k``: share of problems with at least one / with all `k` questions kept;
- ``kept``: kept questions / (k x problems);
- ``own`` / ``other``: mean cosine (MiniLM) of a kept question to its own test question / to the other test
  questions: topicality is ``own - other``;
- ``ex-like``: kept questions whose `prompts.generate.similarity` to the template's worked example (problem
  or outputs) is >= 0.6 (the 0.85 near-copy filter missed these; target 0);
- ``asks``: share of kept questions that ask something (`prompts.generate.asks_question`: a ``?`` or an
  imperative such as "Calculate"); the rest are statements, equations or solution fragments;
- ``digit1``: share of kept questions whose first character is a digit (a prefill ending in a space forces it);
- ``tok/prob``: generator prompt + completion tokens per problem; ``cut``: share of replies cut at max_tokens.

Run from the repository root (about 3-5 min per variant for qwen2.5-coder-0.5b on 2 cores)::

    python bench/generator_prompts.py --out ~/saicot-runs/generator-prompts
    python bench/generator_prompts.py --variants list-system single-chat --start 0 --n 100
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

#: name -> (style, example, prefill); "list-system" is the generator's setting before this comparison. prefill:
#: "" none, "start" the template's reply start ("New problem:"), "start+space" the start with the trailing space
#: it had until 2026-12-04 (a lone " " token, after which the model writes a digit: see `reply_start`).
VARIANTS: dict[str, tuple[str, str, str]] = {
    "list-system": ("list", "system", ""),
    "list-chat": ("list", "chat", ""),
    "single-system": ("single", "system", ""),
    "single-chat": ("single", "chat", ""),
    "single-none": ("single", "none", ""),
    "single-chat-prefill": ("single", "chat", "start"),
    "single-chat-prefill-space": ("single", "chat", "start+space"),
}
EXAMPLE_LIKE = 0.6


def run_variant(name: str, problems: list, engine: Any, out: Path, args: argparse.Namespace) -> list[dict]:
    from pipeline.engines.base import Sampling
    from pipeline.stages.generate import run_generate
    from pipeline.store import StageDir
    from prompts.generate import reply_start

    style, example, prefill = VARIANTS[name]
    start = {"": "", "start": reply_start(style), "start+space": reply_start(style) + " "}[prefill]
    sampling = Sampling(n=1, temperature=args.temperature, top_p=0.95, max_tokens=args.max_tokens, seed=0)
    stage = StageDir(out, name, {"model": engine.name, "ids": [p.id for p in problems], "k": args.k,
                                 "sampling": sampling.as_dict(), "variant": VARIANTS[name]})
    return run_generate(problems, lambda: engine, stage, k=args.k, sampling=sampling, near_copy_threshold=0.85,
                        model_name=engine.name, style=style, example=example, start=start)


def measure(records: list[dict], problems: list, k: int, embedder: Any) -> dict[str, float]:
    import numpy as np

    from pipeline.engines.base import truncated
    from prompts.generate import EXAMPLE_TEXTS, asks_question, similarity

    tests = embedder.encode([p.question for p in problems])
    row = {p.id: i for i, p in enumerate(problems)}
    kept = [(row[r["problem_id"]], q["question"]) for r in records for q in r["questions"]]
    own = other = float("nan")
    if kept:
        sims = embedder.encode([q for _, q in kept]) @ tests.T  # unit vectors: cosine
        mine = np.array([i for i, _ in kept])
        own = float(sims[np.arange(len(kept)), mine].mean())
        mask = np.ones_like(sims, dtype=bool)
        mask[np.arange(len(kept)), mine] = False
        other = float(sims[mask].mean())
    counts = [len(r["questions"]) for r in records]
    replies = [f for r in records for f in r["finish_reasons"]]
    return {
        "n": len(records),
        "at_least_one": sum(c >= 1 for c in counts) / len(records),
        "all_k": sum(c >= k for c in counts) / len(records),
        "kept": sum(counts) / (k * len(records)),
        "own": own, "other": other, "topicality": own - other,
        "example_like": sum(any(similarity(q, ex) >= EXAMPLE_LIKE for ex in EXAMPLE_TEXTS) for _, q in kept),
        "asks": sum(asks_question(q) for _, q in kept) / max(len(kept), 1),
        "digit_first": sum(q[:1].isdigit() for _, q in kept) / max(len(kept), 1),
        "tokens_per_problem": sum(r["n_prompt_tokens"] + r["n_tokens"] for r in records) / len(records),
        "cut": sum(truncated(f) for f in replies) / max(len(replies), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default="qwen2.5-coder-0.5b")
    parser.add_argument("--out", type=Path, default=Path.home() / "saicot-runs" / "generator-prompts")
    parser.add_argument("--start", type=int, default=300, help="first GSM8K test problem")
    parser.add_argument("--n", type=int, default=100, help="number of problems")
    parser.add_argument("--k", type=int, default=3)
    parser.add_argument("--temperature", type=float, default=0.8)
    parser.add_argument("--max-tokens", type=int, default=256)
    parser.add_argument("--variants", nargs="+", default=list(VARIANTS), choices=list(VARIANTS))
    args = parser.parse_args()

    from eval.benchmarks import load
    from pipeline.config import EngineConfig
    from pipeline.engines import vllm_factory
    from pipeline.models import resolve
    from retriever.embed import Embedder

    problems = load("gsm8k", limit=args.start + args.n)[args.start:]
    out = args.out / args.model / f"gsm8k-{args.start}-{args.start + args.n}"
    engine = vllm_factory(args.model, EngineConfig())
    try:
        records = {name: run_variant(name, problems, engine, out, args) for name in args.variants}
    finally:
        engine.close()
    embedder = Embedder(resolve("minilm-l6"))
    rows = {name: measure(recs, problems, args.k, embedder) for name, recs in records.items()}
    print(f"\ngenerator {args.model}, GSM8K test {args.start}-{args.start + args.n - 1}, k={args.k}, "
          f"T={args.temperature}, max_tokens={args.max_tokens}")
    print(f"{'variant':<21} {'>=1':>5} {'=k':>5} {'kept':>5} {'own':>5} {'other':>5} {'topic':>6} "
          f"{'ex-like':>7} {'asks':>5} {'digit1':>6} {'tok/prob':>8} {'cut':>5}")
    for name, m in rows.items():
        print(f"{name:<21} {m['at_least_one']:5.2f} {m['all_k']:5.2f} {m['kept']:5.2f} {m['own']:5.2f} "
              f"{m['other']:5.2f} {m['topicality']:6.3f} {m['example_like']:7d} {m['asks']:5.2f} "
              f"{m['digit_first']:6.2f} {m['tokens_per_problem']:8.0f} "
              f"{m['cut']:5.2f}")
    (out / "summary.json").write_text(json.dumps(rows, indent=2, sort_keys=True) + "\n")
    print(f"SUMMARY {json.dumps({n: round(m['kept'], 3) for n, m in rows.items()})}  (records in {out})")


if __name__ == "__main__":
    main()
