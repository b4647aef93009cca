"""saicot's answer checker vs Math-Verify, and their combination, side by side in one process.

Two parts of the labelled corpus (``bench/checker_corpus/``), from different sources on purpose:

* **tune** (``corpus.jsonl``): real responses to saicot's solve prompt (400-token cap, the first problems of
  each benchmark), the datasets' MATH-500/AQuA/GSM8K solutions, rewritten gold answers. The checker was
  tuned on it; its score says little about answers nobody here looked at.
* **held-out** (``heldout.jsonl``, ``heldout.py``): responses to *another prompt* with a *1024-token cap* on
  *other problems* (MATH-500 150-249, OlympiadBench 80-159), and *another dataset's answer style*
  (OlympiadBench's own solutions). Never tuned on; it is what predicts.

For each part it prints accuracy, recall (on equivalent pairs), specificity (on different pairs) and n for
saicot's own parser alone, Math-Verify 0.9 (called as its README recommends), and saicot as shipped (its parser,
then Math-Verify's LaTeX path as a second opinion, ``eval/checker/second_opinion.py``), plus "either" (equal
when saicot alone or Math-Verify says so); then per-source tables; then checks/s of saicot as shipped and
Math-Verify on GSM8K-style and MATH-style pairs; then a SUMMARY line.

Run from the repository root: ``python bench/checker.py`` (about 5 minutes). Flags: ``--split tune`` to
restrict, ``--failures`` to list misses on the **tune** part only (never on held-out), ``--seconds S`` for the
timing passes.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.checker_corpus import checkers  # noqa: E402
from bench.checker_corpus.label import read_jsonl  # noqa: E402

BUDGET_S = 3.0  # grade()'s default timeout
CORPUS_DIR = ROOT / "bench" / "checker_corpus"
Case = dict[str, Any]


PARTS = {"tune": "corpus.jsonl", "heldout": "heldout.jsonl"}


def labelled(split: str | None = None) -> tuple[list[Case], int]:
    """Cases with a resolved label (review > construction > agreement) and the number still unreviewed."""
    labels = {r["id"]: r for r in read_jsonl(CORPUS_DIR / "labels.jsonl")}
    reviews = {r["id"]: r for r in read_jsonl(CORPUS_DIR / "reviews.jsonl")}
    out, pending = [], 0
    for part in [split] if split else list(PARTS):
        out_part, pend = _resolve(read_jsonl(CORPUS_DIR / PARTS[part]), labels, reviews)
        out += out_part
        pending += pend
    return out, pending


def _resolve(cases: list[Case], labels: dict[str, Case], reviews: dict[str, Case]) -> tuple[list[Case], int]:
    out, pending = [], 0
    for c in cases:
        if c["id"] in reviews:
            if reviews[c["id"]]["label"] is None:  # reviewed and excluded: no grader could decide it
                continue
            c = {**c, "label": reviews[c["id"]]["label"], "how": "review"}
        elif c["label"] is not None:
            c = {**c, "how": "construction"}
        elif c["id"] in labels:
            c = {**c, "label": labels[c["id"]]["label"], "how": "agree"}
        else:
            pending += 1
            continue
        out.append(c)
    return out, pending


def category(c: Case) -> str:
    """The issue's categories, from the case's benchmark and the gold's shape."""
    g = c["gold"]
    if c.get("benchmark") == "aqua":
        return "choice letters"
    if c.get("benchmark"):
        return "whole responses"
    if "matrix" in g or "array" in g:
        return "matrices"
    if re.search(r"\\le|\\ge|<|>|\\lt|\\gt|\\neq", g):
        return "relations"
    if "%" in g:
        return "percent"
    if re.search(r"\\(?:text|mbox|mathrm)\{", g):
        return "text / units"
    if "," in g or g[:1] in "([" or "\\{" in g or "\\cup" in g:
        return "tuples / sets / intervals"
    if re.fullmatch(r"-?[\d.]+", g):
        return "plain numbers"
    return "expressions"


def scores(cases: list[Case], verdicts: list[bool]) -> dict[str, float]:
    pos = [v for c, v in zip(cases, verdicts, strict=True) if c["label"]]
    neg = [v for c, v in zip(cases, verdicts, strict=True) if not c["label"]]
    right = sum(v == c["label"] for c, v in zip(cases, verdicts, strict=True))
    return {"n": len(cases), "accuracy": right / max(len(cases), 1), "recall": sum(pos) / max(len(pos), 1),
            "specificity": (len(neg) - sum(neg)) / max(len(neg), 1), "n_pos": len(pos), "n_neg": len(neg)}


def rate(fn: Callable[[Case], bool], cases: list[Case], min_seconds: float) -> float:
    """Checks per second over repeated passes (at least one pass, at least ``min_seconds``)."""
    done, start = 0, time.perf_counter()
    while True:
        for c in cases:
            fn(c)
        done += len(cases)
        if time.perf_counter() - start >= min_seconds:
            return done / (time.perf_counter() - start)


def _line(name: str, s: dict[str, float]) -> str:
    return (f"  {name:<16} accuracy {s['accuracy']:.3f}  recall {s['recall']:.3f}  specificity "
            f"{s['specificity']:.3f}  (n={s['n']}: {s['n_pos']} equivalent, {s['n_neg']} different)")


def _source(c: Case) -> str:
    return f"{c['source']}/{c.get('benchmark') or '-'}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--split", choices=list(PARTS), default=None)
    ap.add_argument("--failures", action="store_true", help="list misses of saicot as shipped on the tune part")
    ap.add_argument("--seconds", type=float, default=6.0)
    args = ap.parse_args()
    shipped, alone, mv = checkers.saicot(), checkers.saicot(second_opinion=False), checkers.math_verify()
    summary: dict[str, dict[str, dict[str, float]]] = {}
    for split in [args.split] if args.split else list(PARTS):
        cases, pending = labelled(split)
        verdicts = {"saicot alone": [alone(c) for c in cases], "math-verify": [mv(c) for c in cases]}
        times, verdicts["saicot (shipped)"] = [], []
        for c in cases:
            start = time.perf_counter()
            verdicts["saicot (shipped)"].append(shipped(c))
            times.append(time.perf_counter() - start)
        verdicts["either"] = [a or b for a, b in zip(verdicts["saicot alone"], verdicts["math-verify"], strict=True)]
        summary[split] = {name: scores(cases, v) for name, v in verdicts.items()}
        how: dict[str, int] = defaultdict(int)
        for c in cases:
            how[c["how"]] += 1
        print(f"\n{split} part: {len(cases)} labelled cases ({', '.join(f'{k} {v}' for k, v in sorted(how.items()))})"
              + (f", {pending} awaiting review (not counted)" if pending else ""))
        for name, sc in summary[split].items():
            print(_line(name, sc))
        print(f"  slowest check of saicot (shipped): {max(times):.2f} s (budget {BUDGET_S:.0f} s); "
              f"{sum(t > BUDGET_S for t in times)} over budget")
        groups: dict[str, list[int]] = defaultdict(list)
        for i, c in enumerate(cases):
            groups[category(c) if split == "tune" else _source(c)].append(i)
            if split == "tune":
                groups[f"source {c['source']}"].append(i)
        print(f"  {'category' if split == 'tune' else 'source':<32} {'n':>5} " + " ".join(f"{n:>16}" for n in verdicts))
        for name, idx in sorted(groups.items()):
            sub = [cases[i] for i in idx]
            accs = [scores(sub, [v[i] for i in idx])["accuracy"] for v in verdicts.values()]
            print(f"  {name:<32} {len(idx):>5} " + " ".join(f"{a:>16.3f}" for a in accs))
        if args.failures and split == "tune":
            for c, v, w in zip(cases, verdicts["saicot (shipped)"], verdicts["math-verify"], strict=True):
                if v != c["label"]:
                    print(f"MISS [{c['source']}/{c['kind']}] label={c['label']} mv={w} bench={c['benchmark']} "
                          f"gold={c['gold']!r} pred={c['pred'][-300:]!r}")
    all_cases, _ = labelled("tune")
    gsm = [c for c in all_cases if c.get("benchmark") == "gsm8k"]
    math = [c for c in all_cases if c["source"] == "variant"][:600]
    print(f"\nchecks/s on the same pairs (GSM8K-style: {len(gsm)} gsm8k responses; MATH-style: {len(math)} "
          "rewritten MATH answers)")
    for c in gsm[:20] + math[:20]:  # warm imports and caches before timing
        shipped(c)
        mv(c)
    ratios = []
    for name, pairs in (("gsm8k-style", gsm), ("math-style", math)):
        r_o, r_m = rate(shipped, pairs, args.seconds), rate(mv, pairs, args.seconds)
        ratios.append(r_o / r_m)
        print(f"  {name}: saicot {r_o:8.0f} checks/s  math-verify {r_m:8.0f} checks/s  ratio {r_o / r_m:.1f}x")
    parts = []
    for split, by in summary.items():
        parts.append(f"{split}: " + ", ".join(f"{n} acc {s['accuracy']:.3f} spec {s['specificity']:.3f}"
                                              for n, s in by.items()))
    print(f"SUMMARY {'; '.join(parts)}; speed {ratios[0]:.1f}x gsm8k-style, {ratios[1]:.1f}x math-style")


if __name__ == "__main__":
    main()
