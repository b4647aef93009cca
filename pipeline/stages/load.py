"""Stage *load*: the benchmark's problems (bundled or a user's file), keyed by the benchmark settings and ids.

``problems.jsonl`` records what a run answered; the later stages key on this stage's key, so a different
benchmark, split, limit or field mapping never reuses their records.
"""

from __future__ import annotations

from dataclasses import asdict

from pipeline.stages.context import RunContext
from pipeline.store import StageDir


def step(ctx: RunContext) -> None:
    from eval.benchmarks import load

    b = ctx.cfg.benchmark
    ctx.problems = load(b.name, split=b.split, fields=b.fields, limit=b.limit)
    stage = StageDir(ctx.run_dir, "load", {"benchmark": b.model_dump(), "ids": [p.id for p in ctx.problems]})
    stage.store("problems.jsonl", key=lambda r: r["id"]).append(asdict(p) for p in ctx.problems)
    ctx.keys["load"] = stage.key
    ctx.say(1, f"load: {len(ctx.problems)} problems from {b.name}")
