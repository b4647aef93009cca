"""The labelled (pred, gold, expected) cases in ``checker_cases.py``, one test each."""

from __future__ import annotations

import pytest

from eval.checker.grade import grade, is_equiv
from tests.unit.checker_cases import ALL


def test_case_set_is_large_and_balanced() -> None:
    negatives = sum(1 for _, _, expected in ALL if not expected)
    assert len(ALL) >= 300
    assert negatives / len(ALL) >= 0.30


@pytest.mark.parametrize(("pred", "gold", "expected"), ALL, ids=[f"{i:03d}" for i in range(len(ALL))])
def test_labelled_case(pred: str, gold: str, expected: bool) -> None:
    assert is_equiv(pred, gold) is expected


def test_grade_record_on_response() -> None:
    g = grade("First 2+2=4. Then 4*3=12.\nThe answer is 12.", "12", "gsm8k")
    assert (g.extracted, g.correct, g.reason) == ("12", True, "same text")
    assert grade("no digits at all here", "12", "gsm8k") == grade("no digits at all here", "12", "gsm8k")
    assert grade("no digits at all here", "12", "gsm8k").reason == "no answer found"


def test_gold_given_as_whole_solution() -> None:
    assert is_equiv("72", "Natalia sold 48/2 = 24 clips in May.\n#### 72")
    assert grade("so \\boxed{3}", "We find $x = \\boxed{3}$ after all.", "math").correct
