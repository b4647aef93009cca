"""The stage runner: a run is the list `STAGES` (load → generate → sample → index → retrieve → solve), then score.

Each stage module owns its step (`pipeline.stages.context`): the inputs that change its output make its
stage directory's key, so changing the solver reuses generated questions, adding a strategy reuses the pool,
and re-running a finished run touches no engine. Engines are loaded lazily, one at a time. Adding a stage
means writing its module's ``step(ctx)`` and adding it to `STAGES`.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.config import RunConfig
from pipeline.engines import EngineFactory, EngineManager
from pipeline.stages import generate, index, load, retrieve, sample, score, solve
from pipeline.stages.context import RunContext, console
from pipeline.store import write_text_atomic

STAGES: list[Callable[[RunContext], None]] = [load.step, generate.step, sample.step, index.step, retrieve.step,
                                             solve.step]


@dataclass
class RunHooks:
    """Injection points for tests and other backends (defaults: vLLM, packaged models, MiniLM)."""

    engine_factory: EngineFactory | None = None
    embedder_factory: Callable[[str], Any] | None = None
    identity: Callable[[str], str] | None = None


@dataclass
class RunResult:
    """What a run produced: the summary dict and where its files are."""

    run_dir: Path
    summary: dict[str, Any]
    engine_loads: list[str] = field(default_factory=list)


def _identity(hooks: RunHooks) -> Callable[[str], str]:
    if hooks.identity is not None:
        return hooks.identity
    from pipeline.models import model_identity

    return model_identity


def _minilm(name: str) -> Any:
    from pipeline.models import resolve
    from retriever.embed import Embedder

    return Embedder(resolve(name))


def run_pipeline(cfg: RunConfig, hooks: RunHooks | None = None, *, results_dir: Path | None = None) -> RunResult:
    """Run (or resume) every stage for `cfg` and write scores, summary and report into `cfg.run_dir`.

    Names in `cfg` are checked before anything runs (`pipeline.preflight`), and the run directory is locked
    for the run's life (`pipeline.lock`): a second writer is refused at once.

    Args:
        results_dir: where config.yaml, scores.jsonl and summary.json go (default: the run directory, which
            also gets report.md and report.html). A study keeps one stage cache and one results directory per run
            and writes one report for all of them.
    """
    from pipeline.lock import run_lock
    from pipeline.preflight import check_config

    hooks = hooks or RunHooks()
    check_config(cfg, models=hooks.engine_factory is None, embedder=hooks.embedder_factory is None)
    with run_lock(cfg.run_dir):
        return _run_pipeline(cfg, hooks, results_dir)


def _run_pipeline(cfg: RunConfig, hooks: RunHooks, results_dir: Path | None) -> RunResult:
    from eval.report.run import print_table

    run_dir = Path(cfg.run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    out_dir = Path(results_dir) if results_dir is not None else run_dir
    os.environ.setdefault("SAICOT_ENGINE_LOG", str(run_dir.resolve() / "engine.log"))
    if hooks.engine_factory is None:
        from pipeline.engines import configure_engine_logs

        configure_engine_logs()  # before anything imports vllm (the stages' dtype may)
    write_text_atomic(out_dir / "config.yaml", cfg.to_yaml())
    ctx = RunContext(cfg, run_dir, out_dir, _identity(hooks), hooks.embedder_factory or _minilm)
    console.rule("[bold]saicot")
    with EngineManager(cfg.engine, hooks.engine_factory) as engines:
        ctx.engines = engines
        for stage_step in STAGES:
            stage_step(ctx)
        loads = list(engines.loads)
    score.step(ctx)  # engines closed: grading needs none
    print_table(ctx.summary)
    if results_dir is None:  # a study writes one report for all its runs at its end
        from eval.report.write import write_report
        from pipeline.strategies import report_roles

        write_report(run_dir, with_plots=False, roles=report_roles())
        console.print(f"records, summary.json and report.md are in {out_dir}")
        console.print(f"browse the problems: {(run_dir / 'report.html').resolve().as_uri()}")
    if loads and hooks.engine_factory is None and not os.environ.get("SAICOT_VERBOSE"):
        console.print(f"engine log: {os.environ['SAICOT_ENGINE_LOG']}")
    return RunResult(run_dir=run_dir, summary=ctx.summary, engine_loads=loads)
