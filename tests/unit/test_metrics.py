"""Metrics against hand-computed values."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest

from eval.report.metrics import accuracy_ci, agreement, majority_vote, mcnemar, paired_bootstrap, pass_at_k, vote


def test_accuracy_ci_mean_and_interval() -> None:
    correct = [True] * 200 + [False] * 200
    mean, low, high = accuracy_ci(correct)
    assert mean == 0.5
    # normal approximation: 0.5 +- 1.96 * sqrt(0.25 / 400) = 0.5 +- 0.049
    assert low == pytest.approx(0.451, abs=0.01) and high == pytest.approx(0.549, abs=0.01)
    assert accuracy_ci(correct) == (mean, low, high)  # seeded: reproducible
    _, low90, high90 = accuracy_ci(correct, confidence=0.90)
    assert low < low90 < high90 < high


def test_accuracy_ci_all_equal_and_near_degenerate() -> None:
    assert accuracy_ci([True] * 7) == (1.0, 1.0, 1.0)
    assert accuracy_ci([False]) == (0.0, 0.0, 0.0)
    mean, low, high = accuracy_ci([True] * 99 + [False])
    assert mean == 0.99 and 0.9 < low <= mean <= high <= 1.0
    assert not any(math.isnan(v) for v in (mean, low, high))


def test_accuracy_ci_rejects_bad_input() -> None:
    with pytest.raises(ValueError):
        accuracy_ci([])
    with pytest.raises(ValueError):
        accuracy_ci([True, False], confidence=1.5)


def test_paired_bootstrap_hand_cases() -> None:
    same = paired_bootstrap([True, False, True], [True, False, True])
    assert same["diff"] == 0.0 and same["low"] == same["high"] == 0.0 and same["p_value"] == 1.0
    all_better = paired_bootstrap([True, True], [False, False])
    assert all_better["diff"] == 1.0 and all_better["p_value"] == 0.0
    swapped = paired_bootstrap([True, True, False, False], [False, True, False, True])
    assert swapped["diff"] == 0.0 and swapped["mean_a"] == swapped["mean_b"] == 0.5
    assert swapped["low"] < 0 < swapped["high"] and swapped["p_value"] > 0.5


def test_paired_bootstrap_detects_a_real_difference() -> None:
    # 200 problems: a alone right on 60, b alone right on 10, both right on 50
    a = [True] * 60 + [False] * 10 + [True] * 50 + [False] * 80
    b = [False] * 60 + [True] * 10 + [True] * 50 + [False] * 80
    result = paired_bootstrap(a, b)
    assert result["n"] == 200 and result["diff"] == pytest.approx(0.25)
    assert 0.15 < result["low"] < 0.25 < result["high"] < 0.35
    assert result["p_value"] < 0.01
    with pytest.raises(ValueError, match="same length"):
        paired_bootstrap([True], [True, False])


def test_mcnemar_exact_binomial() -> None:
    result = mcnemar([True] * 3, [False] * 3)
    assert (result["a_only"], result["b_only"]) == (3, 0)
    assert result["p_value"] == pytest.approx(0.25)  # 2 * 0.5**3
    a = [True] * 10 + [False] * 2 + [True] * 5
    b = [False] * 10 + [True] * 2 + [True] * 5
    expected = 2 * sum(math.comb(12, k) for k in range(3)) / 2**12  # 158 / 4096
    assert mcnemar(a, b)["p_value"] == pytest.approx(expected)
    assert mcnemar([True, False], [True, False])["p_value"] == 1.0
    with pytest.raises(ValueError):
        mcnemar([True], [])


def test_majority_vote_ties_none_and_equivalence() -> None:
    assert majority_vote(["b", "a", "a", "b"]) == "b"  # tie: first occurrence wins
    assert majority_vote(["b", "a", "a"]) == "a"
    assert majority_vote([None, "x", None]) == "x"
    assert majority_vote([None, None]) is None and majority_vote([]) is None

    def same_value(x: str, y: str) -> bool:
        return Fraction(x) == Fraction(y)

    answers = ["3", "1/2", "0.5", "3", "2/4"]
    assert majority_vote(answers) == "3"
    assert majority_vote(answers, equiv=same_value) == "1/2"  # group {1/2, 0.5, 2/4}, first member returned
    calls = []

    def counted(x: str, y: str) -> bool:
        calls.append((x, y))
        return same_value(x, y)

    assert vote(answers, equiv=counted) == ("1/2", 3) and vote([None]) == (None, 0)
    assert len(calls) <= len(answers) * 2  # one grouping pass, not a second count of the majority


def test_agreement() -> None:
    assert agreement(["a", "a", "b", None]) == pytest.approx(2 / 3)
    assert agreement([None]) == 0.0 and agreement([]) == 0.0
    assert agreement(["1/2", "0.5"], equiv=lambda x, y: Fraction(x) == Fraction(y)) == 1.0


def test_pass_at_k_hand_values_and_formula() -> None:
    assert pass_at_k(5, 2, 1) == pytest.approx(0.4)
    assert pass_at_k(5, 2, 2) == pytest.approx(0.7)  # 1 - C(3,2)/C(5,2)
    assert pass_at_k(5, 0, 3) == 0.0
    assert pass_at_k(5, 3, 3) == 1.0  # fewer than k wrong samples: a correct one is always drawn
    for n in range(1, 12):
        for c in range(n + 1):
            for k in range(1, n + 1):
                exact = 1 - math.comb(n - c, k) / math.comb(n, k)
                assert pass_at_k(n, c, k) == pytest.approx(exact, abs=1e-12)
    for bad in [(5, 6, 1), (5, 2, 0), (5, 2, 6), (5, -1, 1)]:
        with pytest.raises(ValueError):
            pass_at_k(*bad)
