"""Integration fixtures: one real `vllm serve` on the tiny model, shared by every test of the session."""

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
