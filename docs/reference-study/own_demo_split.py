"""Exploratory: accuracy split by whether a retrieved demo was generated from the test question itself.

Reads a study directory whose main run's `scores.jsonl` holds zero-shot, knn and random (after the whole
grid, or a `saicot study` over a config with those strategies: all cached, no engine) and the knn demos over
the main pool (the index random also drew from; the filter variants have their own indexes), then prints each
strategy's accuracy on the problems where knn picked at least one demo generated from that very problem, and
on the others. Not one of the study's claims.

    python docs/reference-study/own_demo_split.py ~/saicot-runs/reference-gsm8k
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

RUN = "qwen2.5-coder-0.5b--qwen2.5-coder-0.5b--k2--global"


def main(root: Path) -> None:
    scores = {}
    for line in (root / "runs" / RUN / "scores.jsonl").read_text().splitlines():
        r = json.loads(line)
        scores[(r["strategy"], r["problem_id"])] = bool(r["correct"])
    stages = {p: json.loads((p / "inputs.json").read_text())["inputs"] for p in (root / "retrieve").iterdir()}
    main_index = next(i["index"] for i in stages.values() if i["strategy"] == "random")
    knn = next(p for p, i in stages.items() if i["strategy"] == "knn" and i["index"] == main_index)
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
    main(Path(sys.argv[1]).expanduser())
