"""Exploratory: accuracy split by whether a retrieved demo was generated from the test question itself.

Reads a study directory's scores of zero-shot, knn and random with the 0.5b as solver (after the whole grid,
or a `saicot study` over a config with those strategies: all cached, no engine) and the knn demos over the main
pool of one question generator (the 0.5b unless named; the index random also drew from, the filter variants
have their own indexes), then prints each strategy's accuracy on the problems where knn picked at least one
demo generated from that very problem, and on the others. Not one of the study's claims.

    python docs/reference-study/own_demo_split.py ~/saicot-runs/reference-gsm8k [qwen2.5-coder-1.5b]
"""

from __future__ import annotations

import sys
from pathlib import Path

from pools import SOLVER, inputs, main_index, run_dir

from eval.report.pool import read_jsonl


def main(root: Path, generator: str = SOLVER) -> None:
    # zero-shot ignores the generator, so it is scored in the 0.5b-generator run only
    runs = [(run_dir(root, SOLVER), {"zero-shot"}), (run_dir(root, generator), {"knn", "random"})]
    scores = {(r["strategy"], r["problem_id"]): bool(r["correct"])
              for run, strategies in runs for r in read_jsonl(run / "scores.jsonl") if r["strategy"] in strategies}
    index = main_index(root, generator)
    knn = next(p for p in (root / "retrieve").iterdir()
               if (stage := inputs(p))["strategy"] == "knn" and stage.get("index") == index)
    groups: dict[str, list[str]] = {"a demo from its own generated question": [], "no such demo": []}
    for r in read_jsonl(knn / "demos.jsonl"):
        own = any(i.split("/")[0] == r["problem_id"] for i in r["pool_ids"])
        groups["a demo from its own generated question" if own else "no such demo"].append(r["problem_id"])
    for name, pids in groups.items():
        cells = " ".join(f"{s} {sum(scores[(s, p)] for p in pids) / max(len(pids), 1):.3f}"
                         for s in ("zero-shot", "knn", "random"))
        print(f"{name}: n={len(pids)} {cells}")


if __name__ == "__main__":
    main(Path(sys.argv[1]).expanduser(), *sys.argv[2:3])
