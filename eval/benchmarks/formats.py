"""Gold-answer normalisers and per-benchmark row converters.

Each converter turns one raw row of a bundled file into ``(question, gold, meta)``; ``eval.benchmarks``
adds the id and benchmark name. Converters raise ``KeyError``/``ValueError`` on a malformed row; the loader
reports them with the file and line.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from typing import Any

from eval.checker.latex_norm import matching_brace

Row = Mapping[str, Any]
Converted = tuple[str, str, dict[str, Any]]

_BOX_RE = re.compile(r"\\(?:boxed|fbox)\s*\{")


def last_boxed(text: str) -> str | None:
    r"""Return the content of the last ``\boxed{...}`` (or ``\fbox{...}``) in ``text``, braces balanced.

    Examples:
        >>> last_boxed(r"so $\boxed{\frac{1}{2}}$ and then $\boxed{\left\{ 1, 2 \right\}}$")
        '\\left\\{ 1, 2 \\right\\}'
        >>> last_boxed("no box") is None
        True
    """
    boxes = all_boxed(text)
    return boxes[-1] if boxes else None


def all_boxed(text: str) -> list[str]:
    r"""Contents of every ``\boxed{...}``/``\fbox{...}`` in ``text``, in order (unclosed ones skipped)."""
    found = (_balanced(text, match.end()) for match in _BOX_RE.finditer(text))
    return [content for content in found if content is not None]


def _balanced(text: str, start: int) -> str | None:
    """Text from ``start`` (just after an opening brace) to its matching close (`matching_brace`)."""
    close = matching_brace(text, start - 1)
    return text[start:close].strip() if close >= 0 else None


def clean_number(value: float | int | str) -> str:
    """Render a numeric gold answer as a clean string: ``5.0 -> "5"``, ``3244047.0999999996 -> "3244047.1"``.

    Floats keep 15 significant digits (what a double holds), which removes binary noise without rounding real
    digits away. Strings pass through stripped.
    """
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        raise ValueError(f"expected a number, got {value!r}")
    if isinstance(value, int):
        return str(value)
    if not math.isfinite(value):
        raise ValueError(f"gold answer is not a finite number: {value!r}")
    if value == int(value) and abs(value) < 1e21:
        return str(int(value))
    text = f"{value:.15g}"
    if "e" in text:  # tiny magnitudes: write them out positionally
        text = f"{value:.20f}".rstrip("0").rstrip(".")
    return text


def clean_gold(value: Any) -> str:
    """Generic gold normaliser for user data: numbers cleaned, lists joined with ", ", strings stripped."""
    if value is None:
        raise ValueError("gold answer is missing (null)")
    if isinstance(value, list | tuple):
        return ", ".join(clean_gold(v) for v in value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return clean_number(value)
    return str(value).strip()


def gsm8k_gold(answer: str) -> str:
    """Text after the last ``####`` with thousands separators removed (``"#### 1,234" -> "1234"``)."""
    if "####" not in answer:
        raise ValueError("answer has no '####' final-answer marker")
    return answer.rsplit("####", 1)[1].strip().replace(",", "")


def boxed_gold(solution: str) -> str:
    """Gold answer of a MATH-style solution: its last ``\\boxed{}``."""
    boxed = last_boxed(solution)
    if boxed is None:
        raise ValueError("solution has no \\boxed{} answer")
    return boxed


GOLD_FORMATS: dict[str, Callable[[Any], str]] = {
    "raw": clean_gold,
    "gsm8k": lambda v: gsm8k_gold(str(v)),
    "boxed": lambda v: boxed_gold(str(v)),
}


def _text(row: Row, key: str) -> str:
    value = row[key]
    if not isinstance(value, str):
        raise ValueError(f"field {key!r} must be a string, got {type(value).__name__}")
    return value.strip()


def convert_gsm8k(row: Row) -> Converted:
    return _text(row, "question"), gsm8k_gold(_text(row, "answer")), {"solution": row["answer"]}


_LIST_ANSWER_RE = re.compile(r"separated by commas?", re.I)


def convert_math(row: Row) -> Converted:
    r"""MATH row: gold is the last ``\boxed{}``, except for list answers.

    When the problem asks for answers "separated by commas" and the solution boxes several distinct
    answers (8 of the 5000 test rows, e.g. ``$\boxed{-2}$ and $\boxed{1}$``), the gold is all of them
    joined with ", "; taking only the last box would make half of such a gold answer.
    """
    problem, solution = _text(row, "problem"), _text(row, "solution")
    gold = boxed_gold(solution)
    boxes = list(dict.fromkeys(all_boxed(solution)))
    if len(boxes) > 1 and _LIST_ANSWER_RE.search(problem):
        gold = ", ".join(boxes)
    meta = {"level": row.get("level"), "type": row.get("type"), "idx": row.get("idx"), "solution": solution}
    return problem, gold, meta


def convert_math500(row: Row) -> Converted:
    meta = {
        "level": row.get("level"),
        "subject": row.get("subject"),
        "unique_id": row.get("unique_id"),
        "solution": row.get("solution"),
    }
    return _text(row, "problem"), _text(row, "answer"), meta


def convert_svamp(row: Row) -> Converted:
    body, question = _text(row, "Body"), _text(row, "Question")
    if body and not body.endswith((".", "?", "!")):
        body += "."
    meta = {"source_id": row.get("ID"), "type": row.get("Type"), "equation": row.get("Equation")}
    return f"{body} {question}".strip(), clean_number(row["Answer"]), meta


_OPTION_RE = re.compile(r"^\s*\(?([A-Z])\s*\)\s*(.*)$", re.S)


def convert_aqua(row: Row) -> Converted:
    choices: dict[str, str] = {}
    for option in row["options"]:
        match = _OPTION_RE.match(str(option))
        if match is None:
            raise ValueError(f"option {option!r} is not of the form 'A)text'")
        choices[match.group(1)] = match.group(2).strip()
    gold = _text(row, "correct").upper()
    if gold not in choices:
        raise ValueError(f"correct letter {gold!r} is not among the options {sorted(choices)}")
    listed = " ".join(f"({letter}) {text}" for letter, text in choices.items())
    question = f"{_text(row, 'question')}\nAnswer Choices: {listed}"
    return question, gold, {"choices": choices, "rationale": row.get("rationale")}


def convert_gsm_hard(row: Row) -> Converted:
    meta = {"code": row.get("code"), "target": row["target"]}
    return _text(row, "input"), clean_number(row["target"]), meta


def convert_olympiadbench(row: Row) -> Converted:
    final = row["final_answer"]
    gold = ", ".join(str(a).strip() for a in final) if isinstance(final, list) else clean_gold(final)
    if not gold:
        raise ValueError("final_answer is empty")
    question = _text(row, "question")
    if row.get("context"):
        question = f"{str(row['context']).strip()}\n\n{question}"
    keys = ("subfield", "answer_type", "is_multiple_answer", "unit", "error")
    meta: dict[str, Any] = {k: row.get(k) for k in keys}
    meta["source_id"] = row.get("id")
    meta["solution"] = row.get("solution")
    return question, gold, meta
