"""Stage *retrieve*: for each test question, the pool demos a strategy picks (most relevant first).

Records: ``{"problem_id", "strategy", "strategy_key", "pool_ids"}`` in ``demos.jsonl``, one stage
directory per strategy setting, so adding a strategy to a run reuses everything else. A per-sample strategy
(knn-sc) adds ``"draws"`` (one demo list per sample) and ``"sampling"`` (the samples' temperature).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from eval.benchmarks import Problem
from pipeline.stages.context import RunContext
from pipeline.stages.recipes import RecipeArgs, recipe_inputs, run_recipe
from pipeline.store import Record, StageDir
from pipeline.strategies import is_recipe, needs_pool, solved, spec, strategy_params
from retriever.strategies import Pool, get_strategy


def allowed_rows(problems: Sequence[Problem], pool: Pool, scope: str) -> list[np.ndarray] | None:
    """Scope `own`: each test question may only use demos generated from itself."""
    if scope == "global":
        return None
    rows_by_problem: dict[str, list[int]] = {}
    for row, item in enumerate(pool.items):
        rows_by_problem.setdefault(item.problem_id, []).append(row)
    return [np.asarray(rows_by_problem.get(p.id, []), dtype=np.int64) for p in problems]


def run_retrieve(problems: Sequence[Problem], pool: Pool | None, queries: np.ndarray | None, stage: StageDir, *,
                 strategy: str, k: int, scope: str, params: dict[str, Any], seed: int,
                 sampling: dict[str, Any] | None = None) -> list[Record]:
    """Select demos for every problem (cheap, so done in one go and then marked complete)."""
    store = stage.store("demos.jsonl", key=lambda r: r["problem_id"])
    if not stage.complete:
        impl = get_strategy(strategy, **params) if spec(strategy).how == "select" else None
        if impl is None or pool is None or not pool.items or k == 0:
            picks: list[list[int]] = [[] for _ in problems]
        else:
            picks = impl.select(queries, pool, k, allowed=allowed_rows(problems, pool, scope), seed=seed)
        records = [{"problem_id": p.id, "strategy": strategy, "strategy_key": stage.key,
                    "pool_ids": [pool.items[r].pool_id for r in rows] if pool else []}
                   for p, rows in zip(problems, picks, strict=True)]
        if sampling is not None:  # per-sample demos: the strategy's draws, each answered by one sample
            split = getattr(impl, "split", lambda ids: [ids])
            for rec in records:
                rec["draws"], rec["sampling"] = split(rec["pool_ids"]), sampling
        store.append(records)
        stage.mark_complete()
    by_id = {r["problem_id"]: r for r in store.records()}
    return [by_id[p.id] for p in problems]


def step(ctx: RunContext) -> None:
    """Demos for every strategy the run answers (a recipe built from another strategy's answers comes after
    solve)."""
    r = ctx.cfg.retrieve
    names = solved(r.strategies, r.ensemble)
    ctx.say(5, f"retrieve: {', '.join(names)} (k={r.k}, scope={r.scope})")
    for name in names:
        if is_recipe(name):
            if spec(name).after is None:  # one built from another strategy's answers comes after solve
                args = RecipeArgs(k=r.k, seed=ctx.cfg.seed, sample_key=ctx.keys.get("sample"),
                                  solutions=ctx.solutions or (), sc=(r.sc_samples, r.sc_temperature))
                stage = StageDir(ctx.run_dir, "retrieve", {"load": ctx.keys["load"], **recipe_inputs(name, args)})
                ctx.demos[name] = run_recipe(name, ctx.problems, stage, args)
            continue
        params = strategy_params(name, r)
        inputs = ({"strategy": name} if not needs_pool(name) else {
            "strategy": name, "index": ctx.keys["index"], "k": r.k, "scope": r.scope, "params": params,
            "seed": ctx.cfg.seed})
        sampling = {"n": 1, "temperature": r.sc_temperature} if spec(name).per_sample else None
        if sampling is not None:
            inputs["sampling"] = sampling
        udr = None
        if spec(name).encoder == "trained":  # the encoder from `saicot udr train` re-embeds pool and questions
            from pipeline.udr import udr_retrieval

            udr = udr_retrieval(ctx.run_dir, ctx.keys["index"])
            inputs["encoder"] = udr.identity
            ctx.extra_tokens[name] = udr.training_tokens / max(len(ctx.problems), 1)
        stage = StageDir(ctx.run_dir, "retrieve", {"load": ctx.keys["load"], **inputs})
        pool, queries = ctx.pool, ctx.queries
        if udr is not None and pool is not None and not stage.complete:
            pool, queries = udr.embed(pool, [p.question for p in ctx.problems])
        ctx.demos[name] = run_retrieve(ctx.problems, pool, queries, stage, strategy=name, k=r.k, scope=r.scope,
                                       params=params, seed=ctx.cfg.seed, sampling=sampling)
