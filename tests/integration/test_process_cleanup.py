"""No engine process outlives `saicot run`: SIGKILL and SIGTERM of the parent alone, on the real vLLM engine.

The parent is killed by pid (not by process group), as a user's `kill` or an OOM killer would, so the engine
processes (`VLLM::EngineCore`, `VLLM::Worker`) must notice by themselves (`pipeline.processes`).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline.config import load_config
from pipeline.engines import Borrowed
from pipeline.runner import RunHooks, run_pipeline
from tests.conftest import needs_vllm
from tests.helpers.tiny_model import tiny_run_overrides

pytestmark = [needs_vllm, pytest.mark.vllm, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]


def _start(run_dir: Path, model: Path) -> tuple[subprocess.Popen[bytes], list[str]]:
    cmd = [sys.executable, "-m", "pipeline.cli", "run", "--run-dir", str(run_dir)]
    for item in tiny_run_overrides(model):
        cmd += ["--set", item]
    env = {**os.environ, "VLLM_CPU_KVCACHE_SPACE": "1", "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)  # its own group, so the test can clean up if it fails
    return proc, cmd


def _engine_children(proc: subprocess.Popen[bytes], run_dir: Path) -> list:
    """Wait until the run is in its sample stage with its engine up; return the parent's descendants."""
    import psutil

    deadline = time.time() + 300
    while time.time() < deadline and proc.poll() is None:
        if list(run_dir.glob("sample/*/solutions.jsonl")) or list(run_dir.glob("sample/*/inputs.json")):
            kids = psutil.Process(proc.pid).children(recursive=True)
            if kids:
                return kids
        time.sleep(0.05)
    pytest.fail("the run never reached its sample stage with an engine process")


def _alive(procs: list) -> list:
    import psutil

    out = []
    for p in procs:
        try:
            if p.is_running() and p.status() != psutil.STATUS_ZOMBIE:
                out.append(p)
        except psutil.NoSuchProcess:
            pass
    return out


def _wait_gone(procs: list, seconds: float) -> list:
    deadline = time.time() + seconds
    while time.time() < deadline and _alive(procs):
        time.sleep(0.1)
    return _alive(procs)


def _cleanup(proc: subprocess.Popen[bytes], kids: list) -> None:
    for p in _alive(kids):
        p.kill()
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _predictions(run_dir: Path) -> list[dict]:
    (path,) = run_dir.glob("solve/*/predictions.jsonl")
    rows = [json.loads(x) for x in path.read_text().splitlines()]
    return sorted(rows, key=lambda r: (r["strategy"], r["problem_id"]))


def test_sigkill_of_the_parent_leaves_no_engine_process(tiny_model_dir, tmp_path) -> None:
    proc, _ = _start(tmp_path / "run", tiny_model_dir)
    kids: list = []
    try:
        kids = _engine_children(proc, tmp_path / "run")
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        left = _wait_gone(kids, 10)
        assert not left, f"still alive 10 s after SIGKILL of the parent: {[(p.pid, p.name()) for p in left]}"
    finally:
        _cleanup(proc, kids)


def test_sigterm_shuts_down_cleanly_and_the_run_resumes_identically(tiny_engine, tiny_model_dir, tmp_path) -> None:
    reference = tmp_path / "reference"
    run_pipeline(load_config(None, overrides=tiny_run_overrides(tiny_model_dir), run_dir=reference),
                 RunHooks(engine_factory=lambda model, c: Borrowed(tiny_engine)))
    run_dir = tmp_path / "run"
    proc, cmd = _start(run_dir, tiny_model_dir)
    kids: list = []
    try:
        kids = _engine_children(proc, run_dir)
        os.kill(proc.pid, signal.SIGTERM)
        assert proc.wait(timeout=60) != 0
        left = _wait_gone(kids, 10)
        assert not left, f"still alive 10 s after SIGTERM: {[(p.pid, p.name()) for p in left]}"
    finally:
        _cleanup(proc, kids)
    assert not (run_dir / "summary.json").exists(), "the run finished before it could be stopped"
    env = {**os.environ, "VLLM_CPU_KVCACHE_SPACE": "1", "PYTHONPATH": str(ROOT)}
    subprocess.run(cmd, cwd=ROOT, env=env, check=True, capture_output=True, timeout=600)
    assert _predictions(run_dir) == _predictions(reference)
