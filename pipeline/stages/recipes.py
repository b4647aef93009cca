"""Stage *retrieve* for the baseline recipes (`pipeline.baselines`): demos written inline.

Records have the shape of the retrieve stage's (``problem_id, strategy, strategy_key, pool_ids``) plus
``demos: [{"id", "question", "solution"}]`` (used instead of pool rows) and, for analogical prompting,
``template: "analogical"`` and ``recall: n``. Each recipe's stage key holds exactly what its demos
depend on, so the solve stage caches its predictions like any strategy's.

Which recipe a strategy uses is its ``recipe`` in the strategy table (`pipeline.strategies`); this module knows
recipes, not strategy names.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from eval.benchmarks import Problem
from pipeline.baselines import autocot_demos, manual_demos, self_icl_demos
from pipeline.store import Record, StageDir
from pipeline.strategies import spec


@dataclass(frozen=True)
class RecipeArgs:
    """What the recipes read from a run: ``k``, the seed, the pool's sample stage (key and records) and
    self-consistency's (samples, temperature) from ``retrieve.sc_samples``/``sc_temperature``."""

    k: int
    seed: int
    sample_key: str | None = None
    solutions: Sequence[Record] = ()
    sc: tuple[int, float] | None = None


def _sampled_inputs(name: str, a: RecipeArgs) -> dict[str, Any]:
    n, temperature = _sc(a.sc)
    return {"strategy": name, "n": n, "temperature": temperature}


def _manual_inputs(name: str, a: RecipeArgs) -> dict[str, Any]:
    blob = json.dumps(manual_demos(), sort_keys=True).encode()
    return {"strategy": name, "demos": hashlib.sha256(blob).hexdigest()[:16]}


def _recall_inputs(name: str, a: RecipeArgs) -> dict[str, Any]:
    from prompts.templates import template_hash

    return {"strategy": name, "template": template_hash("analogical"), "k": a.k}


def _own_pool_inputs(name: str, a: RecipeArgs) -> dict[str, Any]:
    if a.sample_key is None:
        raise ValueError(f"{name} needs the sample stage (a generated pool)")
    return {"strategy": name, "sample": a.sample_key, "k": a.k}


def _clusters_inputs(name: str, a: RecipeArgs) -> dict[str, Any]:
    return {"strategy": name, "k": a.k, "seed": a.seed, "heuristics": {"max_question_words": 60, "max_steps": 5}}


def _sc(sc: tuple[int, float] | None) -> tuple[int, float]:
    if sc is None:
        raise ValueError("a sampled recipe needs sc=(samples, temperature)")
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


def _sampled(name: str, problems: Sequence[Problem], stage: StageDir, a: RecipeArgs) -> list[Record]:
    """No demos; the records carry ``sampling: {"n", "temperature"}``, used instead of the solver's."""
    n, temperature = _sc(a.sc)
    return _write(problems, stage, name, [[] for _ in problems], sampling={"n": n, "temperature": temperature})


def _manual(name: str, problems: Sequence[Problem], stage: StageDir, a: RecipeArgs) -> list[Record]:
    # pack_demos puts its first-ranked demo last: rank them in reverse to keep the published order
    ranked = manual_demos()[::-1]
    return _write(problems, stage, name, [ranked for _ in problems])


def _own_pool(name: str, problems: Sequence[Problem], stage: StageDir, a: RecipeArgs) -> list[Record]:
    return _write(problems, stage, name, self_icl_demos([p.id for p in problems], a.solutions, a.k))


def _recall(name: str, problems: Sequence[Problem], stage: StageDir, a: RecipeArgs) -> list[Record]:
    return _write(problems, stage, name, [[] for _ in problems], template="analogical", recall=max(1, a.k))


#: recipe -> (its stage inputs, its builder); the strategy table names the recipe each strategy uses
RECIPES: dict[str, tuple[Callable[[str, RecipeArgs], dict[str, Any]], Callable[..., list[Record]] | None]] = {
    "sampled": (_sampled_inputs, _sampled),
    "manual": (_manual_inputs, _manual),
    "recall": (_recall_inputs, _recall),
    "own-pool": (_own_pool_inputs, _own_pool),
    "clusters": (_clusters_inputs, None),  # built after solve from answers: `run_after_solve`
}


def recipe_inputs(name: str, args: RecipeArgs) -> dict[str, Any]:
    """The retrieve-stage cache inputs of strategy `name`'s recipe (auto-cot's stage adds its embedder and solve
    keys)."""
    return RECIPES[_recipe(name)][0](name, args)


def run_recipe(name: str, problems: Sequence[Problem], stage: StageDir, args: RecipeArgs) -> list[Record]:
    """The demos of strategy `name`'s recipe for every problem (not the ones built after solve)."""
    build = RECIPES[_recipe(name)][1]
    if build is None:
        raise ValueError(f"{name}'s demos are built after solve (run_after_solve)")
    return build(name, problems, stage, args)


def _recipe(name: str) -> str:
    recipe = spec(name).recipe
    if recipe not in RECIPES:
        raise ValueError(f"unknown baseline recipe {name!r}")
    return recipe


def run_after_solve(name: str, problems: Sequence[Problem], stage: StageDir, *, k: int, seed: int,
                    vectors_fn: Callable[[], np.ndarray], answers: Sequence[Record],
                    benchmark: str | None) -> list[Record]:
    """Auto-CoT demos from the answers of the strategy it depends on (``answers``: solve-stage records).

    Args:
        vectors_fn: the test questions' embeddings (called only when the stage is not done yet).
    """
    if stage.complete:
        return _write(problems, stage, name, [])
    from eval.checker.grade import extract_answer

    by_id = {r["problem_id"]: r for r in answers}
    chains = []
    for p in problems:
        text = by_id[p.id]["samples"][0]["text"] if p.id in by_id else ""
        chains.append((text, extract_answer(text, benchmark) if text else None))
    demos = autocot_demos([p.id for p in problems], [p.question for p in problems], vectors_fn(), chains, k,
                          seed=seed)
    # most representative cluster first in rank; pack_demos then puts it nearest the question
    return _write(problems, stage, name, demos)
