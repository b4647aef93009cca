"""Final-answer extraction from model responses.

Markers, in the order they appear in the text: ``\\boxed{...}``/``\\fbox{...}`` (nested braces), GSM8K
``#### ...``, "The answer is ...", "Final Answer: ...". The last marker in the text wins, so a response that
recites demonstrations before answering is scored on its own answer. Without a marker, numeric benchmarks
fall back to the last number and multiple-choice benchmarks to the last choice letter.
"""

from __future__ import annotations

import re

NUMERIC_BENCHMARKS = {"gsm8k", "svamp", "gsm_hard"}
CHOICE_BENCHMARKS = {"aqua"}

_BOX_RE = re.compile(r"\\(?:boxed|fbox)\s*")
_HASH_RE = re.compile(r"####\s*([^\n]*)")
_ANSWER_RE = re.compile(
    r"(?:the\s+)?(?:final\s+answer|answer)(?:\s+is|\s*:|\s*=)+\s*:?\s*(?:therefore\s*)?([^\n]*)", re.I
)
_NUMBER_RE = re.compile(r"-?\$?\s?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:\s*/\s*\d+)?|-?\.\d+")
_CHOICE_IN_RE = re.compile(r"^\W*(?:option|choice)?\s*\(?\s*([A-Ea-e])\s*\)?(?![a-zA-Z0-9])")
_PAREN_CHOICE_RE = re.compile(r"\(([A-E])\)")
_CLOSE_CHOICE_RE = re.compile(r"(?<![A-Za-z])([A-E])\)")
_CHOICE_PATTERNS = (
    re.compile(r"(?i:answer)\s*(?:is\s*)?[:\-]?\s*\(?([A-E])\)?(?![a-zA-Z0-9])"),
    re.compile(r"(?:option|choice)\s*(?:is\s*)?:?\s*\(?([A-E])\)?(?![a-zA-Z0-9])", re.I),
    re.compile(r"(?<![A-Za-z])\(?([A-E])\)?\s+is\s+(?:the\s+)?(?:correct|right|answer)"),
    re.compile(r"(?:^|\n)\s*\(?([A-E])\)?\.?\s*$"),
)
_SENTENCE_END = re.compile(r"\.\s+(?=[A-Z])|\.$|\s+(?:I hope|Hope)\b")
_MAX_SCAN = 20_000


def boxed_all(text: str) -> list[tuple[int, str]]:
    """All ``(position, content)`` of ``\\boxed``/``\\fbox`` in ``text``, in order."""
    out: list[tuple[int, str]] = []
    pairs: dict[int, int] | None = None
    for m in _BOX_RE.finditer(text):
        i = m.end()
        if i < len(text) and text[i] == "{":
            if pairs is None:
                pairs = brace_pairs(text)
            end = pairs.get(i, -1)
            if end > 0:
                out.append((m.start(), text[i + 1:end].strip()))
        elif i < len(text):
            tail = re.match(r"[^\s$]+", text[i:])
            if tail:
                out.append((m.start(), tail.group()))
    return out


def brace_pairs(text: str) -> dict[int, int]:
    """Map each ``{`` index to its closing ``}`` index in one linear pass (``\\{`` and ``\\}`` skipped)."""
    pairs: dict[int, int] = {}
    stack: list[int] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if c == "{":
            stack.append(i)
        elif c == "}" and stack:
            pairs[stack.pop()] = i
        i += 1
    return pairs


def _trim_sentence(s: str) -> str:
    s = s.strip()
    if s.startswith("$") and s.count("$") >= 2:  # "$5$. I hope it is correct."
        close = s.find("$", 1)
        if s.startswith("$$"):
            close = s.find("$$", 2)
            return s[2:close].strip() if close > 0 else s
        return s[1:close].strip()
    m = _SENTENCE_END.search(s)
    if m:
        s = s[:m.start()]
    s = s.replace("**", "").strip().rstrip(".").strip()
    return s


def _marker(text: str) -> tuple[int, str] | None:
    """The last marked answer: ``(position, raw content)``."""
    cands: list[tuple[int, str]] = []
    boxes = boxed_all(text)
    if boxes:
        cands.append(boxes[-1])
    hashes = list(_HASH_RE.finditer(text))
    if hashes:
        cands.append((hashes[-1].start(), hashes[-1].group(1)))
    answers = list(_ANSWER_RE.finditer(text))
    for m in reversed(answers):
        content = m.group(1).strip()
        for _ in range(3):  # "Final Answer: The final answer is $5$."
            again = _ANSWER_RE.match(content)
            if again is None:
                break
            content = again.group(1).strip()
        if content:
            inner = boxed_all(content)
            cands.append((m.start(), inner[-1][1] if inner else _trim_sentence(content)))
            break
    if not cands:
        return None
    pos, content = max(cands, key=lambda c: c[0])
    # "The answer is \boxed{5}": the box starts later but carries the same answer; prefer the box.
    return pos, content.strip()


def last_number(text: str) -> str | None:
    """The last number in ``text`` without ``$`` and thousands separators."""
    nums = _NUMBER_RE.findall(text)
    if not nums:
        return None
    return _plain_number(nums[-1])


def _plain_number(s: str) -> str:
    s = s.replace("$", "").replace(",", "").replace(" ", "")
    if "." in s and "/" not in s:
        s = s.rstrip("0").rstrip(".") if re.fullmatch(r"-?\d*\.\d+", s) else s
    return s


def _to_number(content: str) -> str | None:
    if "=" in content:
        content = content.rsplit("=", 1)[1]
    nums = _NUMBER_RE.findall(content)
    return _plain_number(nums[0]) if nums else None


def choice_letter(s: str, strict: bool = False) -> str | None:
    """A choice letter at the start of ``s`` ("(C)", "C)", "C", "option c"), upper-cased.

    With ``strict`` the whole of ``s`` must be the letter (upper case, optionally in parentheses).
    """
    s = s.replace("\\text{", "").replace("\\textbf{", "").replace("\\mathrm{", "").replace("}", " ")
    if strict:
        m = re.fullmatch(r"\s*\(?\s*([A-E])\s*\)?\s*\.?\s*", s) or re.match(r"\s*\(?\s*([A-E])\s*\)(?:\s|$)", s)
        return m.group(1) if m else None
    m = _CHOICE_IN_RE.match(s)
    return m.group(1).upper() if m else None


def _extract_choice(text: str) -> str | None:
    tail = text[-3000:]
    found: list[tuple[int, str]] = []
    mk = _marker(tail)
    if mk is not None:
        letter = choice_letter(mk[1])
        if letter:
            found.append((mk[0], letter))
    for pattern in _CHOICE_PATTERNS:
        for m in pattern.finditer(tail):
            found.append((m.start(), m.group(1).upper()))
    if found:
        return max(found)[1]
    for pattern in (_PAREN_CHOICE_RE, _CLOSE_CHOICE_RE):
        hits = pattern.findall(tail)
        if hits:
            return hits[-1]
    stripped = text.strip()
    return choice_letter(stripped) if len(stripped) <= 12 else None


def extract_answer(response: str, benchmark: str | None = None) -> str | None:
    """Extract the final answer from a model response.

    Args:
        response: the whole model output.
        benchmark: a benchmark name (``gsm8k``, ``math500``, ``math``, ``svamp``, ``aqua``, ``gsm_hard``,
            ``olympiadbench``) or ``None`` for generic rules.

    Returns:
        The answer text (LaTeX kept for math benchmarks, a plain number for numeric ones, a letter for
        multiple choice), or ``None`` when nothing answer-like is found.

    Examples:
        >>> extract_answer("so 3+4=7.\\n#### 7", "gsm8k")
        '7'
        >>> extract_answer("Thus $\\\\boxed{\\\\frac{1}{2}}$.")
        '\\\\frac{1}{2}'
        >>> extract_answer("The answer is (C) 24.", "aqua")
        'C'
    """
    if not isinstance(response, str) or not response.strip():
        return None
    text = response if len(response) <= _MAX_SCAN else response[-_MAX_SCAN:]
    bench = (benchmark or "").lower()
    if bench in CHOICE_BENCHMARKS:
        return _extract_choice(text)
    mk = _marker(text)
    if bench in NUMERIC_BENCHMARKS:
        if mk is not None:
            num = _to_number(mk[1])
            if num is not None:
                return num
        return last_number(text)
    if mk is not None and mk[1]:
        return mk[1]
    return last_number(text)


def looks_like_response(s: str) -> bool:
    """Heuristic: is ``s`` a whole response (needs extraction) rather than a bare answer?"""
    if _BOX_RE.search(s) or "####" in s or _ANSWER_RE.search(s):
        return True
    if "\n" in s.strip():
        return True
    words = re.findall(r"[A-Za-z]{3,}", re.sub(r"\\(?:begin|end)\{\w*\}|\\[a-zA-Z]+", " ", s))
    return len(s) > 60 and len(words) >= 6
