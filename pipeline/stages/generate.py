"""Stage *generate*: `k` new questions similar to each test question, from the generator model.

One record per test problem (its questions travel together, so a resumed run never holds half a list):
``{"problem_id", "generator", "raw": [reply, ...], "questions": [{"gen_id", "question"}], "dropped",
"n_prompt_tokens", "n_tokens", "finish_reasons"}``. Style "list" asks once for `k` numbered problems (one reply);
style "single" asks for one problem and samples the reply `k` times (`k` replies, one prompt). With
a `start` text (the template's ``[start]``, "1." / "New problem:", when `generator.prefill` is on), each reply
begins with it, stored in `raw`.
The test question is only ever shown to the generator; near-copies of it (and of the template's own
example) are dropped so the pool never holds the test question itself.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from eval.benchmarks import Problem
from pipeline.engines.base import Engine, Request, Sampling
from pipeline.stages.common import request_seed
from pipeline.stages.context import RunContext, cached
from pipeline.store import Record, StageDir
from prompts.generate import EXAMPLE_TEXTS, filter_near_copies, generate_messages, parse_generated


def run_generate(problems: Sequence[Problem], engine_fn: Callable[[], Engine], stage: StageDir, *, k: int,
                 sampling: Sampling, near_copy_threshold: float, model_name: str, style: str = "list",
                 example: str = "system", start: str = "") -> list[Record]:
    """Generate questions for every problem not done yet; returns all records in problem order.

    `start` is pre-filled as the beginning of every reply (`prompts.generate.reply_start` says why it should
    not end in a space).
    """
    store = stage.store("generated.jsonl", key=lambda r: r["problem_id"])
    done = store.done()
    todo = [p for p in problems if p.id not in done]
    if style == "single":
        sampling = replace(sampling, n=k)
    if todo:
        engine = engine_fn()
        requests = [Request(engine.apply_chat_template(generate_messages(p.question, k, style=style,
                                                                         example=example)) + start,
                            seed=request_seed(sampling.seed, "generate", p.id)) for p in todo]
        for i, result in engine.generate(requests, sampling):
            problem = todo[i]
            raw = [start + c.text for c in result.completions]
            parsed = [q for text in raw for q in parse_generated(text, k if style == "list" else 1)]
            kept = filter_near_copies(parsed, [problem.question, *EXAMPLE_TEXTS], threshold=near_copy_threshold)
            store.append([{
                "problem_id": problem.id,
                "generator": model_name,
                "raw": raw,
                "questions": [{"gen_id": f"{problem.id}/g{j}", "question": q} for j, q in enumerate(kept)],
                "dropped": len(parsed) - len(kept),
                "n_prompt_tokens": result.n_prompt_tokens,
                "n_tokens": sum(c.n_tokens for c in result.completions),
                "finish_reasons": [c.finish_reason for c in result.completions],
            }])
    stage.mark_complete()
    by_id = {r["problem_id"]: r for r in store.records()}
    return [by_id[p.id] for p in problems if p.id in by_id]


def step(ctx: RunContext) -> None:
    """Generate the pool's questions (only when a strategy of the run uses the pool)."""
    if not ctx.needs_pool:
        return
    from prompts.generate import STYLES, reply_start
    from prompts.templates import template_hash

    g = ctx.cfg.generator
    sampling = Sampling(n=1, temperature=g.temperature, top_p=g.top_p, max_tokens=g.max_tokens, seed=ctx.cfg.seed)
    model_id = ctx.identity(g.model)
    start = reply_start(g.style) if g.prefill else ""
    legacy = g.prefill == "with-space"  # the key that code recorded: the flag, not the text
    if legacy:
        start += " "
    stage = StageDir(ctx.run_dir, "generate", {
        "load": ctx.keys["load"], "model": model_id, "template": template_hash(STYLES[g.style]), "k": g.k,
        "style": g.style, "example": g.example, "prefill": True if legacy else start,
        "dtype": ctx.dtype, "sampling": sampling.as_dict(), "near_copy_threshold": g.near_copy_threshold})
    ctx.say(2, f"generate: {g.k} questions per problem with {g.model}{cached(stage.complete)}")
    ctx.generated = run_generate(ctx.problems, ctx.engine(g.model), stage, k=g.k, sampling=sampling,
                                 near_copy_threshold=g.near_copy_threshold, model_name=model_id, style=g.style,
                                 example=g.example, start=start)
    ctx.keys["generate"] = stage.key
