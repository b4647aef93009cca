"""Built-in demonstration-selection strategies: zero-shot, random, long, knn, knn-gated, mmr.

All return, per query, pool row indices with the most relevant first. Vectors are unit-norm, so the
inner product is the cosine similarity. Ties are broken by pool order, so results are deterministic.
"""

from __future__ import annotations

import re

import numpy as np

from retriever.registry import (
    Pool,
    PoolItem,
    Strategy,
    available,
    candidate_rows,
    get_strategy,
    num_queries,
    register,
)

__all__ = ["Pool", "PoolItem", "Strategy", "available", "get_strategy", "register", "reasoning_steps", "count_steps",
           "RandomDemos", "LongDemos", "KNN", "KNNDraws", "KNNGated", "MMR"]

# A sentence ends at . ! or ? followed by whitespace or the end (so "3.5" is not a sentence end).
_SENTENCE_END = re.compile(r"[.!?](?=\s|$)")


def reasoning_steps(solution: str) -> int:
    """Number of reasoning steps: per non-empty line, its sentences (at least one).

    Counting sentences inside lines makes one-paragraph chains and one-step-per-line chains comparable.

    Examples:
        >>> reasoning_steps("She has 3 + 2 = 5.\\nThen 5 * 2 = 10.\\nThe answer is 10.")
        3
        >>> reasoning_steps("First 1.5 + 2 = 3.5. So 3.5 * 2 = 7. The answer is 7.")
        3
    """
    lines = [line for line in solution.splitlines() if line.strip()]
    return sum(max(1, len(_SENTENCE_END.findall(line.strip()))) for line in lines)


count_steps = reasoning_steps  # the name used by earlier callers


def _need_vectors(pool: Pool, query_vectors: np.ndarray | None, name: str) -> tuple[np.ndarray, np.ndarray]:
    if query_vectors is None:
        raise ValueError(f"strategy {name!r} needs query vectors")
    if pool.vectors is None:
        raise ValueError(f"strategy {name!r} needs pool vectors")
    q = np.asarray(query_vectors, dtype=np.float32)
    v = np.asarray(pool.vectors, dtype=np.float32)
    if v.shape[0] != len(pool.items) or q.ndim != 2 or v.ndim != 2 or q.shape[1] != v.shape[1]:
        raise ValueError(f"shape mismatch: queries {q.shape}, pool vectors {v.shape}, {len(pool.items)} items")
    return q, v


def _top_by_score(rows: np.ndarray, scores: np.ndarray, k: int) -> list[int]:
    """The `k` best rows by score (descending), ties by pool row order."""
    order = np.lexsort((rows, -scores))
    return [int(r) for r in rows[order[:k]]]


@register("random")
class RandomDemos(Strategy):
    """A uniform sample without replacement; depends only on (seed, query index) and the candidates."""

    def select(self, query_vectors, pool, k, *, allowed=None, seed=0):
        out = []
        for i in range(num_queries(query_vectors, allowed)):
            rows = candidate_rows(pool, allowed, i)
            rng = np.random.default_rng([seed % 2**63, i])
            out.append([int(r) for r in rows[rng.permutation(rows.size)[:k]]])
        return out


@register("long")
class LongDemos(Strategy):
    """The demos with the most reasoning steps (`reasoning_steps`), ties by pool order."""

    def select(self, query_vectors, pool, k, *, allowed=None, seed=0):
        steps = np.array([reasoning_steps(it.solution) for it in pool.items], dtype=np.float64)
        out = []
        for i in range(num_queries(query_vectors, allowed)):
            rows = candidate_rows(pool, allowed, i)
            out.append(_top_by_score(rows, steps[rows], k))
        return out


@register("knn")
class KNN(Strategy):
    """Nearest neighbours by inner product: the FAISS index for whole-pool search, numpy on subsets."""

    def select(self, query_vectors, pool, k, *, allowed=None, seed=0):
        n = num_queries(query_vectors, allowed)
        if k <= 0 or not pool.items:
            return [[] for _ in range(n)]
        if allowed is None and pool.index is not None and query_vectors is not None:
            if pool.index.size != len(pool.items):
                raise ValueError(f"index holds {pool.index.size} vectors for {len(pool.items)} pool items")
            _, rows = pool.index.search(np.asarray(query_vectors, dtype=np.float32), k)
            return [[int(r) for r in row if r >= 0] for row in rows]
        q, v = _need_vectors(pool, query_vectors, self.name)
        out = []
        for i in range(n):
            rows = candidate_rows(pool, allowed, i)
            out.append(_top_by_score(rows, v[rows] @ q[i], k))
        return out


@register("knn-sc")
class KNNDraws(Strategy):
    """Self-consistency with demos: `draws` samples, each with its own k demos drawn from the query's
    ``candidates * k`` nearest pool rows (seeded per query and draw; each draw ordered by similarity).

    `select` returns the draws one after another (draw-major): ``draws * min(k, candidates found)`` rows per
    query; `split` cuts them back into draws.
    """

    def __init__(self, draws: int = 5, candidates: int = 4) -> None:
        if draws < 1 or candidates < 1:
            raise ValueError("knn-sc needs draws >= 1 and candidates >= 1")
        self.draws, self.candidates = draws, candidates

    def select(self, query_vectors, pool, k, *, allowed=None, seed=0):
        near = KNN().select(query_vectors, pool, k * self.candidates, allowed=allowed, seed=seed)
        out = []
        for i, rows in enumerate(near):
            size = min(k, len(rows))
            picks: list[int] = []
            for d in range(self.draws):
                rng = np.random.default_rng([seed, i, d])
                chosen = sorted(rng.choice(len(rows), size=size, replace=False)) if size else []
                picks.extend(rows[j] for j in chosen)  # rows come nearest first: sorted positions keep that order
            out.append(picks)
        return out

    def split(self, rows: list[int]) -> list[list[int]]:
        """The draws of one query's `select` output."""
        size = len(rows) // self.draws
        return [rows[d * size:(d + 1) * size] for d in range(self.draws)]


@register("knn-gated")
class KNNGated(Strategy):
    """kNN demos only where the pool is close to the query; no demos (the zero-shot prompt) elsewhere.

    The label-free signal is similarity: a query's gate value is the cosine of the least similar of its `k`
    nearest demos. By default the `quantile` share of the queries with the lowest gate values get no demos
    (0.5: the half of the test questions with the closest demos keep them); with `min_similarity` set, the
    queries below that cosine do. The quantile is transductive (it looks at the other test
    questions, never at a label) and needs no threshold tuned per embedder or pool; the report shows how often
    each branch fired and the accuracy on each (`n_demos` 0 vs > 0).

    Args:
        quantile: share of queries gated out, in [0, 1] (config `retrieve.gate_quantile`); used when
            `min_similarity` is None.
        min_similarity: an absolute cosine threshold instead.
    """

    def __init__(self, quantile: float = 0.5, min_similarity: float | None = None) -> None:
        if not 0.0 <= float(quantile) <= 1.0:
            raise ValueError(f"knn-gated quantile must be in [0, 1], got {quantile}")
        if min_similarity is not None and not -1.0 <= float(min_similarity) <= 1.0:
            raise ValueError(f"knn-gated min_similarity must be in [-1, 1], got {min_similarity}")
        self.quantile = float(quantile)
        self.min_similarity = None if min_similarity is None else float(min_similarity)

    def select(self, query_vectors, pool, k, *, allowed=None, seed=0):
        rows = KNN().select(query_vectors, pool, k, allowed=allowed, seed=seed)
        if not any(rows):
            return rows
        q, v = _need_vectors(pool, query_vectors, self.name)
        gate = np.array([float((v[picked] @ q[i]).min()) if picked else -np.inf for i, picked in enumerate(rows)])
        if self.min_similarity is not None:
            keep = gate >= self.min_similarity
        else:  # gate out the round(quantile * n) queries with the least similar demos (ties: later index first)
            keep = np.ones(len(rows), dtype=bool)
            keep[np.lexsort((-np.arange(len(rows)), gate))[:round(self.quantile * len(rows))]] = False
        return [picked if ok else [] for picked, ok in zip(rows, keep, strict=True)]


@register("mmr")
class MMR(Strategy):
    """Maximal marginal relevance (Carbonell & Goldstein 1998) over the top-L nearest candidates.

    Greedily adds the candidate maximising ``lambda_ * sim(q, d) - (1 - lambda_) * max_{s in chosen} sim(d, s)``.
    ``lambda_ = 1`` is kNN; smaller values trade relevance for diversity among the chosen demos.

    Args:
        lambda_: relevance weight in [0, 1] (default 0.5).
        n_candidates: L, how many nearest candidates to re-rank (default 50; fewer if fewer exist).
    """

    def __init__(self, lambda_: float = 0.5, n_candidates: int = 50) -> None:
        if not 0.0 <= float(lambda_) <= 1.0:
            raise ValueError(f"mmr lambda_ must be in [0, 1], got {lambda_}")
        if int(n_candidates) < 1:
            raise ValueError(f"mmr n_candidates must be >= 1, got {n_candidates}")
        self.lambda_ = float(lambda_)
        self.n_candidates = int(n_candidates)

    def select(self, query_vectors, pool, k, *, allowed=None, seed=0):
        n = num_queries(query_vectors, allowed)
        if k <= 0 or not pool.items:
            return [[] for _ in range(n)]
        q, v = _need_vectors(pool, query_vectors, self.name)
        shortlists = KNN().select(q, pool, max(k, self.n_candidates), allowed=allowed, seed=seed)
        return [self._rerank(q[i], v, np.asarray(shortlist, dtype=np.int64), k)
                for i, shortlist in enumerate(shortlists)]

    def _rerank(self, query: np.ndarray, vectors: np.ndarray, rows: np.ndarray, k: int) -> list[int]:
        if rows.size == 0:
            return []
        cand = vectors[rows]
        relevance = cand @ query
        pairwise = cand @ cand.T
        chosen: list[int] = []
        redundancy = np.full(rows.size, -np.inf)
        free = np.ones(rows.size, dtype=bool)
        for _ in range(min(k, rows.size)):
            penalty = np.where(np.isfinite(redundancy), redundancy, 0.0)
            score = self.lambda_ * relevance - (1.0 - self.lambda_) * penalty
            score[~free] = -np.inf
            best = int(np.argmax(score))  # first maximum = nearer candidate wins ties
            chosen.append(best)
            free[best] = False
            redundancy = np.maximum(redundancy, pairwise[best])
        return [int(rows[j]) for j in chosen]

