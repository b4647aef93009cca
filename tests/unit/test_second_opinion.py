"""Math-Verify's LaTeX path as the checker's second opinion: when it is asked, and what it may never do."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from eval.checker.grade import grade, is_equiv
from eval.checker.second_opinion import wants_second_opinion

ROOT = Path(__file__).resolve().parents[2]


def test_an_answer_saicot_cannot_parse_goes_to_math_verify() -> None:
    # "\\overline{AB}" is text to saicot's parser
    assert wants_second_opinion("\\overline{AB} = 5", "5")
    assert not wants_second_opinion("[3,2]", "(3,2)")  # both read whole: saicot decides (an interval vs a tuple)
    assert not is_equiv("[3,2]", "(3,2)") and not is_equiv("1,2,2", "1,2")  # Math-Verify would say equal


def test_a_finished_unmarked_solution_is_read_by_math_verify() -> None:
    solution = ("Since $g>0$, then $g=26$, so there are 26 gold balls in the bag.\n\n"
                "Therefore, $g^{2}-g-650=0$ gives $g=26$.")
    assert not grade(solution, "26", "olympiadbench", second_opinion=False).correct  # no marker, no fallback
    g = grade(solution, "26", "olympiadbench")
    assert g.correct and "math-verify" in g.reason and g.extracted is None  # no answer of its own for votes
    assert not grade(solution, "25", "olympiadbench").correct
    assert not grade(solution, "26", "olympiadbench", truncated=True).correct  # a cut response: no answer


def test_math_verify_does_not_overrule_a_clear_difference() -> None:
    assert not grade("The answer is $\\boxed{x^2+1}$.", "x^2-1", "math500").correct
    assert not grade("The answer is $\\boxed{\\overline{AB} = 6}$.", "5", "math500").correct


def test_numbers_are_saicots_alone() -> None:
    # Math-Verify rounds to 6 digits; saicot's relative tolerance is 1e-6 (these differ by 3e-6)
    assert not wants_second_opinion("0.333333", "0.333334")
    assert not is_equiv("0.333333", "0.333334")


def test_explosive_or_long_answers_are_not_sent() -> None:
    for bomb in ("2^{2^{100}}", "(x+1)^{1000000}", "99999999!", "\\frac{" * 300 + "1"):
        assert not wants_second_opinion(bomb, "1")
        assert not wants_second_opinion("x", bomb)


def test_the_worker_lets_no_text_reach_a_string_evaluator() -> None:
    code = """
import sympy
from math_verify import ExprExtractionConfig, parse
from eval.checker.second_opinion import install_guards, math_verify_equal
install_guards()
for payload in ["__import__('os').system('echo pwned')", "x.__class__", "1+1"]:
    try:
        sympy.sympify(payload)
    except ValueError:
        pass
    else:
        raise SystemExit("sympify evaluated " + payload)
assert parse("x+1", [ExprExtractionConfig()]) == []  # the expression path is closed
assert float(sympy.sympify("12.5")) == 12.5  # numerals (latex2sympy2's number tokens) pass
assert math_verify_equal("\\\\frac{1}{2}", "0.5") is True
print("ok")
"""
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().endswith("ok")
