"""No engine process outlives `saicot run`, and the run resumes: SIGKILL and SIGTERM of the parent alone.

The parent is killed by pid (not by process group), as a user's `kill` or an OOM killer would, so the engine
processes (`VLLM::EngineCore`, `VLLM::Worker`) must notice by themselves (`pipeline.processes`). Each killed run
is then resumed in this process on the session's engine (an engine start saved; the CLI is a thin layer over
`run_pipeline`) and must give the records of an uninterrupted run (`tiny_reference_run`).
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


def _start(run_dir: Path, model: Path) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, "-m", "pipeline.cli", "run", "--run-dir", str(run_dir)]
    for item in tiny_run_overrides(model):
        cmd += ["--set", item]
    env = {**os.environ, "VLLM_CPU_KVCACHE_SPACE": "1", "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)  # its own group, so the test can clean up if it fails
    return proc


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


def _records(run_dir: Path, stage: str, name: str) -> list[str]:
    (path,) = run_dir.glob(f"{stage}/*/{name}")
    return sorted(json.dumps(json.loads(x), sort_keys=True) for x in path.read_text().splitlines())


def _resume_and_compare(run_dir: Path, engine, model: Path, reference: Path) -> None:
    assert not (run_dir / "summary.json").exists(), "the run finished before it could be stopped"
    run_pipeline(load_config(None, overrides=tiny_run_overrides(model), run_dir=run_dir),
                 RunHooks(engine_factory=lambda name, c: Borrowed(engine)))
    for stage, name in [("generate", "generated.jsonl"), ("sample", "solutions.jsonl"),
                        ("solve", "predictions.jsonl")]:
        assert _records(run_dir, stage, name) == _records(reference, stage, name), stage


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["sigkill", "sigterm"])
def test_killing_the_parent_leaves_no_engine_process_and_the_run_resumes(sig, tiny_engine, tiny_model_dir,
                                                                         tiny_reference_run, tmp_path) -> None:
    """SIGKILL: the reaper must take the engine down. SIGTERM: the run shuts down cleanly and exits non-zero."""
    run_dir = tmp_path / "run"
    proc = _start(run_dir, tiny_model_dir)
    kids: list = []
    try:
        kids = _engine_children(proc, run_dir)
        os.kill(proc.pid, sig)
        code = proc.wait(timeout=60)
        assert code != 0
        left = _wait_gone(kids, 10)
        assert not left, f"still alive 10 s after {sig.name}: {[(p.pid, p.name()) for p in left]}"
    finally:
        _cleanup(proc, kids)
    _resume_and_compare(run_dir, tiny_engine, tiny_model_dir, tiny_reference_run)
