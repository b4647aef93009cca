"""Stage *score*: grade every prediction against the gold answer and summarise per strategy.

Writes ``scores.jsonl`` (one record per strategy and problem), ``summary.json`` and ``report.md`` in
the run directory. Cheap and deterministic, so it is recomputed on every run from the saved records.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eval.benchmarks import Problem
from eval.grade import grade, is_equiv
from eval.metrics import accuracy_ci, majority_vote
from pipeline.llm import truncated
from pipeline.store import Record


def score_predictions(problems: Sequence[Problem], predictions: Sequence[Record],
                      benchmark: str | None) -> list[Record]:
    """Per (strategy, problem): each sample's extracted answer, the voted answer and the verdict."""
    gold = {p.id: p.gold for p in problems}
    order = {p.id: i for i, p in enumerate(problems)}
    out = []
    for pred in sorted(predictions, key=lambda r: (r["strategy"], order[r["problem_id"]])):
        grades = [grade(s["text"], gold[pred["problem_id"]], benchmark) for s in pred["samples"]]
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
        })
    return out


def summarize(scores: Sequence[Record], strategies: Sequence[str]) -> dict[str, Any]:
    """Accuracy with a 95% bootstrap interval, pass@n and cost per question, for each strategy."""
    summary: dict[str, Any] = {}
    for name in strategies:
        rows = [s for s in scores if s["strategy"] == name]
        if not rows:
            continue
        acc, low, high = accuracy_ci([r["correct"] for r in rows])
        summary[name] = {
            "n": len(rows), "accuracy": acc, "ci_low": low, "ci_high": high,
            "pass_at_n": sum(r["any_correct"] for r in rows) / len(rows),
            "answered": sum(r["answer"] is not None for r in rows) / len(rows),
            "mean_demos": sum(r["n_demos"] for r in rows) / len(rows),
            "mean_prompt_tokens": sum(r["n_prompt_tokens"] for r in rows) / len(rows),
            "mean_completion_tokens": sum(r["n_completion_tokens"] for r in rows) / len(rows),
            "truncated": sum(r.get("truncated", 0.0) for r in rows) / len(rows),
        }
        if name != "zero-shot" and any(r["n_demos"] == 0 for r in rows) and any(r["n_demos"] for r in rows):
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
