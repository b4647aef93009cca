"""Human-readable results: a markdown report and a terminal table, from a run's summary alone."""

from __future__ import annotations

from typing import Any

COLUMNS = [
    ("strategy", "strategy"), ("n", "n"), ("accuracy", "accuracy"), ("95% CI", "ci"),
    ("pass@n", "pass_at_n"), ("answered", "answered"), ("demos", "mean_demos"),
    ("prompt tok", "mean_prompt_tokens"), ("output tok", "mean_completion_tokens"),
    ("total tok", "total_tokens"), ("cut", "truncated"),
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
            f"{s.get('truncated', 0.0):.2f}",
        ])
    return rows


def markdown_report(summary: dict[str, Any]) -> str:
    """The run's `report.md`: settings, pool statistics and the results table."""
    head = [c[0] for c in COLUMNS]
    lines = [f"# saicot run: {summary['benchmark']}", ""]
    lines += [f"- generator: `{summary['generator']}`", f"- pool solver: `{summary['pool_solver']}`",
              f"- solver: `{summary['solver']}`", f"- problems: {summary['n_problems']}"]
    pool = summary.get("pool")
    if pool:
        lines.append(f"- pool: {pool['pool_size']} demos from {pool['generated_questions']} generated questions "
                     f"({pool['kept_share']:.0%} kept by self-consistency; "
                     f"{pool.get('truncated_samples', 0.0):.0%} of the sampled solutions were cut at max_tokens "
                     "and never enter the pool)")
    lines += ["", "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row in table_rows(summary["strategies"]):
        lines.append("| " + " | ".join(row) + " |")
    lines += ["", "Accuracy intervals are 95% bootstrap percentile intervals over problems. "
              "pass@n counts a problem as solved if any of the solver's n samples is correct. "
              "cut: share of answers stopped by solver.max_tokens. "
              "total tok: prompt + output tokens per test question, "
              "plus, for strategies that use the pool, the pool's generation and sampling tokens per test question "
              "(? for pools made before token counts were recorded).", ""]
    branched = {name: s["branches"] for name, s in summary["strategies"].items() if s.get("branches")}
    if branched:
        lines += ["## With and without demos", "",
                  "Strategies that gave some questions no demos (knn-gated below its similarity gate, or no pool "
                  "rows in scope): how often each branch fired and the accuracy on it.", "",
                  "| strategy | with demos: share | accuracy | no demos: share | accuracy |", "|---|---|---|---|---|"]
        lines += [f"| {name} | {b['demos']['share']:.2f} (n={b['demos']['n']}) | {b['demos']['accuracy']:.3f} | "
                  f"{b['none']['share']:.2f} (n={b['none']['n']}) | {b['none']['accuracy']:.3f} |"
                  for name, b in branched.items()]
        lines.append("")
    if summary.get("warnings"):
        lines += ["## Warnings", "", *[f"- {w}" for w in summary["warnings"]], ""]
    return "\n".join(lines)


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
