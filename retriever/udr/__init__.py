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

import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import numpy as np

from retriever.registry import register
from retriever.strategies import KNN
from retriever.udr.sampler import lm_relevance, ndcg_at_k, reciprocal_rank
from retriever.udr.train import EpochStats, RankedList, TrainSettings, train_encoder

DEFAULT_INSTRUCTION = "Represent the math problem for retrieving worked examples that help solve it: "

#: ``score([(query_id, candidate_id), ...]) -> [mean NLL, ...]`` (lower = the candidate helps more).
ScoreFn = Callable[[list[tuple[str, str]]], list[float]]


@dataclass(frozen=True)
class Query:
    """A training query: a question and the target text the solver should produce for it."""

    id: str
    group: str  # held-out splits keep groups whole (e.g. the test problem a generated question came from)
    question: str
    target: str


@dataclass(frozen=True)
class Candidate:
    """A demo candidate (a pool entry)."""

    id: str
    group: str
    question: str
    solution: str


@dataclass(frozen=True)
class UDRSettings:
    """Mining and evaluation settings (training ones are in `train`)."""

    rounds: int = 3
    n_candidates: int = 50
    heldout: float = 0.2
    max_heldout: int = 32
    max_train_queries: int | None = None
    instruction: str = DEFAULT_INSTRUCTION
    candidate_text: Literal["question", "question+solution"] = "question"
    eval_k: int = 8
    seed: int = 0
    train: TrainSettings = field(default_factory=TrainSettings)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class RoundReport:
    """One mining round: how many pairs were scored, the epoch losses and the held-out ranking quality."""

    round: int
    new_pairs: int
    epochs: list[EpochStats]
    ndcg: float
    mrr: float
    seconds: dict[str, float]


@dataclass
class UDRResult:
    model: Any
    baseline: dict[str, float]
    rounds: list[RoundReport]
    train_ids: list[str]
    heldout_ids: list[str]
    scored_pairs: int

    def as_dict(self) -> dict[str, Any]:
        return {"baseline": self.baseline, "rounds": [asdict(r) for r in self.rounds],
                "n_train": len(self.train_ids), "n_heldout": len(self.heldout_ids),
                "scored_pairs": self.scored_pairs}


def candidate_text(c: Candidate, mode: str) -> str:
    return c.question if mode == "question" else f"{c.question}\n{c.solution}"


def split_queries(queries: Sequence[Query], heldout: float, max_heldout: int, seed: int = 0,
                  max_train: int | None = None) -> tuple[list[Query], list[Query]]:
    """Hold out whole groups (at least one if there are two or more), capped at `max_heldout` queries."""
    groups = sorted({q.group for q in queries})
    rng = np.random.default_rng(seed)
    order = [groups[i] for i in rng.permutation(len(groups))]
    n_out = min(len(groups) - 1, max(1, round(heldout * len(groups)))) if heldout > 0 and len(groups) > 1 else 0
    out_groups = set(order[:n_out])
    train = [q for q in queries if q.group not in out_groups]
    test = [q for q in queries if q.group in out_groups][:max_heldout]
    if max_train is not None and len(train) > max_train:
        keep = sorted(rng.choice(len(train), size=max_train, replace=False))
        train = [train[i] for i in keep]
    return train, test


def encode(model: Any, texts: Sequence[str], instruction: str) -> np.ndarray:
    """Unit-norm float32 embeddings of `texts` with `instruction` prefixed (inference mode)."""
    from retriever.embed import normalize

    if not texts:
        return np.zeros((0, 1), dtype=np.float32)
    out = model.encode([instruction + t for t in texts], batch_size=64, convert_to_numpy=True,
                       normalize_embeddings=True, show_progress_bar=False)
    return normalize(out)


def top_candidates(query_vecs: np.ndarray, cand_vecs: np.ndarray, k: int,
                   exclude: Sequence[int | None]) -> list[list[int]]:
    """Per query, the `k` best candidate rows by inner product (FAISS, exact), the `exclude` row dropped."""
    from retriever.index import VectorIndex

    if len(cand_vecs) == 0 or k <= 0:
        return [[] for _ in range(len(query_vecs))]
    index = VectorIndex.build(cand_vecs, embedder_id="udr-mining", kind="flat")
    _, rows = index.search(query_vecs, k + 1)
    return [[int(r) for r in row if r >= 0 and r != ex][:k] for row, ex in zip(rows, exclude, strict=True)]


def train_udr(model: Any, queries: Sequence[Query], candidates: Sequence[Candidate], score: ScoreFn,
              settings: UDRSettings | None = None, *, log: Callable[[str], None] = print) -> UDRResult:
    """Mine, score and train for `settings.rounds` rounds; `model` (a SentenceTransformer) is trained in place."""
    s = settings or UDRSettings()
    train_q, test_q = split_queries(queries, s.heldout, s.max_heldout, s.seed, s.max_train_queries)
    if not train_q:
        raise ValueError("no training queries (the pool is too small to hold out a group and train)")
    row_of = {c.id: i for i, c in enumerate(candidates)}
    cand_texts = [candidate_text(c, s.candidate_text) for c in candidates]
    nll: dict[tuple[str, str], float] = {}

    def score_new(pairs: list[tuple[str, str]]) -> int:
        new = list(dict.fromkeys(p for p in pairs if p not in nll))
        if new:
            nll.update(zip(new, score(new), strict=True))
        return len(new)

    def mine(qs: Sequence[Query]) -> list[list[int]]:
        cv = encode(model, cand_texts, s.instruction)
        qv = encode(model, [q.question for q in qs], s.instruction)
        return top_candidates(qv, cv, s.n_candidates, [row_of.get(q.id) for q in qs])

    def lm_order(q: Query, rows: list[int]) -> list[int]:
        # stable: retrieval order breaks NLL ties
        return sorted(rows, key=lambda r: nll[(q.id, candidates[r].id)])

    log(f"UDR: {len(train_q)} training queries, {len(test_q)} held-out, {len(candidates)} candidates, "
        f"L={s.n_candidates}, {s.rounds} rounds")
    t0 = time.perf_counter()
    test_rows = mine(test_q) if test_q else []
    score_new([(q.id, candidates[r].id) for q, rows in zip(test_q, test_rows, strict=True) for r in rows])
    test_lists = [(q, rows, lm_order(q, rows)) for q, rows in zip(test_q, test_rows, strict=True) if rows]

    def evaluate() -> dict[str, float]:
        if not test_lists:
            return {"ndcg": float("nan"), "mrr": float("nan")}
        qv = encode(model, [q.question for q, _, _ in test_lists], s.instruction)
        used = sorted({r for _, rows, _ in test_lists for r in rows})  # only the candidates being ranked
        at = {r: i for i, r in enumerate(used)}
        cv = encode(model, [cand_texts[r] for r in used], s.instruction)
        nd, rr = [], []
        for i, (_, rows, order) in enumerate(test_lists):
            sims = cv[[at[r] for r in rows]] @ qv[i]
            predicted = [rows[j] for j in np.lexsort((np.arange(len(rows)), -sims))]
            nd.append(ndcg_at_k(predicted, lm_relevance(order), s.eval_k))
            rr.append(reciprocal_rank(predicted, order[0]))
        return {"ndcg": float(np.mean(nd)), "mrr": float(np.mean(rr))}

    baseline = evaluate()
    log(f"held-out before training: NDCG@{s.eval_k} {baseline['ndcg']:.4f}  MRR {baseline['mrr']:.4f} "
        f"({time.perf_counter() - t0:.0f} s incl. scoring)")
    reports: list[RoundReport] = []
    for rnd in range(s.rounds):
        t_mine = time.perf_counter()
        rows_per_q = mine(train_q)
        t_score = time.perf_counter()
        new = score_new([(q.id, candidates[r].id) for q, rows in zip(train_q, rows_per_q, strict=True)
                         for r in rows])
        t_train = time.perf_counter()
        lists = [RankedList(q.question, tuple(cand_texts[r] for r in lm_order(q, rows)))
                 for q, rows in zip(train_q, rows_per_q, strict=True)]
        epochs = train_encoder(model, lists, s.train, instruction=s.instruction,
                               epoch_offset=rnd * s.train.epochs,
                               on_epoch=lambda e, r=rnd: log(f"  round {r + 1} epoch {e.epoch + 1}: loss {e.loss:.4f} "
                                                             f"(rank {e.rank:.4f}, ce {e.ce:.4f}), {e.seconds:.0f} s"))
        t_eval = time.perf_counter()
        metrics = evaluate()
        t_end = time.perf_counter()
        seconds = {"mine": t_score - t_mine, "score": t_train - t_score, "train": t_eval - t_train,
                   "eval": t_end - t_eval}
        reports.append(RoundReport(round=rnd + 1, new_pairs=new, epochs=epochs, ndcg=metrics["ndcg"],
                                   mrr=metrics["mrr"], seconds=seconds))
        log(f"round {rnd + 1}: scored {new} new pairs; held-out NDCG@{s.eval_k} {metrics['ndcg']:.4f}  "
            f"MRR {metrics['mrr']:.4f}")
    return UDRResult(model=model, baseline=baseline, rounds=reports, train_ids=[q.id for q in train_q],
                     heldout_ids=[q.id for q in test_q], scored_pairs=len(nll))


@register("udr")
class UDR(KNN):
    """Nearest neighbours under the trained UDR encoder.

    The caller embeds the pool and the queries with the trained encoder (instruction included) and passes
    that pool; selection is then FAISS top-k exactly as `knn` does. The strategy is registered when this
    module is imported (`pipeline` does so before retrieving with ``udr``).
    """
