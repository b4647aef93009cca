"""The accuracy-vs-tokens plot keeps its labels readable when cells share a cost (every pooled strategy does)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from eval.report import plots


def cell(strategy: str, accuracy: float, cost: int) -> dict[str, Any]:
    return {"strategy": strategy, "solver": "s", "generator": None if strategy == "zero-shot" else "g", "k": 2,
            "scope": "global", "accuracy": accuracy, "ci_low": accuracy - 0.04, "ci_high": accuracy + 0.04,
            "total_tokens": cost, "tokens_per_question": cost, "mean_prompt_tokens": cost // 2,
            "mean_completion_tokens": cost // 2, "samples": None}


def test_labels_of_cells_at_one_cost_do_not_overlap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    figures = []
    monkeypatch.setattr(plots, "save_figure", lambda fig, path: figures.append(fig) or path)
    pooled = ["knn", "random", "long", "mmr", "knn-gated", "self-icl", "knn [no-filter]", "knn [unanimous]"]
    cells = [cell("zero-shot", 0.283, 364)] + [cell(name, 0.22 + 0.003 * i, 2700 + 10 * i)
                                                for i, name in enumerate(pooled)]
    plots.accuracy_vs_tokens({"cells": cells, "benchmark": "gsm8k", "n_problems": 300}, tmp_path / "p.png")
    fig = figures[0]
    renderer = fig.canvas.get_renderer()
    texts = [t for t in fig.axes[0].texts if t.get_text() in pooled]
    assert sorted(t.get_text() for t in texts) == sorted(pooled)
    boxes = [t.get_window_extent(renderer) for t in texts]
    overlapping = [(texts[i].get_text(), texts[j].get_text()) for i in range(len(boxes))
                   for j in range(i + 1, len(boxes)) if boxes[i].overlaps(boxes[j])]
    assert overlapping == []


def test_labels_stay_apart_with_two_generators_and_two_solvers(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """The reference study's shape: 15 pooled cells of about one cost, two pools, a second solver's panel."""
    figures = []
    monkeypatch.setattr(plots, "save_figure", lambda fig, path: figures.append(fig) or path)
    pooled = ["knn", "random", "long", "mmr", "knn-gated", "self-icl", "knn [no-filter]", "knn [unanimous]",
              "knn [questions-only]", "ensemble"]
    cells = [{**cell(name, accuracy, cost), "generator": None}
             for name, accuracy, cost in [("zero-shot", 0.283, 364), ("analogical", 0.193, 488),
                                          ("manual-8shot", 0.167, 981)]]
    cells += [{**cell(name, 0.18 + 0.011 * i, 2700 + 15 * i), "generator": "qwen2.5-coder-0.5b"}
              for i, name in enumerate(pooled)]
    cells += [{**cell(name, 0.25 - 0.003 * i, 3490 + 10 * i), "generator": "qwen2.5-coder-1.5b"}
              for i, name in enumerate(["knn", "random"])]
    cells += [{**c, "solver": "t", "accuracy": c["accuracy"] + 0.2, "ci_low": c["ci_low"] + 0.2,
               "ci_high": c["ci_high"] + 0.2} for c in cells if c["strategy"] in
              ("zero-shot", "knn") and c["generator"] in (None, "qwen2.5-coder-0.5b")]
    plots.accuracy_vs_tokens({"cells": cells, "benchmark": "gsm8k", "n_problems": 300}, tmp_path / "p.png")
    fig = figures[0]
    renderer = fig.canvas.get_renderer()
    texts = [t for t in fig.axes[0].texts if t.get_text()]
    assert len(texts) == 15
    assert sum("1.5b" in t.get_text() for t in texts) == 2  # the two pools are told apart in the labels
    boxes = [t.get_window_extent(renderer) for t in texts]
    overlapping = [(texts[i].get_text(), texts[j].get_text()) for i in range(len(boxes))
                   for j in range(i + 1, len(boxes)) if boxes[i].overlaps(boxes[j])]
    assert overlapping == []
    inside = fig.axes[0].get_window_extent(renderer)
    assert all(inside.x0 <= b.x0 and b.x1 <= inside.x1 and inside.y0 <= b.y0 and b.y1 <= inside.y1 for b in boxes)
