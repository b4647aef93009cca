"""UDR glue: training queries from a run's pool, LM-feedback scoring through an Engine, the trained encoder on disk.

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
import yaml

from pipeline.errors import SaicotError
from pipeline.llm import Engine
from pipeline.store import JsonlStore, cache_key, write_json_atomic
from prompts.solve import Demo, solve_messages
from retriever.registry import Pool, PoolItem
from retriever.udr import Candidate, Query, UDRSettings
from retriever.udr_train import TrainSettings

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

    def score_texts(self, pairs: Sequence[tuple[str, str]], labels: Sequence[dict[str, Any]] | None = None
                    ) -> list[float]:
        keys = [hashlib.sha256(f"{p}\x1f{c}".encode()).hexdigest()[:24] for p, c in pairs]
        cached = {r["key"]: r["nll"] for r in self.store.records()}
        todo = list(dict.fromkeys(i for i, k in enumerate(keys) if k not in cached))
        for start in range(0, len(todo), self.chunk):
            part = todo[start:start + self.chunk]
            t0 = time.perf_counter()
            values = self.engine.loglikelihood([pairs[i] for i in part])
            self.stats["seconds"] += time.perf_counter() - t0
            self.stats["pairs"] += len(part)
            self.stats["tokens"] += sum(self.engine.count_tokens(pairs[i][0] + pairs[i][1]) for i in part)
            self.store.append({"key": keys[i], "nll": v, **(labels[i] if labels else {})}
                              for i, v in zip(part, values, strict=True))
            cached.update((keys[i], v) for i, v in zip(part, values, strict=True))
            rate = self.stats["tokens"] / max(self.stats["seconds"], 1e-9)
            self.log(f"  scored {min(start + self.chunk, len(todo))}/{len(todo)} new pairs ({rate:.0f} tok/s)")
        return [cached[k] for k in keys]

    def __call__(self, pairs: list[tuple[str, str]]) -> list[float]:
        texts, labels = [], []
        for qid, cid in pairs:
            q = self.queries[qid]
            texts.append((self.prompt(q, [self.candidates[cid]]), q.target))
            labels.append({"q": qid, "c": cid})
        return self.score_texts(texts, labels)

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
    data: dict[str, Any] = {}
    if path is not None:
        try:
            data = yaml.safe_load(Path(path).read_text()) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise SaicotError(f"cannot read UDR config {path}: {exc}") from None
    for item in overrides:
        if "=" not in item:
            raise SaicotError(f"--set expects field=value, got '{item}'")
        dotted, raw = (s.strip() for s in item.split("=", 1))
        node = data
        *parents, last = dotted.split(".")
        for p in parents:
            node = node.setdefault(p, {})
        node[last] = yaml.safe_load(raw)
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
    return UDRRetrieval(train_dir=train_dir, identity=read_meta(train_dir)["identity"])


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
    for name, rows in (("zero-shot", [[] for _ in heldout]), ("knn", knn_rows), ("udr", udr_rows)):
        per[name] = scorer.demo_nll([(q, [candidates[r] for r in rr]) for q, rr in zip(heldout, rows, strict=True)])
        out[name] = float(np.mean(per[name]))
    out["udr_better_share"] = float(np.mean(np.array(per["udr"]) < np.array(per["knn"])))
    out["same_demos_share"] = float(np.mean([set(a) == set(b) for a, b in zip(knn_rows, udr_rows, strict=True)]))
    return out


def train_run(run_dir: Path, settings: UDRSettings, *, index_key: str | None = None, scorer_model: str | None = None,
              labelled: str | None = None, labelled_limit: int = 500, force: bool = False,
              engine_factory: Callable[[str, Any], Engine] | None = None, embedder_path: str | None = None,
              log: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Train (or load the finished training of) the UDR encoder for a run's pool; returns the report.

    Args:
        run_dir: a run directory with a finished index stage (its config.yaml names solver, engine, embedder).
        settings: UDR mining/training settings.
        index_key: which pool (default: the newest finished one).
        scorer_model: the LM giving feedback (default: the run's solver).
        labelled: a bundled benchmark whose *train* split supplies queries with gold solutions (option).
        engine_factory / embedder_path: overrides for tests and other backends.
    """
    from rich.console import Console

    from pipeline.config import load_config
    from pipeline.engines import stage_dtype
    from pipeline.models import model_identity, resolve
    from retriever.embed import Embedder, model_dir_identity
    from retriever.udr import train_udr
    from retriever.udr_report import print_report

    console = Console(stderr=True)
    log = log or (lambda msg: console.print(msg, highlight=False))
    run_dir = Path(run_dir)
    if not (run_dir / "config.yaml").exists():
        raise SaicotError(f"{run_dir} is not a run directory (no config.yaml)")
    cfg = load_config(run_dir / "config.yaml", run_dir=run_dir)
    pool_dir = index_dir(run_dir, index_key)
    items = [PoolItem(**r) for r in JsonlStore(pool_dir / "pool.jsonl", key=lambda r: r["pool_id"]).records()]
    if len(items) < 3:
        raise SaicotError(f"the pool in {pool_dir} has {len(items)} demos: too few to train UDR")
    queries, cands = pool_examples(items)
    if labelled:
        from eval.benchmarks import load

        queries = labelled_queries(load(labelled, split="train", limit=labelled_limit))
    model_name = scorer_model or cfg.solver.model
    scorer_key = cache_key({"model": model_identity(model_name), "dtype": stage_dtype(cfg.engine),
                            "max_model_len": cfg.engine.max_model_len})
    base_path = embedder_path or resolve(cfg.index.embedder)
    base_id = model_dir_identity(base_path)
    train_key = cache_key({"index": pool_dir.name, "scorer": scorer_key, "base": base_id, "labelled": labelled,
                           "labelled_limit": labelled_limit if labelled else None, "settings": settings.as_dict()})
    train_dir = run_dir / UDR_DIR / train_key
    if (train_dir / "DONE").exists() and not force:
        report = json.loads((train_dir / "report.json").read_text())
        log(f"UDR encoder already trained for this pool and settings: {train_dir}")
        print_report(report, console)
        return report

    from sentence_transformers import SentenceTransformer

    factory = engine_factory
    if factory is None:
        from pipeline.engines import default_factory as factory
    start = time.perf_counter()
    log(f"UDR: pool {pool_dir.name} ({len(items)} demos), feedback from {model_name}, base {base_id}")
    engine = factory(model_name, cfg.engine)
    try:
        store = JsonlStore(run_dir / UDR_DIR / "scores" / f"{scorer_key}.jsonl", key=lambda r: r["key"])
        scorer = PairScorer(engine, store, {q.id: q for q in queries}, {c.id: c for c in cands}, log=log)
        model = SentenceTransformer(str(base_path), device="cpu")
        result = train_udr(model, queries, cands, scorer, settings, log=log)
        heldout = [q for q in queries if q.id in set(result.heldout_ids)]
        lm = compare_topk(scorer, heldout, cands, Embedder(str(base_path)), cfg.index.text, model, settings,
                          k=cfg.retrieve.k)
    finally:
        engine.close()
    encoder_dir = train_dir / "encoder"
    model.save(str(encoder_dir))
    encoder_id = f"udr-{base_id.split('@')[0]}@{weights_digest(encoder_dir)}"
    identity = Embedder.from_model(model, identity=encoder_id, instruction=settings.instruction).identity
    meta = {"identity": identity, "encoder_id": encoder_id, "base": base_id, "instruction": settings.instruction,
            "candidate_text": settings.candidate_text, "index_key": pool_dir.name, "scorer_model": model_name,
            "scorer_key": scorer_key, "labelled": labelled, "settings": settings.as_dict()}
    rate = scorer.stats["tokens"] / max(scorer.stats["seconds"], 1e-9)
    report = {**result.as_dict(), "lm_feedback": lm, "identity": identity, "train_dir": str(train_dir),
              "scoring": {**scorer.stats, "tokens_per_s": rate}, "seconds": time.perf_counter() - start}
    write_json_atomic(train_dir / "meta.json", meta)
    write_json_atomic(train_dir / "report.json", report)
    (train_dir / "DONE").write_text("")
    print_report(report, console)
    log(f"trained encoder {identity} in {train_dir}; use it with --set retrieve.strategies=[udr]")
    return report
