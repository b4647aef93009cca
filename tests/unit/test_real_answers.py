"""Answers as the study's solvers really wrote them (issue 32): each case failed before the fix.

The responses are shortened from the reference study's records (GSM8K, qwen2.5-coder-0.5b and 1.5b).
"""

from __future__ import annotations

import pytest

from eval.checker.grade import extract_answer, grade, is_equiv

EXTRACT = [
    # inline math delimiters around a marked answer
    ("Multiply: 7 * 10 = 70.\n\nThe answer is \\( 70 \\).", "70"),
    ("The answer is \\(26\\)", "26"),
    # units and words after the number
    ("Jean is 23 years old now.\nThe answer is 23 years.", "23"),
    ("She needs 120 pounds of carrots in all.\nThe answer is 120 pounds of carrots.", "120"),
    ("The answer is €100.", "100"),
    ("The answer is Jean's current age, which is 23 years.", "23"),
    ("The answer is 9200 - 2600 = 6600 calories.", "6600"),
    # prose after the number
    ("The answer is 42 because 6 times 7 is 42, as computed above.", "42"),
    # a label before the box
    ("Adding them up gives 42.\nanswer: \\boxed{42}", "42"),
    # the instruction's placeholder recited after the real answer
    ("So he runs \\(\\boxed{180}\\) miles per week. The answer is X.", "180"),
    # a Markdown heading is not GSM8K's '####' marker
    ("#### Step 1: Each train\nThey travel 80 and 150 miles.\n#### Step 2: Add them\n80 + 150 = 230 in all.", "230"),
    # the real response of the first case: the sentence goes on after the closing delimiter
    ("G = 40 + 30 = 70\n\nThe answer is \\( 70 \\). Let's confirm this by implementing the solution in Python.\n"
     "```python\n# Given information\ntotal_coins = ", "70"),
]


@pytest.mark.parametrize(("response", "expected"), EXTRACT)
def test_marked_answers_are_read_whole_and_clean(response: str, expected: str) -> None:
    assert extract_answer(response, "gsm8k") == expected


@pytest.mark.parametrize("response", [
    "The answer is accurate, as each step checks out.",
    "The answer is the total distance divided by the weekly distance.",
])
def test_a_marker_with_no_number_is_not_a_numeric_answer(response: str) -> None:
    assert extract_answer("First 3 + 4 = 7 apples. " + response, "gsm8k") == "7"  # the last number, as unmarked


def test_a_cut_response_without_a_marked_answer_counts_as_no_answer() -> None:
    cut = "Monday: 4 hours. Tuesday: 2 x 6 = 12 hours. Total so far 4 + 12 = 16 hours"
    assert grade(cut, "16", "gsm8k").correct  # finished responses keep the last-number fallback
    g = grade(cut, "16", "gsm8k", truncated=True)
    assert (g.extracted, g.correct) == (None, False)
    assert "cut" in g.reason


def test_a_cut_response_with_a_marked_answer_keeps_it() -> None:
    g = grade("4 + 12 = 16.\nThe answer is 16.\n\nLet me double-check: Monday 4", "16", "gsm8k", truncated=True)
    assert g.correct


def test_a_box_cut_open_by_the_token_cap_is_no_answer() -> None:
    g = grade("So the total is 1400 bananas.\n\nThus, the answer is \\(\\boxed{14", "1400", "gsm8k", truncated=True)
    assert not g.correct


@pytest.mark.parametrize(("pred", "gold"), [
    ("\\boxed{\\;\\angle APC = 74^\\circ\\;}", "74^\\circ"),
    ("answer: \\boxed{42}", "42"),
    ("The answer is 42 because 6 times 7 is 42", "42"),
])
def test_wrapped_answers_equal_their_gold(pred: str, gold: str) -> None:
    assert is_equiv(pred, gold)


@pytest.mark.parametrize(("pred", "gold"), [
    ("The answer is 23 years.", "24"),
    ("\\boxed{\\angle APC = 75^\\circ}", "74^\\circ"),
    ("The answer is 2 hours and 30 minutes.", "2"),  # two numbers: no single value to read
])
def test_the_fixes_do_not_accept_wrong_answers(pred: str, gold: str) -> None:
    assert not grade(pred, gold, "gsm8k" if gold.isdigit() else None).correct
