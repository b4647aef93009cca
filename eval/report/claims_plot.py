"""``claims.png``: every decided claim's paired difference with its 95% interval, one row per claim (a forest
plot), coloured by verdict, against the two lines a verdict is read from: 0 (holds: the interval is right of it)
and the margin (refuted: the interval ends left of it). A claim that re-judges an earlier one (``earlier:``)
shows that claim's interval as a hollow marker just below its own, so a changed verdict is seen at a glance.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

from eval.report.plots import pyplot, save_figure

VERDICT_COLORS = {"holds": "#2ca02c", "refuted": "#d62728", "inconclusive": "#7f7f7f"}


def claims_forest(summary: dict[str, Any], path: Path) -> Path | None:
    """Write the plot; None (nothing written) when no claim has both cells yet."""
    decided = [c for c in summary.get("claims", []) if c["comparison"] is not None]
    if not decided:
        return None
    plt = pyplot()
    margin = summary.get("claim_margin", 0.02)
    fig, ax = plt.subplots(figsize=(8.5, 0.5 * len(decided) + 1.4))
    intervals = [c["comparison"] for c in decided] + [c["earlier"]["comparison"] for c in decided
                                                     if c.get("earlier") and c["earlier"]["comparison"]]
    right = max(margin, *(d["high"] for d in intervals)) + 0.01  # the verdicts' column, right of every interval
    for row, claim in enumerate(decided):
        y = len(decided) - 1 - row  # the config's order, top to bottom
        d = claim["comparison"]
        color = VERDICT_COLORS[claim["verdict"]]
        ax.errorbar([d["diff"]], [y], xerr=[[d["diff"] - d["low"]], [d["high"] - d["diff"]]], fmt="o", color=color,
                    capsize=3, markersize=5, linewidth=1.4)
        ax.text(right, y, f"{claim['verdict']} (n = {d['n']})", va="center", fontsize=7, color=color)
        earlier = claim.get("earlier")
        if earlier and earlier["comparison"] is not None:
            e = earlier["comparison"]
            ax.errorbar([e["diff"]], [y - 0.3], xerr=[[e["diff"] - e["low"]], [e["high"] - e["diff"]]], fmt="o",
                        mfc="white", color=VERDICT_COLORS[earlier["verdict"]], capsize=2, markersize=4,
                        linewidth=0.8, alpha=0.8)
            ax.text(right, y - 0.3, f"before: {earlier['verdict']}", va="center", fontsize=6,
                    color=VERDICT_COLORS[earlier["verdict"]])
    ax.axvline(0, color="black", linewidth=0.8)
    ax.axvline(margin, color="grey", linestyle="--", linewidth=0.8, label=f"margin +{margin:.2f}")
    ax.set_yticks(range(len(decided)))
    ax.set_yticklabels([textwrap.fill(c["claim"], 60) for c in reversed(decided)], fontsize=7)
    ax.set_ylim(-0.9, len(decided) - 0.4)
    ax.set_xlim(right=right + 0.045)
    ax.set_xlabel("accuracy(a) − accuracy(b), paired 95% bootstrap interval")
    ax.grid(axis="x", alpha=0.3)
    ax.legend(loc="upper left", bbox_to_anchor=(0, -0.09 - 0.3 / len(decided)), fontsize=7, frameon=False)
    ax.set_title("Claims: holds = right of 0; refuted = ends left of the margin")
    return save_figure(fig, path)
