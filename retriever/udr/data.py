"""UDR's data: training queries, demo candidates, settings and results, and the encoder helpers mining uses."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import numpy as np

from retriever.udr.train import EpochStats, TrainSettings

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
    ndcg_per_query: list[float] = field(default_factory=list)  # per held-out list, in `heldout_ids` order


@dataclass
class UDRResult:
    model: Any
    baseline: dict[str, Any]  # untrained: ndcg, mrr, ndcg_per_query; "random" and "knn" alike
    rounds: list[RoundReport]
    train_ids: list[str]
    heldout_ids: list[str]
    scored_pairs: int
    pairs: list[tuple[str, str]] = field(default_factory=list)  # every (query, candidate) pair it used
    eval_k: int = 8

    def as_dict(self) -> dict[str, Any]:
        return {"baseline": self.baseline, "rounds": [asdict(r) for r in self.rounds],
                "n_train": len(self.train_ids), "n_heldout": len(self.heldout_ids),
                "scored_pairs": self.scored_pairs, "eval_k": self.eval_k}


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
