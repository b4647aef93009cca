"""A run's results table on the terminal (its report.md and report.html come from `eval.report.study`)."""

from __future__ import annotations

from typing import Any

COLUMNS = [
    ("strategy", "strategy"), ("n", "n"), ("accuracy", "accuracy"), ("95% CI", "ci"),
    ("pass@n", "pass_at_n"), ("answered", "answered"), ("demos", "mean_demos"),
    ("prompt tok", "mean_prompt_tokens"), ("output tok", "mean_completion_tokens"),
    ("total tok", "total_tokens"), ("cut", "truncated"), ("loop", "looping"),
]


def _tokens(value: float | None) -> str:
    return "?" if value is None else f"{value:.0f}"


def table_rows(strategies: dict[str, dict[str, Any]]) -> list[list[str]]:
    """One row of formatted cells per strategy, in the order of COLUMNS."""
    rows = []
    for name, s in strategies.items():
        rows.append([
            name, str(s["n"]), f"{s['accuracy']:.3f}", f"[{s['ci_low']:.3f}, {s['ci_high']:.3f}]",
            f"{s['pass_at_n']:.3f}", f"{s['answered']:.2f}", f"{s['mean_demos']:.1f}",
            f"{s['mean_prompt_tokens']:.0f}", f"{s['mean_completion_tokens']:.0f}", _tokens(s.get("total_tokens")),
            f"{s.get('truncated', 0.0) - s.get('looping', 0.0):.2f}", f"{s.get('looping', 0.0):.2f}",
        ])
    return rows


def print_table(summary: dict[str, Any]) -> None:
    """Print the results table to the terminal with rich."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"saicot results: {summary['benchmark']} ({summary['n_problems']} problems)")
    for header, _ in COLUMNS:
        table.add_column(header, justify="left" if header == "strategy" else "right")
    for row in table_rows(summary["strategies"]):
        table.add_row(*row)
    console = Console()
    if not console.is_terminal:  # logs and pipes: wide enough that no column is cut
        console = Console(width=140)
    console.print(table)
