"""Stage *solve*: assemble the self-adaptive prompt for each (strategy, test question) and answer it.

All strategies' prompts go to the engine in one call. Records in ``predictions.jsonl``, keyed by
(strategy_key, problem_id): ``{"problem_id", "strategy", "strategy_key", "solver", "prompt",
"n_prompt_tokens", "demo_ids", "dropped_demos", "samples": [{"text", "n_tokens"}]}``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from eval.benchmarks import Problem
from pipeline.llm import Engine, Request, Sampling
from pipeline.stages.common import request_seed
from pipeline.store import Record, StageDir
from prompts.solve import Demo, pack_demos
from retriever.strategies import Pool


def run_solve(problems: Sequence[Problem], demos_by_strategy: dict[str, list[Record]], pool: Pool | None,
              engine_fn: Callable[[], Engine], stage: StageDir, *, sampling: Sampling,
              budget_fn: Callable[[Engine], int], model_name: str) -> list[Record]:
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
            ranked = [items[pid] for pid in rec["pool_ids"]]
            packed = pack_demos(problem.question, [Demo(it.question, it.solution) for it in ranked],
                                render=engine.apply_chat_template, count_tokens=engine.count_tokens,
                                budget=budget)
            used = {(d.question, d.solution) for d in packed.demos}
            demo_ids = [it.pool_id for it in ranked if (it.question, it.solution) in used]
            seed = request_seed(sampling.seed, "solve", rec["strategy_key"], problem.id)
            requests.append(Request(packed.text, seed=seed))
            meta.append({"problem_id": problem.id, "strategy": rec["strategy"],
                         "strategy_key": rec["strategy_key"], "solver": model_name, "prompt": packed.text,
                         "demo_ids": demo_ids, "dropped_demos": packed.dropped})
        for i, result in engine.generate(requests, sampling):
            store.append([{**meta[i], "n_prompt_tokens": result.n_prompt_tokens,
                           "samples": [{"text": c.text, "n_tokens": c.n_tokens} for c in result.completions]}])
    wanted = {(rec["strategy_key"], p.id) for recs in demos_by_strategy.values()
              for p, rec in zip(problems, recs, strict=True)}
    return [r for r in store.records() if (r["strategy_key"], r["problem_id"]) in wanted]
