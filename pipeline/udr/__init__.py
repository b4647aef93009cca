"""UDR glue: training queries from a run's pool, LM-feedback scoring through an Engine, the trained encoder on disk
(training itself: `pipeline.udr.train`).

Layout in the run directory::

    udr/scores/<scorer_key>.jsonl   pair scores (content-hashed prompt + target -> mean NLL), shared by all
                                    trainings with the same solver, so later rounds/runs only score new pairs
    udr/<train_key>/encoder/        the trained SentenceTransformer
    udr/<train_key>/meta.json       identity, base embedder, instruction, candidate text, index key, settings
    udr/<train_key>/report.json     per-round losses, NDCG@8 / MRR, LM-feedback NLL of knn vs udr top-k demos
    udr/<train_key>/DONE

The scored prompt is the solver's own chat prompt with one demo (`prompts.solve.solve_messages`), so the
feedback measures a demo exactly as the solve stage uses it; the continuation is the query's target.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.engines.base import Engine
from pipeline.errors import SaicotError
from pipeline.store import JsonlStore
from prompts.solve import Demo, solve_messages
from retriever.registry import Pool, PoolItem
from retriever.udr import Candidate, Query, UDRSettings
from retriever.udr.train import TrainSettings

UDR_DIR = "udr"


# -- training data ------------------------------------------------------------------------------------------------
def pool_examples(items: Sequence[PoolItem]) -> tuple[list[Query], list[Candidate]]:
    """Label-free: every pool entry is a query whose target is its kept (self-consistent) solution."""
    queries = [Query(it.pool_id, it.problem_id, it.question, it.solution) for it in items]
    cands = [Candidate(it.pool_id, it.problem_id, it.question, it.solution) for it in items]
    return queries, cands


def gsm8k_target(solution: str) -> str:
    """A GSM8K reference solution in the solver's format: calculator marks dropped, '#### x' -> 'The answer is x.'."""
    text = re.sub(r"<<[^>]*>>", "", solution)
    head, _, answer = text.rpartition("####")
    return f"{head.strip()}\nThe answer is {answer.strip()}." if answer.strip() else text.strip()


def labelled_queries(problems: Sequence[Any]) -> list[Query]:
    """Option: a labelled split (e.g. GSM8K train) as queries, its gold solutions as targets."""
    return [Query(p.id, p.id, p.question, gsm8k_target(p.meta.get("solution") or f"#### {p.gold}"))
            for p in problems]


# -- LM-feedback scoring ----------------------------------------------------------------------------------------
@dataclass
class PairScorer:
    """Mean NLL of a query's target given a prompt of demos, through `engine.loglikelihood`, cached on disk.

    Called with ``(query_id, candidate_id)`` pairs it is the `score` callable `retriever.udr.train_udr` takes.
    """

    engine: Engine
    store: JsonlStore
    queries: dict[str, Query]
    candidates: dict[str, Candidate]
    chunk: int = 512
    log: Callable[[str], None] = print
    stats: dict[str, float] = field(default_factory=lambda: {"pairs": 0, "tokens": 0, "seconds": 0.0})

    def prompt(self, query: Query, demos: Sequence[Candidate]) -> str:
        """The solver's chat prompt with `demos` (given most relevant last, as the solve stage orders them)."""
        return self.engine.apply_chat_template(
            solve_messages(query.question, [Demo(d.question, d.solution) for d in demos]))

    @staticmethod
    def key(prompt: str, target: str) -> str:
        return hashlib.sha256(f"{prompt}\x1f{target}".encode()).hexdigest()[:24]

    def score_texts(self, pairs: Sequence[tuple[str, str]], labels: Sequence[dict[str, Any]] | None = None
                    ) -> list[float]:
        """Mean NLL per (prompt, target), from the cache or the engine; each engine call's scores are appended
        to the cache with their tokens and their share of the call's seconds (the training's cost, summed later)."""
        keys = [self.key(p, c) for p, c in pairs]
        cached = {r["key"]: r["nll"] for r in self.store.records()}
        todo = list(dict.fromkeys(i for i, k in enumerate(keys) if k not in cached))
        for start in range(0, len(todo), self.chunk):
            part = todo[start:start + self.chunk]
            t0 = time.perf_counter()
            values = self.engine.loglikelihood([pairs[i] for i in part])
            seconds = time.perf_counter() - t0
            tokens = [self.engine.count_tokens(pairs[i][0] + pairs[i][1]) for i in part]
            self.stats["seconds"] += seconds
            self.stats["pairs"] += len(part)
            self.stats["tokens"] += sum(tokens)
            self.store.append({"key": keys[i], "nll": v, "tokens": n, "seconds": seconds / len(part),
                               **(labels[i] if labels else {})}
                              for i, v, n in zip(part, values, tokens, strict=True))
            cached.update((keys[i], v) for i, v in zip(part, values, strict=True))
            done, rate = min(start + self.chunk, len(todo)), self.stats["pairs"] / max(self.stats["seconds"], 1e-9)
            self.log(f"  scored {done}/{len(todo)} new pairs ({rate:.2f} pairs/s, "
                     f"{self.stats['tokens'] / max(self.stats['seconds'], 1e-9):.0f} tok/s; "
                     f"about {(len(todo) - done) / max(rate, 1e-9) / 60:.0f} min left)")
        return [cached[k] for k in keys]

    def cost(self, pairs: Sequence[tuple[str, str]]) -> dict[str, float]:
        """What scoring the given ``(query_id, candidate_id)`` pairs cost, whichever process scored them: pairs,
        tokens and engine seconds, summed from the cache."""
        by_key = {r["key"]: r for r in self.store.records()}
        rows = [by_key.get(self.key(*self.pair_text(q, c))) for q, c in pairs]
        rows = [r for r in rows if r is not None]
        return {"pairs": len(rows), "tokens": float(sum(r.get("tokens", 0) for r in rows)),
                "seconds": float(sum(r.get("seconds", 0.0) for r in rows))}

    def pair_text(self, query_id: str, candidate_id: str) -> tuple[str, str]:
        """The scored text of a (query, candidate) pair: the prompt with that one demo, and the query's target."""
        q = self.queries[query_id]
        return self.prompt(q, [self.candidates[candidate_id]]), q.target

    def __call__(self, pairs: list[tuple[str, str]]) -> list[float]:
        return self.score_texts([self.pair_text(q, c) for q, c in pairs], [{"q": q, "c": c} for q, c in pairs])

    def demo_nll(self, items: Sequence[tuple[Query, Sequence[Candidate]]]) -> list[float]:
        """Per (query, top-k demos most relevant first): NLL of the target given all k demos in one prompt."""
        return self.score_texts([(self.prompt(q, list(ranked)[::-1]), q.target) for q, ranked in items],
                                [{"q": q.id, "c": [c.id for c in ranked]} for q, ranked in items])


# -- settings ----------------------------------------------------------------------------------------------------
def load_settings(path: Path | None = None, overrides: Sequence[str] = ()) -> UDRSettings:
    """UDR settings from a YAML mapping (fields of `UDRSettings`, `train:` for `TrainSettings`) and overrides.

    Example YAML::

        rounds: 3
        n_candidates: 50
        train: {epochs: 2, batch_size: 8}
    """
    from pipeline.config import apply_overrides, read_yaml

    data: dict[str, Any] = read_yaml(path, "UDR config") if path is not None else {}
    apply_overrides(data, overrides)
    train = data.pop("train", {}) or {}
    try:
        _check_keys(train, TrainSettings, "train.")
        _check_keys(data, UDRSettings, "")
        return UDRSettings(**data, train=TrainSettings(**train))
    except TypeError as exc:
        raise SaicotError(f"UDR config: {exc}") from None


def _check_keys(data: dict[str, Any], cls: type, prefix: str) -> None:
    known = {f.name for f in fields(cls)} - {"train"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise SaicotError(f"UDR config: unknown field(s) {', '.join(prefix + u for u in unknown)}; "
                          f"known: {', '.join(sorted(known))}")


# -- the trained encoder on disk ------------------------------------------------------------------------------
def weights_digest(directory: Path) -> str:
    """sha256 over the saved weight files' contents (fine-tunes share file names and sizes)."""
    h = hashlib.sha256()
    for f in sorted(directory.rglob("*.safetensors")) + sorted(directory.rglob("*.bin")):
        h.update(f.relative_to(directory).as_posix().encode())
        with open(f, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
    return h.hexdigest()[:12]


def find_encoder(run_dir: Path, index_key: str) -> Path | None:
    """The newest finished UDR training of the pool `index_key` in `run_dir`, or None."""
    found = [d for d in (Path(run_dir) / UDR_DIR).glob("*/") if (d / "DONE").exists() and (d / "meta.json").exists()
             and json.loads((d / "meta.json").read_text()).get("index_key") == index_key]
    return max(found, key=lambda d: (d / "DONE").stat().st_mtime) if found else None


def read_meta(train_dir: Path) -> dict[str, Any]:
    return json.loads((Path(train_dir) / "meta.json").read_text())


def load_embedder(train_dir: Path) -> Any:
    """The trained encoder as a `retriever.embed.Embedder` (identity and instruction from meta.json).

    The identity is the base model's name plus a hash of the trained weights' contents (file names and
    sizes, which path-based identities use, are the same for every fine-tune of one base model).
    """
    from sentence_transformers import SentenceTransformer

    from retriever.embed import Embedder

    meta = read_meta(train_dir)
    st = SentenceTransformer(str(Path(train_dir) / "encoder"), device="cpu")
    return Embedder.from_model(st, identity=meta["encoder_id"], instruction=meta["instruction"])


@dataclass
class UDRRetrieval:
    """What the runner's retrieve loop needs for strategy ``udr``: the encoder identity and re-embedded vectors."""

    train_dir: Path
    identity: str
    training_tokens: float = 0.0  # the LM-feedback tokens its training scored

    def embed(self, pool: Pool, questions: Sequence[str]) -> tuple[Pool, np.ndarray]:
        """The pool re-embedded with the trained encoder (with a FAISS index) and the test questions' vectors."""
        from retriever.index import VectorIndex
        from retriever.udr import candidate_text

        meta = read_meta(self.train_dir)
        emb = load_embedder(self.train_dir)
        texts = [candidate_text(Candidate(it.pool_id, it.problem_id, it.question, it.solution),
                                meta["candidate_text"]) for it in pool.items]
        vectors = emb.encode(texts)
        index = VectorIndex.build(vectors, embedder_id=self.identity)
        return replace(pool, vectors=vectors, index=index), emb.encode(list(questions))


def udr_retrieval(run_dir: Path, index_key: str) -> UDRRetrieval:
    """Locate the trained encoder for this pool, or fail telling the user how to train one."""
    import retriever.udr  # noqa: F401 - registers the "udr" strategy

    train_dir = find_encoder(run_dir, index_key)
    if train_dir is None:
        raise SaicotError(f"strategy 'udr' needs a trained UDR encoder for this pool in {run_dir}: "
                          f"run `saicot udr train --run {run_dir}` first")
    report = json.loads((train_dir / "report.json").read_text()) if (train_dir / "report.json").exists() else {}
    return UDRRetrieval(train_dir=train_dir, identity=read_meta(train_dir)["identity"],
                        training_tokens=float((report.get("cost") or {}).get("tokens", 0.0)))


# -- `saicot udr train` ------------------------------------------------------------------------------------------
def index_dir(run_dir: Path, index_key: str | None = None) -> Path:
    """The finished index stage of `run_dir` (the given key, the only one, or the newest)."""
    root = Path(run_dir) / "index"
    if index_key:
        path = root / index_key
        if not (path / "DONE").exists():
            raise SaicotError(f"no finished index stage {index_key} in {run_dir}")
        return path
    done = [d for d in root.glob("*/") if (d / "DONE").exists() and (d / "pool.jsonl").exists()]
    if not done:
        raise SaicotError(f"{run_dir} has no finished pool: run `saicot run --run-dir {run_dir}` with a pool "
                          "strategy (e.g. knn) first")
    return max(done, key=lambda d: (d / "DONE").stat().st_mtime)
