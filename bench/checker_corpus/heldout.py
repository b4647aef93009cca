"""Build the held-out part of the checker corpus from sources unlike the tuning part.

The tuning part (``corpus.jsonl``, see ``build.py``) holds real responses to saicot's own solve prompt with a
400-token cap on the first problems of each benchmark, the datasets' MATH-500/AQuA/GSM8K solutions and
rewrites of gold answers; the checker was tuned on all of it. The held-out part differs in every way that was
cheap to vary here, so that its score predicts how the checker does on answers nobody here looked at:

* ``model-qwen-math``: real responses to **another prompt** (Qwen2.5's own math prompt, ``\\boxed{}``) with a
  **1024-token cap**, on **other problems** (MATH-500 150-249, OlympiadBench 80-159), collected by
  ``collect_heldout.sh``. Each case carries ``truncated`` (cut by the token cap), which the score stage passes on.
* ``solution-olympiad``: **another dataset's answer style**: OlympiadBench's own worked solutions (proof-style
  prose, answers in words, several answers, intervals, units) against their final answer (positive by
  construction) and against another problem's answer (label from review or agreement).

Labels: construction where it gives one; else the two checkers' agreement *as of commit cbcf4d4* (before
issue 32's changes: a later checker cannot move the ground truth), else a hand review in
``heldout_reviews.jsonl``. Never tune on this file: read failures with ``bench/checker.py --failures`` on the
tuning part only.

Usage: ``python bench/checker_corpus/heldout.py [RUNS_ROOT]`` (default ``~/saicot-runs/checker-heldout``);
writes ``heldout.jsonl``.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.checker_corpus.build import case, write_cases  # noqa: E402
from eval.benchmarks import load  # noqa: E402

HERE = Path(__file__).resolve().parent
HELDOUT = HERE / "heldout.jsonl"
OLYMPIAD = range(80, 240)  # OlympiadBench problems whose solutions serve (the tuning part's variants saw golds only)


def model_cases(runs_root: Path) -> list[dict]:
    """Every response in ``RUNS_ROOT/<model>/<benchmark>/solve/*/predictions.jsonl``."""
    out = []
    for pred_file in sorted(runs_root.glob("*/*/solve/*/predictions.jsonl")):
        model, bench = pred_file.parts[-5], pred_file.parts[-4]
        golds = {p.id: p.gold for p in load(bench)}
        for line in pred_file.read_text().splitlines():
            rec = json.loads(line)
            for s in rec["samples"]:
                c = case("model-qwen-math", model, rec["problem_id"], s["text"], golds[rec["problem_id"]], None, bench)
                out.append({**c, "split": "heldout", "truncated": s.get("finish_reason") == "length"})
    return out


def solution_cases(rng: random.Random) -> list[dict]:
    """OlympiadBench's worked solutions against their own final answer and another problem's."""
    problems = load("olympiadbench")
    out = []
    for i in OLYMPIAD:
        p = problems[i]
        sol = p.meta.get("solution")
        sol = sol[0] if isinstance(sol, list) and sol else sol
        if not sol:
            continue
        out.append(case("solution-olympiad", "own-answer", p.id, sol, p.gold, True, "olympiadbench"))
        other = problems[rng.randrange(len(problems))].gold
        if other.strip() != p.gold.strip():
            out.append(case("solution-olympiad", "other-answer", p.id, sol, other, None, "olympiadbench"))
    return [{**c, "split": "heldout", "truncated": False} for c in out]


def main() -> None:
    runs_root = Path(sys.argv[1]).expanduser() if len(sys.argv) > 1 else Path.home() / "saicot-runs/checker-heldout"
    cases = model_cases(runs_root) + solution_cases(random.Random(0))
    write_cases(cases, HELDOUT, "benchmark")


if __name__ == "__main__":
    main()
