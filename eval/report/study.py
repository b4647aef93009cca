"""The report's data model, rebuilt from saved records alone: cells, their metrics and comparisons, the summary.

The writers (`eval.report.write`: report.md, cells.csv, plots, report.html) read this model; nothing here
imports them. Input: a study directory (``study.json`` + ``runs/<name>/{config.yaml,scores.jsonl,summary.json}``
+ the stage directories) or a single run directory (``config.yaml`` + ``scores.jsonl`` + ``summary.json``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from eval.checker.grade import is_equiv
from eval.report.claims import evaluate_claims
from eval.report.metrics import answer_metrics, majority_vote, mcnemar, paired_bootstrap, pass_at_k
from eval.report.pool import pool_metrics, read_jsonl
from eval.report.roles import Roles

AXES = ("generator", "solver", "k", "scope")


@dataclass(frozen=True)
class Cell:
    """One result of a study's grid. Axes that do not change a strategy's predictions are None (shown "-")."""

    run: str
    strategy: str
    solver: str
    generator: str | None
    k: int | None
    scope: str | None
    variant: str | None = field(default=None, kw_only=True)  # a variant arm's label (settings beyond the axes)


def cell_name(cell: dict[str, Any]) -> str:
    """A cell's strategy as shown in tables and plots: ``knn``, or ``knn [no-filter]`` for a variant's."""
    return cell["strategy"] + (f" [{cell['variant']}]" if cell.get("variant") else "")


@dataclass(frozen=True)
class CellData(Cell):
    """A cell with its score records (in problem order)."""

    rows: list[dict[str, Any]]
    total_tokens: float | None = None  # per question, the pool's generation and sampling included (run summary)
    cap: int | None = None  # the solver's answer cap (solver.max_tokens) of the cell's run
    benchmark: str | None = None  # the benchmark its run answered (a variant may set another one)


def display_model(model: str | None) -> str:
    """A model's short label: an alias as is, a path by its last component, without a content hash
    (``alias@sha256:...`` or ``path#hash``, as in records)."""
    if model is None:
        return "-"
    bare = str(model).split("#")[0].split("@")[0].rstrip("/")
    return Path(bare).name or str(model)


@dataclass(frozen=True)
class _RunFiles:
    """What a run's results directory says about its cells, read once per run."""

    rows: dict[str, list[dict[str, Any]]]  # score records by strategy; none while the run has not finished
    total_tokens: dict[str, float | None]  # per strategy, from the run's summary.json
    cap: int | None  # the solver's answer cap, from the run's config.yaml
    benchmark: str | None  # from the run's summary.json

    @classmethod
    def read(cls, run_dir: Path) -> _RunFiles:
        rows: dict[str, list[dict[str, Any]]] = {}
        scores = run_dir / "scores.jsonl"
        for r in read_jsonl(scores) if scores.exists() else []:
            rows.setdefault(r["strategy"], []).append(r)
        summary = run_dir / "summary.json"
        run_summary = json.loads(summary.read_text()) if summary.exists() else {}
        strategies = run_summary.get("strategies", {})
        config = run_dir / "config.yaml"
        cap = yaml.safe_load(config.read_text())["solver"]["max_tokens"] if config.exists() else None
        return cls(rows, {name: s.get("total_tokens") for name, s in strategies.items()}, cap,
                   run_summary.get("benchmark"))

    def cell(self, run: str, strategy: str, solver: str, generator: str | None, k: int | None, scope: str | None,
             variant: str | None = None) -> CellData:
        return CellData(run, strategy, solver, generator, k, scope, self.rows.get(strategy, []),
                        self.total_tokens.get(strategy), self.cap, self.benchmark, variant=variant)


def load_cells(root: Path) -> tuple[list[CellData], dict[str, Path], bool]:
    """Cells, the results directory of each run, and whether `root` is a study."""
    study_file = root / "study.json"
    if study_file.exists():
        study = json.loads(study_file.read_text())
        run_dirs = {r["name"]: root / "runs" / r["name"] for r in study["runs"]}
        files = {name: _RunFiles.read(d) for name, d in run_dirs.items()}
        cells = [files[c["run"]].cell(c["run"], c["strategy"], c["solver"], c["generator"], c["k"], c["scope"],
                                      c.get("variant"))
                 for c in study["cells"]]
        done = {name: d for name, d in run_dirs.items() if (d / "summary.json").exists()}
        return [c for c in cells if c.rows], done, True
    cfg = yaml.safe_load((root / "config.yaml").read_text())
    strategies = cfg["retrieve"]["strategies"]
    run = _RunFiles.read(root)
    cells = [run.cell("run", s, cfg["solver"]["model"], cfg["generator"]["model"], cfg["retrieve"]["k"],
                      cfg["retrieve"]["scope"]) for s in strategies]
    return [c for c in cells if c.rows], {"run": root}, False


# -- metrics ------------------------------------------------------------------------------------------

def sample_metrics(rows: Sequence[dict[str, Any]]) -> dict[str, Any] | None:
    """maj@n, pass@1 (unbiased), pass@n and maj@j for j = 1..n when the solver drew n > 1 samples per question.

    ``maj_curve[j - 1]`` votes over each question's first j samples the way the score stage votes over all n
    (checker equivalence, ties to the first answer), so its last value is maj@n: what fewer samples would have
    scored, from the same records.
    """
    n = min(len(r.get("sample_correct") or r["answers"]) for r in rows)
    if n <= 1 or any("sample_correct" not in r for r in rows):
        return None
    total = len(rows)

    def maj_at(j: int, row: dict[str, Any]) -> bool:
        if j == 1:
            return bool(row["sample_correct"][0])
        voted = majority_vote(row["answers"][:j], equiv=is_equiv)
        return voted is not None and is_equiv(voted, row["gold"])

    return {
        "samples": n,
        "maj_at_n": sum(r["correct"] for r in rows) / total,
        "first_sample": sum(r["sample_correct"][0] for r in rows) / total,
        "pass_at_1": sum(pass_at_k(n, sum(r["sample_correct"][:n]), 1) for r in rows) / total,
        "pass_at_n": sum(pass_at_k(n, sum(r["sample_correct"][:n]), n) for r in rows) / total,
        "maj_curve": [sum(r["correct"] if j == n else maj_at(j, r) for r in rows) / total for j in range(1, n + 1)],
    }


def cell_metrics(cell: CellData) -> dict[str, Any]:
    return {
        "run": cell.run, "strategy": cell.strategy, "solver": cell.solver, "generator": cell.generator,
        "k": cell.k, "scope": cell.scope, "variant": cell.variant, **answer_metrics(cell.rows),
        "total_tokens": cell.total_tokens, "cap": cell.cap, "benchmark": cell.benchmark,
        "samples": sample_metrics(cell.rows),
    }


def compare(cell: CellData, baseline: CellData) -> dict[str, Any] | None:
    """Paired bootstrap and exact McNemar of `cell` against `baseline` on the problems both answered."""
    base = {r["problem_id"]: r["correct"] for r in baseline.rows}
    pairs = [(r["correct"], base[r["problem_id"]]) for r in cell.rows if r["problem_id"] in base]
    if not pairs:
        return None
    a, b = [p[0] for p in pairs], [p[1] for p in pairs]
    boot = paired_bootstrap(a, b, seed=0)
    test = mcnemar(a, b)
    return {"n": boot["n"], "diff": boot["diff"], "low": boot["low"], "high": boot["high"],
            "bootstrap_p": boot["p_value"], "mcnemar_p": test["p_value"], "wins": test["a_only"],
            "losses": test["b_only"]}


def build_summary(root: Path, roles: Roles | None = None) -> dict[str, Any]:
    """Everything the report shows, as plain data (also written as JSON).

    Args:
        roles: which strategy is the baseline of every comparison and which the plain-votes reference, and the
            display order (`pipeline.strategies.report_roles`); none: no comparisons.
    """
    roles = roles or Roles()
    cells, run_dirs, is_study = load_cells(root)
    # each cell is paired with its solver's baseline (and votes reference) under the same variant's settings
    # when the study ran one there (another cap, another benchmark), else with the main grid's
    zero = {(c.solver, c.variant): c for c in cells if c.strategy == roles.baseline}
    voted = {(c.solver, c.variant): c for c in cells if c.strategy == roles.votes}
    out_cells = [cell_metrics(cell) for cell in cells]
    metrics_of = {id(cell): m for cell, m in zip(cells, out_cells, strict=True)}
    for cell, m in zip(cells, out_cells, strict=True):
        base = zero.get((cell.solver, cell.variant), zero.get((cell.solver, None)))
        sc = voted.get((cell.solver, cell.variant), voted.get((cell.solver, None)))
        m["vs_zero_shot"] = compare(cell, base) if base is not None and base is not cell else None
        vs_sc = compare(cell, sc) if sc is not None and sc is not cell else None
        if vs_sc is not None:  # the report shows what the same tokens buy as votes: the reference's cost
            vs_sc["ref_tokens_per_question"] = metrics_of[id(sc)]["tokens_per_question"]
        m["vs_self_consistency"] = vs_sc
    runs = {name: json.loads((d / "summary.json").read_text()) for name, d in run_dirs.items()}
    for m in out_cells:  # a gated strategy's branches, from its run's summary
        m["branches"] = runs.get(m["run"], {}).get("strategies", {}).get(m["strategy"], {}).get("branches")
    warnings = [(f"{name}: " if is_study else "") + w
                for name, r in sorted(runs.items()) for w in r.get("warnings", [])]
    pools: dict[str, dict[str, Any]] = {}
    for name in sorted(run_dirs):
        pool = pool_metrics(root, run_dirs[name])
        if pool is not None:
            pools.setdefault(pool["index"], pool)
    first = json.loads((next(iter(run_dirs.values())) / "summary.json").read_text()) if run_dirs else {}
    config = yaml.safe_load((next(iter(run_dirs.values())) / "config.yaml").read_text()) if run_dirs else {}
    study = json.loads((root / "study.json").read_text()) if is_study else {}
    planned = len(study["cells"]) if is_study else len(cells)
    margin = study.get("claim_margin", 0.02)
    claims = evaluate_claims(study.get("claims", []), cells, compare, display_model, margin)
    return {"kind": "study" if is_study else "run", "benchmark": first.get("benchmark"), "claims": claims,
            "claim_margin": margin, "pending_cells": planned - len(cells), "left_out": study.get("left_out", []),
            "n_problems": first.get("n_problems"), "settings": _settings(config), "cells": out_cells,
            "pools": [pools[k] for k in sorted(pools)], "stage_times": stage_times(root),
            "warnings": warnings, "roles": roles.as_dict(), "variants": variant_settings(study.get("arms", []))}


def variant_settings(arms: Sequence[dict[str, Any]]) -> dict[str, str]:
    """What each variant sets over the base config, as ``section.key=value`` text (arms sharing a variant name
    set the same; the first is shown).

    Examples:
        >>> variant_settings([{"variant": "svamp", "set": {"benchmark": {"name": "svamp"},
        ...                                                  "solver": {"max_tokens": 512}}}])
        {'svamp': 'benchmark.name=svamp, solver.max_tokens=512'}
    """
    out: dict[str, str] = {}
    for arm in arms:
        if arm.get("variant") and arm["variant"] not in out:
            out[arm["variant"]] = ", ".join(f"{section}.{key}=" + json.dumps(value).strip('"')  # true, not True
                                            for section, values in arm.get("set", {}).items()
                                            for key, value in values.items())
    return out


def stage_times(root: Path) -> list[dict[str, Any]]:
    """Wall time of every stage directory under `root` that recorded one (``timing.json``), by stage order."""
    order = {name: i for i, name in enumerate(["load", "generate", "sample", "index", "retrieve", "solve"])}
    out = []
    for path in root.glob("*/*/timing.json"):
        stage, key = path.parent.parent.name, path.parent.name
        out.append({"stage": stage, "key": key, "wall_s": json.loads(path.read_text())["wall_s"]})
    return sorted(out, key=lambda t: (order.get(t["stage"], 99), t["stage"], t["key"]))


def _settings(cfg: dict[str, Any]) -> dict[str, Any]:
    if not cfg:
        return {}
    return {"seed": cfg["seed"], "benchmark": cfg["benchmark"], "generator_k": cfg["generator"]["k"],
            "sample_n": cfg["sample"]["n"], "self_consistency": cfg["sample"]["self_consistency"],
            "solver_n": cfg["solver"]["n"], "solver_temperature": cfg["solver"]["temperature"],
            "solver_max_tokens": cfg["solver"]["max_tokens"], "prompt_budget": cfg["solver"]["prompt_budget"],
            "embedder": cfg["index"]["embedder"]}
