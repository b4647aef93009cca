"""LLM engines: factories (offline vLLM or an OpenAI-compatible server) and a manager keeping one loaded.

The package: `base` (the `Engine` protocol, requests, sampling, results), `vllm_engine` (vLLM's offline
engine), `openai_engine` and `openai_http` (servers with retries and failover), `cpu` (dtype and core binding
on CPU hosts), `progress` (progress lines). Everything heavy is imported lazily, inside the factories.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pipeline.config import EngineConfig
from pipeline.engines.base import Engine

EngineFactory = Callable[[str, EngineConfig], Engine]


def quiet_engine_logs(log_file: Path) -> None:
    """Send vLLM's log records (every engine process) to ``log_file``; only errors still reach the console.

    vLLM reads ``VLLM_LOGGING_CONFIG_PATH`` when it is first imported, in each of its processes, so this must
    run before ``import vllm``. ``saicot --verbose`` (``SAICOT_VERBOSE=1``) keeps vLLM's own console logging.
    """
    log_file.parent.mkdir(parents=True, exist_ok=True)
    config = {
        "version": 1, "disable_existing_loggers": False,
        "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s pid=%(process)d: %(message)s"}},
        "handlers": {
            "file": {"class": "logging.FileHandler", "filename": str(log_file), "formatter": "plain",
                     "level": "DEBUG"},
            "console": {"class": "logging.StreamHandler", "stream": "ext://sys.stderr", "formatter": "plain",
                        "level": "ERROR"},
        },
        "loggers": {"vllm": {"handlers": ["file", "console"], "level": "INFO", "propagate": False},
                    "torch": {"handlers": ["file", "console"], "level": "WARNING", "propagate": False}},
    }
    path = log_file.with_name(log_file.name + ".config.json")
    path.write_text(json.dumps(config))
    os.environ["VLLM_LOGGING_CONFIG_PATH"] = str(path)
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("TORCH_CPP_LOG_LEVEL", "ERROR")  # torch's C++ notices (NUMA binding) in the workers
    os.environ.setdefault("PYTHONWARNINGS", "ignore::FutureWarning")  # engine processes: torch deprecations
    import warnings

    warnings.filterwarnings("ignore", category=FutureWarning, module=r"vllm\.")


def configure_engine_logs() -> None:
    """Quiet engine logs into ``$SAICOT_ENGINE_LOG`` (set by the runner) unless ``SAICOT_VERBOSE`` is set."""
    log = os.environ.get("SAICOT_ENGINE_LOG")
    if log and not os.environ.get("SAICOT_VERBOSE") and "VLLM_LOGGING_CONFIG_PATH" not in os.environ:
        quiet_engine_logs(Path(log))


def vllm_factory(model: str, cfg: EngineConfig) -> Engine:
    """Resolve a model alias/path and start the vLLM offline engine on it."""
    from pipeline import models, processes
    from pipeline.engines.vllm_engine import VLLMEngine

    processes.install()  # engine processes die with us, however we end
    configure_engine_logs()
    os.environ.setdefault("VLLM_CPU_KVCACHE_SPACE", f"{cfg.kv_cache_gib:g}")
    path = models.resolve(model)
    return VLLMEngine(path, name=models.model_identity(model), max_model_len=cfg.max_model_len,
                      dtype=cfg.dtype, enforce_eager=cfg.enforce_eager, engine_kwargs=dict(cfg.extra))


def openai_factory(model: str, cfg: EngineConfig) -> Engine:
    """An engine over OpenAI-compatible servers (`cfg.base_urls`), tokenizing locally with `model`'s tokenizer."""
    from pipeline.engines.openai_engine import OpenAIEngine

    return OpenAIEngine.from_config(model, cfg)


def default_factory(model: str, cfg: EngineConfig) -> Engine:
    """The engine `cfg.backend` asks for: `vllm` (offline, the default) or `openai`."""
    return (openai_factory if cfg.backend == "openai" else vllm_factory)(model, cfg)


def stage_dtype(cfg: EngineConfig) -> str:
    """The dtype written into the LLM stages' cache keys.

    Offline: the dtype `pick_dtype` resolves on this machine. OpenAI backend: the configured `engine.dtype` as
    written, since the client cannot see the server's numerics; set it to what the server runs (e.g. float32)
    and the keys (and so the records) line up with an offline run of the same model and dtype.
    """
    if cfg.backend == "openai":
        return cfg.dtype
    from pipeline.engines.cpu import pick_dtype

    return pick_dtype(cfg.dtype)


class Borrowed:
    """An engine lent to a run by whoever owns it (a study, a test session): the run's close() is a no-op."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def __getattr__(self, name: str) -> Any:
        return getattr(self._engine, name)

    def close(self) -> None:
        pass


class EngineManager:
    """Hands out the engine for a model, keeping at most one loaded at a time.

    Models are loaded lazily: a fully cached run never starts an engine.
    """

    def __init__(self, cfg: EngineConfig, factory: EngineFactory | None = None) -> None:
        self.cfg = cfg
        self.factory = factory or default_factory
        self._model: str | None = None
        self._engine: Engine | None = None
        self.loads: list[str] = []  # models loaded, in order (tests and logs read it)

    def get(self, model: str) -> Engine:
        if self._model != model or self._engine is None:
            self.close()
            self._engine = self.factory(model, self.cfg)
            self._model = model
            self.loads.append(model)
        return self._engine

    def close(self) -> None:
        if self._engine is not None:
            self._engine.close()
        self._engine = None
        self._model = None

    def __enter__(self) -> EngineManager:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
