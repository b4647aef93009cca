"""A study's claims: named paired comparisons between two cells, each with a verdict the numbers allow.

A study config lists them (``claims:`` in the YAML); each compares cell `a` with cell `b`, both chosen by
the axes that identify a cell (strategy, generator, solver, k, scope; a model by its alias or last path
part) and, for a variant arm's cells, ``variant`` (a selector without it picks the main grid's cells). The
verdict comes from the paired 95% bootstrap interval of accuracy(a) - accuracy(b):

* **holds**: the whole interval is above 0 (a beats b);
* **refuted**: the interval's upper end is below the study's `margin` (default 0.02): a gain of a over b of
  `margin` or more is ruled out at 95%;
* **inconclusive**: neither;
* **pending**: a cell has no results yet.

A claim may name an ``earlier`` one: the same comparison under earlier conditions (round two of the reference
study re-judges round one's claims at a larger answer cap); its row then carries that claim's verdict too.

When the two cells agree on every problem the bootstrap interval collapses to [0, 0]; the rule of three
then bounds the share of problems where they could differ by 3/n, so the interval used is [-3/n, +3/n].

Example:
    >>> verdict({"low": 0.01, "high": 0.09}), verdict({"low": -0.12, "high": 0.01}), verdict(None)
    ('holds', 'refuted', 'pending')
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

SELECTOR_AXES = ("strategy", "generator", "solver", "k", "scope", "variant")


def verdict(diff: dict[str, float] | None, margin: float = 0.02) -> str:
    """holds / refuted / inconclusive from a paired interval (None: pending)."""
    if diff is None:
        return "pending"
    if diff["low"] > 0:
        return "holds"
    if diff["high"] < margin:
        return "refuted"
    return "inconclusive"


def _widen_if_identical(diff: dict[str, Any]) -> dict[str, Any]:
    if diff["wins"] == diff["losses"] == 0 and diff["n"]:
        return {**diff, "low": -3 / diff["n"], "high": 3 / diff["n"], "interval": "rule of three"}
    return diff


def _matches(cell: Any, selector: dict[str, Any], label: Callable[[Any], str]) -> bool:
    if "variant" not in selector and getattr(cell, "variant", None) is not None:
        return False  # a selector without `variant` means the main grid's cells
    for axis, want in selector.items():
        got = getattr(cell, axis)
        if axis in ("generator", "solver"):
            if got is None or str(want) not in (str(got), label(got)):
                return False
        elif got != want:
            return False
    return True


def find_cell(cells: Sequence[Any], selector: dict[str, Any], label: Callable[[Any], str]) -> Any | None:
    """The one cell matching `selector` (None when no cell with results matches).

    Raises:
        ValueError: the selector names an unknown axis or matches several cells (say which axis to add).
    """
    unknown = set(selector) - set(SELECTOR_AXES)
    if unknown:
        raise ValueError(f"claim selector {selector}: unknown axis {sorted(unknown)}; allowed: {SELECTOR_AXES}")
    found = [c for c in cells if _matches(c, selector, label)]
    if len(found) > 1:
        raise ValueError(f"claim selector {selector} matches {len(found)} cells; add an axis to pick one")
    return found[0] if found else None


def evaluate_claims(claims: Sequence[dict[str, Any]], cells: Sequence[Any], compare: Callable[[Any, Any], Any],
                    label: Callable[[Any], str], margin: float = 0.02) -> list[dict[str, Any]]:
    """One row per claim: ``{claim, a, b, comparison (compare's result or None), verdict}``, plus
    ``earlier: {claim, comparison, verdict}`` for a claim that names an earlier one.

    Args:
        compare: paired comparison of two cells: ``{n, diff, low, high, wins, losses, ...}`` or None.
        margin: the smallest gain a "refuted" verdict rules out.
    """
    rows = []
    for claim in claims:
        a, b = find_cell(cells, claim["a"], label), find_cell(cells, claim["b"], label)
        diff = compare(a, b) if a is not None and b is not None else None
        if diff is not None:
            diff = _widen_if_identical(diff)
        rows.append({"claim": claim["claim"], "a": claim["a"], "b": claim["b"], "comparison": diff,
                     "verdict": verdict(diff, margin)})
    by_name = {row["claim"]: row for row in rows}
    for claim, row in zip(claims, rows, strict=True):
        if (earlier := by_name.get(claim.get("earlier") or "")) is not None:
            row["earlier"] = {k: earlier[k] for k in ("claim", "comparison", "verdict")}
    return rows
