"""Every strategy saicot runs, in one table: what it needs, which study axes change it, how it gets its demos.

Four ways to get a prompt's demos (``how``):

* ``none``: no demos (the zero-shot prompt).
* ``select``: a `retriever.registry.Strategy` picks rows of the self-consistent pool (`retriever.strategies`,
  `retriever.udr`); ``params`` maps its constructor parameters to ``retrieve`` config fields.
* ``recipe``: a baseline from the literature builds its demos from other records (``recipe`` names the builder
  in `pipeline.stages.recipes`; `pipeline.baselines`); it is not a pool selection. ``after`` names the strategy
  whose answers it is built from (then it is built after that strategy is solved).
* ``vote``: no prompt of its own; it votes over other strategies' answers at scoring time.

The table's order is the reports' display order; ``role`` marks the strategy every cell is compared with
(``baseline``) and the plain-votes reference at matched compute (``votes``). No stage, report or check names a
strategy: they ask this table.

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
        recipe: the builder of a ``recipe`` strategy's demos (`pipeline.stages.recipes.RECIPES`).
        after: the strategy whose answers a recipe is built from (it is solved first).
        role: ``baseline`` (every cell is compared with it) or ``votes`` (the plain-votes reference).
        member: it may be one of the ensemble's voters (a strategy that already votes may not).
        encoder: ``index`` (selects in the pool index's embedding space) or ``trained`` (the pool and questions
            re-embedded by the encoder `saicot udr train` trained on this pool; its training tokens count in
            the strategy's tokens per question).
        about: one line for the table.
    """

    name: str
    how: Literal["none", "select", "recipe", "vote"]
    needs_pool: bool
    axes: tuple[str, ...]
    demos: bool = True
    params: tuple[tuple[str, str], ...] = ()
    per_sample: bool = False
    recipe: str = ""
    after: str | None = None
    role: Literal["", "baseline", "votes"] = ""
    member: bool = True
    encoder: Literal["index", "trained"] = "index"
    about: str = ""


TABLE: dict[str, StrategySpec] = {s.name: s for s in [  # in the reports' display order
    StrategySpec("zero-shot", "none", False, ("solver",), demos=False, role="baseline", about="no demos"),
    StrategySpec("self-consistency", "recipe", False, ("solver",), demos=False, recipe="sampled", role="votes",
                 member=False, about="zero-shot, retrieve.sc_samples samples at sc_temperature, majority vote"),
    StrategySpec("manual-8shot", "recipe", False, ("solver",), recipe="manual",
                 about="the 8 standard GSM8K exemplars"),
    StrategySpec("analogical", "recipe", False, ("solver", "k"), demos=False, recipe="recall",
                 about="the solver recalls k problems of its own, then solves (one pass)"),
    StrategySpec("auto-cot", "recipe", False, ("solver", "k"), recipe="clusters", after="zero-shot",
                 about="k-means over test questions, one zero-shot chain per cluster"),
    StrategySpec("self-icl", "recipe", True, ("generator", "solver", "k"), recipe="own-pool",
                 about="the question's own generated questions, first answered sample, no filter"),
    StrategySpec("random", "select", True, POOL_AXES, about="k pool rows at random (seeded per question)"),
    StrategySpec("long", "select", True, POOL_AXES, about="the k pool rows with the most reasoning steps"),
    StrategySpec("knn", "select", True, POOL_AXES, about="the k nearest pool questions (FAISS)"),
    StrategySpec("mmr", "select", True, POOL_AXES, params=(("lambda_", "mmr_lambda"),),
                 about="maximal marginal relevance over the 50 nearest"),
    StrategySpec("udr", "select", True, POOL_AXES, encoder="trained",
                 about="knn in the space of the encoder trained by `saicot udr train` on this pool"),
    StrategySpec("knn-gated", "select", True, POOL_AXES, params=(("quantile", "gate_quantile"),),
                 about="knn, except no demos for the gate_quantile share with the least similar demos"),
    StrategySpec("knn-sc", "select", True, POOL_AXES, params=(("draws", "sc_samples"),), per_sample=True,
                 about="self-consistency, each sample with its own k demos drawn from the 4k nearest"),
    StrategySpec("ensemble", "vote", True, POOL_AXES, demos=False, member=False,
                 about="majority vote over retrieve.ensemble's answers (one per strategy)"),
]}

#: a run's strategies and the ensemble's members when the config names none (config defaults)
DEFAULT_STRATEGIES = ("zero-shot", "knn")
DEFAULT_ENSEMBLE = ("zero-shot", "knn", "mmr", "random", "long")
#: the display order of the reports: the table's (a strategy only registered in the retriever comes last)
ORDER = tuple(TABLE)


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


def with_role(role: str) -> str:
    """The strategy that plays `role` (``baseline`` or ``votes``)."""
    return next(s.name for s in TABLE.values() if s.role == role)


def report_roles() -> Any:
    """The roles and display order the reports use (`eval.report.roles.Roles`), from this table."""
    from eval.report.roles import Roles

    return Roles(baseline=with_role("baseline"), votes=with_role("votes"), order=ORDER)


def strategy_params(name: str, retrieve_cfg: Any) -> dict[str, Any]:
    """A select strategy's constructor parameters, read from the ``retrieve`` config section."""
    return {param: getattr(retrieve_cfg, field) for param, field in spec(name).params}


def solved(strategies: list[str], ensemble: list[str]) -> list[str]:
    """The strategies whose prompts a run answers: the ``vote`` rows' members instead of the vote itself."""
    members = ensemble if "ensemble" in strategies else []
    return list(dict.fromkeys(n for n in [*strategies, *members] if spec(n).how != "vote"))
