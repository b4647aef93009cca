"""Stage *solve*: assemble the self-adaptive prompt for each (strategy, test question) and answer it.

All strategies' prompts go to the engine in one call. Baseline recipes carry their demos inline (or, for
analogical prompting, a template of their own); see `pipeline.stages.recipes`. Records in
``predictions.jsonl``, keyed by (strategy_key, problem_id): ``{"problem_id", "strategy", "strategy_key",
"solver", "prompt", "n_prompt_tokens", "demo_ids", "dropped_demos",
"samples": [{"text", "n_tokens", "finish_reason"}]}``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

from eval.benchmarks import Problem
from pipeline.llm import Engine, Request, Sampling
from pipeline.stages.common import request_seed
from pipeline.store import Record, StageDir
from prompts.analogical import analogical_messages
from prompts.solve import Demo, pack_demos
from retriever.strategies import Pool, PoolItem


def ranked_demos(rec: Record, items: dict[str, PoolItem]) -> list[tuple[str, Demo]]:
    """A retrieve record's demos, most relevant first: inline ``demos`` (baseline recipes) or pool rows."""
    if "demos" in rec:
        return [(d["id"], Demo(d["question"], d["solution"])) for d in rec["demos"]]
    return [(pid, Demo(items[pid].question, items[pid].solution)) for pid in rec["pool_ids"]]


def run_solve(problems: Sequence[Problem], demos_by_strategy: dict[str, list[Record]], pool: Pool | None,
              engine_fn: Callable[[], Engine], stage: StageDir, *, sampling: Sampling,
              budget_fn: Callable[[Engine], int], model_name: str, template: str = "solve") -> list[Record]:
    """Answer every (strategy, problem) not done yet.

    Args:
        engine_fn: zero-argument callable returning the solver engine (called only if work remains).
        budget_fn: engine -> prompt token budget (context minus the answer budget, or the configured one).
    """
    store = stage.store("predictions.jsonl", key=lambda r: (r["strategy_key"], r["problem_id"]))
    done = store.done()
    items = {it.pool_id: it for it in pool.items} if pool else {}
    todo = [(problem, rec) for recs in demos_by_strategy.values()
            for problem, rec in zip(problems, recs, strict=True)
            if (rec["strategy_key"], problem.id) not in done]
    if todo:
        engine: Engine = engine_fn()
        budget = budget_fn(engine)
        requests, meta = [], []
        for problem, rec in todo:
            if rec.get("template") == "analogical":  # one pass: the solver recalls its own examples
                text, demo_ids, dropped = engine.apply_chat_template(
                    analogical_messages(problem.question, rec["recall"])), [], 0
            else:
                ranked = ranked_demos(rec, items)
                packed = pack_demos(problem.question, [d for _, d in ranked], render=engine.apply_chat_template,
                                    count_tokens=engine.count_tokens, budget=budget, template=template)
                used = {(d.question, d.solution) for d in packed.demos}
                demo_ids = [i for i, d in ranked if (d.question, d.solution) in used]
                text, dropped = packed.text, packed.dropped
            seed = request_seed(sampling.seed, "solve", rec["strategy_key"], problem.id)
            requests.append(Request(text, seed=seed))
            meta.append({"problem_id": problem.id, "strategy": rec["strategy"],
                         "strategy_key": rec["strategy_key"], "solver": model_name, "prompt": text,
                         "demo_ids": demo_ids, "dropped_demos": dropped})
        groups: dict[tuple[tuple[str, Any], ...], list[int]] = {}  # by sampling: the solver's, or a recipe's own
        for i, (_, rec) in enumerate(todo):
            groups.setdefault(tuple(sorted((rec.get("sampling") or {}).items())), []).append(i)
        for override, idx in groups.items():
            group_sampling = dataclasses.replace(sampling, **dict(override))
            for j, result in engine.generate([requests[i] for i in idx], group_sampling):
                i = idx[j]
                store.append([{**meta[i], "n_prompt_tokens": result.n_prompt_tokens,
                               "samples": [{"text": c.text, "n_tokens": c.n_tokens,
                                            "finish_reason": c.finish_reason} for c in result.completions]}])
        stage.add_wall_time()  # the solve stage is never complete (a new strategy adds to it)
    wanted = {(rec["strategy_key"], p.id) for recs in demos_by_strategy.values()
              for p, rec in zip(problems, recs, strict=True)}
    return [r for r in store.records() if (r["strategy_key"], r["problem_id"]) in wanted]
