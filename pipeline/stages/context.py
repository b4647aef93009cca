"""What the stages of one run share: the config, the engines, and each stage's outputs for the next ones.

A run is the list `pipeline.runner.STAGES`; each stage module has a ``step(ctx)`` that builds its cache key
from `ctx` (exactly the inputs that change its output), runs or reuses its stage directory, and leaves its
outputs on `ctx` (`keys[stage]` and its records). Stage lines go to stderr through `say`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from rich.console import Console

from pipeline.config import RunConfig
from pipeline.strategies import needs_pool

console = Console(stderr=True, soft_wrap=True)  # logs and pipes: a stage line is never cut mid-name
N_STEPS = 6  # stage lines are numbered [i/6]: load, generate, sample, index, retrieve, solve


def cached(complete: bool) -> str:
    """The suffix of a stage line whose stage was already complete."""
    return " (cached)" if complete else ""


def benchmark_tag(name: str) -> str | None:
    """A bundled benchmark's name (its answer rules apply), None for a user's file."""
    from eval.benchmarks import BENCHMARKS

    return name if name in BENCHMARKS else None


@dataclass
class RunContext:
    """One run's shared state, filled stage by stage.

    Attributes:
        identity: model alias/path -> the identity stored in records and keys (alias@sha256 by default).
        engines: the engine manager (`pipeline.engines.EngineManager`); None once the engines are closed.
        make_embedder: embedder name -> embedder (the MiniLM by default; tests inject a fake).
        keys: stage name -> its stage directory's key (``index`` is "none" without a pool).
        extra_tokens: strategy -> tokens per test question it spent before retrieving, besides the pool's
            (a trained encoder's LM-feedback scoring), added to its total tokens.
    """

    cfg: RunConfig
    run_dir: Path
    out_dir: Path
    identity: Callable[[str], str]
    make_embedder: Callable[[str], Any]
    engines: Any = None
    keys: dict[str, str] = field(default_factory=lambda: {"index": "none"})
    problems: list[Any] = field(default_factory=list)
    generated: list[dict[str, Any]] = field(default_factory=list)
    solutions: list[dict[str, Any]] = field(default_factory=list)
    pool: Any = None
    queries: Any = None
    pool_stats: dict[str, Any] | None = None
    demos: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    extra_tokens: dict[str, float] = field(default_factory=dict)  # per question, beyond the pool (udr's training)
    predictions: list[dict[str, Any]] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)
    _embedder: Any = None

    @property
    def needs_pool(self) -> bool:
        """Some strategy of the run uses the generated pool (so generate, sample and index run)."""
        return any(needs_pool(s) for s in self.cfg.retrieve.strategies)

    @property
    def bench(self) -> str | None:
        return benchmark_tag(self.cfg.benchmark.name)

    @cached_property
    def dtype(self) -> str:
        """The engines' dtype (resolved once per run): numerics change outputs, so the LLM stages' keys hold it."""
        from pipeline.engines import stage_dtype

        return stage_dtype(self.cfg.engine)

    @cached_property
    def solve_template(self) -> str:
        """The solve instruction's template, shared by the answers and the pool's solutions."""
        from prompts.solve import instruction_template

        return instruction_template(self.cfg.solver.instruction, self.cfg.solver.model)

    @property
    def embedder(self) -> Any:
        """The index embedder, built on first use."""
        if self._embedder is None:
            self._embedder = self.make_embedder(self.cfg.index.embedder)
        return self._embedder

    def engine(self, model: str) -> Callable[[], Any]:
        """A zero-argument getter of `model`'s engine (stages call it only when they have work)."""
        return lambda: self.engines.get(model)

    def say(self, step: int, text: str) -> None:
        console.print(f"[{step}/{N_STEPS}] {text}")
