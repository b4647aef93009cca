"""The labelled checker corpus (``bench/checker_corpus/``): consistent, split by problem, and passed.

The corpus is made of real model responses, the bundled datasets' own solutions and rewritten gold answers
(see ``build.py``); the held-out third of its problems was never used to tune the checker.
"""

from __future__ import annotations

from collections import defaultdict

from bench.checker import CORPUS_DIR, labelled, scores
from bench.checker_corpus import checkers
from bench.checker_corpus.label import read_jsonl


def test_corpus_is_large_and_every_label_points_at_a_case() -> None:
    corpus = read_jsonl(CORPUS_DIR / "corpus.jsonl")
    ids = {c["id"] for c in corpus}
    assert len(corpus) >= 3000 and len(ids) == len(corpus)
    for name in ("labels.jsonl", "reviews.jsonl"):
        rows = read_jsonl(CORPUS_DIR / name)
        assert rows and {r["id"] for r in rows} <= ids, name
    assert all(r.get("reason") for r in read_jsonl(CORPUS_DIR / "reviews.jsonl"))
    assert {c["source"] for c in corpus} == {"model", "dataset", "variant"}


def test_split_is_by_problem() -> None:
    splits: dict[str, set[str]] = defaultdict(set)
    for c in read_jsonl(CORPUS_DIR / "corpus.jsonl"):
        splits[c["problem_id"]].add(c["split"])
    assert all(len(s) == 1 for s in splits.values())
    held = sum(1 for s in splits.values() if s == {"heldout"}) / len(splits)
    assert 0.25 < held < 0.42


def test_checker_on_the_held_out_split() -> None:
    cases, pending = labelled("heldout")
    assert pending == 0 and len(cases) >= 1000
    ours = checkers.saicot()
    s = scores(cases, [ours(c) for c in cases])
    assert s["accuracy"] >= 0.95 and s["specificity"] >= 0.95, s
