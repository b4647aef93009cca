"""Pool types, the `Strategy` interface and the name -> strategy registry.

A new strategy plugs in with one decorator line::

    @register("udr")
    class UDRStrategy(Strategy):
        def select(self, query_vectors, pool, k, *, allowed=None, seed=0): ...

`get_strategy("udr", **params)` then builds it from a config (params go to the constructor).
"""

from __future__ import annotations

import importlib
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import ClassVar, TypeVar

import numpy as np

from retriever.index import VectorIndex


@dataclass(frozen=True)
class PoolItem:
    """One demonstration candidate: a generated question with one of its sampled solutions."""

    pool_id: str
    problem_id: str  # the test problem whose generator prompt produced the question
    question: str
    solution: str
    answer: str | None


@dataclass
class Pool:
    """Demonstration candidates; ``vectors[i]`` (unit norm) and index row i belong to ``items[i]``."""

    items: list[PoolItem]
    vectors: np.ndarray | None
    index: VectorIndex | None = None

    def __len__(self) -> int:
        return len(self.items)


class Strategy(ABC):
    """Picks demonstrations for each query from a pool.

    Subclasses take their parameters as constructor keywords (from `get_strategy`) and implement `select`.
    """

    name: ClassVar[str]

    @abstractmethod
    def select(self, query_vectors: np.ndarray | None, pool: Pool, k: int, *,
               allowed: Sequence[np.ndarray] | None = None, seed: int = 0) -> list[list[int]]:
        """Per query, up to `k` pool row indices, most relevant first.

        Args:
            query_vectors: (n_queries, d) unit vectors, or None for strategies that ignore them
                (then `allowed` gives the number of queries).
            pool: the candidates.
            k: demos wanted per query; fewer are returned when fewer candidates exist.
            allowed: per query, the pool rows it may use (scope "own"); None = the whole pool.
            seed: randomness for stochastic strategies (results depend only on seed and query index).
        """


S = TypeVar("S", bound=type[Strategy])
_REGISTRY: dict[str, type[Strategy]] = {}


def register(name: str) -> Callable[[S], S]:
    """Class decorator: make a `Strategy` subclass available under `name`."""

    def wrap(cls: S) -> S:
        if not (isinstance(cls, type) and issubclass(cls, Strategy)):
            raise TypeError(f"@register({name!r}) expects a Strategy subclass, got {cls!r}")
        if name in _REGISTRY and _REGISTRY[name] is not cls:
            raise ValueError(f"strategy {name!r} is already registered by {_REGISTRY[name].__qualname__}")
        cls.name = name
        _REGISTRY[name] = cls
        return cls

    return wrap


def _load_builtins() -> None:
    importlib.import_module("retriever.strategies")


def get_strategy(name: str, **params: object) -> Strategy:
    """Instantiate the strategy registered as `name` with `params`.

    Raises:
        ValueError: unknown name (the message lists the known ones) or bad parameters.
    """
    _load_builtins()
    if name not in _REGISTRY:
        raise ValueError(f"unknown retrieval strategy {name!r}; known: {', '.join(available())}")
    try:
        return _REGISTRY[name](**params)
    except TypeError as exc:
        raise ValueError(f"bad parameters for strategy {name!r}: {exc}") from exc


def available() -> list[str]:
    """Registered strategy names, sorted."""
    _load_builtins()
    return sorted(_REGISTRY)


def num_queries(query_vectors: np.ndarray | None, allowed: Sequence[np.ndarray] | None) -> int:
    """How many queries a `select` call is about (checks that vectors and `allowed` agree)."""
    if query_vectors is not None:
        n = int(np.asarray(query_vectors).shape[0])
        if allowed is not None and len(allowed) != n:
            raise ValueError(f"allowed has {len(allowed)} entries for {n} queries")
        return n
    if allowed is not None:
        return len(allowed)
    raise ValueError("pass query_vectors or allowed: the number of queries is unknown")


def candidate_rows(pool: Pool, allowed: Sequence[np.ndarray] | None, i: int) -> np.ndarray:
    """Pool rows query `i` may use (in the given order, duplicates removed), validated."""
    if allowed is None:
        return np.arange(len(pool.items), dtype=np.int64)
    rows = np.asarray(allowed[i], dtype=np.int64).reshape(-1)
    if rows.size and (rows.min() < 0 or rows.max() >= len(pool.items)):
        raise ValueError(f"allowed[{i}] holds rows outside the pool (size {len(pool.items)})")
    _, first = np.unique(rows, return_index=True)
    return rows[np.sort(first)]
