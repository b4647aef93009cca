"""UDR-style list-wise retriever (Li et al. 2023, "Unified Demonstration Retriever"), on sentence-transformers.

The bi-encoder (initialised from the embedder, shared by queries and demos, dot product, a task instruction
prefixed to every text) learns which demos actually help the solver, from the solver's own likelihoods:

1. candidates per training query: the top `L` (50) pool entries from the current retriever, the query's own
   entry excluded;
2. LM feedback: a caller-supplied `score(pairs)` gives the solver's mean NLL of the query's target given a
   one-demo prompt (lower = better demo); candidates are ranked by it;
3. training: `retriever.udr.train.train_encoder` (list-wise LambdaRank + in-batch CE);
4. mining: `rounds` (3) times, re-retrieve with the new encoder, score only pairs not seen yet, retrain.

Held-out queries (whole groups, i.e. all pool entries generated from one test problem) are scored once
against their round-0 candidates and used to report NDCG@8 / MRR of the encoder's ranking against the LM
ranking, before training and after every round.

This module knows nothing of engines or prompts: `score` receives ``(query_id, candidate_id)`` pairs.

Example:
    >>> result = train_udr(model, queries, candidates, score, UDRSettings(rounds=3))   # doctest: +SKIP
    >>> [(r.round, r.ndcg, r.mrr) for r in result.rounds]
"""

from __future__ import annotations

from retriever.registry import register
from retriever.strategies import KNN
from retriever.udr.data import (
    DEFAULT_INSTRUCTION,
    Candidate,
    Query,
    RoundReport,
    ScoreFn,
    UDRResult,
    UDRSettings,
    candidate_text,
    encode,
    split_queries,
    top_candidates,
)
from retriever.udr.mine import train_udr

__all__ = ["DEFAULT_INSTRUCTION", "UDR", "Candidate", "Query", "RoundReport", "ScoreFn", "UDRResult", "UDRSettings",
           "candidate_text", "encode", "split_queries", "top_candidates", "train_udr"]


@register("udr")
class UDR(KNN):
    """Nearest neighbours under the trained UDR encoder.

    The caller embeds the pool and the queries with the trained encoder (instruction included) and passes
    that pool; selection is then FAISS top-k exactly as `knn` does. The strategy is registered when this
    module is imported (`pipeline` does so before retrieving with ``udr``).
    """
