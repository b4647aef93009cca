"""Stage *solve*: assemble the self-adaptive prompt for each (strategy, test question) and answer it.

All strategies' prompts go to the engine in one call. Baseline recipes carry their demos inline (or, for
analogical prompting, a template of their own); see `pipeline.stages.recipes`. Records in
``predictions.jsonl``, keyed by (strategy_key, problem_id): ``{"problem_id", "strategy", "strategy_key",
"solver", "prompt", "n_prompt_tokens", "demo_ids", "dropped_demos",
"sampling" (a recipe's own sampling, else {}), "samples": [{"text", "n_tokens", "finish_reason"}]}``.

A per-sample strategy's record (knn-sc: ``"draws"``) becomes one prompt per draw, each answered by one sample;
the record is stored when all of a question's draws are answered, its samples in draw order, each with the
``demo_ids`` of its own prompt (the record's ``demo_ids`` and ``n_prompt_tokens`` are the draws' together).

A greedy prompt (temperature 0, one sample) is answered once per solve stage: a strategy whose prompt for a
question equals one already answered (knn-gated's are knn's or zero-shot's) gets that answer, marked
``"reused_from": <strategy_key>``, instead of a second engine call that could only differ by float noise.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from eval.benchmarks import Problem
from pipeline.engines.base import Engine, Request, Sampling
from pipeline.stages.common import request_seed
from pipeline.stages.context import RunContext, cached, console
from pipeline.store import JsonlStore, Record, StageDir
from pipeline.strategies import solved, spec
from prompts.analogical import analogical_messages
from prompts.solve import Demo, pack_demos
from retriever.strategies import Pool, PoolItem


def ranked_demos(rec: Record, items: dict[str, PoolItem]) -> list[tuple[str, Demo]]:
    """A retrieve record's demos, most relevant first: inline ``demos`` (baseline recipes) or pool rows."""
    if "demos" in rec:
        return [(d["id"], Demo(d["question"], d["solution"])) for d in rec["demos"]]
    return [(pid, Demo(items[pid].question, items[pid].solution)) for pid in rec["pool_ids"]]


def solve_seed(seed: int, strategy_key: str, problem_id: str, draw: int | None = None) -> int:
    """The sampling seed of one solve request (a per-sample strategy's draw has its own)."""
    return request_seed(seed, "solve", strategy_key, problem_id, *(() if draw is None else (str(draw),)))


def _dedupe_greedy(store: JsonlStore, meta: list[dict[str, Any]],
                   sampling: Sampling) -> tuple[list[int], dict[int, list[int]]]:
    """Which of `meta`'s prompts to send: a greedy prompt already answered is stored now, a repeated one waits.

    Returns:
        (indices to send, {sent index: indices answered by the same prompt}).
    """
    if sampling.temperature != 0 or sampling.n != 1:
        return list(range(len(meta))), {}
    answered = {r["prompt"]: r for r in store.records()  # records before "sampling" was kept: 1 sample = greedy
                if not r.get("sampling") and len(r["samples"]) == 1}
    send: list[int] = []
    first: dict[str, int] = {}
    twins: dict[int, list[int]] = {}
    reused: list[Record] = []
    for i, m in enumerate(meta):
        prompt = m["prompt"]
        if m["sampling"]:
            send.append(i)
        elif prompt in answered:
            src = answered[prompt]
            reused.append({**m, "n_prompt_tokens": src["n_prompt_tokens"], "samples": src["samples"],
                           "reused_from": src.get("reused_from", src["strategy_key"])})
        elif prompt in first:
            twins.setdefault(first[prompt], []).append(i)
        else:
            first[prompt] = i
            send.append(i)
    store.append(reused)  # one durable write for all of them
    return send, twins


def _prompt(engine: Engine, problem: Problem, rec: Record, demos: list[tuple[str, Demo]], budget: int,
            template: str) -> tuple[str, list[str], int]:
    """The solver's prompt for one question: text, the demo ids it kept, how many demos the budget dropped."""
    if rec.get("template") == "analogical":  # one pass: the solver recalls its own examples
        return engine.apply_chat_template(analogical_messages(problem.question, rec["recall"])), [], 0
    packed = pack_demos(problem.question, [d for _, d in demos], render=engine.apply_chat_template,
                        count_tokens=engine.count_tokens, budget=budget, template=template)
    return packed.text, [demos[pos][0] for pos in packed.kept], packed.dropped


def _merge_draws(parts: list[Record]) -> Record:
    """One record from the answered draws of one question (in draw order)."""
    parts = sorted(parts, key=lambda r: r["draw"])
    samples = [{**p["samples"][0], "demo_ids": p["demo_ids"]} for p in parts]
    rec = {k: v for k, v in parts[0].items() if k not in ("draw", "n_draws", "samples")}
    return {**rec, "prompt": parts[0]["prompt"], "demo_ids": [d for p in parts for d in p["demo_ids"]],
            "dropped_demos": sum(p["dropped_demos"] for p in parts),
            "n_prompt_tokens": sum(p["n_prompt_tokens"] for p in parts), "samples": samples}


def _answer(engine: Engine, store: JsonlStore, requests: list[Request], meta: list[dict[str, Any]], send: list[int],
            twins: dict[int, list[int]], sampling: Sampling, extend_from: Sequence[tuple[str, Path]]) -> None:
    """Answer the `send` requests (grown from a smaller cap's records where those answered the same prompt) and
    store each answer as it comes, for its twins too; a per-sample strategy's record once all its draws are in."""
    from pipeline.stages.extend import grow, same_sampling, shorter_answers

    shorter = shorter_answers(extend_from) if extend_from else {}
    drawn: dict[tuple[str, str], list[Record]] = {}

    def keep(i: int, answer: dict[str, Any]) -> None:
        if "draw" in meta[i]:  # stored once every draw of the question is answered
            parts = drawn.setdefault((meta[i]["strategy_key"], meta[i]["problem_id"]), [])
            parts.append({**meta[i], **answer})
            if len(parts) == meta[i]["n_draws"]:
                store.append([_merge_draws(parts)])
            return
        store.append([{**meta[i], **answer}, *({**meta[t], **answer, "reused_from": meta[i]["strategy_key"]}
                                               for t in twins.get(i, []))])

    groups: dict[tuple[tuple[str, Any], ...], list[int]] = {}  # by sampling: the solver's, or a recipe's own
    for i in send:
        groups.setdefault(tuple(sorted(meta[i]["sampling"].items())), []).append(i)
    for override, idx in groups.items():
        group_sampling = dataclasses.replace(sampling, **dict(override))
        found = {i: shorter[k] for i in idx if "draw" not in meta[i] and (k := (
            meta[i]["strategy_key"], meta[i]["problem_id"], meta[i]["prompt"])) in shorter
            and same_sampling(shorter[k], meta[i]["sampling"], sampling.n)}
        grown = list(found)
        if grown:
            cut = sum(s.get("finish_reason") == "length" for i in grown for s in found[i]["samples"])
            console.print(f"  {len(grown)} answers grown from a smaller cap's records ({cut} cut samples continued, "
                          f"the rest kept); {len(idx) - len(grown)} asked afresh", highlight=False)
        for j, answer in grow(engine, [(found[i], requests[i]) for i in grown], group_sampling):
            keep(grown[j], answer)
        fresh = [i for i in idx if i not in found]
        for j, result in engine.generate([requests[i] for i in fresh], group_sampling):
            keep(fresh[j], {"n_prompt_tokens": result.n_prompt_tokens,
                            "samples": [{"text": c.text, "n_tokens": c.n_tokens, "finish_reason": c.finish_reason}
                                        for c in result.completions]})


def run_solve(problems: Sequence[Problem], demos_by_strategy: dict[str, list[Record]], pool: Pool | None,
              engine_fn: Callable[[], Engine], stage: StageDir, *, sampling: Sampling,
              budget_fn: Callable[[Engine], int], model_name: str, template: str = "solve",
              extend_from: Sequence[tuple[str, Path]] = ()) -> list[Record]:
    """Answer every (strategy, problem) not done yet.

    Args:
        engine_fn: zero-argument callable returning the solver engine (called only if work remains).
        budget_fn: engine -> prompt token budget (context minus the answer budget, or the configured one).
        extend_from: solve stages that answered these prompts under a smaller cap, (key, directory) largest cap
            first (`pipeline.stages.extend`): their answers are grown instead of asked afresh.
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
            draws = rec.get("draws")
            for d, ids in enumerate(draws if draws is not None else [None]):
                demos = ranked_demos(rec if ids is None else {"pool_ids": ids}, items)
                text, demo_ids, dropped = _prompt(engine, problem, rec, demos, budget, template)
                seed = solve_seed(sampling.seed, rec["strategy_key"], problem.id, None if ids is None else d)
                requests.append(Request(text, seed=seed))
                meta.append({"problem_id": problem.id, "strategy": rec["strategy"],
                             "strategy_key": rec["strategy_key"], "solver": model_name, "prompt": text,
                             "demo_ids": demo_ids, "dropped_demos": dropped, "sampling": rec.get("sampling") or {},
                             **({} if ids is None else {"draw": d, "n_draws": len(draws)})})
        send, twins = _dedupe_greedy(store, meta, sampling)
        _answer(engine, store, requests, meta, send, twins, sampling, extend_from)
        stage.add_wall_time()  # the solve stage is never complete (a new strategy adds to it)
    wanted = {(rec["strategy_key"], p.id) for recs in demos_by_strategy.values()
              for p, rec in zip(problems, recs, strict=True)}
    return [r for r in store.records() if (r["strategy_key"], r["problem_id"]) in wanted]


def step(ctx: RunContext) -> None:
    """Answer every strategy's prompts; a recipe built from another strategy's answers (auto-cot from
    zero-shot's) is built here, after that strategy is answered, and then answered itself."""
    from pipeline.stages.extend import shorter_stages
    from pipeline.stages.recipes import RecipeArgs, recipe_inputs, run_after_solve
    from pipeline.stages.retrieve import run_retrieve
    from prompts.templates import template_hash

    cfg, sv, problems = ctx.cfg, ctx.cfg.solver, ctx.problems
    sampling = Sampling(n=sv.n, temperature=sv.temperature, top_p=sv.top_p, max_tokens=sv.max_tokens, seed=cfg.seed)
    model_id, template = ctx.identity(sv.model), ctx.solve_template
    stage = StageDir(ctx.run_dir, "solve", {
        "model": model_id, "template": template_hash(template), "dtype": ctx.dtype, "sampling": sampling.as_dict(),
        "prompt_budget": sv.prompt_budget, "max_model_len": cfg.engine.max_model_len})
    ctx.keys["solve"] = stage.key
    extend_from = shorter_stages(stage.path.parent, stage.inputs) if sv.extend_shorter else []

    def solve(demos: dict[str, list[Record]]) -> list[Record]:
        return run_solve(problems, demos, ctx.pool, ctx.engine(sv.model), stage, sampling=sampling,
                         budget_fn=lambda e: sv.prompt_budget or (e.max_model_len - sv.max_tokens),
                         model_name=model_id, template=template, extend_from=extend_from)

    names = solved(cfg.retrieve.strategies, cfg.retrieve.ensemble)
    later = [n for n in names if spec(n).after is not None]
    for name in later:  # what they are built from is answered in the first pass (a no-pool strategy: no demos)
        dep = spec(name).after
        if dep not in ctx.demos:
            dep_stage = StageDir(ctx.run_dir, "retrieve", {"load": ctx.keys["load"], "strategy": dep})
            ctx.demos[dep] = run_retrieve(problems, None, None, dep_stage, strategy=dep, k=0,
                                          scope=cfg.retrieve.scope, params={}, seed=cfg.seed)
    done = stage.store("predictions.jsonl", key=lambda r: (r["strategy_key"], r["problem_id"])).done()
    complete = all((rec["strategy_key"], p.id) in done for recs in ctx.demos.values()
                   for p, rec in zip(problems, recs, strict=True))
    ctx.say(6, f"solve: {len(problems)} problems x {len(ctx.demos) + len(later)} strategies with {sv.model}"
               f"{cached(complete and not later)}")
    predictions = solve(ctx.demos)
    for name in later:
        dep_key = ctx.demos[spec(name).after][0]["strategy_key"] if problems else ""
        after_stage = StageDir(ctx.run_dir, "retrieve", {
            "load": ctx.keys["load"], "solve": stage.key, "embedder": ctx.embedder.identity,
            **recipe_inputs(name, RecipeArgs(k=cfg.retrieve.k, seed=cfg.seed))})
        demos = run_after_solve(name, problems, after_stage, k=cfg.retrieve.k, seed=cfg.seed, benchmark=ctx.bench,
                                answers=[p for p in predictions if p["strategy_key"] == dep_key],
                                vectors_fn=lambda: ctx.queries if ctx.queries is not None else ctx.embedder.encode(
                                    [p.question for p in problems], show_progress=False))
        predictions += solve({name: demos})
    ctx.predictions = [p for p in predictions if p["strategy"] in names]
