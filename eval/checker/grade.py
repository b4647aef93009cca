"""Public answer-checking API: :func:`extract_answer`, :func:`is_equiv`, :func:`grade`.

Safe (model output is only ever tokenised against a whitelist, never evaluated as code) and bounded (every
call finishes within its budget, on any thread or process; the symbolic step runs in a killable worker).

Examples:
    >>> is_equiv("\\\\frac{1}{2}", "0.5")
    True
    >>> is_equiv("(1,2)", "(2,1)")
    False
    >>> grade("... so she pays $18.\\n#### 18", "18", "gsm8k").correct
    True
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from eval.checker.budget import Deadline, shared_worker
from eval.checker.equiv import cleaned_equal
from eval.checker.equiv_struct import read, split_top
from eval.checker.extract import (
    CHOICE_BENCHMARKS,
    boxed_all,
    choice_letter,
    cut_chat_turns,
    extract_answer,
    has_number_fallback,
    looks_like_response,
)
from eval.checker.latex_norm import MAX_LEN, clean, text_key
from eval.checker.numbers import number_in_prose
from eval.checker.second_opinion import BUDGET_S, unmarked_latex, wants_second_opinion

__all__ = ["Grade", "extract_answer", "grade", "is_equiv"]

MAX_INPUT = 20_000
"""Only the last this many characters of a response are read."""
_LETTER_GOLD = re.compile(r"^\(?\s*([A-E])\s*\)?$")
_DECIMAL = re.compile(r"-?\d+(?:\.\d+)?")  # a gold that is a bare decimal number


@dataclass(frozen=True)
class Grade:
    """The verdict on one response.

    Attributes:
        extracted: the extracted answer (``None`` when none was found).
        correct: whether it is equivalent to the gold answer.
        reason: a short explanation (``"equivalent"``, ``"not equivalent"``, ``"no answer found"``, ...).
    """

    extracted: str | None
    correct: bool
    reason: str


def _gold_answer(gold: str) -> str:
    """Gold answers sometimes arrive as whole solutions (GSM8K ``#### 18``, MATH ``\\boxed{}``)."""
    if "####" in gold:
        return gold.rsplit("####", 1)[1].strip()
    boxes = boxed_all(gold)
    if boxes and len(gold) > len(boxes[-1][1]) + 8:
        return boxes[-1][1]
    return gold


def _n_items(gold: str) -> int:
    """How many answers the gold holds: ``{1, 2}``, ``1, 2`` and ``(1, 2)`` hold 2."""
    text = clean(gold).text
    if len(text) > MAX_LEN:
        return 1
    s = read(text)
    return len(s.items) if s.kind in ("set", "list", "seq") else 1


def _answers_equal(pred: str, gold: str, dl: Deadline, benchmark: str | None,
                   second_opinion: bool = True) -> tuple[bool, str]:
    cp, cg = clean(pred), clean(gold)
    letter_gold = _LETTER_GOLD.match(cg.text)
    if letter_gold or (benchmark or "").lower() in CHOICE_BENCHMARKS:
        choice_bench = (benchmark or "").lower() in CHOICE_BENCHMARKS
        lg = letter_gold.group(1) if letter_gold else choice_letter(cg.text)
        lp = choice_letter(cp.text, strict=not choice_bench)
        if lg is not None and lp is not None:
            return lp == lg, "choice letter " + ("matches" if lp == lg else "differs")
        if (benchmark or "").lower() in CHOICE_BENCHMARKS:
            return False, "no choice letter"
    if text_key(cp.text) == text_key(cg.text):
        return True, "same text"
    if len(cp.text) > MAX_LEN or len(cg.text) > MAX_LEN:
        return False, "too long to compare"
    ok = cleaned_equal(cp, cg, dl)
    if not ok and dl.expired():
        return False, "budget exhausted"
    numeric = benchmark is not None and has_number_fallback(benchmark)  # numbers are saicot's to decide
    if not ok and second_opinion and not numeric and wants_second_opinion(pred, gold):
        if shared_worker().check(pred, gold, min(dl.left(), BUDGET_S), mode="mv"):
            return True, "equivalent (math-verify)"
    return ok, "equivalent" if ok else "not equivalent"


def _check(pred: str, gold: str, timeout: float, benchmark: str | None, truncated: bool = False,
           second_opinion: bool = True) -> tuple[str | None, bool, str]:
    dl = Deadline(timeout)
    if len(pred) > MAX_INPUT:  # answers sit at the end; never scan megabytes
        pred = pred[-MAX_INPUT:]
    gold = _gold_answer(gold[-MAX_INPUT:])
    pred = cut_chat_turns(pred)
    extracted: str | None = pred
    candidates: list[str] = []
    if looks_like_response(pred) or benchmark is not None:
        extracted = extract_answer(pred, benchmark, marked_only=truncated)
        if extracted is None:
            if truncated:
                return None, False, "cut by the token limit before a marked answer"
            if second_opinion and benchmark is not None and unmarked_latex(pred, benchmark):
                if shared_worker().check(pred, gold, min(dl.left(), BUDGET_S), mode="mv-response"):
                    return None, True, "equivalent (math-verify read the unmarked response)"
            if benchmark is not None or text_key(pred) != text_key(gold):
                return None, False, "no answer found"
            return pred, True, "same text"
        candidates.append(extracted)
        if _DECIMAL.fullmatch(gold.strip()):  # "5 cm" on a LaTeX benchmark against 5
            spoken = number_in_prose(extracted)
            if spoken is not None:
                candidates.append(spoken)
        boxes = boxed_all(pred)
        n_gold = _n_items(gold) if len(boxes) >= 2 else 1  # "\boxed{1}, \boxed{2}" vs {1, 2}
        if n_gold >= 2 and len(boxes) >= n_gold:
            candidates.append(", ".join(b for _, b in boxes[-n_gold:]))
    else:
        candidates.append(pred)
        if len(re.findall(r"(?<!\\)\b[A-Za-z]{3,}\b", pred)) >= 2:  # "After all that, x = 12."
            fallback = extract_answer(pred, None)
            if fallback is not None and fallback != pred:
                candidates.append(fallback)
    for cand in list(candidates):  # "2\sqrt{3} \approx 3.46": the exact value and the decimal both stand
        sides = split_top(cand, ("\\approx",))
        if len(sides) == 2 and sides[0] and sides[1]:
            candidates.extend(sides)
    reason = "not equivalent"
    for cand in candidates:
        ok, reason = _answers_equal(cand, gold, dl, benchmark, second_opinion)
        if ok:
            return cand, True, reason
    return extracted, False, reason


def is_equiv(pred: str, gold: str, timeout: float = 3.0, second_opinion: bool = True) -> bool:
    """Whether ``pred`` (a bare answer or a whole response) is equivalent to ``gold``. Never raises.

    Args:
        pred: predicted answer or full model response (LaTeX or plain text).
        gold: reference answer.
        timeout: time budget in seconds; on expiry the verdict is ``False``.
        second_opinion: ask Math-Verify too where saicot's parser says "different"
            (:mod:`eval.checker.second_opinion`).
    """
    try:
        if not isinstance(pred, str) or not isinstance(gold, str):
            return False
        return _check(pred, gold, timeout, None, second_opinion=second_opinion)[1]
    except Exception:  # noqa: BLE001 - untrusted input must never crash the caller
        return False


def grade(response: str, gold: str, benchmark: str | None = None, timeout: float = 3.0,
          truncated: bool = False, second_opinion: bool = True) -> Grade:
    """Extract the answer of ``response`` and compare it with ``gold``. Never raises.

    Args:
        response: the model output.
        gold: the reference answer.
        benchmark: benchmark name for extraction rules (see :func:`extract_answer`), or ``None``.
        timeout: time budget in seconds.
        truncated: the response was cut by the token limit: only a marked answer counts (the last number of
            an unfinished derivation is not an answer).
        second_opinion: ask Math-Verify too where saicot's parser says "different"
            (:mod:`eval.checker.second_opinion`).
    """
    try:
        extracted, ok, reason = _check(response, gold, timeout, benchmark, truncated, second_opinion)
        return Grade(extracted, ok, reason)
    except Exception as exc:  # noqa: BLE001
        return Grade(None, False, f"checker error: {type(exc).__name__}")
