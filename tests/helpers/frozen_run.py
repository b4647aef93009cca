"""A small fake-engine run frozen into ``tests/data/frozen-run`` so refactors can prove caches survive.

`tests/unit/test_cache_compat.py` resumes a copy of it with an engine factory that refuses to start an
engine: every stage key of unchanged inputs must still point at the frozen records. Re-freeze only when a
change of stage inputs is intended (and say so in the commit), from the repository root::

    python -m tests.helpers.frozen_run
"""

from __future__ import annotations

import shutil
from pathlib import Path

DIR = Path(__file__).resolve().parent.parent / "data" / "frozen-run"
STRATEGIES = ["zero-shot", "self-consistency", "manual-8shot", "random", "long", "knn", "mmr", "knn-gated",
              "ensemble", "self-icl", "analogical", "auto-cot"]
# engine.dtype pinned: the LLM stages' keys hold the resolved dtype, and "auto" resolves per machine (bf16 where the
# CPU has native bf16, float32 elsewhere); the fixture was frozen where it resolved to bfloat16
OVERRIDES = ["engine.dtype=bfloat16", "benchmark.limit=4", "generator.model=gen-a", "sample.model=gen-a",
             "solver.model=solver-a",
             "retrieve.k=2", "sample.n=3", "retrieve.sc_samples=3", f"retrieve.strategies=[{', '.join(STRATEGIES)}]"]


def hooks(engine_factory):
    from pipeline.runner import RunHooks
    from tests.helpers.fake_embedder import HashEmbedder

    return RunHooks(engine_factory=engine_factory, embedder_factory=lambda n: HashEmbedder(), identity=lambda m: m)


def freeze(directory: Path = DIR) -> None:
    from pipeline.config import load_config
    from pipeline.runner import run_pipeline
    from tests.helpers.fake_engine import FakeFactory

    shutil.rmtree(directory, ignore_errors=True)
    run_pipeline(load_config(None, run_dir=directory, overrides=OVERRIDES), hooks(FakeFactory()))
    for name in ["engine.log*", "config.yaml", "report.*", "cells.csv", ".saicot.lock*", "*/*/timing.json"]:
        for path in directory.glob(name):  # run-specific or machine-specific (config.yaml names the run dir)
            path.unlink()


if __name__ == "__main__":
    freeze()
    print(f"froze {DIR}")
