"""Stage *score*: grade every prediction against the gold answer and summarise per strategy.

Writes ``scores.jsonl`` (one record per strategy and problem) and ``summary.json`` in the results directory
(the reports are rendered from them by `eval.report.study`). Cheap and deterministic, so it is recomputed on
every run from the saved records; the ensemble is voted here from its members' scores.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eval.benchmarks import Problem
from eval.checker.finish import finish_kind
from eval.checker.grade import grade, is_equiv
from eval.report.metrics import answer_metrics, majority_vote
from pipeline.engines.base import truncated
from pipeline.stages.context import RunContext, console
from pipeline.store import JsonlStore, Record, write_json_atomic
from pipeline.strategies import needs_pool, spec


def score_predictions(problems: Sequence[Problem], predictions: Sequence[Record],
                      benchmark: str | None) -> list[Record]:
    """Per (strategy, problem): each sample's extracted answer, the voted answer and the verdict."""
    gold = {p.id: p.gold for p in problems}
    order = {p.id: i for i, p in enumerate(problems)}
    out = []
    for pred in sorted(predictions, key=lambda r: (r["strategy"], order[r["problem_id"]])):
        grades = [grade(s["text"], gold[pred["problem_id"]], benchmark, truncated=truncated(s.get("finish_reason")))
                  for s in pred["samples"]]
        answers = [g.extracted for g in grades]
        voted = answers[0] if len(answers) == 1 else majority_vote(answers, equiv=is_equiv)
        correct = grades[0].correct if len(grades) == 1 else (
            voted is not None and is_equiv(voted, gold[pred["problem_id"]]))
        out.append({
            "problem_id": pred["problem_id"], "strategy": pred["strategy"], "gold": gold[pred["problem_id"]],
            "answers": answers, "answer": voted, "correct": bool(correct),
            "any_correct": any(g.correct for g in grades), "sample_correct": [bool(g.correct) for g in grades],
            "reason": grades[0].reason,
            "n_demos": len(pred["demo_ids"]), "n_prompt_tokens": pred["n_prompt_tokens"],
            "n_completion_tokens": sum(s["n_tokens"] for s in pred["samples"]),
            "truncated": sum(truncated(s.get("finish_reason")) for s in pred["samples"]) / len(pred["samples"]),
            "looping": sum(finish_kind(s["text"], s.get("finish_reason")) == "loop"
                           for s in pred["samples"]) / len(pred["samples"]),
        })
    return out


def ensemble_scores(scores: Sequence[Record], members: Sequence[str], name: str = "ensemble") -> list[Record]:
    """Per problem, a majority vote (checker equivalence, ties to the first member) over the members' answers.

    Each member contributes its voted answer; tokens and demos are the members' sums, so the cost is what
    answering with all of them cost.
    """
    by_key = {(s["strategy"], s["problem_id"]): s for s in scores}
    ids = list(dict.fromkeys(s["problem_id"] for s in scores if s["strategy"] == members[0]))
    out = []
    for pid in ids:
        rows = [by_key[(m, pid)] for m in members if (m, pid) in by_key]
        answers = [r["answer"] for r in rows]
        voted = majority_vote(answers, equiv=is_equiv)
        gold = rows[0]["gold"]
        out.append({
            "problem_id": pid, "strategy": name, "gold": gold, "answers": answers, "answer": voted,
            "correct": voted is not None and is_equiv(voted, gold), "any_correct": any(r["correct"] for r in rows),
            "sample_correct": [r["correct"] for r in rows], "reason": "ensemble of " + ", ".join(members),
            "n_demos": sum(r["n_demos"] for r in rows),
            "n_prompt_tokens": sum(r["n_prompt_tokens"] for r in rows),
            "n_completion_tokens": sum(r["n_completion_tokens"] for r in rows),
            "truncated": sum(r["truncated"] for r in rows) / len(rows),
            "looping": sum(r.get("looping", 0.0) for r in rows) / len(rows),
        })
    return out


def summarize(scores: Sequence[Record], strategies: Sequence[str]) -> dict[str, Any]:
    """Accuracy with a 95% bootstrap interval, pass@n and cost per question, for each strategy."""
    summary: dict[str, Any] = {}
    for name in strategies:
        rows = [s for s in scores if s["strategy"] == name]
        if not rows:
            continue
        summary[name] = answer_metrics(rows)
        if any(r["n_demos"] == 0 for r in rows) and any(r["n_demos"] for r in rows):
            summary[name]["branches"] = _branches(rows)
    return summary


def _branches(rows: Sequence[Record]) -> dict[str, dict[str, float]]:
    """A strategy that gave some questions no demos (knn-gated's fallback, an empty pool scope): the share of
    questions and the accuracy with demos and without."""
    out = {}
    for branch, part in (("demos", [r for r in rows if r["n_demos"]]), ("none", [r for r in rows if not r["n_demos"]])):
        out[branch] = {"n": len(part), "share": len(part) / len(rows),
                       "accuracy": sum(r["correct"] for r in part) / len(part)}
    return out


def add_total_tokens(summary: dict[str, Any], extra: dict[str, float] | None = None) -> None:
    """Per strategy: tokens spent per test question, the pool's share included for strategies that use it, and
    `extra` tokens per question (a trained encoder's scoring, by strategy)."""
    per_problem = (summary.get("pool") or {}).get("tokens_per_problem")
    for name, s in summary["strategies"].items():
        own = s["mean_prompt_tokens"] + s["mean_completion_tokens"] + (extra or {}).get(name, 0.0)
        s["total_tokens"] = own if not needs_pool(name) else None if per_problem is None else own + per_problem


def degenerate_warnings(summary: dict[str, Any], k: int) -> list[str]:
    """Comparisons that say less than they seem: strategies short of ``k`` demos, a pool smaller than ``k``."""
    out = []
    pool = summary.get("pool")
    if pool is not None and pool["pool_size"] < k:
        out.append(f"the pool holds {pool['pool_size']} demos, fewer than k={k}: pool strategies pick from the same "
                   "few demos and their results coincide")
    for name, s in summary["strategies"].items():
        if not spec(name).demos or k == 0 or s.get("branches"):  # a gate that drops demos does so on purpose
            continue
        if s["mean_demos"] < k:
            out.append(f"{name} used {s['mean_demos']:.1f} demos per question on average, fewer than k={k} "
                       "(small pool, own-scope filtering or the prompt budget)")
    return out


def step(ctx: RunContext) -> None:
    """Grade, vote the ensemble, and write scores.jsonl and summary.json (recomputed on every run)."""
    cfg = ctx.cfg
    scores = score_predictions(ctx.problems, ctx.predictions, ctx.bench)
    if "ensemble" in cfg.retrieve.strategies:
        scores += ensemble_scores(scores, cfg.retrieve.ensemble)
    scores = [s for s in scores if s["strategy"] in cfg.retrieve.strategies]
    path = ctx.out_dir / "scores.jsonl"
    path.unlink(missing_ok=True)
    JsonlStore(path, key=lambda r: (r["strategy"], r["problem_id"])).append(scores)
    summary = {
        "benchmark": cfg.benchmark.name, "n_problems": len(ctx.problems),
        "generator": ctx.identity(cfg.generator.model), "pool_solver": ctx.identity(cfg.pool_model),
        "solver": ctx.identity(cfg.solver.model), "pool": ctx.pool_stats,
        "strategies": summarize(scores, cfg.retrieve.strategies),
        "stages": {"load": ctx.keys["load"], "solve": ctx.keys["solve"], "index": ctx.keys["index"]},
    }
    add_total_tokens(summary, ctx.extra_tokens)
    summary["warnings"] = degenerate_warnings(summary, cfg.retrieve.k)
    for warning in summary["warnings"]:
        console.print(f"[yellow]warning: {warning}[/yellow]")
    write_json_atomic(ctx.out_dir / "summary.json", summary)
    ctx.summary = summary
