"""PNG plots of a study summary (matplotlib, Agg backend, no timestamps or version in the files).

* ``accuracy_by_strategy.png``: accuracy with 95% intervals per strategy, one panel per solver and benchmark
  (`eval.report.panels`: a variant may answer another benchmark).
* ``accuracy_vs_k.png``: accuracy against the number of demos, one panel per generator -> solver pair (only when
  the grid has more than one k).
* ``transfer_heatmap.png``: generator -> solver accuracy per pool strategy, coloured by the gain over the
  solver's zero-shot accuracy.
* ``accuracy_vs_tokens.png``: accuracy against tokens per test question (the pool's included), one panel per
  solver and benchmark, with the maj@j curve of every sampled cell: what the same tokens buy as more votes.
* ``claims.png``: every decided claim's paired interval and verdict (`eval.report.claims_plot`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from eval.report import labels
from eval.report.panels import baseline, benchmarks_label, in_panel, panel_title, panels
from eval.report.roles import Roles
from eval.report.study import cell_name, display_model

#: Pool-free strategies draw one marker per solver; the rest one per generator.
COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf", "#bcbd22",
          "#393b79"]


def pyplot() -> Any:
    """matplotlib.pyplot on the Agg backend with the reports' style (imported on first use)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update({"font.size": 9, "axes.titlesize": 10, "figure.dpi": 100, "svg.hashsalt": "saicot"})
    return plt


def save_figure(fig: Any, path: Path) -> Path:
    """Write `fig` as a PNG without timestamps (a regenerated report is byte-identical) and close it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110, bbox_inches="tight", metadata={"Software": None})
    import matplotlib.pyplot as plt

    plt.close(fig)
    return path


def _rank(cell: dict[str, Any], roles: Roles) -> tuple[int, str]:
    """Display order: by strategy role, a variant's cells ("knn [no-filter]") beside their strategy's."""
    return (roles.rank(cell["strategy"]), cell_name(cell))


def _order(cells: list[dict[str, Any]], roles: Roles) -> list[str]:
    """The cells' names (`cell_name`), each once, in display order."""
    return list(dict.fromkeys(cell_name(c) for c in sorted(cells, key=lambda c: _rank(c, roles))))


def _roles(summary: dict[str, Any]) -> Roles:
    return Roles.of(summary.get("roles"))


def _main_k(cells: list[dict[str, Any]]) -> int | None:
    ks = sorted({c["k"] for c in cells if c["k"] is not None})
    return ks[-1] if ks else None


def _main_scope(cells: list[dict[str, Any]]) -> str | None:
    scopes = sorted({c["scope"] for c in cells if c["scope"] is not None})
    return "global" if "global" in scopes else (scopes[0] if scopes else None)


def _models(cells: list[dict[str, Any]], axis: str) -> list[str]:
    return sorted({c[axis] for c in cells if c[axis] is not None}, key=display_model)


def accuracy_by_strategy(summary: dict[str, Any], path: Path) -> Path:
    plt = pyplot()
    cells = summary["cells"]
    k, scope = _main_k(cells), _main_scope(cells)
    chosen = [c for c in cells if c["k"] in (None, k) and c["scope"] in (None, scope)]
    every = panels(summary, chosen)
    generators = _models(cells, "generator")
    roles = _roles(summary)
    members = [in_panel(summary, chosen, p) for p in every]
    per_panel = [_order(mine, roles) for mine in members]
    widths = [max(3.0, 0.75 * len(names) + 1) for names in per_panel]  # a panel as wide as its strategies
    fig, axes = plt.subplots(1, len(every), figsize=(sum(widths) + 1, 4.2), squeeze=False, sharey=True,
                             gridspec_kw={"width_ratios": widths})
    width = 0.7 / max(1, len(generators))
    for ax, panel, mine, strategies in zip(axes[0], every, members, per_panel, strict=True):
        zero = baseline(mine, roles)
        if zero is not None:
            ax.axhline(zero["accuracy"], color="grey", linestyle="--", linewidth=1, label=f"{roles.baseline} accuracy")
        for gi, gen in enumerate([None, *generators]):
            pts = [c for c in mine if c["generator"] == gen]
            if not pts:
                continue
            xs, ys, lo, hi = [], [], [], []
            for c in pts:
                offset = 0.0 if gen is None else (gi - 1 - (len(generators) - 1) / 2) * width
                xs.append(strategies.index(cell_name(c)) + offset)
                ys.append(c["accuracy"])
                lo.append(c["accuracy"] - c["ci_low"])
                hi.append(c["ci_high"] - c["accuracy"])
            label = "no pool" if gen is None else f"pool from {display_model(gen)}"
            ax.errorbar(xs, ys, yerr=[lo, hi], fmt="o" if gen is None else "s", color="black" if gen is None
                        else COLORS[(gi - 1) % len(COLORS)], capsize=3, markersize=5, linewidth=1.2, label=label)
        ax.set_xticks(range(len(strategies)), strategies, rotation=35, ha="right")
        ax.set_xlim(-0.6, len(strategies) - 0.4)
        ax.set_title(panel_title(panel, every))
        ax.set_ylim(-0.03, 1.03)
        ax.grid(axis="y", alpha=0.3)
    axes[0][0].set_ylabel("accuracy (95% bootstrap CI)")
    handles: dict[str, Any] = {}  # every panel's entries: a pool may appear in one solver's panel only
    for ax in axes[0]:
        for handle, label in zip(*ax.get_legend_handles_labels(), strict=True):
            handles.setdefault(label, handle)
    axes[0][-1].legend(list(handles.values()), list(handles), loc="upper right", fontsize=8, framealpha=0.9)
    fig.suptitle(f"Accuracy by strategy ({benchmarks_label(every)}, {summary['n_problems']} problems"
                 + (f", k={k}" if k is not None else "") + (f", scope {scope}" if scope else "") + ")")
    return save_figure(fig, path)


def accuracy_vs_k(summary: dict[str, Any], path: Path) -> Path:
    plt = pyplot()
    cells = summary["cells"]
    scope = _main_scope(cells)
    varying = [c for c in cells if c["k"] is not None and c["scope"] in (None, scope)]
    pairs = sorted({(c["generator"], c["solver"]) for c in varying},
                   key=lambda p: (display_model(p[1]), display_model(p[0]) if p[0] else ""))
    pairs = [p for p in pairs if p[0] is not None] or pairs
    ks = sorted({c["k"] for c in varying})
    fig, axes = plt.subplots(1, max(1, len(pairs)), figsize=(4.2 * max(1, len(pairs)), 3.8), squeeze=False,
                             sharey=True)
    roles = _roles(summary)
    strategies = _order(varying, roles)
    for ax, (gen, solver) in zip(axes[0], pairs or [(None, None)], strict=True):
        for si, strategy in enumerate(strategies):
            pts = sorted((c for c in varying if cell_name(c) == strategy and c["solver"] == solver
                          and c["generator"] in (None, gen)), key=lambda c: c["k"])
            if pts:
                ax.plot([c["k"] for c in pts], [c["accuracy"] for c in pts], marker="o", linewidth=1.3,
                        color=COLORS[si % len(COLORS)], label=strategy)
        zero = next((c for c in cells if c["strategy"] == roles.baseline and c["solver"] == solver), None)
        if zero is not None:
            ax.axhline(zero["accuracy"], color="grey", linestyle="--", linewidth=1, label=roles.baseline)
        ax.set_title(f"{display_model(gen)} -> {display_model(solver)}" if gen else f"solver {display_model(solver)}")
        ax.set_xlabel("demos per question (k)")
        ax.set_xticks(ks or [0])
        ax.set_ylim(-0.03, 1.03)
        ax.grid(alpha=0.3)
    axes[0][0].set_ylabel("accuracy")
    if axes[0][-1].get_legend_handles_labels()[0]:
        axes[0][-1].legend(loc="upper right", fontsize=7, framealpha=0.9)
    fig.suptitle("Accuracy vs number of demos, generator -> solver")
    return save_figure(fig, path)


def transfer_heatmap(summary: dict[str, Any], path: Path) -> Path:
    plt = pyplot()
    cells = summary["cells"]
    k, scope = _main_k(cells), _main_scope(cells)
    pooled = [c for c in cells if c["generator"] is not None and c["k"] in (None, k) and c["scope"] in (None, scope)]
    roles = _roles(summary)
    strategies = _order(pooled, roles)
    gens, solvers = _models(pooled, "generator"), _models(pooled, "solver")
    zero = {c["solver"]: c["accuracy"] for c in cells if c["strategy"] == roles.baseline}
    n = max(1, len(strategies))
    fig, axes = plt.subplots(1, n, figsize=(1.3 * max(2, len(solvers)) * n + 2.0, 1.0 * max(2, len(gens)) + 1.4),
                             squeeze=False, sharey=True)
    for ax, strategy in zip(axes[0], strategies or ["(none)"], strict=True):
        import numpy as np

        acc = np.full((len(gens), len(solvers)), np.nan)
        gain = np.full_like(acc, np.nan)
        for c in pooled:
            if cell_name(c) == strategy:
                i, j = gens.index(c["generator"]), solvers.index(c["solver"])
                acc[i, j] = c["accuracy"]
                gain[i, j] = c["accuracy"] - zero.get(c["solver"], np.nan)
        image = ax.imshow(np.nan_to_num(gain, nan=0.0), cmap="RdBu", vmin=-0.5, vmax=0.5)
        for i in range(len(gens)):
            for j in range(len(solvers)):
                text = "n/a" if np.isnan(acc[i, j]) else f"{acc[i, j]:.2f}" + (
                    "" if np.isnan(gain[i, j]) else f"\n({gain[i, j]:+.2f})")
                ax.text(j, i, text, ha="center", va="center", fontsize=8)
        ax.set_xticks(range(len(solvers)), [display_model(s) for s in solvers], rotation=25, ha="right")
        ax.set_yticks(range(len(gens)), [display_model(g) for g in gens])
        ax.tick_params(axis="y", labelleft=ax is axes[0][0])
        ax.set_title(strategy)
        ax.set_xlabel("solver")
    axes[0][0].set_ylabel("generator (pool)")
    fig.colorbar(image, ax=axes[0].tolist(), shrink=0.8, label="accuracy - solver's zero-shot")
    fig.suptitle("Generator -> solver transfer: accuracy (gain over the solver's zero-shot)"
                 + (f", k={k}" if k is not None else ""))
    return save_figure(fig, path)


def accuracy_vs_tokens(summary: dict[str, Any], path: Path) -> Path:
    """One point per cell at its cost per test question; a sampled cell adds its maj@j, j = 1..n, as a line.

    The line's cost at j samples is the prompt plus j of the n samples' output tokens (the samples share one
    prompt). An ensemble's members have prompts of their own, so it gets its point only.
    """
    plt = pyplot()
    from matplotlib.ticker import LogLocator

    cells, roles = summary["cells"], _roles(summary)
    k, scope = _main_k(cells), _main_scope(cells)
    chosen = [c for c in cells if c["k"] in (None, k) and c["scope"] in (None, scope)]
    every = panels(summary, chosen)
    generators = _models(chosen, "generator")
    names = labels.short_models([display_model(g) for g in generators])
    short = {g: names[display_model(g)] for g in generators} if len(generators) > 1 else {}  # only if a choice
    fig, axes = plt.subplots(1, len(every), figsize=(7.2 * len(every), 5.4), squeeze=False, sharey=True)
    placed: list[tuple[list[Any], list[tuple[float, float]]]] = []
    for ax, panel in zip(axes[0], every, strict=True):
        mine = sorted(in_panel(summary, chosen, panel),
                      key=lambda c: (_rank(c, roles), display_model(c["generator"])))
        texts, points = [], []
        placed.append((texts, points))
        for i, c in enumerate(mine):
            color = COLORS[i % len(COLORS)]
            cost = c["total_tokens"] or c["tokens_per_question"]
            ax.errorbar([cost], [c["accuracy"]], yerr=[[c["accuracy"] - c["ci_low"]], [c["ci_high"] - c["accuracy"]]],
                        fmt="o", color=color, capsize=2, markersize=4, linewidth=0.8, alpha=0.8)
            label = cell_name(c) + (f" ({short[c['generator']]} pool)" if c["generator"] in short else "")
            texts.append(ax.text(cost, c["accuracy"], label, fontsize=7, color=color,
                                 bbox={"facecolor": "white", "alpha": 0.75, "edgecolor": "none", "pad": 0.3}))
            points.append((cost, c["accuracy"]))
            curve = (c["samples"] or {}).get("maj_curve")
            if curve and not c["strategy"].startswith("ensemble"):
                n = len(curve)
                xs = [c["mean_prompt_tokens"] + c["mean_completion_tokens"] * j / n for j in range(1, n + 1)]
                ax.plot(xs, curve, marker=".", linewidth=1, color=color, label=f"{cell_name(c)}: maj@j, j = 1..{n}")
        zero = baseline(mine, roles)
        if zero is not None:
            ax.axhline(zero["accuracy"], color="grey", linestyle="--", linewidth=1, label=f"{roles.baseline} accuracy")
        ax.set_xscale("log")
        ax.xaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
        ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda x, _: f"{x:,.0f}"))
        ax.xaxis.set_minor_formatter(plt.NullFormatter())
        ax.set_title(panel_title(panel, every))
        ax.grid(alpha=0.3, which="both")
        if ax.get_legend_handles_labels()[0]:
            ax.legend(loc="best", fontsize=7, framealpha=0.9)
    axes[0][0].set_ylabel("accuracy (95% bootstrap CI)")
    for ax, (texts, points) in zip(axes[0], placed, strict=True):  # after the shared y axis is final
        labels.place(ax, texts, points)
    fig.supxlabel("tokens per test question (prompt + output, the pool's generation and sampling included)",
                  fontsize=10)  # once for all panels: one per panel would run into its neighbour
    fig.suptitle(f"Accuracy vs cost ({benchmarks_label(every)}, {summary['n_problems']} problems)")
    return save_figure(fig, path)


def write_plots(summary: dict[str, Any], out_dir: Path) -> list[Path]:
    """All plots for the summary (skipped when there are no cells); returns the files written."""
    if not summary["cells"]:
        return []
    out_dir = Path(out_dir)
    paths = [accuracy_by_strategy(summary, out_dir / "accuracy_by_strategy.png"),
             accuracy_vs_tokens(summary, out_dir / "accuracy_vs_tokens.png")]
    from eval.report.claims_plot import claims_forest

    if (claims := claims_forest(summary, out_dir / "claims.png")) is not None:
        paths.append(claims)
    summary = {**summary, "cells": [c for c in summary["cells"] if not c.get("variant")]}  # the main grid's
    if len({c["k"] for c in summary["cells"] if c["k"] is not None}) > 1:  # one k: a line of single points
        paths.append(accuracy_vs_k(summary, out_dir / "accuracy_vs_k.png"))
    if any(c["generator"] is not None for c in summary["cells"]):
        paths.append(transfer_heatmap(summary, out_dir / "transfer_heatmap.png"))
    return paths
