"""UDR's per-query candidate sampler and the ranking metrics used to evaluate a retriever against LM feedback.

From a list of `L` candidates sorted by LM feedback (best first), each training step sees `n` (8) of them,
still in LM order: 1 or 2 from the top 5, 1 from the bottom 5 and the rest from the middle. The model thus
learns both to put the best candidates first and to push the harmful ones down, while the middle gives the
fine-grained pairs.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def sample_candidates(n_ranked: int, rng: np.random.Generator, *, n: int = 8, n_top: int = 5,
                      n_bottom: int = 5) -> list[int]:
    """Positions (0 = LM-best) of the candidates one query trains on, ascending (= LM order).

    Args:
        n_ranked: length of the LM-ranked list.
        rng: randomness (one generator per epoch keeps runs reproducible).
        n: candidates wanted.
        n_top: size of the top band (1 or 2 picks from it).
        n_bottom: size of the bottom band (1 pick from it).

    Short lists: with ``n_ranked <= n`` every position is returned; when the bands would overlap (fewer
    than ``n_top + n_bottom + (n - 3)`` positions) the missing picks come from any position left.

    Examples:
        >>> sample_candidates(6, np.random.default_rng(0))
        [0, 1, 2, 3, 4, 5]
        >>> picks = sample_candidates(50, np.random.default_rng(0))
        >>> len(picks), picks == sorted(picks), sum(p < 5 for p in picks) in (1, 2), sum(p >= 45 for p in picks)
        (8, True, True, 1)
    """
    if n_ranked <= n:
        return list(range(n_ranked))
    top = np.arange(0, min(n_top, n_ranked))
    bottom = np.arange(max(len(top), n_ranked - n_bottom), n_ranked)
    middle = np.arange(len(top), bottom[0] if len(bottom) else n_ranked)
    n_from_top = int(rng.integers(1, 3)) if n >= 3 else 1
    chosen = list(rng.choice(top, size=min(n_from_top, len(top)), replace=False))
    if len(bottom):
        chosen += list(rng.choice(bottom, size=1, replace=False))
    want_middle = n - len(chosen)
    chosen += list(rng.choice(middle, size=min(want_middle, len(middle)), replace=False))
    if len(chosen) < n:  # tiny lists: top up from whatever is left
        rest = np.setdiff1d(np.arange(n_ranked), np.asarray(chosen, dtype=np.int64))
        chosen += list(rng.choice(rest, size=n - len(chosen), replace=False))
    return sorted(int(c) for c in chosen)


def ndcg_at_k(predicted: Sequence[int], relevance: dict[int, float], k: int = 8) -> float:
    """NDCG@k of a predicted order of candidate ids, with graded `relevance` per id (missing ids: 0).

    Examples:
        >>> ndcg_at_k([1, 2], {1: 1.0, 2: 0.5})
        1.0
        >>> round(ndcg_at_k([2, 1], {1: 1.0, 2: 0.5}), 4)
        0.8597
    """
    gains = [relevance.get(c, 0.0) for c in list(predicted)[:k]]
    dcg = sum(g / np.log2(i + 2) for i, g in enumerate(gains))
    ideal = sorted(relevance.values(), reverse=True)[:k]
    idcg = sum(g / np.log2(i + 2) for i, g in enumerate(ideal))
    return float(dcg / idcg) if idcg > 0 else 0.0


def reciprocal_rank(predicted: Sequence[int], best: int) -> float:
    """1 / (1-based position of `best` in `predicted`), 0 when absent."""
    for i, c in enumerate(predicted):
        if c == best:
            return 1.0 / (i + 1)
    return 0.0


def lm_relevance(lm_order: Sequence[int]) -> dict[int, float]:
    """Graded relevance ``1/rank`` of each id from its LM-feedback order (best first)."""
    return {c: 1.0 / (i + 1) for i, c in enumerate(lm_order)}
