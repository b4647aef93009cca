"""Final-answer extraction from model responses.

Markers, in the order they appear in the text: ``\\boxed{...}``/``\\fbox{...}`` (nested braces), GSM8K
``#### ...``, "The answer is ...", "Final Answer: ...". The last marker in the text wins, so a response that
recites demonstrations before answering is scored on its own answer; a response is read only up to the first
chat-template token (``<|im_start|>``, ``<|eot_id|>``, ...), after which a model is writing the next turn.
A marked answer is always read whole, whatever the benchmark (``\\boxed{\\frac{35}{24}}`` is never 35).
Without a marker, answers of numeric benchmarks (and of unknown data) fall back to the last number, multiple
choice to the last choice letter; LaTeX benchmarks (MATH, OlympiadBench) have no fallback.
"""

from __future__ import annotations

import re

from eval.checker.numbers import NUMBER_RE, PROSE_WORD, last_number, number_in_prose, plain_number

CHOICE_BENCHMARKS = {"aqua"}

_BOX_RE = re.compile(r"\\(?:boxed|fbox)\s*")
_HASH_RE = re.compile(r"####(?!\s*[A-Za-z]{2})\s*([^\n]*)")  # "#### Step 3: ..." is a Markdown heading
_ANSWER_RE = re.compile(
    r"(?:the\s+)?(?:final\s+answer|answer)(?:\s+is|\s*:|\s*=)+\s*:?\s*(?:therefore\s*)?([^\n]*)", re.I
)
_CHOICE_IN_RE = re.compile(r"^\W*(?:option|choice)?\s*\(?\s*([A-Ea-e])\s*\)?(?![a-zA-Z0-9])")
_PAREN_CHOICE_RE = re.compile(r"\(([A-E])\)")
_CLOSE_CHOICE_RE = re.compile(r"(?<![A-Za-z])([A-E])\)")
_CHOICE_PATTERNS = (
    re.compile(r"(?i:answer)\s*(?:is\s*)?[:\-]?\s*\(?([A-E])\)?(?![a-zA-Z0-9])"),
    re.compile(r"(?:option|choice)\s*(?:is\s*)?:?\s*\(?([A-E])\)?(?![a-zA-Z0-9])", re.I),
    re.compile(r"(?<![A-Za-z])\(?([A-E])\)?\s+is\s+(?:the\s+)?(?:correct|right|answer)"),
    re.compile(r"(?:^|\n)\s*\(?([A-E])\)?\.?\s*$"),
    re.compile(r"(?:>>|=>|->)\s*\(?([A-E])\)?\s*\.?\s*$"),
)
_SENTENCE_END = re.compile(r"\.\s+(?=[A-Z])|\.$|\s+(?:I hope|Hope)\b")
_CHAT_TOKEN = re.compile(r"<\|(?:im_start|im_end|endoftext|eot_id|start_header_id|end_of_text|user|assistant)\|>|</s>")
_OPEN_DELIM = re.compile(r"^\s*(?:\\\[|\\\(|\$\$|\$)\s*")
_LABEL = re.compile(r"^\s*(?:\\text(?:bf)?\s*\{\s*)?(?:\*\*)?(?:final\s+)?answer\s*(?:is)?\s*:?\s*(?:\*\*)?\s*\}?\s*:?",
                    re.I)
_PROSE_IS = re.compile(r"^(?:[A-Za-z][A-Za-z'-]*\s+){1,12}(?:is|are|equals|was|be)\s+(?!\s*[A-Za-z]{4,}\b)(.+)$")
_MAX_SCAN = 20_000
_PLACEHOLDER = "X"  # saicot's instruction says 'End with "The answer is X."'; models recite it after answering
_OPEN_BOX = re.compile(r"\\(?:boxed|fbox)\s*\{")


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


def cut_chat_turns(text: str) -> str:
    """``text`` up to its first chat-template token (a model writing the next turn is not answering)."""
    m = _CHAT_TOKEN.search(text)
    return text[:m.start()] if m else text


def _display_block(text: str, start: int) -> str | None:
    """The body of a display/inline math block that opens at ``text[start:]`` (after spaces/newlines)."""
    m = re.match(r"\s*(\\\[|\\\(|\$\$)", text[start:])
    if m is None:
        return None
    close = {"\\[": "\\]", "\\(": "\\)", "$$": "$$"}[m.group(1)]
    end = text.find(close, start + m.end())
    return text[start + m.end():end].strip() if end > 0 else None


def _strip_label(s: str) -> str:
    """``\\[ \\text{Answer: } 12 \\]`` -> ``12``; ``The volume of the box is 120`` -> ``120``."""
    for _ in range(3):
        before = s
        s = s.lstrip("*: ")
        m = _OPEN_DELIM.match(s)
        if m and (not s.startswith("$") or s.startswith("$$") or s.count("$") == 1):
            s = s[m.end():]
        s = _LABEL.sub("", s, count=1).strip()
        s = re.sub(r"(?:\\\]|\\\)|\$\$)\s*\.?\s*$", "", s).strip()
        if s == before:
            break
    prose = _PROSE_IS.match(s)
    if prose and not re.search(r"\\[a-zA-Z]", s[:prose.start(1)]):
        s = prose.group(1).strip()
    return s


def _trim_sentence(s: str) -> str:
    s = _strip_label(s.strip())
    dollars = [m.start() for m in re.finditer(r"(?<!\\)\$", s)]  # \$ is a currency sign, not math
    if s.startswith("$") and len(dollars) >= 2:  # "$5$. I hope it is correct."
        if s.startswith("$$"):
            close = s.find("$$", 2)
            return s[2:close].strip() if close > 0 else s
        return s[1:dollars[1]].strip()
    m = _SENTENCE_END.search(s)
    if m:
        s = s[:m.start()]
    s = s.replace("**", "").strip().rstrip(".").strip()
    return re.sub(r"\s*(?:\\\]|\\\)|\$\$)$", "", s).strip()  # "\( 70 \). Let's check": the close


def _marker(text: str) -> tuple[int, str | None] | None:
    """The last marked answer: ``(position, raw content)``; content ``None`` when the last marker is a box the
    token cap cut open (``... the answer is \\boxed{14``), which holds no answer."""
    cands: list[tuple[int, str | None]] = []
    boxes = boxed_all(text)
    if boxes:
        cands.append(boxes[-1])
    closed = {pos for pos, _ in boxes}
    cut_open = [m.start() for m in _OPEN_BOX.finditer(text) if m.start() not in closed]
    if cut_open:
        cands.append((cut_open[-1], None))
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
        if not content or _OPEN_DELIM.fullmatch(content):  # "The answer is:\n\\[ 12 \\]"
            block = _display_block(text, m.start(1))
            content = block if block is not None else content
        if content:
            inner = boxed_all(content)
            if not inner and _OPEN_BOX.search(content):
                continue  # the box this marker opens is cut: its candidate above
            value = inner[-1][1] if inner else _trim_sentence(content)
            if value == _PLACEHOLDER:
                continue
            cands.append((m.start(), value))
            break
    if not cands:
        return None
    pos, content = max(cands, key=lambda c: c[0])
    # "The answer is \boxed{5}": the box starts later but carries the same answer; prefer the box.
    return pos, None if content is None else content.strip()


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


def has_number_fallback(benchmark: str | None) -> bool:
    """Whether an unmarked response may be read as its last number: numeric benchmarks and unknown data do;
    on a LaTeX benchmark the last number of an unfinished derivation is not an answer."""
    if not benchmark:
        return True
    from eval.benchmarks import BENCHMARKS

    spec = BENCHMARKS.get(benchmark.lower())
    return spec is None or spec.answer_type == "number"


def extract_answer(response: str, benchmark: str | None = None, marked_only: bool = False) -> str | None:
    """Extract the final answer from a model response.

    Args:
        response: the whole model output.
        benchmark: a benchmark name (``gsm8k``, ``math500``, ``math``, ``svamp``, ``aqua``, ``gsm_hard``,
            ``olympiadbench``) or ``None`` for generic rules.
        marked_only: read only a marked answer, never the last number (a response cut by the token cap).

    Returns:
        The marked answer as written (LaTeX kept), else the last number; a letter for multiple choice;
        ``None`` when nothing answer-like is found.

    Examples:
        >>> extract_answer("so 3+4=7.\\n#### 7", "gsm8k")
        '7'
        >>> extract_answer("Final Answer: The volume is 7. I hope it is correct.<|im_start|>user 9", "gsm8k")
        '7'
        >>> extract_answer("Thus $\\\\boxed{\\\\frac{1}{2}}$.")
        '\\\\frac{1}{2}'
        >>> extract_answer("The answer is (C) 24.", "aqua")
        'C'
    """
    if not isinstance(response, str) or not response.strip():
        return None
    text = cut_chat_turns(response)
    text = text if len(text) <= _MAX_SCAN else text[-_MAX_SCAN:]
    if (benchmark or "").lower() in CHOICE_BENCHMARKS:
        return _extract_choice(text)
    mk = _marker(text)
    numeric = has_number_fallback(benchmark)
    if mk is not None and mk[1] is None:  # the last marker is a box cut open
        return None
    if mk is not None and mk[1]:
        plain = re.sub(r"^\\?\$\s*|\s*\.$", "", mk[1])
        if "=" in plain and not re.search(r"[A-Za-z]", plain):  # "3 + 5 = 8": the value of the chain
            plain = plain.rsplit("=", 1)[1].strip()
        if NUMBER_RE.fullmatch(plain):
            return plain_number(plain)
        if not numeric:
            return mk[1]
        value = number_in_prose(mk[1])
        if value is not None:
            return value
        if not (benchmark and PROSE_WORD.search(mk[1]) and not re.search(r"\d", mk[1])):
            return mk[1]
        # "The answer is accurate.": words with no number are no answer to a numeric benchmark; read on
    if marked_only or not numeric:
        return None
    return last_number(text)


def looks_like_response(s: str) -> bool:
    """Heuristic: is ``s`` a whole response (needs extraction) rather than a bare answer?"""
    if _BOX_RE.search(s) or "####" in s or _ANSWER_RE.search(s):
        return True
    if "\n" in s.strip():
        return True
    words = re.findall(r"[A-Za-z]{3,}", re.sub(r"\\(?:begin|end)\{\w*\}|\\[a-zA-Z]+", " ", s))
    return len(s) > 60 and len(words) >= 6
