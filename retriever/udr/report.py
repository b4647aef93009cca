"""The UDR training report as rich tables: per round losses and held-out ranking quality, then the LM metric."""

from __future__ import annotations

from typing import Any


def print_report(report: dict[str, Any], console: Any = None) -> None:
    """Print a report as produced by `UDRResult.as_dict()` (+ ``lm_feedback`` / ``scoring`` when present)."""
    from rich.console import Console
    from rich.table import Table

    console = console or Console()
    rounds = Table(title=f"UDR training ({report.get('n_train', '?')} train / {report.get('n_heldout', '?')} "
                         f"held-out queries)")
    for col in ("round", "new pairs", "loss per epoch (rank, ce)", f"NDCG@{report.get('eval_k', 8)}", "MRR",
                "seconds"):
        rounds.add_column(col, justify="left" if col.startswith("loss") else "right")
    base = report.get("baseline", {})
    for name in ("random", "knn"):  # the references: random orders, the pool index's embedder (knn's ranking)
        if name in base:
            rounds.add_row(name, "", "", _f(base[name].get("ndcg")), _f(base[name].get("mrr")), "")
    rounds.add_row("untrained", "", "", _f(base.get("ndcg")), _f(base.get("mrr")), "")
    for r in report.get("rounds", []):
        losses = ", ".join(f"{e['loss']:.3f} ({e['rank']:.3f}, {e['ce']:.3f})" for e in r["epochs"])
        secs = " ".join(f"{k} {v:.0f}" for k, v in r["seconds"].items())
        rounds.add_row(str(r["round"]), str(r["new_pairs"]), losses, _f(r["ndcg"]), _f(r["mrr"]), secs)
    console.print(rounds)
    vs = report.get("heldout_vs") or {}
    if vs:
        console.print(f"held-out NDCG@{report.get('eval_k', 8)} differences, paired over the same "
                      f"{next(iter(vs.values()))['n']} lists (95% bootstrap; udr = the last round's encoder): "
                      + "; ".join(f"{name} {d['diff']:+.4f} [{d['low']:+.4f}, {d['high']:+.4f}]"
                                  for name, d in vs.items()))
    lm = report.get("lm_feedback") or {}
    if lm:
        table = Table(title=f"LM feedback on {lm['n']} held-out queries: mean NLL of the target given the "
                            f"top-{lm['k']} demos (lower is better)")
        table.add_column("demos")
        table.add_column("mean NLL", justify="right")
        for name in ("no-demos", "knn", "udr"):
            if name in lm:
                table.add_row(name, f"{lm[name]:.4f}")
        console.print(table)
        console.print(f"udr < knn on {lm['udr_better_share']:.0%} of held-out queries; "
                      f"same demo set on {lm['same_demos_share']:.0%}")
    cost = report.get("cost")
    if cost:
        console.print(f"training cost: {cost['pairs']:.0f} pairs scored, {cost['tokens']:.0f} tokens, "
                      f"{cost['seconds'] / 3600:.2f} h of scoring + {cost.get('train_seconds', 0) / 3600:.2f} h "
                      "of mining, training and evaluation (over every session it took)")
    sc = report.get("scoring")
    if sc:
        rate = sc["pairs"] / max(sc["seconds"], 1e-9)
        console.print(f"LM scoring (this process): {sc['pairs']:.0f} pairs, {sc['tokens']:.0f} tokens in "
                      f"{sc['seconds']:.0f} s ({rate:.2f} pairs/s, {sc['tokens_per_s']:.0f} tok/s); pairs scored in "
                      f"all: {report.get('scored_pairs', '?')}; wall time {report.get('seconds', 0):.0f} s")


def _f(x: float | None) -> str:
    return "" if x is None else f"{x:.4f}"
