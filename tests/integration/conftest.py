"""Integration fixtures shared by every test of the session: a real `vllm serve` on the tiny model, and one
uninterrupted tiny-engine run that the resume and backend tests compare against."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import HAS_VLLM


@pytest.fixture(scope="session")
def vllm_server(tiny_model_dir: Path, request: pytest.FixtureRequest) -> Iterator[object]:
    """`vllm serve` (CPU) on 127.0.0.1 serving the tiny random Llama under its directory name.

    It takes ~60 s to boot, so `tiny_engine` launches it in the background when this session will need it
    (the tests that use it run last in their group, see `tests.conftest`); this fixture waits for it.
    """
    if not HAS_VLLM:
        pytest.skip("vLLM is not installed")
    from tests.helpers.vllm_server import session_server

    server = session_server(request.config, tiny_model_dir)
    try:
        yield server.wait_ready()
    finally:
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
