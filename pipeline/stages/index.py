"""Stage *index*: filter the sampled solutions into a demo pool, embed it, persist a FAISS index.

Outputs in the stage directory: ``pool.jsonl`` (one demo per generated question), ``pool.faiss`` +
``pool.index.json`` (records the embedder identity; loading with another embedder is an error) and
``queries.npy`` (the test questions embedded with the same model, for retrieval).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from eval.benchmarks import Problem
from eval.checker.grade import is_equiv
from pipeline.stages.context import RunContext, cached
from pipeline.store import Record, StageDir
from prompts.generate import asks_question
from retriever.strategies import Pool, PoolItem


@dataclass(frozen=True)
class PoolFilter:
    """Label-free filters: keep a question only if enough samples agree (and, optionally, if it asks something)."""

    self_consistency: bool = True
    min_agreement: float = 0.5
    questions_only: bool = False

    def key(self) -> dict[str, Any]:
        """The filter as the index stage's key holds it; an option left off is not named, so the pools built
        before the option existed keep their keys."""
        return {k: v for k, v in asdict(self).items() if k != "questions_only" or v}


def select_demos(solutions: Sequence[Record], flt: PoolFilter) -> list[PoolItem]:
    """One demo per generated question: a sample agreeing with the majority answer (or any answered one)."""
    items = []
    for rec in solutions:
        if flt.questions_only and not asks_question(rec["question"]):
            continue
        if flt.self_consistency:
            if rec["majority"] is None or rec["agreement"] < flt.min_agreement:
                continue
            chosen = next((s for s in rec["samples"]
                           if s["answer"] is not None and is_equiv(s["answer"], rec["majority"])), None)
        else:
            chosen = next((s for s in rec["samples"] if s["answer"] is not None), None)
        if chosen is None:
            continue
        items.append(PoolItem(pool_id=f"{rec['gen_id']}/s{chosen['sample_id']}", problem_id=rec["problem_id"],
                              question=rec["question"], solution=chosen["text"].strip(),
                              answer=chosen["answer"]))
    return items


def embed_text(item: PoolItem, mode: str) -> str:
    return item.question if mode == "question" else f"{item.question}\n{item.solution}"


def run_index(problems: Sequence[Problem], solutions: Sequence[Record], embedder, stage: StageDir, *,
              flt: PoolFilter, text_mode: str) -> tuple[Pool, np.ndarray]:
    """Build (or load) the pool and its index; returns the pool and the test questions' vectors."""
    from retriever.index import VectorIndex

    pool_store = stage.store("pool.jsonl", key=lambda r: r["pool_id"])
    if stage.complete:
        items = [PoolItem(**r) for r in pool_store.records()]
        index = VectorIndex.load(stage.path, expected_embedder_id=embedder.identity)
        vectors = np.load(stage.path / "pool_vectors.npy")
        queries = np.load(stage.path / "queries.npy")
        return Pool(items=items, vectors=vectors, index=index), queries
    items = select_demos(solutions, flt)
    dim = embedder.dim
    vectors = (embedder.encode([embed_text(it, text_mode) for it in items], show_progress=True)
               if items else np.zeros((0, dim), dtype=np.float32))
    queries = embedder.encode([p.question for p in problems], show_progress=False)
    index = VectorIndex.build(vectors, embedder_id=embedder.identity)
    stage.path.mkdir(parents=True, exist_ok=True)
    index.save(stage.path)
    np.save(stage.path / "pool_vectors.npy", vectors)
    np.save(stage.path / "queries.npy", queries)
    if pool_store.path.exists():  # a killed earlier attempt: start the pool file over
        pool_store.path.unlink()
        pool_store = stage.store("pool.jsonl", key=lambda r: r["pool_id"])
    pool_store.append([asdict(it) for it in items])
    stage.mark_complete()
    return Pool(items=items, vectors=vectors, index=index), queries


def pool_tokens(generated: Sequence[Record], solutions: Sequence[Record], n_problems: int) -> float | None:
    """Prompt + generated tokens the pool cost (generate and sample stages) per test problem; None when records
    written before token counts were kept are involved."""
    if any("n_tokens" not in g for g in generated):
        return None
    total = sum(g["n_prompt_tokens"] + g["n_tokens"] for g in generated)
    total += sum(r["n_prompt_tokens"] + sum(s["n_tokens"] for s in r["samples"]) for r in solutions)
    return total / max(n_problems, 1)


def step(ctx: RunContext) -> None:
    """Filter, embed and index the pool (only with a pool); leaves the pool, query vectors and its statistics."""
    if not ctx.needs_pool:
        return
    from eval.report.pool import pool_statistics
    from pipeline.engines.base import truncated

    s = ctx.cfg.sample
    flt = PoolFilter(s.self_consistency, s.min_agreement, s.questions_only)
    stage = StageDir(ctx.run_dir, "index", {"sample": ctx.keys["sample"], "embedder": ctx.embedder.identity,
                                            "text": ctx.cfg.index.text, "filter": flt.key()})
    ctx.say(4, f"index: embedding the pool with {ctx.cfg.index.embedder}{cached(stage.complete)}")
    ctx.pool, ctx.queries = run_index(ctx.problems, ctx.solutions, ctx.embedder, stage, flt=flt,
                                      text_mode=ctx.cfg.index.text)
    ctx.keys["index"] = stage.key
    solutions, n_samples = ctx.solutions, sum(len(r["samples"]) for r in ctx.solutions)
    ctx.pool_stats = {
        **pool_statistics(ctx.generated, solutions, flt.key(), ctx.cfg.generator.k),
        "generated_questions": len(solutions), "pool_size": len(ctx.pool.items),
        "kept_share": len(ctx.pool.items) / len(solutions) if solutions else 0.0,
        "truncated_samples": sum(truncated(x.get("finish_reason")) for r in solutions
                                 for x in r["samples"]) / max(n_samples, 1),
        "tokens_per_problem": pool_tokens(ctx.generated, solutions, len(ctx.problems))}
