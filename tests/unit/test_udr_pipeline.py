"""`saicot udr train` and strategy `udr` end to end with the fake engine (real MiniLM as the base encoder)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.config import load_config
from pipeline.errors import SaicotError
from pipeline.runner import RunHooks, run_pipeline
from tests.helpers.fake_embedder import HashEmbedder
from tests.helpers.fake_engine import FakeEngine

HOOKS = dict(embedder_factory=lambda n: HashEmbedder(), identity=lambda m: m)


def cfg(run_dir: Path, strategies: str):
    return load_config(None, run_dir=run_dir, overrides=[
        "benchmark.limit=6", "generator.model=gen-a", "solver.model=solver-a", f"retrieve.strategies={strategies}",
        "retrieve.k=2", "sample.n=3"])


def test_udr_without_trained_encoder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SaicotError, match="saicot udr train --run"):
        run_pipeline(cfg(tmp_path, "[udr]"), RunHooks(engine_factory=lambda m, c: FakeEngine(name=m), **HOOKS))
