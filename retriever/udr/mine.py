"""UDR's outer loop: mine candidates, score the new pairs, train, evaluate on held-out queries; per round.

Engine-free: `score` receives ``(query_id, candidate_id)`` pairs and returns mean NLLs (the caller caches them).
With a `state_dir`, every finished round is saved (the encoder and the round's report), so a run killed in round
r resumes from round r - 1's encoder: with the pair scores cached by the caller, nothing is recomputed.

Held-out evaluation: NDCG@k and MRR of a ranking of each held-out query's round-0 candidates against the LM's
ranking of them, for the encoder before training and after every round, and for two references: `knn` (the
pool index's own embedder, as the `knn` strategy ranks) and `random` (the mean over seeded permutations).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from retriever.udr.data import (
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
from retriever.udr.sampler import lm_relevance, ndcg_at_k, reciprocal_rank
from retriever.udr.train import EpochStats, RankedList, train_encoder

RANDOM_PERMUTATIONS = 20


def rank_quality(lists: Sequence[tuple[list[int], list[int]]], predicted: Sequence[list[int]], k: int
                 ) -> dict[str, Any]:
    """Mean NDCG@k and MRR of `predicted` orders against the LM orders of `lists` (candidate rows, LM order), and
    each list's NDCG@k (``ndcg_per_query``, for paired intervals between two rankings of the same lists)."""
    if not lists:
        return {"ndcg": float("nan"), "mrr": float("nan"), "ndcg_per_query": []}
    nd = [ndcg_at_k(p, lm_relevance(order), k) for (_, order), p in zip(lists, predicted, strict=True)]
    rr = [reciprocal_rank(p, order[0]) for (_, order), p in zip(lists, predicted, strict=True)]
    return {"ndcg": float(np.mean(nd)), "mrr": float(np.mean(rr)), "ndcg_per_query": nd}


def order_by(rows: list[int], sims: np.ndarray) -> list[int]:
    """`rows` by descending similarity, ties in retrieval order."""
    return [rows[j] for j in np.lexsort((np.arange(len(rows)), -sims))]


def random_quality(lists: Sequence[tuple[list[int], list[int]]], k: int, seed: int) -> dict[str, Any]:
    """`rank_quality` of random orders, averaged over `RANDOM_PERMUTATIONS` draws (per list too)."""
    rng = np.random.default_rng(seed)
    runs = [rank_quality(lists, [list(rng.permutation(rows)) for rows, _ in lists], k)
            for _ in range(RANDOM_PERMUTATIONS)]
    return {**{m: float(np.mean([r[m] for r in runs])) for m in ("ndcg", "mrr")},
            "ndcg_per_query": [float(x) for x in np.mean([r["ndcg_per_query"] for r in runs], axis=0)]}


def _load_rounds(state_dir: Path | None) -> tuple[dict[str, Any] | None, list[RoundReport]]:
    """The saved baseline and finished rounds (in order) of an interrupted training."""
    if state_dir is None or not (state_dir / "baseline.json").exists():
        return None, []
    baseline = json.loads((state_dir / "baseline.json").read_text())
    rounds = []
    while (state_dir / f"round-{len(rounds) + 1}.json").exists():
        data = json.loads((state_dir / f"round-{len(rounds) + 1}.json").read_text())
        rounds.append(RoundReport(**{**data, "epochs": [EpochStats(**e) for e in data["epochs"]]}))
    return baseline, rounds


def _save_round(state_dir: Path, model: Any, report: RoundReport, pairs: Sequence[tuple[str, str]]) -> None:
    model.save(str(state_dir / f"round-{report.round}"))
    (state_dir / f"round-{report.round}.pairs.json").write_text(json.dumps(list(pairs)))  # all scored so far
    tmp = state_dir / f"round-{report.round}.json.tmp"
    tmp.write_text(json.dumps(asdict(report)))
    tmp.replace(state_dir / f"round-{report.round}.json")  # last: the round counts once its encoder is saved


@dataclass
class _Miner:
    """The state one training carries between rounds: the encoder, the pair scores seen so far, the held-out lists."""

    model: Any
    candidates: Sequence[Candidate]
    score: ScoreFn
    s: UDRSettings
    nll: dict[tuple[str, str], float] = field(default_factory=dict)
    test_lists: list[tuple[Query, list[int], list[int]]] = field(default_factory=list)  # rows, LM order

    def __post_init__(self) -> None:
        self.row_of = {c.id: i for i, c in enumerate(self.candidates)}
        self.texts = [candidate_text(c, self.s.candidate_text) for c in self.candidates]

    def score_new(self, pairs: Sequence[tuple[str, str]]) -> int:
        """Score the pairs not seen yet (the caller's cache may still answer them without an engine)."""
        new = list(dict.fromkeys(p for p in pairs if p not in self.nll))
        if new:
            self.nll.update(zip(new, self.score(new), strict=True))
        return len(new)

    def pairs(self, qs: Sequence[Query], rows: Sequence[list[int]]) -> list[tuple[str, str]]:
        return [(q.id, self.candidates[r].id) for q, rr in zip(qs, rows, strict=True) for r in rr]

    def mine(self, qs: Sequence[Query]) -> list[list[int]]:
        """Each query's top-L candidates under the current encoder (its own entry excluded)."""
        cv = encode(self.model, self.texts, self.s.instruction)
        qv = encode(self.model, [q.question for q in qs], self.s.instruction)
        return top_candidates(qv, cv, self.s.n_candidates, [self.row_of.get(q.id) for q in qs])

    def lm_order(self, q: Query, rows: list[int]) -> list[int]:
        return sorted(rows, key=lambda r: self.nll[(q.id, self.candidates[r].id)])  # stable: ties by retrieval

    def evaluate(self, vectors: Callable[[Sequence[str], Sequence[int]], tuple[np.ndarray, np.ndarray]] | None = None
                 ) -> dict[str, Any]:
        """NDCG/MRR on the held-out lists of a ranking by `vectors` (query texts, candidate rows) -> (qv, cv);
        default: the encoder being trained."""
        vectors = vectors or (lambda qs, used: (encode(self.model, qs, self.s.instruction),
                                                encode(self.model, [self.texts[r] for r in used], self.s.instruction)))
        used = sorted({r for _, rows, _ in self.test_lists for r in rows})  # only the candidates being ranked
        at = {r: i for i, r in enumerate(used)}
        qv, cv = vectors([q.question for q, _, _ in self.test_lists], used)
        predicted = [order_by(rows, cv[[at[r] for r in rows]] @ qv[i])
                     for i, (_, rows, _) in enumerate(self.test_lists)]
        return rank_quality([(rows, order) for _, rows, order in self.test_lists], predicted, self.s.eval_k)

    def baseline(self, knn: tuple[Any, str] | None) -> dict[str, Any]:
        """Held-out quality before training, with the random and knn references."""
        out: dict[str, Any] = self.evaluate()
        if self.test_lists:
            out["random"] = random_quality([(rows, order) for _, rows, order in self.test_lists], self.s.eval_k,
                                           self.s.seed)
        if knn is not None and self.test_lists:
            enc, text = knn
            out["knn"] = self.evaluate(lambda qs, used: (
                enc.encode(list(qs)), enc.encode([candidate_text(self.candidates[r], text) for r in used])))
        return out

    def train_round(self, rnd: int, train_q: Sequence[Query], log: Callable[[str], None]) -> RoundReport:
        """Mine with the current encoder, score the new pairs, train one round, evaluate."""
        s, t_mine = self.s, time.perf_counter()
        rows_per_q = self.mine(train_q)
        t_score = time.perf_counter()
        new = self.score_new(self.pairs(train_q, rows_per_q))
        t_train = time.perf_counter()
        lists = [RankedList(q.question, tuple(self.texts[r] for r in self.lm_order(q, rows)))
                 for q, rows in zip(train_q, rows_per_q, strict=True)]
        epochs = train_encoder(self.model, lists, s.train, instruction=s.instruction, epoch_offset=rnd * s.train.epochs,
                               on_epoch=lambda e: log(f"  round {rnd + 1} epoch {e.epoch + 1}: loss {e.loss:.4f} "
                                                      f"(rank {e.rank:.4f}, ce {e.ce:.4f}), {e.seconds:.0f} s"))
        t_eval = time.perf_counter()
        metrics = self.evaluate()
        seconds = {"mine": t_score - t_mine, "score": t_train - t_score, "train": t_eval - t_train,
                   "eval": time.perf_counter() - t_eval}
        return RoundReport(round=rnd + 1, new_pairs=new, epochs=epochs, ndcg=metrics["ndcg"], mrr=metrics["mrr"],
                           seconds=seconds, ndcg_per_query=metrics["ndcg_per_query"])


def train_udr(model: Any, queries: Sequence[Query], candidates: Sequence[Candidate], score: ScoreFn,
              settings: UDRSettings | None = None, *, log: Callable[[str], None] = print,
              knn: tuple[Any, str] | None = None, state_dir: Path | None = None) -> UDRResult:
    """Mine, score and train for `settings.rounds` rounds; returns the trained model (trained in place, or loaded
    from `state_dir` when resuming) and the report.

    Args:
        knn: the `knn` reference for the held-out table: an encoder with ``encode(texts) -> unit vectors`` and the
            candidate text it indexes (``question`` or ``question+solution``).
        state_dir: where finished rounds are saved and resumed from (none: no checkpoints).
    """
    s = settings or UDRSettings()
    train_q, test_q = split_queries(queries, s.heldout, s.max_heldout, s.seed, s.max_train_queries)
    if not train_q:
        raise ValueError("no training queries (the pool is too small to hold out a group and train)")
    m = _Miner(model, candidates, score, s)
    log(f"UDR: {len(train_q)} training queries, {len(test_q)} held-out, {len(candidates)} candidates, "
        f"L={s.n_candidates}, {s.rounds} rounds")
    t0 = time.perf_counter()
    baseline, reports = _load_rounds(state_dir)
    # the held-out lists are mined by the untrained encoder: after a resume only the baseline file has them
    test_rows = [list(r) for r in baseline["test_rows"]] if baseline else (m.mine(test_q) if test_q else [])
    m.score_new(m.pairs(test_q, test_rows))
    m.test_lists = [(q, rows, m.lm_order(q, rows)) for q, rows in zip(test_q, test_rows, strict=True) if rows]
    if baseline is None or "ndcg_per_query" not in baseline:  # new, or saved before per-list NDCG was kept
        baseline = {**m.baseline(knn), "test_rows": test_rows}  # the untrained encoder: before any resume below
        if state_dir is not None:
            state_dir.mkdir(parents=True, exist_ok=True)
            (state_dir / "baseline.json").write_text(json.dumps(baseline))
    if reports and state_dir is not None:
        from sentence_transformers import SentenceTransformer

        m.model = SentenceTransformer(str(state_dir / f"round-{len(reports)}"), device="cpu")
        log(f"resuming after round {len(reports)} (its encoder and report saved in {state_dir})")
        done = json.loads((state_dir / f"round-{len(reports)}.pairs.json").read_text())
        m.score_new([(q, c) for q, c in done])  # the caller's cache answers: no engine call
    for name in ("random", "knn"):
        if name in baseline:
            log(f"held-out, {name}: NDCG@{s.eval_k} {baseline[name]['ndcg']:.4f}  MRR {baseline[name]['mrr']:.4f}")
    log(f"held-out before training: NDCG@{s.eval_k} {baseline['ndcg']:.4f}  MRR {baseline['mrr']:.4f} "
        f"({time.perf_counter() - t0:.0f} s incl. scoring)")
    for rnd in range(len(reports), s.rounds):
        reports.append(m.train_round(rnd, train_q, log))
        if state_dir is not None:
            _save_round(state_dir, m.model, reports[-1], list(m.nll))
        log(f"round {rnd + 1}: scored {reports[-1].new_pairs} new pairs; held-out NDCG@{s.eval_k} "
            f"{reports[-1].ndcg:.4f}  MRR {reports[-1].mrr:.4f}")
    baseline = {k: v for k, v in baseline.items() if k != "test_rows"}
    return UDRResult(model=m.model, baseline=baseline, rounds=reports, train_ids=[q.id for q in train_q],
                     heldout_ids=[q.id for q in test_q], scored_pairs=len(m.nll), pairs=list(m.nll), eval_k=s.eval_k)
