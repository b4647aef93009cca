"""One engine per model per run: a tiny manager that closes the open engine before loading the next."""

from __future__ import annotations

import os
from collections.abc import Callable

from pipeline.config import EngineConfig
from pipeline.llm import Engine

EngineFactory = Callable[[str, EngineConfig], Engine]


def vllm_factory(model: str, cfg: EngineConfig) -> Engine:
    """Resolve a model alias/path and start the vLLM offline engine on it."""
    from pipeline import models
    from pipeline.llm import VLLMEngine

    os.environ.setdefault("VLLM_CPU_KVCACHE_SPACE", f"{cfg.kv_cache_gib:g}")
    path = models.resolve(model)
    return VLLMEngine(path, name=models.model_identity(model), max_model_len=cfg.max_model_len,
                      dtype=cfg.dtype, enforce_eager=cfg.enforce_eager, engine_kwargs=dict(cfg.extra))


class EngineManager:
    """Hands out the engine for a model, keeping at most one loaded at a time.

    Models are loaded lazily: a fully cached run never starts an engine.
    """

    def __init__(self, cfg: EngineConfig, factory: EngineFactory | None = None) -> None:
        self.cfg = cfg
        self.factory = factory or vllm_factory
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
