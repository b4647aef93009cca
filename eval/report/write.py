"""Write a run's or a study's report from its saved records: `saicot report DIR`.

Input: a study directory (``study.json`` + ``runs/<name>/{config.yaml,scores.jsonl,summary.json}`` + the
stage directories) or a single run directory (``config.yaml`` + ``scores.jsonl`` + ``summary.json``).
Output, byte for byte the same on every call and on a copied directory (no absolute paths, no timestamps,
fixed bootstrap seeds): ``report.md``, ``cells.csv`` (one row per cell), ``plots/*.png``, ``report.html`` with
``report-data.js``, and the machine-readable summary (``summary.json`` for a study; ``report.json`` for a
single run, whose own ``summary.json`` belongs to the runner). The data model is `eval.report.study`.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from eval.report.roles import Roles
from eval.report.study import build_summary

CSV_FIELDS = ["run", "solver", "generator", "strategy", "k", "scope", "variant", "n", "accuracy", "ci_low", "ci_high",
              "diff_vs_zero_shot", "diff_low", "diff_high", "bootstrap_p", "mcnemar_p", "wins", "losses",
              "answered", "mean_demos", "mean_prompt_tokens", "mean_completion_tokens", "tokens_per_question",
              "total_tokens", "cap", "truncated", "looping", "samples",
              "maj_at_n", "pass_at_1", "pass_at_n", "diff_vs_self_consistency", "sc_diff_low", "sc_diff_high"]


def _fmt(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def cells_csv(summary: dict[str, Any]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(CSV_FIELDS)
    for c in summary["cells"]:
        vs = c["vs_zero_shot"] or {}
        sm = c["samples"] or {}
        sc = c.get("vs_self_consistency") or {}
        row = {**c, "generator": c["generator"], "diff_vs_zero_shot": vs.get("diff"), "diff_low": vs.get("low"),
               "diff_high": vs.get("high"), "bootstrap_p": vs.get("bootstrap_p"), "mcnemar_p": vs.get("mcnemar_p"),
               "wins": vs.get("wins"), "losses": vs.get("losses"), "samples": sm.get("samples", 1),
               "maj_at_n": sm.get("maj_at_n"), "pass_at_1": sm.get("pass_at_1"), "pass_at_n": sm.get("pass_at_n"),
               "diff_vs_self_consistency": sc.get("diff"), "sc_diff_low": sc.get("low"), "sc_diff_high": sc.get("high")}
        writer.writerow([_fmt(row[f]) for f in CSV_FIELDS])
    return buf.getvalue()


def write_report(root: Path | str, *, with_plots: bool = True, roles: Roles | None = None) -> list[Path]:
    """Write report.md, cells.csv, the JSON summary, report.html (+ its report-data.js) and plots/*.png into
    `root`; returns the paths.

    The one writer of both a run's and a study's report (a run is a one-run study); a run writes it without
    plots to stay quick, ``saicot report`` with them.
    """
    from eval.report.markdown import render
    from eval.report.plots import write_plots

    root = Path(root)
    summary = build_summary(root, roles)
    plots = write_plots(summary, root / "plots") if with_plots else []
    json_name = "summary.json" if summary["kind"] == "study" else "report.json"
    files = {
        "report.md": render(summary, [p.relative_to(root).as_posix() for p in plots]),
        "cells.csv": cells_csv(summary),
        json_name: json.dumps(summary, indent=2, sort_keys=True, ensure_ascii=False) + "\n",
    }
    for name, text in files.items():
        tmp = root / (name + ".tmp")
        tmp.write_text(text)
        tmp.replace(root / name)
    from eval.report.html import DATA_FILE, write_html

    return [root / n for n in files] + [write_html(root, plots), root / DATA_FILE] + plots
