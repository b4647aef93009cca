"""Resolve the corpus labels that construction does not give, and list what needs a hand review.

A case without a construction label (a model response, another problem's answer) takes the verdict of
saicot's checker *as of the labelling commit* and Math-Verify when the two agree (``how: "agree"``); when they
disagree it goes to the review queue. A construction-labelled case on which *both* checkers contradict the
label also goes to the queue (the construction may be wrong). Hand reviews live in ``reviews.jsonl``
(``{"id", "label", "reason"}``; ``label: null`` excludes a case no grader could decide, e.g. a rationale
that never states its choice) and override everything. Agreement labels are frozen in ``labels.jsonl``:
re-running this script only labels cases it has not labelled before, so a later checker change cannot move
the ground truth.

Usage: ``python bench/checker_corpus/label.py [BASELINE_CHECKOUT] [PART.jsonl]`` (writes ``labels.jsonl``, the
queue to ``queue.jsonl``). The tuning part's labels were made with saicot's checker as of commit 5583cab, before
this corpus existed: ``git worktree add /tmp/base 5583cab && python bench/checker_corpus/label.py /tmp/base``;
the held-out part's with the checker as of cbcf4d4, before issue 32 changed it:
``git worktree add /tmp/base cbcf4d4 && python bench/checker_corpus/label.py /tmp/base heldout.jsonl``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

_ARGS = [a for a in sys.argv[1:] if not a.endswith(".jsonl")]
PART = next((a for a in sys.argv[1:] if a.endswith(".jsonl")), "corpus.jsonl")
if _ARGS:  # the checker of another checkout labels (its eval/ shadows this one)
    sys.path.insert(0, str(Path(_ARGS[0]).resolve()))

from bench.checker_corpus import checkers  # noqa: E402

HERE = Path(__file__).resolve().parent


def read_jsonl(path: Path) -> list[dict]:
    """A part of the corpus, or [] when the file does not exist yet (labels and reviews start empty)."""
    from eval.report.pool import read_jsonl as read

    return read(path) if path.exists() else []


def main() -> None:
    corpus = read_jsonl(HERE / PART)
    labels = {r["id"]: r for r in read_jsonl(HERE / "labels.jsonl")}
    reviews = {r["id"]: r for r in read_jsonl(HERE / "reviews.jsonl")}
    ours, mv = checkers.saicot(), checkers.math_verify()
    queue = []
    for i, c in enumerate(corpus):
        if c["id"] in reviews or c["id"] in labels:
            continue
        a, b = ours(c), mv(c)
        if c["label"] is None and a == b:
            labels[c["id"]] = {"id": c["id"], "label": a, "how": "agree"}
        elif c["label"] is None or (a == b != c["label"]):
            queue.append({**c, "saicot": a, "math_verify": b})
        if i % 500 == 0:
            print(f"{i}/{len(corpus)}", file=sys.stderr)
    others = [c for part in ("corpus.jsonl", "heldout.jsonl") if part != PART for c in read_jsonl(HERE / part)]
    ids = {c["id"] for c in corpus + others}  # cases a rebuild dropped take their labels with them
    (HERE / "labels.jsonl").write_text("".join(json.dumps(r) + "\n" for r in labels.values() if r["id"] in ids))
    (HERE / "queue.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in queue))
    print(f"{len(labels)} agreement labels, {len(reviews)} reviews, {len(queue)} cases to review -> queue.jsonl")


if __name__ == "__main__":
    main()
