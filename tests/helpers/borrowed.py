"""An engine lent to a run: a shared session engine whose close() must not shut it down."""

from __future__ import annotations

from typing import Any


class Borrowed:
    """Wraps a session-scoped engine so that a run's EngineManager can 'close' it without stopping it."""

    def __init__(self, engine: Any) -> None:
        self._engine = engine

    def __getattr__(self, name: str) -> Any:
        return getattr(self._engine, name)

    def close(self) -> None:
        pass
