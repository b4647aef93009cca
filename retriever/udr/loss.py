"""UDR's training objective: a LambdaRank-style list-wise loss plus in-batch cross-entropy.

Each query comes with `C` candidates **in LM-feedback order** (column 0 helped the solver most). The target
relevance of column `c` is ``1 / (c + 1)`` (1/rank). With `s` the model's scores and `pos` the position the
model currently gives each candidate in its list (1 = scored highest)::

    rank = mean over pairs (i, j) of one query with rel_i > rel_j of
           log(1 + exp(-(s_i - s_j))) * |1/pos_i - 1/pos_j|
    ce   = cross-entropy over all candidates in the batch, the query's top (column 0) candidate positive
    total = factor * rank + ce                              (factor 4 in UDR)

The weight is the change in the reciprocal predicted position if the two swapped (LambdaRank's |delta|
with 1/position as the gain), so mistakes near the top of the list cost most. It is a constant per step:
positions are discrete, gradients flow only through the pairwise logistic term.

Reduction: the rank term is averaged over all ordered pairs in the batch (every query of C candidates
contributes C*(C-1)/2 pairs), the CE over queries. Both are therefore on a per-item scale regardless of
C and the batch size.

Example:
    >>> import torch
    >>> s = torch.tensor([[2.0, 0.0]])          # the better candidate already scored higher
    >>> round(float(lambdarank_loss(s)), 4)     # log(1+e^-2) * |1/1 - 1/2|
    0.0635
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # torch is heavy: imported inside the functions
    import torch


def reciprocal_rank_relevance(n_queries: int, n_candidates: int) -> torch.Tensor:
    """Target relevance ``1/(c+1)`` for candidates given in LM order, shape (n_queries, n_candidates)."""
    import torch

    rel = 1.0 / torch.arange(1, n_candidates + 1, dtype=torch.float32)
    return rel.expand(n_queries, n_candidates)


def predicted_positions(scores: torch.Tensor) -> torch.Tensor:
    """1-based position of each score within its row when sorted descending (ties: lower column first).

    Examples:
        >>> import torch
        >>> predicted_positions(torch.tensor([[0.1, 0.9, 0.5]])).tolist()
        [[3.0, 1.0, 2.0]]
    """
    import torch

    with torch.no_grad():
        # stable argsort on -score keeps column order among ties
        order = torch.sort(-scores.detach(), dim=1, stable=True).indices
        pos = torch.empty_like(scores, dtype=torch.float32)
        ranks = torch.arange(1, scores.shape[1] + 1, dtype=torch.float32).expand_as(order)
        pos.scatter_(1, order, ranks)
    return pos


def lambdarank_loss(scores: torch.Tensor, relevance: torch.Tensor | None = None) -> torch.Tensor:
    """The pairwise rank loss (see module docstring), averaged over the valid pairs of the batch.

    Args:
        scores: (B, C) model scores, columns in LM-feedback order unless `relevance` says otherwise.
        relevance: (B, C) target relevance (default ``1/(c+1)``); pairs with equal relevance are skipped.
    """
    import torch.nn.functional as F

    if scores.ndim != 2:
        raise ValueError(f"scores must be (queries, candidates), got shape {tuple(scores.shape)}")
    b, c = scores.shape
    rel = reciprocal_rank_relevance(b, c) if relevance is None else relevance.to(scores.dtype)
    if c < 2:
        return scores.sum() * 0.0
    inv_pos = 1.0 / predicted_positions(scores)
    better = rel.unsqueeze(2) > rel.unsqueeze(1)                     # (B, C, C): i strictly above j
    weight = (inv_pos.unsqueeze(2) - inv_pos.unsqueeze(1)).abs()     # |1/pos_i - 1/pos_j|, no gradient
    diff = scores.unsqueeze(2) - scores.unsqueeze(1)                 # s_i - s_j
    pair_loss = F.softplus(-diff) * weight                           # log(1 + exp(-(s_i - s_j)))
    n_pairs = better.sum()
    if n_pairs == 0:
        return scores.sum() * 0.0
    return (pair_loss * better).sum() / n_pairs


def inbatch_ce_loss(query: torch.Tensor, candidates: torch.Tensor, scale: float = 1.0) -> torch.Tensor:
    """Cross-entropy of each query over every candidate in the batch, its own column-0 candidate positive.

    Args:
        query: (B, d) query embeddings.
        candidates: (B, C, d) candidate embeddings in LM order.
        scale: multiplies the dot products (a temperature for unit-norm embeddings).
    """
    import torch
    import torch.nn.functional as F

    b, c, d = candidates.shape
    logits = scale * query @ candidates.reshape(b * c, d).T          # (B, B*C)
    target = torch.arange(b, device=query.device) * c
    return F.cross_entropy(logits, target)


@dataclass(frozen=True)
class LossParts:
    """The loss of one step and its two terms (floats are for logging)."""

    total: torch.Tensor
    rank: float
    ce: float


def udr_loss(query: torch.Tensor, candidates: torch.Tensor, *, factor: float = 4.0, scale: float = 20.0) -> LossParts:
    """``factor * lambdarank + in-batch CE`` on dot-product scores ``scale * q . c``.

    Args:
        query: (B, d) query embeddings (unit norm for a normalised encoder).
        candidates: (B, C, d) candidate embeddings, each query's candidates in LM-feedback order.
        factor: weight of the rank term (UDR: 4).
        scale: dot-product multiplier. Unit-norm embeddings give scores in [-1, 1], which makes both the
            logistic and the softmax nearly flat; 20 is sentence-transformers' usual in-batch scale.
    """
    scores = scale * (candidates @ query.unsqueeze(2)).squeeze(2)    # (B, C)
    rank = lambdarank_loss(scores)
    ce = inbatch_ce_loss(query, candidates, scale=scale)
    return LossParts(total=factor * rank + ce, rank=float(rank.detach()), ce=float(ce.detach()))
