"""Checks per second of saicot's answer checker vs Math-Verify, side by side in one process.

Two workloads on the same pairs for both checkers:

* GSM8K-style: synthetic chain-of-thought responses ending in ``#### n`` or "The answer is n." against
  integer golds (half of them wrong).
* MATH-style: the LaTeX answer pairs of the labelled cases in ``tests/unit/checker_cases.py``.

Also prints each checker's accuracy and specificity on the labelled cases. Run from the repository root:
``python bench/checker.py`` (about a minute). The last line is the summary with both ratios.
"""

from __future__ import annotations

import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from eval.grade import is_equiv  # noqa: E402
from tests.unit import checker_cases  # noqa: E402

Pair = tuple[str, str]


def gsm8k_pairs(n: int, seed: int = 0) -> list[Pair]:
    """Synthetic GSM8K-style (response, gold) pairs."""
    rng = random.Random(seed)
    out: list[Pair] = []
    for i in range(n):
        a, b, c = rng.randint(2, 90), rng.randint(2, 40), rng.randint(1, 9)
        total = a * b + c
        gold = total if i % 2 == 0 else total + rng.choice([-10, -1, 1, 7])
        body = (f"Each box holds {a} pens and there are {b} boxes, so {a} * {b} = {a * b} pens. "
                f"Adding the {c} loose pens gives {a * b} + {c} = {total} pens.\n")
        tail = f"#### {total:,}" if i % 3 else f"The answer is {total}."
        out.append((body + tail, f"{gold}"))
    return out


def math_pairs() -> list[Pair]:
    """LaTeX answer pairs from the labelled cases (no whole responses)."""
    excluded = set(checker_cases.RESPONSES + checker_cases.SAFETY_NEGATIVES)
    return [(p, g) for (p, g, e) in checker_cases.ALL if (p, g, e) not in excluded]


def _mv() -> Callable[[str, str, bool], bool]:
    from math_verify import parse, verify

    def check(pred: str, gold: str, wrap: bool) -> bool:
        try:
            p = parse(f"${pred}$" if wrap else pred)
            g = parse(f"${gold}$")
            return bool(verify(g, p))
        except Exception:  # noqa: BLE001
            return False

    return check


def rate(fn: Callable[[str, str], bool], pairs: list[Pair], min_seconds: float) -> float:
    """Checks per second over repeated passes of ``pairs`` (at least one pass, at least ``min_seconds``)."""
    done = 0
    start = time.perf_counter()
    while True:
        for p, g in pairs:
            fn(p, g)
        done += len(pairs)
        elapsed = time.perf_counter() - start
        if elapsed >= min_seconds:
            return done / elapsed


def scores(fn: Callable[[str, str, bool], bool]) -> tuple[float, float, int]:
    """Accuracy and specificity on the labelled cases."""
    correct = neg = neg_ok = 0
    for p, g, e in checker_cases.ALL:
        wrap = (p, g, e) not in checker_cases.RESPONSES
        got = fn(p, g, wrap)
        correct += got == e
        if not e:
            neg += 1
            neg_ok += not got
    return correct / len(checker_cases.ALL), neg_ok / max(neg, 1), len(checker_cases.ALL)


def main(seconds: float = 8.0) -> None:
    mv = _mv()
    ours = lambda p, g: is_equiv(p, g)  # noqa: E731
    gsm = gsm8k_pairs(400)
    math = math_pairs()
    # Warm both (imports, caches) before timing.
    for p, g in gsm[:20] + math[:20]:
        ours(p, g)
        mv(p, g, False)
    print(f"pairs: gsm8k-style {len(gsm)}, math-style {len(math)}")
    r_ours_gsm = rate(ours, gsm, seconds)
    r_mv_gsm = rate(lambda p, g: mv(p, g, False), gsm, seconds)
    r_ours_math = rate(ours, math, seconds)
    r_mv_math = rate(lambda p, g: mv(p, g, True), math, seconds)
    print(f"gsm8k-style: saicot {r_ours_gsm:9.0f} checks/s  math-verify {r_mv_gsm:9.0f} checks/s  "
          f"ratio {r_ours_gsm / r_mv_gsm:.1f}x")
    print(f"math-style : saicot {r_ours_math:9.0f} checks/s  math-verify {r_mv_math:9.0f} checks/s  "
          f"ratio {r_ours_math / r_mv_math:.1f}x")
    acc_o, spec_o, n = scores(lambda p, g, _w: is_equiv(p, g))
    acc_m, spec_m, _ = scores(mv)
    print(f"labelled cases (n={n}): saicot accuracy {acc_o:.3f} specificity {spec_o:.3f}; "
          f"math-verify accuracy {acc_m:.3f} specificity {spec_m:.3f}")
    print(f"SUMMARY gsm8k-style ratio {r_ours_gsm / r_mv_gsm:.1f}x, math-style ratio {r_ours_math / r_mv_math:.1f}x "
          f"(saicot vs math-verify checks/s)")


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 8.0)
