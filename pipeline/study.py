"""`saicot study`: a grid over generator, solver, strategy, number of demos (k) and pool scope.

A study is a base run config plus ``grid:`` lists. It runs as ordinary pipeline runs that share ONE stage
cache (the study directory), so content-keyed stages are computed once: one generated pool per generator
serves every solver, strategy and k; a solver's zero-shot (and other pool-free) answers serve every
generator. Each run's scores go to ``STUDY_DIR/runs/<name>/``; the study report (``report.md``, plots,
``summary.json``, ``cells.csv``) is written at the study directory's root from those records alone.

The grid's ``generator`` also samples the pool's solutions (``sample.model``) unless the base config
names a pool solver, so a pool belongs to its generator and the transfer heatmap reads generator -> solver.

Example config::

    study_dir: runs/study-small
    base: {benchmark: {name: gsm8k, limit: 10}, retrieve: {k: 2}}
    grid:
      generator: [qwen2.5-coder-0.5b, smollm2-135m]
      solver: [qwen2.5-coder-0.5b, smollm2-135m]
      strategy: [zero-shot, knn, mmr, self-icl, auto-cot]
      k: [2, 4]
      scope: [global]
    arms:   # a grid of its own for a few cells; missing axes take the main grid's values
      - {generator: [qwen2.5-coder-1.5b], strategy: [knn, random]}
      # a variant: the same axes under changed settings (merged into base), its cells named by `variant`
      - {variant: no-filter, set: {sample: {self_consistency: false}}, strategy: [knn]}
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from eval.report.study import Cell
from pipeline.config import RunConfig, build_config
from pipeline.errors import SaicotError
from pipeline.store import write_json_atomic
from pipeline.strategies import strategy_axes


class GridConfig(BaseModel):
    """The study's axes; an axis left out takes the base config's single value."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    generator: list[str] | None = Field(None, min_length=1)
    solver: list[str] | None = Field(None, min_length=1)
    strategy: list[str] | None = Field(None, min_length=1)
    k: list[int] | None = Field(None, min_length=1)
    scope: list[Literal["own", "global"]] | None = Field(None, min_length=1)


class ArmConfig(GridConfig):
    """A smaller grid beside the main one; with `variant`, its runs also take the `set` overrides of the base.

    A variant names cells that differ from the main grid's in a setting that is not an axis (e.g. the pool
    filter off): its runs are separate runs (``<name>--<variant>``) whose config is the base with `set`
    merged in, and claims select its cells with ``variant: <name>``. The stage cache still shares every stage
    the overrides leave unchanged (a pool-filter variant reuses the generated and sampled pool).
    """

    variant: str | None = Field(None, pattern=r"^[A-Za-z0-9._-]+$", description="label of the arm's cells")
    set: dict[str, Any] = Field(default_factory=dict, description="base-config overrides, e.g. "
                                "{sample: {self_consistency: false}}; needs a variant")

    @model_validator(mode="after")
    def _set_needs_variant(self) -> ArmConfig:
        if self.set and not self.variant:
            raise ValueError("an arm with `set` overrides needs a `variant` name for its cells")
        return self


class ClaimConfig(BaseModel):
    """A claim the study answers: cell `a` beats cell `b` (selectors by axis, see `eval.report.claims`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    claim: str
    a: dict[str, str | int]
    b: dict[str, str | int]
    earlier: str | None = Field(None, description="the claim this one re-judges under new conditions (e.g. a "
                                "larger answer cap): report.md shows that claim's verdict beside this one's")

    @field_validator("a", "b")
    @classmethod
    def _axes(cls, selector: dict[str, str | int]) -> dict[str, str | int]:
        from eval.report.claims import SELECTOR_AXES

        if not selector or set(selector) - set(SELECTOR_AXES):
            raise ValueError(f"a cell selector needs axes among {', '.join(SELECTOR_AXES)}; got {sorted(selector)}")
        return selector


class LeftOutConfig(BaseModel):
    """A cell the study's question calls for but the grid does not run, and why (shown in report.md)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    cell: str = Field(min_length=1, description="what is left out, e.g. 'udr (0.5b pool, 0.5b solver)'")
    why: str = Field(min_length=1, description="why, with what it would cost")


class StudyConfig(BaseModel):
    """A whole study: where it lives, the base run config, the grid and the claims its report answers."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    study_dir: Path = Path("runs/study")
    base: dict[str, Any] = Field(default_factory=dict)
    grid: GridConfig = GridConfig()
    arms: list[ArmConfig] = Field(default_factory=list, description="more grids on the same base, e.g. another "
                                   "generator for a few strategies only (missing axes: the main grid's)")
    claims: list[ClaimConfig] = Field(default_factory=list)
    claim_margin: float = Field(0.02, ge=0, le=1, description="a claim is refuted when a gain this large is ruled out")
    left_out: list[LeftOutConfig] = Field(default_factory=list, description="cells not run, each with why")

    @model_validator(mode="after")
    def _earlier_claims_exist(self) -> StudyConfig:
        names = [c.claim for c in self.claims]
        for i, c in enumerate(self.claims):
            if c.earlier is not None and (c.earlier == c.claim or c.earlier not in names):
                raise ValueError(f"claims[{i}].earlier {c.earlier!r} must name another claim of this study")
        return self


@dataclass(frozen=True)
class PlannedRun:
    """One pipeline run of the study: a (generator, solver, k, scope) with the strategies it owns."""

    name: str
    generator: str
    solver: str
    k: int
    scope: str
    strategies: tuple[str, ...]
    variant: str | None = None
    overrides: dict[str, Any] = field(default_factory=dict)  # merged into the base config (a variant arm's `set`)


@dataclass
class StudyPlan:
    runs: list[PlannedRun] = field(default_factory=list)
    cells: list[Cell] = field(default_factory=list)


@dataclass
class StudyResult:
    plan: StudyPlan
    engine_loads: list[str]  # models loaded, in order (a fully cached study loads none)


def load_study_config(path: Path | str, study_dir: Path | None = None) -> StudyConfig:
    """Read and validate a study YAML (the base config is validated as a run config too)."""
    from pipeline.config import read_yaml

    data = read_yaml(path, "study config")
    if study_dir is not None:
        data["study_dir"] = str(study_dir)
    try:
        cfg = StudyConfig.model_validate(data)
    except ValidationError as err:
        where = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in err.errors())
        raise SaicotError(f"config error in {path}: {where}") from None
    build_config(cfg.base, source=f"{path} (base)")
    for i, arm in enumerate(cfg.arms):
        if arm.set:
            build_config(deep_merge(cfg.base, arm.set), source=f"{path} (arms[{i}] {arm.variant}: base + set)")
    return cfg


def deep_merge(base: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """`base` with `overrides` merged in, mappings recursively (neither argument is changed)."""
    out = dict(base)
    for key, value in overrides.items():
        out[key] = deep_merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) \
            else value
    return out


def slug(model: str) -> str:
    """A short file-name-safe label for a model alias or path (its last path component)."""
    name = Path(str(model).rstrip("/")).name or str(model)
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name)


def plan_study(cfg: StudyConfig) -> StudyPlan:
    """Expand the grid, then each arm, into runs and cells.

    Runs go generator by generator; within one, the solver equal to the generator comes first (its engine
    is already loaded) so a 2x2 model grid loads three engines, not eight. A cell belongs to the first run
    that covers its relevant axes (`pipeline.strategies.strategy_axes`); later runs do not repeat it. An arm
    is a grid of its own whose missing axes take the main grid's values; its runs come after the main grid's
    (a run of the same name, i.e. the same generator, solver, k and scope, gains the arm's strategies). A
    variant arm's cells are its own (named by the variant), whatever their axes.
    """
    base = build_config(cfg.base)
    g = cfg.grid
    main = {"generator": g.generator or [base.generator.model], "solver": g.solver or [base.solver.model],
            "strategy": g.strategy or list(base.retrieve.strategies), "k": g.k or [base.retrieve.k],
            "scope": g.scope or [base.retrieve.scope]}
    plan = StudyPlan()
    owned: dict[str, list[str]] = {}
    runs: dict[str, PlannedRun] = {}
    seen: set[tuple[Any, ...]] = set()
    arms = [{**main, **arm.model_dump(exclude_none=True, exclude={"set"}), "set": arm.set} for arm in cfg.arms]
    for grid in [main, *arms]:
        solvers, variant = grid["solver"], grid.get("variant")
        for gen in grid["generator"]:
            for solver in sorted(solvers, key=lambda s: (s != gen, solvers.index(s))):
                for k in grid["k"]:
                    for scope in grid["scope"]:
                        axes_value = {"generator": gen, "solver": solver, "k": k, "scope": scope}
                        name = f"{slug(gen)}--{slug(solver)}--k{k}--{scope}" + (f"--{variant}" if variant else "")
                        for strategy in grid["strategy"]:
                            rel = strategy_axes(strategy)
                            ident = (strategy, variant, *(axes_value[a] if a in rel else None for a in
                                                          ("generator", "solver", "k", "scope")))
                            if ident in seen:
                                continue
                            seen.add(ident)
                            owned.setdefault(name, []).append(strategy)
                            runs.setdefault(name, PlannedRun(name, gen, solver, k, scope, (), variant,
                                                             grid.get("set") or {}))
                            plan.cells.append(Cell(run=name, strategy=strategy, solver=solver,
                                                   generator=ident[2], k=ident[4], scope=ident[5], variant=variant))
    plan.runs = [dataclasses.replace(run, strategies=tuple(owned[name])) for name, run in runs.items()]
    return plan


def run_config(cfg: StudyConfig, run: PlannedRun, *, dtype: str | None = None) -> RunConfig:
    """The pipeline config of one planned run (stage cache: the study directory)."""
    data = deep_merge(yaml.safe_load(yaml.safe_dump(cfg.base)), run.overrides)
    data.setdefault("generator", {})["model"] = run.generator
    if not (data.get("sample") or {}).get("model"):
        data.setdefault("sample", {})["model"] = run.generator
    data.setdefault("solver", {})["model"] = run.solver
    data.setdefault("retrieve", {}).update({"k": run.k, "scope": run.scope, "strategies": list(run.strategies)})
    if dtype is not None:
        data.setdefault("engine", {})["dtype"] = dtype
    return build_config(data, run_dir=cfg.study_dir)


def run_study(cfg: StudyConfig, hooks: Any = None, *, report: bool = True, cached_only: bool = False
              ) -> StudyResult:
    """Run (or resume) every planned run, then write the study report.

    Engines are shared across runs (one loaded at a time), so consecutive runs with the same model do not
    reload it. A killed study resumes where it stopped: re-run the same command.

    With `cached_only`, no LLM engine is ever loaded: a run whose records are not all in the cache stops the
    study with its name (nothing is lost; its finished stages stay). That is how a report of the finished cells
    is made while other cells are still being computed (on a copy of the study directory, which the running
    study keeps locked).
    """
    from pipeline.lock import run_lock
    from pipeline.runner import RunHooks

    hooks = hooks or RunHooks()
    from pipeline.preflight import check_config

    plan = plan_study(cfg)
    for run in plan.runs:  # every cell's names are checked before the first model loads
        check_config(run_config(cfg, run), models=hooks.engine_factory is None,
                     embedder=hooks.embedder_factory is None)
    study_dir = Path(cfg.study_dir)
    with run_lock(study_dir):
        return _run_study(cfg, hooks, plan, study_dir, report, cached_only)


def _run_study(cfg: StudyConfig, hooks: Any, plan: Any, study_dir: Path, report: bool, cached_only: bool
               ) -> StudyResult:
    from rich.console import Console

    from pipeline.engines import Borrowed, EngineManager, stage_dtype
    from pipeline.runner import RunHooks, run_pipeline

    console = Console(stderr=True)
    study_dir.mkdir(parents=True, exist_ok=True)
    write_json_atomic(study_dir / "study.json", {
        "base": cfg.base, "grid": cfg.grid.model_dump(), "arms": [a.model_dump() for a in cfg.arms],
        "runs": [asdict(r) for r in plan.runs], "cells": [asdict(c) for c in plan.cells],
        "claims": [c.model_dump() for c in cfg.claims], "claim_margin": cfg.claim_margin,
        "left_out": [x.model_dump() for x in cfg.left_out]})
    base_engine = build_config(cfg.base).engine
    dtype = None
    if hooks.engine_factory is None:  # keep the real engine's stage keys identical to plain `saicot run`s
        dtype = stage_dtype(base_engine)
    def refuse(model: str, _cfg: Any) -> Any:  # --cached-only's factory; called inside the loop below
        raise SaicotError(f"--cached-only: study run {run.name} has work that is not cached (it would load "
                          f"{model}); drop its cell from the config, or run without --cached-only")

    with EngineManager(base_engine, refuse if cached_only else hooks.engine_factory) as shared:
        run_hooks = RunHooks(engine_factory=lambda model, _c: Borrowed(shared.get(model)),
                             embedder_factory=hooks.embedder_factory, identity=hooks.identity)
        for i, run in enumerate(plan.runs, 1):
            console.rule(f"[bold]study run {i}/{len(plan.runs)}: {run.name} ({', '.join(run.strategies)})")
            run_pipeline(run_config(cfg, run, dtype=dtype), run_hooks, results_dir=study_dir / "runs" / run.name)
        loads = list(shared.loads)
    if report:
        from eval.report.write import write_report
        from pipeline.strategies import report_roles

        write_report(study_dir, roles=report_roles())
    console.print(f"study finished: {len(plan.runs)} runs, {len(plan.cells)} cells; engines loaded: "
                  f"{', '.join(loads) or 'none (all cached)'}; report in {study_dir / 'report.md'}")
    return StudyResult(plan=plan, engine_loads=loads)
