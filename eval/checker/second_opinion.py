"""Math-Verify's LaTeX path as a second opinion on answers saicot's own parser calls different.

saicot's checker parses answers with a whitelisted tokenizer and compares them numerically (`equiv`). Where it
says "different", Math-Verify (``math-verify``, the field's reference grader) is asked too, on the two
*extracted* answers, through its LaTeX path only: ``latex2sympy2_extended`` builds sympy objects from an ANTLR
parse tree. Its expression path (``ExprExtractionConfig``) calls sympy's ``parse_expr`` on text and is never
used. The call runs inside the budgeted worker process (:mod:`eval.checker.budget_worker`), so a slow or
exploding parse is killed with the rest of the worker's work.

The combination rule, chosen by measuring on ``bench/checker.py``'s tuning and held-out parts (bench README):

* **gaps in parsing**: an extracted answer pair that saicot's parser cannot read whole on one side (text it
  leaves unparsed) goes to Math-Verify; a pair saicot reads whole keeps saicot's verdict. Asking Math-Verify
  about every pair saicot calls different ("either") changed nothing on the held-out part and, on the tuning
  part, turned 10 right "different" verdicts wrong (it calls ``1,2,2`` and ``1,2``, ``[3,2]`` and ``(3,2)``
  equal) for 1 fixed.
* **gaps in extraction**: a finished (not cut) response with no marked answer, on a benchmark without a
  last-number fallback (MATH-style), is read by Math-Verify's LaTeX extraction (its last LaTeX expression):
  worked solutions that state the answer in running text (0.55 -> 0.84 on
  OlympiadBench's solutions).
* never: numeric benchmarks (GSM8K, SVAMP, GSM-Hard) and two plain numbers (saicot's exact rationals and 1e-6
  relative tolerance decide; Math-Verify rounds to 6 digits), answers over :data:`MAX_CHARS` or explosive ones
  (towers of powers, huge factorials), responses cut by the token limit.
"""

from __future__ import annotations

import re

_PLAIN_NUMBER = re.compile(r"-?\$?\s*(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?%?")

RESPONSE_TAIL = 4000
"""How much of an unmarked response Math-Verify reads (its end, where the answer is)."""


MAX_CHARS = 400
"""Longer answers are not sent (Math-Verify's parse time grows with length; real answers are short)."""
BUDGET_S = 1.0
"""At most this long per pair (it answers in milliseconds; longer means an expansion, killed with the worker)."""
_EXPLOSIVE = re.compile(
    r"\^\s*\{[^{}]*\^"          # a tower of powers: 2^{2^{100}}
    r"|\^\s*\{?\s*-?\d{4,}"        # a literal exponent of 1000 or more: (x+1)^{1000000}
    r"|\d{4,}\s*!|\d{4,}\s*\}\s*!"  # a factorial of 1000 or more: 99999999!
)


def reads_whole(text: str) -> bool:
    """Whether saicot's own parser reads ``text`` whole: every part a parsed value, no part left as text."""
    from eval.checker.equiv_struct import read
    from eval.checker.latex_norm import MAX_LEN, clean

    cleaned = clean(text).text
    if len(cleaned) > MAX_LEN:
        return False
    stack = [read(cleaned)]
    while stack:
        s = stack.pop()
        if s.kind == "text" or (s.kind == "scalar" and s.node is None):
            return False
        stack.extend(s.items)
        stack.extend(cell for row in (s.rows or ()) for cell in row)
    return True


def wants_second_opinion(pred: str, gold: str) -> bool:
    """Whether Math-Verify is asked about a pair saicot called different: not when both are plain numbers,
    nor when either is long or explosive (sympy would evaluate it; saicot's own parser refuses those); and only
    when saicot's parser could not read one side whole."""
    if _PLAIN_NUMBER.fullmatch(pred.strip()) and _PLAIN_NUMBER.fullmatch(gold.strip()):
        return False
    if not all(len(s) <= MAX_CHARS and not _EXPLOSIVE.search(s) for s in (pred, gold)):
        return False
    return not (reads_whole(pred) and reads_whole(gold))


_NUMERAL = re.compile(r"\s*[-+]?(?:\d[\d,]*)?(?:\.\d*)?(?:[eE][-+]?\d+)?\s*")


def _refuse(*_args: object, **_kwargs: object) -> None:
    raise ValueError("string evaluation is disabled in the checker's worker")


def install_guards() -> None:
    """Close every text-to-code door Math-Verify and sympy have, in the worker process that runs them.

    The LaTeX path never needs them; closing them makes a future change of Math-Verify (or a config slip to
    its expression path) fail loudly instead of evaluating model output.
    """
    import latex2sympy2_extended.latex2sympy2 as l2s
    import math_verify.parser as mv_parser
    import sympy
    import sympy.parsing.sympy_parser as sp_parser

    parse_expr = sp_parser.parse_expr

    def numerals_only(text: object, *args: object, **kwargs: object) -> object:
        # latex2sympy2 turns its lexer's number tokens into sympy.Number(text), which parses the text; a
        # numeral is the one string let through (the whitelist DESIGN.md section 7 asks for)
        if not isinstance(text, str) or not _NUMERAL.fullmatch(text) or not re.search(r"\d", text):
            _refuse()
        return parse_expr(text, *args, **kwargs)  # type: ignore[arg-type]

    for module in (sp_parser, mv_parser, l2s):  # the names Math-Verify's code looks up when it calls them
        module.parse_expr = numerals_only  # type: ignore[attr-defined]
    original = sympy.sympify

    def sympify_objects_only(a: object, *args: object, **kwargs: object) -> object:
        if isinstance(a, str) and not _NUMERAL.fullmatch(a):  # sympify("...") is eval in disguise
            _refuse()
        return original(a, *args, **kwargs)

    sympy.sympify = sympify_objects_only


def unmarked_latex(response: str, benchmark: str) -> bool:
    """Whether Math-Verify may read an unmarked, finished ``response``: a LaTeX benchmark (numeric ones fall
    back to the last number, multiple choice to a letter) and some math in the text."""
    from eval.checker.extract import CHOICE_BENCHMARKS, has_number_fallback

    if benchmark.lower() in CHOICE_BENCHMARKS or has_number_fallback(benchmark):
        return False
    return bool(re.search(r"\$|\\\(|\\\[", response))


def _math(s: str) -> str:
    """Math-Verify finds LaTeX inside math delimiters; a bare answer is wrapped, as its README recommends."""
    s = s.strip()
    return s if s.startswith(("$", "\\(", "\\[")) else f"${s}$"


def math_verify_equal(pred: str, gold: str, whole_response: bool = False) -> bool | None:
    """Math-Verify's verdict on two extracted answers (LaTeX path only); ``None`` when either fails to parse.

    With ``whole_response``, ``pred`` is a response whose answer Math-Verify extracts (its LaTeX extraction).

    Runs in the worker process only: no timeout of its own (the parent kills the worker on expiry).

    Examples:
        >>> math_verify_equal("\\\\angle APC = 74^\\\\circ", "74^\\\\circ")
        True
    """
    from math_verify import LatexExtractionConfig, parse, verify

    config = [LatexExtractionConfig()]
    g = parse(_math(gold), extraction_config=config, parsing_timeout=None)  # type: ignore[arg-type]
    text = pred[-RESPONSE_TAIL:] if whole_response else _math(pred)
    p = parse(text, extraction_config=config, parsing_timeout=None)  # type: ignore[arg-type]
    if not g or not p:
        return None
    return bool(verify(g, p, timeout_seconds=None))
