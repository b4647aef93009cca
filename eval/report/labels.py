"""Point labels that stay readable where many points share one x (every pooled strategy costs about the same).

adjustText's force model (used before) left piles of overlapping labels once the reference study had 15 pooled
cells within 30% of one cost. Here the rule is simple and deterministic: each label sits just right of its point;
labels whose boxes overlap are pushed apart vertically until none do (inside the axes); a label moved off its
point gets a thin leader line; the x axis grows on the right until every label fits.
"""

from __future__ import annotations

import math
from typing import Any

GAP = 2.0  # pixels between stacked labels


def short_models(models: list[str]) -> dict[str, str]:
    """Model names without their common dash-separated prefix, e.g. qwen2.5-coder-0.5b -> 0.5b.

    Example:
        >>> short_models(["qwen2.5-coder-0.5b", "qwen2.5-coder-1.5b"])
        {'qwen2.5-coder-0.5b': '0.5b', 'qwen2.5-coder-1.5b': '1.5b'}
    """
    parts = [m.split("-") for m in models]
    common = 0
    while len(models) > 1 and all(len(p) > common + 1 and p[common] == parts[0][common] for p in parts):
        common += 1
    return {m: "-".join(p[common:]) for m, p in zip(models, parts, strict=True)}


def _separate(centres: list[float], heights: list[float], spans: list[tuple[float, float]], lo: float,
              hi: float) -> list[float]:
    """Vertical centres (display pixels) moved apart pairwise until no two labels of overlapping x `spans` touch."""
    ys = list(centres)
    for _ in range(500):
        moved = False
        for i in range(len(ys)):
            for j in range(i + 1, len(ys)):
                need = (heights[i] + heights[j]) / 2 + GAP - abs(ys[i] - ys[j])
                if need > 0 and spans[i][0] < spans[j][1] and spans[j][0] < spans[i][1]:
                    up, down = (i, j) if (ys[i], -i) > (ys[j], -j) else (j, i)
                    ys[up] += need / 2 + 0.01
                    ys[down] -= need / 2 + 0.01
                    moved = True
        ys = [min(max(y, lo + h / 2), hi - h / 2) for y, h in zip(ys, heights, strict=True)]
        if not moved:
            break
    return ys


def place(ax: Any, texts: list[Any], points: list[tuple[float, float]]) -> None:
    """Place `texts` (created at their `points`, left-aligned) apart from each other, with leader lines.

    The axes' x scale must be logarithmic: the right end grows in log space to make room for the labels.
    """
    if not texts:
        return
    renderer = ax.figure.canvas.get_renderer()
    for t in texts:
        t.set_verticalalignment("center")
    widths = [t.get_window_extent(renderer).width for t in texts]  # in pixels: the axis limits do not change them
    heights = [t.get_window_extent(renderer).height for t in texts]
    for _ in range(12):  # growing the x axis moves the points, so place again (the last pass only places)
        box = ax.get_window_extent(renderer)
        anchors = [ax.transData.transform(p) for p in points]
        lefts = [a[0] + 5 for a in anchors]
        spans = [(x, x + w) for x, w in zip(lefts, widths, strict=True)]
        ys = _separate([a[1] for a in anchors], heights, spans, box.y0, box.y1)
        inverse = ax.transData.inverted()
        for t, x, y in zip(texts, lefts, ys, strict=True):
            t.set_position(inverse.transform((x, y)))
        overflow = max(x + w for x, w in zip(lefts, widths, strict=True)) + 4 - box.x1
        if overflow <= 0.5:
            break
        x0, x1 = ax.get_xlim()  # log x: display x is linear in log(x)
        span = math.log(x1 / x0)
        ax.set_xlim(x0, x1 * math.exp(span * overflow / box.width))
    for t, (px, py), y, h in zip(texts, points, ys, heights, strict=True):
        anchor_y = ax.transData.transform((px, py))[1]
        if abs(y - anchor_y) > h / 2:
            tx, ty = t.get_position()
            ax.plot([px, tx], [py, ty], color="grey", linewidth=0.5, zorder=1)
