"""Exploratory: how often does an answer repeat one of its demos' answers, and is that where knn loses?

For each strategy over one generator's main pool (knn, mmr, random, long; the 0.5b's pool unless a generator is
named) and one solver (the 0.5b unless named), counts
the answers equal (the checker's equivalence) to the answer of one of their own demos, and how many of those
are right; as a baseline, how often zero-shot's answer, written without demos, equals one of the same demos'
answers. Then knn's wins and losses against zero-shot, split by whether knn's answer repeats a demo's and
whether a demo was generated from the test question itself. Answers are re-extracted from the solve stage's
records, so it runs on a study directory at any point (no engine); cells not finished yet are skipped.
Not one of the study's claims.

    python docs/reference-study/demo_answers.py ~/saicot-runs/reference-gsm8k [SOLVER [GENERATOR]]
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

from pools import SOLVER, inputs, main_index

from eval.benchmarks import load
from eval.checker.grade import grade, is_equiv
from eval.report.pool import read_jsonl


def main(root: Path, solver: str = SOLVER, generator: str = SOLVER) -> None:
    stages = {p.name: inputs(p) for p in (root / "retrieve").iterdir()}
    index = main_index(root, generator)
    zero_key = next(k for k, i in stages.items() if i["strategy"] == "zero-shot")
    gold = {p.id: p.gold for p in load("gsm8k", split="test")}
    answers = {}  # (strategy key, problem id) -> (extracted answer, correct)
    for path in (root / "solve").glob("*/predictions.jsonl"):
        for r in read_jsonl(path):
            if r["solver"].split("@")[0] == solver and (r["strategy_key"] in stages) and len(r["samples"]) == 1:
                g = grade(r["samples"][0]["text"], gold[r["problem_id"]], "gsm8k")
                answers[(r["strategy_key"], r["problem_id"])] = (g.extracted, g.correct)
    pool = {r["pool_id"]: r["answer"] for r in read_jsonl(root / "index" / index / "pool.jsonl")}

    def repeats(answer: str | None, pool_ids: list[str]) -> bool:
        return answer is not None and any(pool.get(i) is not None and is_equiv(answer, pool[i]) for i in pool_ids)

    for key, retrieve in sorted(stages.items(), key=lambda kv: kv[1]["strategy"]):
        if retrieve.get("index") != index or not all((key, d["problem_id"]) in answers for d in
                                                         read_jsonl(root / "retrieve" / key / "demos.jsonl")):
            continue
        n = same = same_right = zero_same = zero_right = 0
        split: Counter[tuple[str, str, str]] = Counter()
        for d in read_jsonl(root / "retrieve" / key / "demos.jsonl"):
            (a, ok), (za, zok) = answers[(key, d["problem_id"])], answers[(zero_key, d["problem_id"])]
            rep = repeats(a, d["pool_ids"])
            n, same, same_right = n + 1, same + rep, same_right + (rep and ok)
            zrep = repeats(za, d["pool_ids"])
            zero_same, zero_right = zero_same + zrep, zero_right + (zrep and zok)
            own = any(i.split("/")[0] == d["problem_id"] for i in d["pool_ids"])
            change = "won" if ok and not zok else "lost" if zok and not ok else None
            if change:
                split[(change, "repeats a demo's answer" if rep else "its own answer",
                       "a demo from its own question" if own else "no such demo")] += 1
        print(f"{retrieve['strategy']}: n={n}; answer = a demo's answer {same} ({same / n:.2f}), right {same_right}; "
              f"zero-shot's answer = one of the same demos' {zero_same}, right {zero_right}")
        if retrieve["strategy"] == "knn":
            for (change, how, own), count in sorted(split.items()):
                print(f"    knn {change} vs zero-shot, {how}, {own}: {count}")


if __name__ == "__main__":
    main(Path(sys.argv[1]).expanduser(), *sys.argv[2:4])
