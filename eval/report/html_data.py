"""The data behind ``report.html``: one run's problems, per-strategy answers, the demos they saw and the pool.

Everything is read from saved records (no engine): the run's ``summary.json`` and ``scores.jsonl`` (in its
results directory) and the stage directories it names (``load``, ``solve``, ``index``, and the sample stage the
index was built from) under the stage root. For a study the stage root is the study directory and each run's
results live in ``runs/<name>/``; for a plain run both are the run directory.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from eval.report.study import display_model, read_jsonl


def _jsonl(path: Path) -> list[dict[str, Any]]:
    return read_jsonl(path) if path.exists() else []


def _pool(stage_root: Path, index_key: str) -> tuple[dict[str, dict[str, Any]], dict[str, list[dict[str, Any]]],
                                                     str | None]:
    """Pool demos by id (question, solution, answer, agreement, row), generated questions by test problem, and
    the key of the sample stage they come from (runs that share it share the generated questions)."""
    index_dir = stage_root / "index" / index_key
    if index_key == "none" or not index_dir.exists():
        return {}, {}, None
    inputs = json.loads((index_dir / "inputs.json").read_text())["inputs"]
    solutions = _jsonl(stage_root / "sample" / inputs["sample"] / "solutions.jsonl")
    agreement = {s["gen_id"]: s["agreement"] for s in solutions}
    pool, pooled = {}, set()
    for row, item in enumerate(_jsonl(index_dir / "pool.jsonl")):
        gen_id = item["pool_id"].rsplit("/s", 1)[0]
        pooled.add(gen_id)
        pool[item["pool_id"]] = {"question": item["question"], "solution": item["solution"],
                                 "answer": item["answer"], "agreement": agreement.get(gen_id), "row": row}
    generated: dict[str, list[dict[str, Any]]] = {}
    for s in solutions:
        generated.setdefault(s["problem_id"], []).append({
            "gen_id": s["gen_id"], "question": s["question"], "majority": s["majority"],
            "agreement": s["agreement"], "in_pool": s["gen_id"] in pooled,
            "samples": [{"text": x["text"], "answer": x["answer"], "finish_reason": x.get("finish_reason")}
                        for x in s["samples"]]})
    return pool, generated, inputs["sample"]


def _similarities(stage_root: Path, index_key: str, problem_row: dict[str, int], pool: dict[str, Any],
                  pairs: set[tuple[str, str]]) -> dict[tuple[str, str], float]:
    """Cosine of (test problem, pool demo) pairs from the index stage's saved vectors."""
    index_dir = stage_root / "index" / index_key
    if not pairs or not (index_dir / "queries.npy").exists():
        return {}
    queries, vectors = np.load(index_dir / "queries.npy"), np.load(index_dir / "pool_vectors.npy")
    return {(pid, did): float(queries[problem_row[pid]] @ vectors[pool[did]["row"]]) for pid, did in pairs
            if pid in problem_row and did in pool}


def _inline_demos(stage_root: Path, strategy_key: str, cache: dict[str, dict[str, dict[str, Any]]],
                  problem_id: str) -> dict[str, dict[str, Any]]:
    """A recipe's demos (manual-8shot, auto-cot, self-icl) by id, from its retrieve record of `problem_id`."""
    if strategy_key not in cache:
        records = _jsonl(stage_root / "retrieve" / strategy_key / "demos.jsonl")
        cache[strategy_key] = {r["problem_id"]: {d["id"]: d for d in r.get("demos", [])} for r in records}
    return cache[strategy_key].get(problem_id, {})



def run_data(results_dir: Path, stage_root: Path, name: str) -> dict[str, Any]:
    """Everything one run's pages show, as plain JSON-ready data."""
    summary = json.loads((results_dir / "summary.json").read_text())
    stages = summary["stages"]
    problems = _jsonl(stage_root / "load" / stages["load"] / "problems.jsonl")
    row = {p["id"]: i for i, p in enumerate(problems)}
    pool, generated, sample_key = _pool(stage_root, stages.get("index", "none"))
    preds = {(p["strategy"], p["problem_id"]): p
             for p in _jsonl(stage_root / "solve" / stages["solve"] / "predictions.jsonl")}
    scores = _jsonl(results_dir / "scores.jsonl")
    pairs = {(s["problem_id"], d) for s in scores for d in preds.get((s["strategy"], s["problem_id"]), {})
             .get("demo_ids", [])}
    sims = _similarities(stage_root, stages.get("index", "none"), row, pool, pairs)
    answers: dict[str, dict[str, Any]] = {}
    inline: dict[str, dict[str, dict[str, Any]]] = {}
    demo_texts: dict[str, dict[str, Any]] = {}
    for s in scores:
        pred = preds.get((s["strategy"], s["problem_id"]), {})
        samples = pred.get("samples", [])
        demos = []
        for did in dict.fromkeys(pred.get("demo_ids", [])):  # each demo's text is stored once, in demo_texts
            if did not in demo_texts:
                demo = pool.get(did) or _inline_demos(stage_root, pred["strategy_key"], inline,
                                                      s["problem_id"]).get(did, {})
                demo_texts[did] = {"question": demo.get("question"), "solution": demo.get("solution"),
                                   "agreement": demo.get("agreement")}
            demos.append({"id": did, "similarity": sims.get((s["problem_id"], did))})
        answers.setdefault(s["problem_id"], {})[s["strategy"]] = {
            "correct": s["correct"], "answer": s["answer"], "answers": s["answers"], "reason": s.get("reason"),
            "truncated": s.get("truncated", 0.0), "demos": demos,
            "outputs": [x["text"] for x in samples],
            # a per-sample strategy (knn-sc): the demos each output was shown
            "output_demos": [x.get("demo_ids", []) for x in samples] if any("demo_ids" in x for x in samples)
            else None}
    return {
        "name": name, "benchmark": summary["benchmark"], "solver": display_model(summary["solver"]),
        "generator": display_model(summary["generator"]), "strategies": summary["strategies"],
        "problems": [{"id": p["id"], "question": p["question"], "gold": p["gold"]} for p in problems
                     if p["id"] in answers],
        "answers": answers, "demos": demo_texts, "generated": generated, "generated_key": sample_key,
    }


def report_data(root: Path) -> dict[str, Any]:
    """Data of every finished run under `root` (a study directory or a run directory)."""
    study = root / "study.json"
    if study.exists():
        names = [r["name"] for r in json.loads(study.read_text())["runs"]]
        runs = [run_data(root / "runs" / n, root, n) for n in names if (root / "runs" / n / "summary.json").exists()]
    else:
        runs = [run_data(root, root, "run")] if (root / "summary.json").exists() else []
    generated: dict[str, Any] = {}  # once per sample stage: a study's variants and solvers share one pool
    for run in runs:
        questions = run.pop("generated")
        if run["generated_key"] is not None:
            generated.setdefault(run["generated_key"], questions)
    return {"runs": runs, "generated": generated}
