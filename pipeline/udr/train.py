"""`saicot udr train`: train the UDR encoder on a run's pool with LM feedback, and compare its top-k with knn's.

Layout and scoring are described in `pipeline.udr` (the glue both training and retrieval use).
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.engines.base import Engine
from pipeline.errors import SaicotError
from pipeline.store import JsonlStore, cache_key, write_json_atomic
from pipeline.udr import (
    UDR_DIR,
    PairScorer,
    index_dir,
    labelled_queries,
    pool_examples,
    weights_digest,
)
from retriever.registry import PoolItem
from retriever.udr import Candidate, Query, UDRSettings


def compare_topk(scorer: PairScorer, heldout: Sequence[Query], candidates: Sequence[Candidate], base: Any,
                 base_text: str, udr_model: Any, settings: UDRSettings, k: int) -> dict[str, Any]:
    """LM-feedback metric: mean NLL of held-out targets given the top-k demos of knn (base) vs udr (trained)."""
    from retriever.udr import candidate_text, encode, top_candidates

    if not heldout or k <= 0:
        return {}
    row_of = {c.id: i for i, c in enumerate(candidates)}
    exclude = [row_of.get(q.id) for q in heldout]
    questions = [q.question for q in heldout]
    knn_rows = top_candidates(base.encode(questions), base.encode([candidate_text(c, base_text) for c in candidates]),
                              k, exclude)
    udr_rows = top_candidates(encode(udr_model, questions, settings.instruction),
                              encode(udr_model, [candidate_text(c, settings.candidate_text) for c in candidates],
                                     settings.instruction), k, exclude)
    out: dict[str, Any] = {"k": k, "n": len(heldout)}
    per = {}
    for name, rows in (("no-demos", [[] for _ in heldout]), ("knn", knn_rows), ("udr", udr_rows)):
        per[name] = scorer.demo_nll([(q, [candidates[r] for r in rr]) for q, rr in zip(heldout, rows, strict=True)])
        out[name] = float(np.mean(per[name]))
    out["udr_better_share"] = float(np.mean(np.array(per["udr"]) < np.array(per["knn"])))
    out["same_demos_share"] = float(np.mean([set(a) == set(b) for a, b in zip(knn_rows, udr_rows, strict=True)]))
    return out


def train_run(run_dir: Path, settings: UDRSettings, *, index_key: str | None = None, scorer_model: str | None = None,
              scorer_dtype: str | None = None, labelled: str | None = None, labelled_limit: int = 500,
              force: bool = False, score_chunk: int = 512,
              engine_factory: Callable[[str, Any], Engine] | None = None, embedder_path: str | None = None,
              log: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Train (or load the finished training of) the UDR encoder for a run's pool; returns the report.

    Args:
        run_dir: a run directory with a finished index stage (its config.yaml names solver, engine, embedder),
            or one run's results directory of a study (``STUDY/runs/NAME``: the stages, and the trained encoder,
            live in the study directory, where the study's `udr` cells look for it).
        settings: UDR mining/training settings.
        index_key: which pool (default: the newest finished one).
        scorer_model: the LM giving feedback (default: the run's solver).
        scorer_dtype: the dtype it scores in (default: the run's ``engine.dtype``). UDR uses only each query's
            order of candidates, which bf16 keeps (`bench/udr_scorer_dtype.py`) at ~1.7-2.6x float32's speed on
            CPUs with native bf16; the pair cache is keyed by dtype, so scores of two dtypes never mix.
        labelled: a bundled benchmark whose *train* split supplies queries with gold solutions (option).
        score_chunk: pairs per engine call; each call's scores are appended to the pair cache, so a kill loses at
            most one call's work.
        engine_factory / embedder_path: overrides for tests and other backends.
    """
    from rich.console import Console

    from pipeline.config import load_config
    from pipeline.engines import default_factory, stage_dtype
    from pipeline.models import model_identity, resolve
    from retriever.embed import Embedder, model_dir_identity
    from retriever.udr import train_udr
    from retriever.udr.report import print_report

    console = Console(stderr=True)
    log = log or (lambda msg: console.print(msg, highlight=False, markup=False))  # messages hold "[udr]"
    run_dir = Path(run_dir)
    if not (run_dir / "config.yaml").exists():
        raise SaicotError(f"{run_dir} is not a run directory (no config.yaml)")
    cfg = load_config(run_dir / "config.yaml", run_dir=run_dir)
    run_dir = stage_root(run_dir)
    pool_dir = index_dir(run_dir, index_key)
    items, queries, cands = _training_data(pool_dir, labelled, labelled_limit)
    model_name = scorer_model or cfg.solver.model
    engine_cfg = cfg.engine.model_copy(update={"dtype": scorer_dtype}) if scorer_dtype else cfg.engine
    dtype = stage_dtype(engine_cfg)  # "auto" resolved, as the scores were made
    scorer_key = cache_key({"model": model_identity(model_name), "dtype": dtype,
                            "max_model_len": engine_cfg.max_model_len})
    base_path = embedder_path or resolve(cfg.index.embedder)
    base_id = model_dir_identity(base_path)
    train_key = cache_key({"index": pool_dir.name, "scorer": scorer_key, "base": base_id, "labelled": labelled,
                           "labelled_limit": labelled_limit if labelled else None, "settings": settings.as_dict()})
    train_dir = run_dir / UDR_DIR / train_key
    if (train_dir / "DONE").exists() and not force:
        log(f"UDR encoder already trained for this pool and settings: {train_dir}")
        print_report(report := json.loads((train_dir / "report.json").read_text()), console)
        return report
    if force:  # retrain from scratch, not from an earlier attempt's rounds (pair scores stay cached)
        shutil.rmtree(train_dir / "rounds", ignore_errors=True)

    from sentence_transformers import SentenceTransformer

    start = time.perf_counter()
    log(f"UDR: pool {pool_dir.name} ({len(items)} demos), feedback from {model_name} in {dtype}, "
        f"base {base_id}")
    engine = (engine_factory or default_factory)(model_name, engine_cfg)
    try:
        store = JsonlStore(run_dir / UDR_DIR / "scores" / f"{scorer_key}.jsonl", key=lambda r: r["key"])
        scorer = PairScorer(engine, store, {q.id: q for q in queries}, {c.id: c for c in cands},
                            chunk=score_chunk, log=log)
        base = Embedder(str(base_path))
        result = train_udr(SentenceTransformer(str(base_path), device="cpu"), queries, cands, scorer, settings,
                           log=log, knn=(base, cfg.index.text), state_dir=train_dir / "rounds")
        model = result.model
        heldout = [q for q in queries if q.id in set(result.heldout_ids)]
        lm = compare_topk(scorer, heldout, cands, base, cfg.index.text, model, settings, k=cfg.retrieve.k)
    finally:
        engine.close()
    meta = {"base": base_id, "instruction": settings.instruction, "candidate_text": settings.candidate_text,
            "index_key": pool_dir.name, "scorer_model": model_name, "scorer_dtype": dtype,
            "scorer_key": scorer_key, "labelled": labelled,
            "settings": settings.as_dict()}
    summary = result.as_dict()
    report = {**summary, "lm_feedback": lm, "train_dir": str(train_dir), "cost": _cost(scorer, result),
              "heldout_vs": heldout_intervals(summary),
              "scoring": {**scorer.stats, "tokens_per_s": scorer.stats["tokens"] / max(scorer.stats["seconds"], 1e-9)},
              "seconds": time.perf_counter() - start}
    report = {**report, "identity": _save(train_dir, model, meta, report)}
    shutil.rmtree(train_dir / "rounds", ignore_errors=True)  # the per-round checkpoints of a finished training
    print_report(report, console)
    log(f"trained encoder {report['identity']} in {train_dir}; use it with --set retrieve.strategies=[udr]")
    return report


def _cost(scorer: PairScorer, result: Any) -> dict[str, float]:
    """Pairs, tokens and seconds of the training over every session it took (the pair cache keeps each call's)."""
    cost = scorer.cost(result.pairs)
    cost["train_seconds"] = sum(sum(v for k, v in r.seconds.items() if k != "score") for r in result.rounds)
    return cost


def heldout_intervals(report: dict[str, Any]) -> dict[str, dict[str, float | int]]:
    """Paired 95% bootstrap intervals of held-out NDCG differences over the same lists: the last round's encoder
    (udr) against knn, random orders and the untrained encoder, and knn against random.

    Keys are ``"a - b"``; values as `eval.report.metrics.paired_bootstrap` (n, diff, low, high, ...). A pair is left
    out when either side has no per-list NDCG (a report written before they were kept).
    """
    from eval.report.metrics import paired_bootstrap

    base = report.get("baseline") or {}
    rounds = report.get("rounds") or []
    per = {"udr": rounds[-1].get("ndcg_per_query") if rounds else None, "untrained": base.get("ndcg_per_query"),
           "knn": (base.get("knn") or {}).get("ndcg_per_query"),
           "random": (base.get("random") or {}).get("ndcg_per_query")}
    out = {}
    for a, b in (("udr", "knn"), ("udr", "random"), ("udr", "untrained"), ("knn", "random")):
        if per[a] and per[b] and len(per[a]) == len(per[b]):
            out[f"{a} - {b}"] = paired_bootstrap(per[a], per[b])
    return out


def _training_data(pool_dir: Path, labelled: str | None, labelled_limit: int
                   ) -> tuple[list[PoolItem], list[Query], list[Candidate]]:
    """The pool's entries, the training queries (the pool's own, or a labelled split's) and the candidates."""
    items = [PoolItem(**r) for r in JsonlStore(pool_dir / "pool.jsonl", key=lambda r: r["pool_id"]).records()]
    if len(items) < 3:
        raise SaicotError(f"the pool in {pool_dir} has {len(items)} demos: too few to train UDR")
    queries, cands = pool_examples(items)
    if labelled:
        from eval.benchmarks import load

        queries = labelled_queries(load(labelled, split="train", limit=labelled_limit))
    return items, queries, cands


def stage_root(run_dir: Path) -> Path:
    """Where a run's stage directories are: the run directory, or the study directory of a study's run."""
    study = run_dir.parent.parent
    if not (run_dir / "index").exists() and run_dir.parent.name == "runs" and (study / "study.json").exists():
        return study
    return run_dir


def _save(train_dir: Path, model: Any, meta: dict[str, Any], report: dict[str, Any]) -> str:
    """The trained encoder, its meta.json and report.json, then DONE; returns the encoder's identity."""
    from retriever.embed import Embedder

    encoder_dir = train_dir / "encoder"
    model.save(str(encoder_dir))
    encoder_id = f"udr-{meta['base'].split('@')[0]}@{weights_digest(encoder_dir)}"
    identity = Embedder.from_model(model, identity=encoder_id, instruction=meta["instruction"]).identity
    write_json_atomic(train_dir / "meta.json", {"identity": identity, "encoder_id": encoder_id, **meta})
    write_json_atomic(train_dir / "report.json", {**report, "identity": identity})
    (train_dir / "DONE").write_text("")
    return identity
