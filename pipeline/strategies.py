"""Every strategy saicot runs, in one table: what it needs, which study axes change it, how it gets its demos.

Three ways to get a prompt's demos (``how``):

* ``select``: a `retriever.registry.Strategy` picks rows of the self-consistent pool (`retriever.strategies`,
  `retriever.udr`); ``params`` maps its constructor parameters to ``retrieve`` config fields.
* ``recipe``: a baseline from the literature builds its demos from other records (`pipeline.stages.recipes`,
  builders in `pipeline.baselines`); it is not a pool selection.
* ``vote``: no prompt of its own; it votes over other strategies' answers at scoring time.

A strategy registered with ``@register`` in `retriever.registry` and absent here (a plugin, a test's toy
strategy) is a pool ``select`` strategy with every axis: adding one needs its registration and nothing else.

Example:
    >>> spec("knn").needs_pool, spec("zero-shot").axes, spec("auto-cot").how
    (True, ('solver',), 'recipe')
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

POOL_AXES = ("generator", "solver", "k", "scope")


@dataclass(frozen=True)
class StrategySpec:
    """One row of the strategy table.

    Attributes:
        name: the name in ``retrieve.strategies``.
        how: "select" (a pool `Strategy`), "recipe" (a baseline that builds its demos), "vote" (over others).
        needs_pool: it needs the generate and sample stages (so the question generator matters).
        axes: study axes its predictions depend on (besides the benchmark and seed).
        demos: it puts demos in the prompt (a run warns when it got fewer than ``k``).
        params: ``(constructor parameter, retrieve config field)`` pairs, part of its cache key.
        per_sample: each of ``retrieve.sc_samples`` samples (at ``sc_temperature``) gets its own demos, the
            strategy's draws; the answers are voted like self-consistency's.
        about: one line for the table.
    """

    name: str
    how: Literal["select", "recipe", "vote"]
    needs_pool: bool
    axes: tuple[str, ...]
    demos: bool = True
    params: tuple[tuple[str, str], ...] = ()
    per_sample: bool = False
    about: str = ""


TABLE: dict[str, StrategySpec] = {s.name: s for s in [
    StrategySpec("zero-shot", "select", False, ("solver",), demos=False, about="no demos"),
    StrategySpec("random", "select", True, POOL_AXES, about="k pool rows at random (seeded per question)"),
    StrategySpec("long", "select", True, POOL_AXES, about="the k pool rows with the most reasoning steps"),
    StrategySpec("knn", "select", True, POOL_AXES, about="the k nearest pool questions (FAISS)"),
    StrategySpec("mmr", "select", True, POOL_AXES, params=(("lambda_", "mmr_lambda"),),
                 about="maximal marginal relevance over the 50 nearest"),
    StrategySpec("knn-gated", "select", True, POOL_AXES, params=(("quantile", "gate_quantile"),),
                 about="knn, except no demos for the gate_quantile share with the least similar demos"),
    StrategySpec("knn-sc", "select", True, POOL_AXES, params=(("draws", "sc_samples"),), per_sample=True,
                 about="self-consistency, each sample with its own k demos drawn from the 4k nearest"),
    StrategySpec("udr", "select", True, POOL_AXES,
                 about="knn in the space of the encoder trained by `saicot udr train` on this pool"),
    StrategySpec("manual-8shot", "recipe", False, ("solver",), about="the 8 standard GSM8K exemplars"),
    StrategySpec("self-consistency", "recipe", False, ("solver",), demos=False,
                 about="zero-shot, retrieve.sc_samples samples at sc_temperature, majority vote"),
    StrategySpec("analogical", "recipe", False, ("solver", "k"), demos=False,
                 about="the solver recalls k problems of its own, then solves (one pass)"),
    StrategySpec("auto-cot", "recipe", False, ("solver", "k"),
                 about="k-means over test questions, one zero-shot chain per cluster"),
    StrategySpec("self-icl", "recipe", True, ("generator", "solver", "k"),
                 about="the question's own generated questions, first answered sample, no filter"),
    StrategySpec("ensemble", "vote", True, POOL_AXES, demos=False,
                 about="majority vote over retrieve.ensemble's answers (one per strategy)"),
]}


def spec(name: str) -> StrategySpec:
    """The table row of `name`; a strategy only registered in `retriever.registry` is a pool select.

    Raises:
        KeyError: `name` is neither in the table nor registered.
    """
    if name in TABLE:
        return TABLE[name]
    from retriever.registry import available

    if name in available():
        return StrategySpec(name, "select", True, POOL_AXES, about="registered in retriever.registry")
    raise KeyError(name)


def known() -> list[str]:
    """Every name a run accepts: the table's and the registry's."""
    from retriever.registry import available

    return sorted({*TABLE, *available()})


def needs_pool(name: str) -> bool:
    """Whether strategy `name` needs the generated pool (generate + sample stages)."""
    return spec(name).needs_pool


def strategy_axes(name: str) -> tuple[str, ...]:
    """The study axes (generator, solver, k, scope) that change strategy `name`'s predictions."""
    return spec(name).axes


def is_recipe(name: str) -> bool:
    """True for the baselines whose demos `pipeline.stages.recipes` builds."""
    return spec(name).how == "recipe"


def strategy_params(name: str, retrieve_cfg: Any) -> dict[str, Any]:
    """A select strategy's constructor parameters, read from the ``retrieve`` config section."""
    return {param: getattr(retrieve_cfg, field) for param, field in spec(name).params}


def solved(strategies: list[str], ensemble: list[str]) -> list[str]:
    """The strategies whose prompts a run answers: the ``vote`` rows' members instead of the vote itself."""
    members = ensemble if "ensemble" in strategies else []
    return list(dict.fromkeys(n for n in [*strategies, *members] if spec(n).how != "vote"))
