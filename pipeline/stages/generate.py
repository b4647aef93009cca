"""Stage *generate*: `k` new questions similar to each test question, from the generator model.

One record per test problem (its questions travel together, so a resumed run never holds half a list):
``{"problem_id", "generator", "raw", "questions": [{"gen_id", "question"}], "dropped"}``.
The test question is only ever shown to the generator; near-copies of it (and of the template's own
example) are dropped so the pool never holds the test question itself.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from eval.benchmarks import Problem
from pipeline.llm import Engine, Request, Sampling
from pipeline.stages.common import request_seed
from pipeline.store import Record, StageDir
from prompts.generate import EXAMPLE_TEXTS, filter_near_copies, generate_messages, parse_generated


def run_generate(problems: Sequence[Problem], engine_fn: Callable[[], Engine], stage: StageDir, *, k: int,
                 sampling: Sampling, near_copy_threshold: float, model_name: str) -> list[Record]:
    """Generate questions for every problem not done yet; returns all records in problem order."""
    store = stage.store("generated.jsonl", key=lambda r: r["problem_id"])
    done = store.done()
    todo = [p for p in problems if p.id not in done]
    if todo:
        engine = engine_fn()
        requests = [Request(engine.apply_chat_template(generate_messages(p.question, k)),
                            seed=request_seed(sampling.seed, "generate", p.id)) for p in todo]
        for i, result in engine.generate(requests, sampling):
            problem = todo[i]
            raw = result.completions[0].text
            parsed = parse_generated(raw, k)
            kept = filter_near_copies(parsed, [problem.question, *EXAMPLE_TEXTS], threshold=near_copy_threshold)
            store.append([{
                "problem_id": problem.id,
                "generator": model_name,
                "raw": raw,
                "questions": [{"gen_id": f"{problem.id}/g{j}", "question": q} for j, q in enumerate(kept)],
                "dropped": len(parsed) - len(kept),
                "n_prompt_tokens": result.n_prompt_tokens, "n_tokens": result.completions[0].n_tokens,
                "finish_reason": result.completions[0].finish_reason,
            }])
    stage.mark_complete()
    by_id = {r["problem_id"]: r for r in store.records()}
    return [by_id[p.id] for p in problems if p.id in by_id]
