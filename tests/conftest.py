"""Shared fixtures: a tiny random Llama built offline, and one real vLLM engine on it per test session."""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("VLLM_NO_USAGE_STATS", "1")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

HAS_VLLM = importlib.util.find_spec("vllm") is not None
needs_vllm = pytest.mark.skipif(not HAS_VLLM, reason="vLLM is not installed (pip install -e '.[cpu]')")


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.helpers.tiny_model import build_tiny_llama

    return build_tiny_llama(tmp_path_factory.mktemp("tiny-llama"))


@pytest.fixture(scope="session")
def tiny_engine(tiny_model_dir: Path) -> Iterator[object]:
    """One vLLM engine for the whole session (starting one costs ~30 s on 2 cores)."""
    if not HAS_VLLM:
        pytest.skip("vLLM is not installed")
    os.environ.setdefault("VLLM_CPU_KVCACHE_SPACE", "1")
    from pipeline.llm import VLLMEngine
    from tests.helpers.tiny_model import TINY_DTYPE

    engine = VLLMEngine(str(tiny_model_dir), name="tiny-llama", max_model_len=4096, dtype=TINY_DTYPE,
                        show_progress=False)
    yield engine
    engine.close()
