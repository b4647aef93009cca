"""Stage *sample*: `n` chain-of-thought solutions per generated question, from the pool solver.

One record per generated question: ``{"gen_id", "problem_id", "question", "solver", "samples":
[{"sample_id", "text", "answer", "n_tokens", "finish_reason"}], "majority", "agreement"}``. `majority` is the
label-free self-consistency answer (no gold exists for generated questions). A sample cut at ``max_tokens``
(``finish_reason == "length"``) keeps its text but gets no answer: it takes no part in the vote and can never
enter the pool.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from eval.checker.grade import extract_answer, is_equiv
from eval.report.metrics import vote
from pipeline.engines.base import Engine, Request, Sampling, truncated
from pipeline.stages.common import request_seed
from pipeline.stages.context import RunContext, cached
from pipeline.store import Record, StageDir
from prompts.solve import solve_messages


def flatten_questions(generated: Sequence[Record]) -> list[dict[str, str]]:
    """The generated questions of all problems, in a stable order."""
    return [{"gen_id": q["gen_id"], "problem_id": g["problem_id"], "question": q["question"]}
            for g in generated for q in g["questions"]]


def summarize_samples(answers: list[str | None]) -> tuple[str | None, float]:
    """Majority answer and the share of samples agreeing with it (0 when nothing was extracted)."""
    majority, count = vote(answers, equiv=is_equiv)  # one grouping pass: the checker runs once per pair
    return majority, (count / len(answers)) if majority is not None else 0.0


def run_sample(generated: Sequence[Record], engine_fn: Callable[[], Engine], stage: StageDir, *, sampling: Sampling,
               benchmark: str | None, model_name: str, template: str = "solve") -> list[Record]:
    """Sample solutions for every generated question not done yet; returns all records."""
    store = stage.store("solutions.jsonl", key=lambda r: r["gen_id"])
    questions = flatten_questions(generated)
    done = store.done()
    todo = [q for q in questions if q["gen_id"] not in done]
    if todo:
        engine = engine_fn()
        requests = [Request(engine.apply_chat_template(solve_messages(q["question"], [], template)),
                            seed=request_seed(sampling.seed, "sample", q["gen_id"])) for q in todo]
        for i, result in engine.generate(requests, sampling):
            q = todo[i]
            samples = [{"sample_id": j, "text": c.text, "n_tokens": c.n_tokens, "finish_reason": c.finish_reason,
                        "answer": None if truncated(c.finish_reason) else extract_answer(c.text, benchmark)}
                       for j, c in enumerate(result.completions)]
            majority, agreement = summarize_samples([s["answer"] for s in samples])
            store.append([{**q, "solver": model_name, "samples": samples, "majority": majority,
                           "agreement": agreement, "n_prompt_tokens": result.n_prompt_tokens}])
    stage.mark_complete()
    by_id = {r["gen_id"]: r for r in store.records()}
    return [by_id[q["gen_id"]] for q in questions if q["gen_id"] in by_id]


def step(ctx: RunContext) -> None:
    """Sample the pool solver's solutions for the generated questions (only with a pool)."""
    if not ctx.needs_pool:
        return
    from prompts.templates import template_hash

    s, template = ctx.cfg.sample, ctx.solve_template
    sampling = Sampling(n=s.n, temperature=s.temperature, top_p=s.top_p, max_tokens=s.max_tokens, seed=ctx.cfg.seed)
    model_id = ctx.identity(ctx.cfg.pool_model)
    stage = StageDir(ctx.run_dir, "sample", {
        "generate": ctx.keys["generate"], "model": model_id, "template": template_hash(template),
        "dtype": ctx.dtype, "sampling": sampling.as_dict(), "benchmark": ctx.bench, "truncated": "no answer"})
    n_questions = sum(len(r["questions"]) for r in ctx.generated)
    ctx.say(3, f"sample: {s.n} solutions for each of {n_questions} generated questions "
               f"with {ctx.cfg.pool_model}{cached(stage.complete)}")
    ctx.solutions = run_sample(ctx.generated, ctx.engine(ctx.cfg.pool_model), stage, sampling=sampling,
                               benchmark=ctx.bench, model_name=model_id, template=template)
    ctx.keys["sample"] = stage.key
