"""How many bundled gold answers saicot's own parser leaves unparsed, and how many latex2sympy2_extended parses.

This is the measurement behind keeping saicot's whitelisting parser instead of adding latex2sympy2_extended
(Math-Verify's ANTLR LaTeX grammar) as a second parser. Run from the repository root (needs the test extra):
``python bench/checker_corpus/parser_coverage.py``. Measured 2026-12-01: 5,675 MATH + OlympiadBench golds,
44 left as text by saicot, 41 of them parsed by latex2sympy2_extended, all words or ratios (``\\text{even}``,
``3:1``) where a sympy object adds nothing to a text comparison.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from eval.benchmarks import load  # noqa: E402
from eval.checker.equiv_struct import S, read  # noqa: E402
from eval.checker.latex_norm import clean  # noqa: E402


def has_text(s: S) -> bool:
    """Whether any part of the structured answer stayed unparsed text."""
    return s.kind == "text" or any(has_text(x) for x in s.items) or any(has_text(x) for r in s.rows for x in r)


def main() -> None:
    from latex2sympy2_extended import latex2sympy

    golds = [p.gold for b in ("math", "olympiadbench") for p in load(b)]
    unparsed = [g for g in golds if has_text(read(clean(g).text))]
    parsed_by_l2s = []
    for g in unparsed:
        try:
            latex2sympy(g)  # builds sympy objects from the ANTLR parse tree; no text evaluation
            parsed_by_l2s.append(g)
        except Exception:  # noqa: BLE001
            pass
    print(f"{len(golds)} golds; saicot leaves {len(unparsed)} as text; latex2sympy2_extended parses "
          f"{len(parsed_by_l2s)} of those:")
    for g in parsed_by_l2s:
        print(f"  {g!r}")


if __name__ == "__main__":
    main()
