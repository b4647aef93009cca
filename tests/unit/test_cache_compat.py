"""Users' caches survive refactors: a run frozen by an earlier commit resumes with zero engine calls."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from pipeline.config import load_config
from pipeline.runner import run_pipeline
from tests.helpers import frozen_run


def refuse(model: str, cfg: object):
    raise AssertionError(f"an engine was started for {model}: a stage key changed for unchanged inputs")


def test_the_frozen_run_resumes_from_its_cache_with_the_same_results(tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    shutil.copytree(frozen_run.DIR, run_dir)
    stage_dirs = sorted(p.relative_to(run_dir).as_posix() for p in run_dir.glob("*/*") if p.is_dir())
    result = run_pipeline(load_config(None, run_dir=run_dir, overrides=frozen_run.OVERRIDES),
                          frozen_run.hooks(refuse))
    assert result.engine_loads == []
    assert sorted(p.relative_to(run_dir).as_posix() for p in run_dir.glob("*/*") if p.is_dir()) == stage_dirs
    frozen = json.loads((frozen_run.DIR / "summary.json").read_text())
    # every figure the frozen run recorded is the same (summaries may gain fields, e.g. the looping share)
    now = {name: {k: s[k] for k in frozen["strategies"].get(name, s)}
           for name, s in result.summary["strategies"].items()}
    assert now == frozen["strategies"] and result.summary["stages"] == frozen["stages"]
    assert len(frozen["strategies"]) == len(frozen_run.STRATEGIES)
