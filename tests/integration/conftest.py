"""Integration fixtures shared by every test of the session: a real `vllm serve` on the tiny model, and one
uninterrupted tiny-engine run that the resume and backend tests compare against."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import HAS_VLLM


@pytest.fixture(scope="session")
def vllm_server(tiny_model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """`vllm serve` (CPU) on 127.0.0.1 serving the tiny random Llama under its directory name (~60 s to start)."""
    if not HAS_VLLM:
        pytest.skip("vLLM is not installed")
    from tests.helpers.vllm_server import start_vllm_server

    server = start_vllm_server(tiny_model_dir, tmp_path_factory.mktemp("vllm-serve") / "server.log")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def tiny_reference_run(tiny_engine, tiny_model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default tiny run (`tiny_run_overrides`) on the offline engine, uninterrupted: its run directory."""
    from pipeline.config import load_config
    from pipeline.engines import Borrowed
    from pipeline.runner import RunHooks, run_pipeline
    from tests.helpers.tiny_model import tiny_run_overrides

    run_dir = tmp_path_factory.mktemp("reference-run")
    run_pipeline(load_config(None, overrides=tiny_run_overrides(tiny_model_dir), run_dir=run_dir),
                 RunHooks(engine_factory=lambda model, cfg: Borrowed(tiny_engine)))
    return run_dir
