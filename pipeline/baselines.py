"""Demo builders of the literature's baselines (the ``recipe`` rows of `pipeline.strategies.TABLE`).

`retrieve.strategies` names them like any retrieval strategy, but their demos are not rows of the
self-consistent pool picked by `Strategy.select`; `pipeline.stages.recipes` builds them from other records:

* ``manual-8shot``: the 8 standard GSM8K chain-of-thought exemplars (`prompts.fewshot_gsm8k`); no pool.
* ``self-icl`` (Chen et al. 2023): pseudo-inputs generated from the test input itself, each answered
  zero-shot, used as demos. It reuses the generate and sample stages: the test question's own generated
  questions (scope ``own``), each with its first answered sample, and *no* self-consistency filter.
* ``analogical`` (Yasunaga et al. 2024): one pass; the solver recalls `k` relevant problems, then solves
  (template ``analogical``); no pool.
* ``self-consistency`` (Wang et al. 2023): the zero-shot prompt, ``retrieve.sc_samples`` samples at
  ``retrieve.sc_temperature``, majority vote with the checker's equivalence; the compute-matched baseline.
* ``auto-cot`` (Zhang et al. 2023): k-means over the test questions' embeddings, one zero-shot chain per
  cluster (the solver's own zero-shot answer to a question near the centre, kept only if it passes simple
  heuristics), the same demos for every test question (a question never sees its own chain).

"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from retriever.strategies import reasoning_steps

# -- demo builders (pure: records in, inline demos out) -------------------------------------------------

def manual_demos() -> list[dict[str, str]]:
    """The 8 standard GSM8K exemplars, in their published order."""
    from prompts.fewshot_gsm8k import MANUAL_GSM8K

    return [{"id": f"manual-gsm8k/{i}", "question": d.question, "solution": d.solution}
            for i, d in enumerate(MANUAL_GSM8K)]


def self_icl_demos(problem_ids: Sequence[str], solutions: Sequence[dict], k: int) -> list[list[dict[str, str]]]:
    """Per test problem, up to `k` of its own generated questions with their first answered sample.

    Args:
        solutions: sample-stage records (``gen_id, problem_id, question, samples[{sample_id, text, answer}]``).
    """
    by_problem: dict[str, list[dict[str, str]]] = {}
    for rec in solutions:
        sample = next((s for s in rec["samples"] if s["answer"] is not None), None)
        if sample is None:
            continue
        by_problem.setdefault(rec["problem_id"], []).append({
            "id": f"{rec['gen_id']}/s{sample['sample_id']}", "question": rec["question"],
            "solution": sample["text"].strip()})
    return [by_problem.get(pid, [])[:k] for pid in problem_ids]


def kmeans(x: np.ndarray, k: int, *, seed: int = 0, iters: int = 100) -> tuple[np.ndarray, np.ndarray]:
    """Deterministic k-means (k-means++ seeding, Lloyd iterations) on rows of `x`: ``(labels, centres)``."""
    x = np.asarray(x, dtype=np.float64)
    n = x.shape[0]
    if not 1 <= k <= n:
        raise ValueError(f"k-means needs 1 <= k <= {n} points, got k={k}")
    rng = np.random.default_rng(seed)
    centres = [x[int(rng.integers(n))]]
    for _ in range(1, k):
        d2 = np.min([((x - c) ** 2).sum(axis=1) for c in centres], axis=0)
        total = d2.sum()
        idx = int(rng.choice(n, p=d2 / total)) if total > 0 else int(rng.integers(n))
        centres.append(x[idx])
    c = np.stack(centres)
    labels = np.full(n, -1)
    for _ in range(iters):
        new = np.argmin(((x[:, None, :] - c[None, :, :]) ** 2).sum(axis=2), axis=1)
        if np.array_equal(new, labels):
            break
        labels = new
        for j in range(k):
            members = x[labels == j]
            if len(members):
                c[j] = members.mean(axis=0)
    return labels, c


def cluster_order(vectors: np.ndarray, k: int, *, seed: int = 0) -> list[list[int]]:
    """Auto-CoT clustering: per cluster, its question rows nearest the centre first.

    Clusters are listed by their nearest member's row, so the order is stable.
    """
    labels, centres = kmeans(vectors, k, seed=seed)
    x = np.asarray(vectors, dtype=np.float64)
    out = []
    for j in range(k):
        rows = np.flatnonzero(labels == j)
        if rows.size == 0:
            continue
        dist = ((x[rows] - centres[j]) ** 2).sum(axis=1)
        out.append([int(r) for r in rows[np.lexsort((rows, dist))]])
    return sorted(out, key=lambda rows: rows[0])


_FINAL = re.compile(r"answer is|\\boxed\{|####", re.IGNORECASE)


def autocot_ok(question: str, chain: str, answer: str | None, *, max_question_words: int = 60,
               max_steps: int = 5) -> bool:
    """Auto-CoT's selection heuristics: a short question, a chain with at most `max_steps` reasoning
    steps that states a final answer (so truncated or rambling chains are skipped)."""
    return (answer is not None and bool(_FINAL.search(chain)) and len(question.split()) <= max_question_words
            and reasoning_steps(chain) <= max_steps)


def autocot_demos(ids: Sequence[str], questions: Sequence[str], vectors: np.ndarray,
                  chains: Sequence[tuple[str, str | None]], k: int, *, seed: int = 0,
                  max_steps: int = 5) -> list[list[dict[str, str]]]:
    """Auto-CoT demos for every test question.

    Args:
        ids: the test problems' ids (demo ids are ``auto-cot/<problem id>``).
        questions: the test questions (row i of `vectors`).
        chains: per question, the solver's zero-shot chain and its extracted answer.
        k: number of clusters (= demos per question).
    Returns:
        Per question, one demo per cluster (cluster order), each the first question of its cluster (nearest
        the centre) whose chain passes `autocot_ok`, skipping the question itself. A cluster where no chain
        passes falls back to the first chain with an answer; a cluster with none gives no demo.
    """
    n = len(questions)
    if k <= 0 or n == 0:
        return [[] for _ in range(n)]
    clusters = cluster_order(vectors, min(k, n), seed=seed)
    ranked = []
    for rows in clusters:
        strict = [r for r in rows if autocot_ok(questions[r], *chains[r], max_steps=max_steps)]
        relaxed = [r for r in rows if chains[r][1] is not None]
        ranked.append(strict or relaxed)
    out = []
    for i in range(n):
        picks = [next((r for r in rows if r != i), None) for rows in ranked]
        out.append([{"id": f"auto-cot/{ids[r]}", "question": questions[r], "solution": chains[r][0].strip()}
                    for r in picks if r is not None])
    return out
