"""saicot's answer checker vs Math-Verify on the labelled corpus, side by side in one process.

The corpus (``bench/checker_corpus/``) holds (prediction, gold) pairs nobody wrote beside the checker: real
responses of the packaged models from saicot runs, the bundled datasets' own solutions, and rewritten gold
answers. A third of the source problems form the **held-out** split, which the checker was never tuned on.
For each split this prints accuracy, recall (on equivalent pairs), specificity (on different pairs) and n for
both checkers, then a per-category table, then checks/s of both on GSM8K-style and MATH-style pairs, and a
SUMMARY line.

Run from the repository root: ``python bench/checker.py`` (about 3 minutes). Flags: ``--split tune`` to
restrict, ``--failures`` to list saicot's misses on the **tune** split only (never on held-out),
``--seconds S`` for the timing passes.
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

CORPUS_DIR = ROOT / "bench" / "checker_corpus"
Case = dict[str, Any]


def labelled(split: str | None = None) -> tuple[list[Case], int]:
    """Cases with a resolved label (review > construction > agreement) and the number still unreviewed."""
    labels = {r["id"]: r for r in read_jsonl(CORPUS_DIR / "labels.jsonl")}
    reviews = {r["id"]: r for r in read_jsonl(CORPUS_DIR / "reviews.jsonl")}
    out, pending = [], 0
    for c in read_jsonl(CORPUS_DIR / "corpus.jsonl"):
        if split and c["split"] != split:
            continue
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
    return (f"  {name:<12} accuracy {s['accuracy']:.3f}  recall {s['recall']:.3f}  specificity "
            f"{s['specificity']:.3f}  (n={s['n']}: {s['n_pos']} equivalent, {s['n_neg']} different)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--split", choices=["tune", "heldout"], default=None)
    ap.add_argument("--failures", action="store_true", help="list saicot's misses on the tune split")
    ap.add_argument("--seconds", type=float, default=6.0)
    args = ap.parse_args()
    ours, mv = checkers.saicot(), checkers.math_verify()
    summary: dict[str, tuple[dict[str, float], dict[str, float]]] = {}
    for split in [args.split] if args.split else ["tune", "heldout"]:
        cases, pending = labelled(split)
        vo = [ours(c) for c in cases]
        vm = [mv(c) for c in cases]
        so, sm = scores(cases, vo), scores(cases, vm)
        summary[split] = (so, sm)
        how = defaultdict(int)
        for c in cases:
            how[c["how"]] += 1
        print(f"\n{split} split: {len(cases)} labelled cases ({', '.join(f'{k} {v}' for k, v in sorted(how.items()))})"
              + (f", {pending} awaiting review (not counted)" if pending else ""))
        print(_line("saicot", so))
        print(_line("math-verify", sm))
        groups: dict[str, list[int]] = defaultdict(list)
        for i, c in enumerate(cases):
            groups[category(c)].append(i)
            groups[f"source {c['source']}"].append(i)
        print(f"  {'category':<26} {'n':>5} {'saicot':>7} {'m-verify':>8}")
        for name, idx in sorted(groups.items()):
            sub = [cases[i] for i in idx]
            a = scores(sub, [vo[i] for i in idx])["accuracy"]
            b = scores(sub, [vm[i] for i in idx])["accuracy"]
            print(f"  {name:<26} {len(idx):>5} {a:>7.3f} {b:>8.3f}")
        if args.failures and split == "tune":
            for c, v, w in zip(cases, vo, vm, strict=True):
                if v != c["label"]:
                    print(f"MISS [{c['source']}/{c['kind']}] label={c['label']} mv={w} bench={c['benchmark']} "
                          f"gold={c['gold']!r} pred={c['pred'][-300:]!r}")
    all_cases, _ = labelled()
    gsm = [c for c in all_cases if c.get("benchmark") == "gsm8k"]
    math = [c for c in all_cases if c["source"] == "variant"][:600]
    print(f"\nchecks/s on the same pairs (GSM8K-style: {len(gsm)} gsm8k responses; MATH-style: {len(math)} "
          "rewritten MATH answers)")
    for c in gsm[:20] + math[:20]:  # warm imports and caches before timing
        ours(c)
        mv(c)
    ratios = []
    for name, pairs in (("gsm8k-style", gsm), ("math-style", math)):
        r_o, r_m = rate(ours, pairs, args.seconds), rate(mv, pairs, args.seconds)
        ratios.append(r_o / r_m)
        print(f"  {name}: saicot {r_o:8.0f} checks/s  math-verify {r_m:8.0f} checks/s  ratio {r_o / r_m:.1f}x")
    parts = []
    for split, (so, sm) in summary.items():
        parts.append(f"{split} saicot acc {so['accuracy']:.3f} spec {so['specificity']:.3f} vs math-verify acc "
                     f"{sm['accuracy']:.3f} spec {sm['specificity']:.3f}")
    print(f"SUMMARY {'; '.join(parts)}; speed {ratios[0]:.1f}x gsm8k-style, {ratios[1]:.1f}x math-style")


if __name__ == "__main__":
    main()
