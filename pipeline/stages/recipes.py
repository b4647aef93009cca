"""Stage *retrieve* for the baseline recipes (`pipeline.baselines`): demos written inline.

Records have the shape of the retrieve stage's (``problem_id, strategy, strategy_key, pool_ids``) plus
``demos: [{"id", "question", "solution"}]`` (used instead of pool rows) and, for analogical prompting,
``template: "analogical"`` and ``recall: n``. Each recipe's stage key holds exactly what its demos
depend on, so the solve stage caches its predictions like any strategy's.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from eval.benchmarks import Problem
from pipeline.baselines import autocot_demos, manual_demos, self_icl_demos
from pipeline.store import Record, StageDir


def recipe_inputs(name: str, *, k: int, seed: int, sample_key: str | None = None,
                  sc: tuple[int, float] | None = None) -> dict[str, Any]:
    """The retrieve-stage cache inputs of recipe `name` (auto-cot adds its embedder and solve keys).

    Args:
        sc: self-consistency's (samples, temperature), from ``retrieve.sc_samples``/``sc_temperature``.
    """
    from prompts.templates import template_hash

    if name == "self-consistency":
        n, temperature = _sc(sc)
        return {"strategy": name, "n": n, "temperature": temperature}
    if name == "manual-8shot":
        import hashlib
        import json

        blob = json.dumps(manual_demos(), sort_keys=True).encode()
        return {"strategy": name, "demos": hashlib.sha256(blob).hexdigest()[:16]}
    if name == "analogical":
        return {"strategy": name, "template": template_hash("analogical"), "k": k}
    if name == "self-icl":
        if sample_key is None:
            raise ValueError("self-icl needs the sample stage (a generated pool)")
        return {"strategy": name, "sample": sample_key, "k": k}
    if name == "auto-cot":
        return {"strategy": name, "k": k, "seed": seed, "heuristics": {"max_question_words": 60, "max_steps": 5}}
    raise ValueError(f"unknown baseline recipe {name!r}")


def _sc(sc: tuple[int, float] | None) -> tuple[int, float]:
    if sc is None:
        raise ValueError("self-consistency needs sc=(samples, temperature)")
    return sc


def _write(problems: Sequence[Problem], stage: StageDir, strategy: str, demos: Sequence[list[dict[str, str]]],
           **extra: Any) -> list[Record]:
    store = stage.store("demos.jsonl", key=lambda r: r["problem_id"])
    if not stage.complete:
        store.append([{"problem_id": p.id, "strategy": strategy, "strategy_key": stage.key, "pool_ids": [],
                       "demos": list(d), **extra} for p, d in zip(problems, demos, strict=True)])
        stage.mark_complete()
    by_id = {r["problem_id"]: r for r in store.records()}
    return [by_id[p.id] for p in problems]


def run_recipe(name: str, problems: Sequence[Problem], stage: StageDir, *, k: int,
               solutions: Sequence[Record] | None = None, sc: tuple[int, float] | None = None) -> list[Record]:
    """Demos of `manual-8shot`, `self-icl`, `analogical` or `self-consistency` for every problem (auto-cot:
    `run_autocot`). Self-consistency has no demos; its records carry ``sampling: {"n", "temperature"}``, which
    the solve stage uses instead of the solver's."""
    if name == "self-consistency":
        n, temperature = _sc(sc)
        return _write(problems, stage, name, [[] for _ in problems], sampling={"n": n, "temperature": temperature})
    if name == "manual-8shot":
        # pack_demos puts its first-ranked demo last: rank them in reverse to keep the published order
        ranked = manual_demos()[::-1]
        return _write(problems, stage, name, [ranked for _ in problems])
    if name == "self-icl":
        return _write(problems, stage, name, self_icl_demos([p.id for p in problems], solutions or [], k))
    if name == "analogical":
        return _write(problems, stage, name, [[] for _ in problems], template="analogical", recall=max(1, k))
    raise ValueError(f"run_recipe cannot build {name!r}")


def run_autocot(problems: Sequence[Problem], stage: StageDir, *, k: int, seed: int,
                vectors_fn: Callable[[], np.ndarray], zero_shot: Sequence[Record],
                benchmark: str | None) -> list[Record]:
    """Auto-CoT demos from the solver's zero-shot predictions (``zero_shot``: solve-stage records).

    Args:
        vectors_fn: the test questions' embeddings (called only when the stage is not done yet).
    """
    if stage.complete:
        return _write(problems, stage, "auto-cot", [])
    from eval.checker.grade import extract_answer

    by_id = {r["problem_id"]: r for r in zero_shot}
    chains = []
    for p in problems:
        text = by_id[p.id]["samples"][0]["text"] if p.id in by_id else ""
        chains.append((text, extract_answer(text, benchmark) if text else None))
    demos = autocot_demos([p.id for p in problems], [p.question for p in problems], vectors_fn(), chains, k,
                          seed=seed)
    # most representative cluster first in rank; pack_demos then puts it nearest the question
    return _write(problems, stage, "auto-cot", demos)
