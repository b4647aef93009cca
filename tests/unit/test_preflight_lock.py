"""Bad input fails before any work with one line and exit code 2; one writer per run directory."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.config import build_config
from pipeline.errors import SaicotError
from pipeline.lock import run_lock
from pipeline.preflight import check_config

ROOT = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pipeline.cli", *args], cwd=ROOT, env=ENV, capture_output=True,
                          text=True, timeout=60)


@pytest.mark.parametrize(("override", "names"), [
    ("retrieve.strategies=[zero-shot, knnn]", ["retrieve.strategies", "'knnn'", "did you mean 'knn'"]),
    ("solver.model=qwen2.5-coder-05b", ["solver.model", "did you mean 'qwen2.5-coder-0.5b'"]),
    ("generator.model=smollm2", ["generator.model", "smollm2-135m"]),
    ("benchmark.name=gsm8kk", ["benchmark.name", "did you mean 'gsm8k'"]),
    ("benchmark.name=missing.jsonl", ["benchmark.name", "'missing.jsonl' not found"]),
    ("benchmark.fields={question: q}", ["benchmark.fields", "bundled 'gsm8k'"]),
])
def test_bad_names_fail_in_one_line_before_any_stage(tmp_path: Path, override: str, names: list[str]) -> None:
    res = _cli("run", "--run-dir", str(tmp_path / "run"), "--set", override)
    assert res.returncode == 2
    errors = [line for line in res.stderr.splitlines() if line.strip()]
    assert len(errors) == 1 and errors[0].startswith("error:") and "Traceback" not in res.stderr, res.stderr
    for name in names:
        assert name in errors[0]
    assert not (tmp_path / "run").exists()  # nothing ran, not even the load stage


def test_dataset_errors_are_one_line_naming_file_and_line(tmp_path: Path) -> None:
    data = tmp_path / "mine.jsonl"
    data.write_text('{"q": "1+1?", "a": "2"}\n{broken\n')
    res = _cli("run", "--run-dir", str(tmp_path / "run"), "--set", f"benchmark.name={data}",
               "--set", "benchmark.fields={question: q, gold: a}", "--set", "retrieve.strategies=[zero-shot]")
    assert res.returncode == 2 and "Traceback" not in res.stderr
    (err,) = [line for line in res.stderr.splitlines() if line.startswith("error:")]
    assert f"{data}:2" in err
    data.write_text('{"q": "1+1?", "a": "2"}\n')
    res = _cli("run", "--run-dir", str(tmp_path / "run2"), "--set", f"benchmark.name={data}",
               "--set", "benchmark.fields={question: qq, gold: a}", "--set", "retrieve.strategies=[zero-shot]")
    assert res.returncode == 2 and "Traceback" not in res.stderr and "'qq'" in res.stderr
    assert _cli("--debug", "run", "--run-dir", str(tmp_path / "run3"), "--set", "benchmark.name=gsm8kk").stderr \
        .count("Traceback") == 1


def test_preflight_accepts_the_defaults_and_paths(tmp_path: Path) -> None:
    check_config(build_config({}))
    model = tmp_path / "my-model"
    model.mkdir()
    check_config(build_config({"solver": {"model": str(model)}, "generator": {"model": "org/name"}}))
    with pytest.raises(SaicotError, match="sample.model"):
        check_config(build_config({"sample": {"model": "nope"}}))


def test_second_writer_is_refused_naming_the_holder_and_a_killed_holder_frees_it(tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time\nfrom pipeline.lock import run_lock\n"
        f"with run_lock({str(run_dir)!r}):\n    print('held', flush=True)\n    time.sleep(600)\n")],
        cwd=ROOT, env=ENV, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        res = _cli("run", "--run-dir", str(run_dir))
        assert res.returncode == 2 and f"pid {holder.pid}" in res.stderr and "Traceback" not in res.stderr
        with pytest.raises(SaicotError, match=str(holder.pid)), run_lock(run_dir):
            pass
    finally:
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait()
    with run_lock(run_dir), run_lock(run_dir):  # free again at once, and re-entrant in one process
        assert (run_dir / ".saicot.lock.pid").read_text().strip() == str(os.getpid())


def test_sigterm_handler_turns_into_system_exit() -> None:
    code = ("import os, signal, time\nfrom pipeline import processes\nprocesses.install(watchdog=False)\n"
            "try:\n    os.kill(os.getpid(), signal.SIGTERM)\n    time.sleep(5)\n"
            "except SystemExit as e:\n    print('unwound', e.code)\n")
    res = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=ENV, capture_output=True, text=True,
                         timeout=60)
    assert "unwound 143" in res.stdout
