"""Metrics: accuracy with bootstrap confidence intervals, paired comparisons, voting, pass@k, agreement.

Examples:
    >>> accuracy_ci([True, True, False, True])[0]
    0.75
    >>> majority_vote(["4", None, "5", "4"])
    '4'
    >>> round(pass_at_k(n=4, c=1, k=2), 3)
    0.5
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

__all__ = ["accuracy_ci", "agreement", "majority_vote", "mcnemar", "paired_bootstrap", "pass_at_k"]


def _as_array(values: Sequence[bool], name: str) -> np.ndarray:
    array = np.asarray(values, dtype=float)
    if array.ndim != 1 or array.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D sequence of booleans")
    return array


def _check_confidence(confidence: float) -> None:
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be in (0, 1), got {confidence}")


def accuracy_ci(
    correct: Sequence[bool], *, confidence: float = 0.95, n_resamples: int = 2000, seed: int = 0
) -> tuple[float, float, float]:
    """Mean accuracy and its bootstrap confidence interval ``(mean, low, high)``.

    Uses ``scipy.stats.bootstrap`` with BCa, falling back to the percentile method where BCa is undefined
    (e.g. a nearly constant sample). All-equal samples return ``(m, m, m)``: every resample has the same mean.
    """
    from scipy import stats

    _check_confidence(confidence)
    x = _as_array(correct, "correct")
    mean = float(x.mean())
    if np.all(x == x[0]):
        return mean, mean, mean
    low, high = np.nan, np.nan
    for method in ("BCa", "percentile"):
        result = stats.bootstrap(
            (x,), np.mean, confidence_level=confidence, n_resamples=n_resamples, method=method,
            vectorized=True, rng=np.random.default_rng(seed),
        )
        low, high = float(result.confidence_interval.low), float(result.confidence_interval.high)
        if np.isfinite(low) and np.isfinite(high):
            break
    return mean, low, high


def paired_bootstrap(
    a: Sequence[bool],
    b: Sequence[bool],
    *,
    confidence: float = 0.95,
    n_resamples: int = 2000,
    seed: int = 0,
) -> dict[str, float | int]:
    """Paired bootstrap of the accuracy difference ``mean(a) - mean(b)`` on the same problems.

    Problems are resampled jointly, so per-problem difficulty cancels. ``p_value`` is the two-sided bootstrap
    share: twice the smaller share of resampled differences on either side of zero (capped at 1), a rough
    companion to the interval rather than an exact test (see ``mcnemar`` for that).

    Returns:
        ``{"n", "mean_a", "mean_b", "diff", "low", "high", "p_value"}``.
    """
    _check_confidence(confidence)
    x, y = _as_array(a, "a"), _as_array(b, "b")
    if x.size != y.size:
        raise ValueError(f"a and b must have the same length (same problems), got {x.size} and {y.size}")
    d = x - y
    diff = float(d.mean())
    out: dict[str, float | int] = {"n": int(d.size), "mean_a": float(x.mean()), "mean_b": float(y.mean())}
    out["diff"] = diff
    if np.all(d == d[0]):
        return out | {"low": diff, "high": diff, "p_value": 1.0 if diff == 0 else 0.0}
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, d.size, size=(n_resamples, d.size))
    boot = d[idx].mean(axis=1)
    alpha = (1.0 - confidence) / 2
    low, high = np.quantile(boot, [alpha, 1.0 - alpha])
    p_value = min(1.0, 2.0 * min(float(np.mean(boot <= 0)), float(np.mean(boot >= 0))))
    return out | {"low": float(low), "high": float(high), "p_value": p_value}


def mcnemar(a: Sequence[bool], b: Sequence[bool]) -> dict[str, float | int]:
    """Exact McNemar test on paired outcomes: a two-sided binomial test on the discordant pairs.

    Returns:
        ``{"n", "a_only", "b_only", "p_value"}`` where ``a_only`` counts problems only ``a`` got right.
    """
    from scipy import stats

    x, y = _as_array(a, "a").astype(bool), _as_array(b, "b").astype(bool)
    if x.size != y.size:
        raise ValueError(f"a and b must have the same length (same problems), got {x.size} and {y.size}")
    a_only, b_only = int(np.sum(x & ~y)), int(np.sum(~x & y))
    discordant = a_only + b_only
    p_value = 1.0 if discordant == 0 else float(stats.binomtest(a_only, discordant, 0.5).pvalue)
    return {"n": int(x.size), "a_only": a_only, "b_only": b_only, "p_value": min(1.0, p_value)}


def _groups(
    answers: Sequence[str | None], equiv: Callable[[str, str], bool] | None
) -> list[list[Any]]:
    """``[representative, count]`` per answer group, in order of first occurrence; None answers skipped."""
    groups: list[list[Any]] = []
    index: dict[str, list[Any]] = {}
    for answer in answers:
        if answer is None:
            continue
        group = index.get(answer)
        if group is None and equiv is not None:
            group = next((g for g in groups if equiv(g[0], answer)), None)
        if group is None:
            group = [answer, 0]
            groups.append(group)
        index[answer] = group
        group[1] += 1
    return groups


def vote(
    answers: Sequence[str | None], equiv: Callable[[str, str], bool] | None = None
) -> tuple[str | None, int]:
    """The most frequent answer and how many answers fall in its group, from one grouping pass.

    Ties go to the answer seen first; None answers are ignored; ``(None, 0)`` when there is no answer.
    `equiv` groups an answer with the first earlier group whose representative (its first member) is
    equivalent; exact string equality otherwise.
    """
    groups = _groups(answers, equiv)
    if not groups:
        return None, 0
    best = max(groups, key=lambda g: g[1])  # max keeps the first of equal counts: first occurrence wins
    return str(best[0]), int(best[1])


def majority_vote(
    answers: Sequence[str | None], equiv: Callable[[str, str], bool] | None = None
) -> str | None:
    """The most frequent answer (None when there is none); ties go to the answer seen first (see `vote`)."""
    return vote(answers, equiv)[0]


def agreement(answers: Sequence[str | None], equiv: Callable[[str, str], bool] | None = None) -> float:
    """Share of the majority answer among the non-None answers (0.0 when there are none)."""
    groups = _groups(answers, equiv)
    total = sum(g[1] for g in groups)
    return max(g[1] for g in groups) / total if total else 0.0


def pass_at_k(n: int, c: int, k: int) -> float:
    """Unbiased pass@k (Chen et al. 2021): chance that k of n samples (c correct) include a correct one.

    Computed as ``1 - prod_{i=n-c+1}^{n} (1 - k/i)`` which equals ``1 - C(n-c, k) / C(n, k)`` without huge
    binomials.
    """
    if not 0 <= c <= n:
        raise ValueError(f"need 0 <= c <= n, got n={n}, c={c}")
    if not 1 <= k <= n:
        raise ValueError(f"need 1 <= k <= n, got n={n}, k={k}")
    if n - c < k:
        return 1.0
    return float(1.0 - np.prod(1.0 - k / np.arange(n - c + 1, n + 1)))


def answer_metrics(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The per-strategy numbers of a set of score records (one per problem): the one definition behind a run's
    summary.json (`pipeline.stages.score`) and a study's cells (`eval.report.study`).

    Accuracy with its 95% bootstrap interval, pass@n (any sample right), the share answered, demos and tokens per
    question, and the shares of answers cut by the cap (`truncated`) and looping at the cut (`looping`).
    """
    n = len(rows)
    acc, low, high = accuracy_ci([r["correct"] for r in rows])
    prompt = sum(r["n_prompt_tokens"] for r in rows) / n
    output = sum(r["n_completion_tokens"] for r in rows) / n
    return {
        "n": n, "accuracy": acc, "ci_low": low, "ci_high": high,
        "pass_at_n": sum(r.get("any_correct", r["correct"]) for r in rows) / n,
        "answered": sum(r["answer"] is not None for r in rows) / n,
        "mean_demos": sum(r["n_demos"] for r in rows) / n,
        "mean_prompt_tokens": prompt, "mean_completion_tokens": output, "tokens_per_question": prompt + output,
        "truncated": sum(r.get("truncated", 0.0) for r in rows) / n,
        "looping": sum(r.get("looping", 0.0) for r in rows) / n,
    }
