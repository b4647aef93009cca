"""Answer extraction from whole responses."""

from __future__ import annotations

import pytest

from eval.checker.grade import extract_answer

CASES = [
    ("... so 9 * 2 = 18.\n#### 18", "gsm8k", "18"),
    ("#### 1,250", "gsm8k", "1250"),
    ("The answer is $18.00.", "gsm8k", "18"),
    ("She pays 5 + 13 = 18 dollars. The answer is 18.", "gsm8k", "18"),
    ("The answer is 3 + 5 = 8.", "gsm8k", "8"),
    ("Q: 1+1? A: The answer is 2.\nQ: ours. A: 7*6 = 42. The answer is 42.", "gsm8k", "42"),
    ("no marker, the total is 15 and then 17 apples", "svamp", "17"),
    ("The answer is -3.5", "gsm_hard", "-3.5"),
    ("Thus $x = \\boxed{\\frac{\\sqrt{3}}{2}}$.", "math", "\\frac{\\sqrt{3}}{2}"),
    ("\\boxed{\\left\\{ 1, 2 \\right\\}}", "math500", "\\left\\{ 1, 2 \\right\\}"),
    ("demo: \\boxed{1}. ours: \\boxed{2}", None, "2"),
    ("\\boxed{3}. Wait, recheck. The answer is 4.", None, "4"),
    ("The answer is \\boxed{5}.", None, "5"),
    ("Final Answer: The final answer is $\\frac{1}{2}$. I hope it is correct.", "math", "\\frac{1}{2}"),
    ("Final Answer: 12", None, "12"),
    ("so \\fbox{7} is it", None, "7"),
    ("\\boxed 5 done", None, "5"),
    ("The answer is (C) 24.", "aqua", "C"),
    ("Checking each... The answer is C", "aqua", "C"),
    ("Answer: (B)", "aqua", "B"),
    ("Among options, I choose D) 12 because", "aqua", "D"),
    ("We get 24, which is option (E).", "aqua", "E"),
    ("\\boxed{A}", "aqua", "A"),
    ("so 12 * 3 = 36 ways\nAnswer D", "aqua", "D"),
    ("Total 12.5 hours.\nThe correct option is C.", "aqua", "C"),
    ("So 40 sales\nD is the correct choice", "aqua", "D"),
    ("= 65000 ways.\nB", "aqua", "B"),
    ("The answer is **42**.", None, "42"),
    ("answer is: 7", "olympiadbench", "7"),
]


@pytest.mark.parametrize(("response", "bench", "expected"), CASES)
def test_extract(response: str, bench: str | None, expected: str) -> None:
    assert extract_answer(response, bench) == expected


@pytest.mark.parametrize("response", ["", "   ", "no numbers, no markers"])
def test_nothing_to_extract(response: str) -> None:
    assert extract_answer(response, "gsm8k") is None


def test_nested_braces_in_box() -> None:
    text = "so \\boxed{\\frac{1}{\\sqrt{\\frac{4}{9}}}} ok"
    assert extract_answer(text) == "\\frac{1}{\\sqrt{\\frac{4}{9}}}"


def test_a_box_left_open_is_no_answer() -> None:
    # a box that never closes was cut by the token cap: its last digit is a fragment, not the answer
    # (issue 32; before, this read "2" out of \frac{1}{2})
    assert extract_answer("result 3 then \\boxed{\\frac{1}{2}", None) is None
    assert extract_answer("\\boxed{3} is a first try; the answer is \\boxed{4}", None) == "4"
