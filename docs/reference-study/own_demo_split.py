"""Exploratory: accuracy split by whether a retrieved demo was generated from the test question itself.

Reads a study directory's scores of zero-shot, knn and random with the 0.5b as solver (after the whole grid,
or a `saicot study` over a config with those strategies: all cached, no engine) and the knn demos over the main
pool of one question generator (the 0.5b unless named; the index random also drew from, the filter variants
have their own indexes), then prints each strategy's accuracy on the problems where knn picked at least one
demo generated from that very problem, and on the others. Not one of the study's claims.

    python docs/reference-study/own_demo_split.py ~/saicot-runs/reference-gsm8k [qwen2.5-coder-1.5b]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from pools import SOLVER, inputs, main_index, run_dir


def main(root: Path, generator: str = SOLVER) -> None:
    scores = {}
    # zero-shot ignores the generator, so it is scored in the 0.5b-generator run only
    for run in {run_dir(root, SOLVER), run_dir(root, generator)}:
        for line in (run / "scores.jsonl").read_text().splitlines():
            r = json.loads(line)
            if r["strategy"] == "zero-shot" or run == run_dir(root, generator):
                scores[(r["strategy"], r["problem_id"])] = bool(r["correct"])
    index = main_index(root, generator)
    knn = next(p for p in (root / "retrieve").iterdir()
               if inputs(p)["strategy"] == "knn" and inputs(p).get("index") == index)
    groups: dict[str, list[str]] = {"a demo from its own generated question": [], "no such demo": []}
    for line in (knn / "demos.jsonl").read_text().splitlines():
        r = json.loads(line)
        own = any(i.split("/")[0] == r["problem_id"] for i in r["pool_ids"])
        groups["a demo from its own generated question" if own else "no such demo"].append(r["problem_id"])
    for name, pids in groups.items():
        cells = " ".join(f"{s} {sum(scores[(s, p)] for p in pids) / max(len(pids), 1):.3f}"
                         for s in ("zero-shot", "knn", "random"))
        print(f"{name}: n={len(pids)} {cells}")


if __name__ == "__main__":
    main(Path(sys.argv[1]).expanduser(), *sys.argv[2:3])
