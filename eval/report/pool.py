"""Statistics of the generated pool a run used, read from its stage directories (no gold answers exist)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """The records of a JSON Lines file (blank lines skipped)."""
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def pool_metrics(stage_root: Path, run_dir: Path) -> dict[str, Any] | None:
    """Statistics of the generated pool a run used (None when the run built none).

    The index stage writes them into the run's ``summary.json`` (``pool``, see `pool_statistics`); a run
    summarised before it did is read from its stage directories with the same function.
    """
    summary = json.loads((run_dir / "summary.json").read_text())
    index_key = summary.get("stages", {}).get("index", "none")
    inputs_path = stage_root / "index" / index_key / "inputs.json"
    if index_key == "none" or not inputs_path.exists():
        return None
    pool = summary.get("pool") or {}
    if "unanimous" not in pool:
        index_inputs = json.loads(inputs_path.read_text())["inputs"]
        sample_dir = stage_root / "sample" / index_inputs["sample"]
        sample_inputs = json.loads((sample_dir / "inputs.json").read_text())["inputs"]
        gen_dir = stage_root / "generate" / sample_inputs["generate"]
        per_problem = json.loads((gen_dir / "inputs.json").read_text())["inputs"]["k"]
        pool = {**pool_statistics(read_jsonl(gen_dir / "generated.jsonl"), read_jsonl(sample_dir / "solutions.jsonl"),
                                  index_inputs["filter"], per_problem), "pool_size": pool.get("pool_size", 0)}
    return {"generator": summary["generator"], "pool_solver": summary["pool_solver"], "index": index_key,
            **{k: pool[k] for k in POOL_FIELDS}}


POOL_FIELDS = ("requested_questions", "generated_questions", "near_copies_dropped", "samples_per_question",
               "answered", "self_consistent", "mean_agreement", "unanimous", "self_consistency_filter",
               "min_agreement", "questions_only", "pool_size", "sampling_tokens_per_problem", "accuracy_vs_gold",
               "generation_cut", "samples_cut")


def pool_statistics(generated: list[dict[str, Any]], solutions: list[dict[str, Any]], flt: dict[str, Any],
                    per_problem: int) -> dict[str, Any]:
    """The pool's statistics from its generate and sample records (`flt`: the index stage's filter key).

    Generated questions have no gold answer, so this is not an accuracy: ``self_consistent`` is the share
    of generated questions that pass the pool's agreement filter, ``unanimous`` the share whose samples all
    give the same answer (with 2 samples and ``min_agreement`` 0.5 the filter admits any answered question,
    so ``unanimous`` is the informative number there).
    """
    n_q, n_problems = len(solutions), len(generated)
    agreeing = sum(1 for s in solutions if s["majority"] is not None and s["agreement"] >= flt["min_agreement"])
    sample_tokens = sum(s.get("n_prompt_tokens", 0) + sum(x["n_tokens"] for x in s["samples"]) for s in solutions)
    gen_reasons = [r for g in generated for r in g.get("finish_reasons", [])]  # older records have none
    sample_reasons = [x["finish_reason"] for s in solutions for x in s["samples"] if "finish_reason" in x]
    return {
        "requested_questions": per_problem * n_problems, "generated_questions": n_q,
        "near_copies_dropped": sum(g["dropped"] for g in generated),
        "samples_per_question": len(solutions[0]["samples"]) if solutions else 0,
        "answered": (sum(1 for s in solutions if s["majority"] is not None) / n_q) if n_q else 0.0,
        "self_consistent": agreeing / n_q if n_q else 0.0,
        "mean_agreement": sum(s["agreement"] for s in solutions) / n_q if n_q else 0.0,
        "unanimous": sum(1 for s in solutions if s["majority"] is not None and s["agreement"] == 1.0) / n_q
        if n_q else 0.0,
        "self_consistency_filter": bool(flt["self_consistency"]), "min_agreement": flt["min_agreement"],
        "questions_only": bool(flt.get("questions_only", False)),
        "sampling_tokens_per_problem": sample_tokens / n_problems if n_problems else 0.0,
        "accuracy_vs_gold": None,
        # share of completions stopped by max_tokens ("length"); None when the records predate finish reasons
        "generation_cut": _cut(gen_reasons), "samples_cut": _cut(sample_reasons),
    }


def _cut(reasons: list[str | None]) -> float | None:
    return sum(r == "length" for r in reasons) / len(reasons) if reasons else None
