"""Demonstration-selection strategies and their registry.

Every strategy returns, per query, pool row indices with the MOST relevant first (the prompt assembler
puts the most relevant nearest the question). `allowed[i]`, when given, restricts query i to those rows
(pool scope "own"). A new strategy plugs in with one decorator:

    @register("udr")
    class UDR(Strategy): ...
"""

from __future__ import annotations

import hashlib
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from retriever.index import VectorIndex


@dataclass(frozen=True)
class PoolItem:
    """A generated question with one of its sampled solutions."""

    pool_id: str
    problem_id: str
    question: str
    solution: str
    answer: str | None


@dataclass
class Pool:
    """The demo pool, its L2-normalised vectors and (optionally) their FAISS index."""

    items: list[PoolItem]
    vectors: np.ndarray | None
    index: VectorIndex | None = None


class Strategy(ABC):
    """Base class: `select` returns, per query, pool rows most relevant first."""

    name: ClassVar[str]

    @abstractmethod
    def select(self, query_vectors: np.ndarray | None, pool: Pool, k: int, *,
               allowed: Sequence[np.ndarray] | None = None, seed: int = 0) -> list[list[int]]: ...


_REGISTRY: dict[str, type[Strategy]] = {}


def register(name: str) -> Callable[[type[Strategy]], type[Strategy]]:
    """Class decorator adding a strategy to the registry under `name`."""
    def deco(cls: type[Strategy]) -> type[Strategy]:
        cls.name = name
        _REGISTRY[name] = cls
        return cls
    return deco


def available() -> list[str]:
    return sorted(_REGISTRY)


def get_strategy(name: str, **params: Any) -> Strategy:
    if name not in _REGISTRY:
        raise ValueError(f"unknown strategy {name!r}; known: {', '.join(available())}")
    return _REGISTRY[name](**params)


def _candidates(pool: Pool, allowed: Sequence[np.ndarray] | None, i: int) -> np.ndarray:
    return np.arange(len(pool.items)) if allowed is None else np.asarray(allowed[i], dtype=np.int64)


def count_steps(solution: str) -> int:
    """Reasoning steps of a solution: non-empty lines, or sentences when it is one paragraph."""
    lines = [ln for ln in solution.splitlines() if ln.strip()]
    if len(lines) > 1:
        return len(lines)
    return max(1, len(re.findall(r"[.!?](?:\s|$)", solution)))


@register("zero-shot")
class ZeroShot(Strategy):
    """No demonstrations."""

    def select(self, query_vectors, pool, k, *, allowed=None, seed=0):
        n = len(query_vectors) if query_vectors is not None else len(allowed or [])
        return [[] for _ in range(n)]


@register("random")
class RandomDemos(Strategy):
    """Uniform random demos, seeded per (seed, query index) so each query's pick is independent."""

    def select(self, query_vectors, pool, k, *, allowed=None, seed=0):
        out = []
        for i in range(len(query_vectors)):
            cands = _candidates(pool, allowed, i)
            rng = np.random.default_rng(int(hashlib.sha256(f"{seed}:{i}".encode()).hexdigest()[:8], 16))
            out.append([int(x) for x in rng.permutation(cands)[:k]])
        return out


@register("long")
class LongestDemos(Strategy):
    """The demos with the most reasoning steps (ties in pool order)."""

    def select(self, query_vectors, pool, k, *, allowed=None, seed=0):
        steps = np.array([count_steps(it.solution) for it in pool.items])
        out = []
        for i in range(len(query_vectors)):
            cands = _candidates(pool, allowed, i)
            order = sorted(cands.tolist(), key=lambda r: (-steps[r], r))
            out.append(order[:k])
        return out


def _scores(query: np.ndarray, pool: Pool, cands: np.ndarray) -> np.ndarray:
    assert pool.vectors is not None, "this strategy needs pool vectors"
    return pool.vectors[cands] @ query


@register("knn")
class NearestDemos(Strategy):
    """The k most similar demos (cosine similarity of embeddings)."""

    def select(self, query_vectors, pool, k, *, allowed=None, seed=0):
        if allowed is None and pool.index is not None:
            _, rows = pool.index.search(query_vectors, k)
            return [[int(r) for r in row if r >= 0] for row in rows]
        out = []
        for i, q in enumerate(query_vectors):
            cands = _candidates(pool, allowed, i)
            order = np.argsort(-_scores(q, pool, cands), kind="stable")
            out.append([int(cands[j]) for j in order[:k]])
        return out


@register("mmr")
class MMRDemos(Strategy):
    """Maximal marginal relevance: similar to the query, dissimilar to demos already chosen.

    Args:
        lambda_: weight of relevance versus diversity (1.0 = plain kNN).
        candidates: how many nearest demos to choose from.
    """

    def __init__(self, lambda_: float = 0.5, candidates: int = 50) -> None:
        self.lambda_ = lambda_
        self.n_candidates = candidates

    def select(self, query_vectors, pool, k, *, allowed=None, seed=0):
        assert pool.vectors is not None, "mmr needs pool vectors"
        out = []
        for i, q in enumerate(query_vectors):
            cands = _candidates(pool, allowed, i)
            rel = _scores(q, pool, cands)
            top = np.argsort(-rel, kind="stable")[: min(self.n_candidates, len(cands))]
            cands, rel = cands[top], rel[top]
            vecs = pool.vectors[cands]
            chosen: list[int] = []
            while len(chosen) < min(k, len(cands)):
                redundancy = (vecs @ vecs[chosen].T).max(axis=1) if chosen else np.zeros(len(cands))
                score = self.lambda_ * rel - (1 - self.lambda_) * redundancy
                score[chosen] = -np.inf
                chosen.append(int(np.argmax(score)))
            out.append([int(cands[j]) for j in chosen])
        return out
