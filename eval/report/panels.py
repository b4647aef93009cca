"""Which cells share a plot panel: one panel per solver and benchmark.

A study's variant may answer another benchmark than the main grid (round two's SVAMP arm); its cells get a
panel of their own, so no cell is drawn beside another benchmark's baseline line.
"""

from __future__ import annotations

from typing import Any

from eval.report.roles import Roles
from eval.report.study import display_model

Panel = tuple[str, str]
"""(solver, benchmark)."""


def cell_benchmark(summary: dict[str, Any], cell: dict[str, Any]) -> str:
    """The benchmark a cell answered (records from before cells carried one: the study's)."""
    return cell.get("benchmark") or summary["benchmark"]


def panels(summary: dict[str, Any], cells: list[dict[str, Any]]) -> list[Panel]:
    """The panels that have cells: solvers in model order, each with the study's benchmark first."""
    main = summary["benchmark"]
    benchmarks = sorted({cell_benchmark(summary, c) for c in cells}, key=lambda b: (b != main, b))
    solvers = sorted({c["solver"] for c in cells}, key=display_model)
    return [(s, b) for s in solvers for b in benchmarks
            if any(c["solver"] == s and cell_benchmark(summary, c) == b for c in cells)]


def in_panel(summary: dict[str, Any], cells: list[dict[str, Any]], panel: Panel) -> list[dict[str, Any]]:
    """The cells drawn in `panel`."""
    return [c for c in cells if (c["solver"], cell_benchmark(summary, c)) == panel]


def panel_title(panel: Panel, every: list[Panel]) -> str:
    """``solver: X``, with the benchmark when the panels hold more than one."""
    several = len({b for _, b in every}) > 1
    return f"solver: {display_model(panel[0])}" + (f" · {panel[1]}" if several else "")


def benchmarks_label(every: list[Panel]) -> str:
    """The benchmarks of all panels, for a figure's title: ``gsm8k`` or ``gsm8k and svamp``."""
    return " and ".join(dict.fromkeys(b for _, b in every))


def baseline(mine: list[dict[str, Any]], roles: Roles) -> dict[str, Any] | None:
    """A panel's baseline cell, for its reference line: the main grid's, else a variant's if it is the only one."""
    cells = [c for c in mine if roles.baseline is not None and c["strategy"] == roles.baseline]
    main = [c for c in cells if not c.get("variant")]
    return main[0] if main else (cells[0] if len(cells) == 1 else None)
