"""String-level clean-up of answers before parsing.

Turns the many spellings of one answer (``\\dfrac``, ``\\left(``, ``\\$18.00``, ``30^\\circ``, ``1{,}000``,
``\\text{ cm}``) into one plain form. Nothing here evaluates anything: it is pure text rewriting with bounded
regular expressions, so it is safe on untrusted model output.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_LEN = 2000
"""Answers longer than this (after clean-up) are compared as plain strings only."""

_WRAPPERS = ("text", "textbf", "textit", "textrm", "mathrm", "mathbf", "mathit", "mbox", "operatorname",
             "boldsymbol", "mathsf", "textup", "emph", "hbox", "mathnormal", "textnormal", "textsf", "texttt",
             "mathtt", "pmb", "bm", "underline")
_WRAP_RE = re.compile(r"\\(?:" + "|".join(_WRAPPERS) + r")\s*\{")
_DROP_CMDS = re.compile(
    r"\\(?:left|right|bigl|bigr|Bigl|Bigr|biggl|biggr|Biggl|Biggr|big|Big|bigg|Bigg|displaystyle|textstyle"
    r"|limits|nolimits|mathop)(?![a-zA-Z])"
)
_SPACES = re.compile(r"(?<!\\)\\(?:[,;:! ]|quad|qquad|enspace|thinspace|medspace|negthinspace)(?![a-zA-Z])|~")
_DEGREE = re.compile(r"\^\s*\{\s*\\circ\s*\}|\^\s*\\circ|\\circ|°|\\degree(?![a-zA-Z])|\^\s*\{\s*o\s*\}")
_PERCENT = re.compile(r"\\%|%|\\percent(?![a-zA-Z])")
_DOLLAR = re.compile(r"\\\$|\$|\\dollar(?![a-zA-Z])|\\textdollar(?![a-zA-Z])")
_THOUSANDS_BRACE = re.compile(r"(\d)\{,\}(\d)")
_THOUSANDS = re.compile(r"(?<![\d.])(\d{1,3})((?:,\d{3})+)(?![\d])(?!,\d)")
_DIGIT_SPACE = re.compile(r"(?<=\d)\s+(?=\d{3}(?!\d))")
SHORT_UNITS = r"(?:cm|mm|km|m|ft|in|yd|mi|kg|mg|g|lb|lbs|oz|ml|mL|L|l|hr|hrs|h|min|s|sec|mph|kph|cc)(?![a-zA-Z])"
_UNIT_TAIL = re.compile(
    r"^(?P<num>[-+]?\s*(?:\d+(?:\.\d*)?|\.\d+)(?:\s*/\s*\d+)?)\s*"
    r"(?P<unit>(?:[a-zA-Z]{3,}|" + SHORT_UNITS + r")\.?(?:\^\{?[23]\}?)?"
    r"(?:[\s/-]+(?:[a-zA-Z]{3,}|" + SHORT_UNITS + r"|[a-z])\.?(?:\^\{?[23]\}?)?)*)$"
)
_NOT_UNITS = {"pi", "sqrt", "frac", "infty", "sin", "cos", "tan", "log", "ln", "exp", "dfrac", "cdot", "times"}


_UNICODE = {"\u2212": "-", "\u00d7": "\\times ", "\u00b7": "\\cdot ", "\u03c0": "\\pi ", "\u221a": "\\sqrt",
            "\u2264": "\\le ", "\u2265": "\\ge ", "\u221e": "\\infty "}
_REPEATING = re.compile(r"(?<![\d.])(\d*)\.(\d*)\\overline\s*\{\s*(\d{1,12})\s*\}")


def _repeating(m: re.Match[str]) -> str:
    """``0.1\\overline{6}`` -> ``(1/6)`` written as an exact fraction."""
    whole, fixed, rep = m.group(1) or "0", m.group(2), m.group(3)
    num = int(whole + fixed + rep) - int(whole + fixed)
    den = (10 ** len(rep) - 1) * 10 ** len(fixed)
    return f"({num}/{den})"


@dataclass(frozen=True)
class Cleaned:
    """An answer after clean-up.

    Attributes:
        text: the cleaned answer.
        percent: the original carried a percent sign.
        degree: the original carried a degree mark.
    """

    text: str
    percent: bool = False
    degree: bool = False


def unwrap_command(s: str, pattern: re.Pattern[str]) -> str:
    """Replace ``\\cmd{body}`` by ``body`` for every match of ``pattern`` (which ends at the ``{``)."""
    out: list[str] = []
    pos = 0
    while True:
        m = pattern.search(s, pos)
        if m is None:
            out.append(s[pos:])
            return "".join(out)
        out.append(s[pos:m.start()])
        end = matching_brace(s, m.end() - 1)
        if end < 0:
            out.append(s[m.end():])
            return "".join(out)
        out.append(s[m.end():end])
        pos = end + 1


def matching_brace(s: str, open_idx: int) -> int:
    """Index of the brace closing the one at ``open_idx`` (``-1`` if unbalanced); ``\\{`` does not count."""
    depth = 0
    i = open_idx
    n = len(s)
    while i < n:
        c = s[i]
        if c == "\\":
            i += 2
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return -1


def strip_math_delims(s: str) -> str:
    """Remove surrounding ``$``, ``$$``, ``\\(\\)``, ``\\[\\]`` and trailing punctuation."""
    s = s.strip()
    for _ in range(3):
        before = s
        s = re.sub(r"(?<!\\)[.;]+$", "", s.strip()).strip()  # "12." but not the spacing command "\\;"
        if s.startswith("$$") and s.endswith("$$") and len(s) >= 4:
            s = s[2:-2]
        elif s.startswith("$") and s.endswith("$") and len(s) >= 2 and s.count("$") == 2:
            s = s[1:-1]
        elif s.startswith("\\(") and s.endswith("\\)"):
            s = s[2:-2]
        elif s.startswith("\\[") and s.endswith("\\]"):
            s = s[2:-2]
        if s == before:
            break
    return s.strip()


def clean(answer: str) -> Cleaned:
    """Normalise one answer string (no evaluation).

    Examples:
        >>> clean("\\\\$18.00").text
        '18.00'
        >>> clean("\\\\dfrac{1}{2}").text
        '\\\\frac{1}{2}'
    """
    s = strip_math_delims(answer)
    for uni, tex in _UNICODE.items():
        s = s.replace(uni, tex)
    s = re.sub(r"\\[dt]frac(?![a-zA-Z])", r"\\frac", s)
    s = re.sub(r"\\frac\s*(\d)\s*(\d)", r"\\frac{\1}{\2}", s)  # \frac12
    s = re.sub(r"\\sqrt\s*(\d)", r"\\sqrt{\1}", s)
    s = re.sub(r"^\\\{\s*\\\}$", r"\\emptyset", s)
    s = re.sub(r"^\\mathbb\s*\{?R\}?$", r"(-\\infty, \\infty)", s)
    s = re.sub(r"\\(?:dbinom|tbinom)(?![a-zA-Z])", r"\\binom", s)
    s = s.replace("\\varnothing", "\\emptyset").replace("\\langle", "(").replace("\\rangle", ")")
    s = _DROP_CMDS.sub("", s)
    s = re.sub(r"(\d),\\!\s*(?=\d{3}(?!\d))", r"\1,", s)  # 11,\! 111
    s = s.replace("\\!", "")
    s = _SPACES.sub(" ", s)
    degree = bool(_DEGREE.search(s))
    s = _DEGREE.sub("", s)
    percent = bool(_PERCENT.search(s))
    s = _PERCENT.sub("", s)
    s = _DOLLAR.sub("", s)
    s = unwrap_command(s, _WRAP_RE)
    s = re.sub(r"\\(?:leq|leqslant|le)(?![a-zA-Z])", "<=", s)
    s = re.sub(r"\\(?:geq|geqslant|ge)(?![a-zA-Z])", ">=", s)
    s = re.sub(r"\\(?:neq|ne)(?![a-zA-Z])", "!=", s)
    s = re.sub(r"\\lt(?![a-zA-Z])", "<", s).replace("\\gt", ">")
    s = s.replace("≠", "!=")
    s = _REPEATING.sub(_repeating, s)
    s = re.sub(r"\\approx(?![a-zA-Z])", "=", s)
    s = _THOUSANDS_BRACE.sub(r"\1\2", s)
    s = _THOUSANDS.sub(lambda m: m.group(1) + m.group(2).replace(",", ""), s)
    s = _DIGIT_SPACE.sub("", s)
    s = re.sub(r"\s+", " ", s).strip()
    s = s.rstrip(".").strip()
    m = _UNIT_TAIL.match(s)
    if m and not any(w.lower().strip(".") in _NOT_UNITS for w in re.split(r"[\s/^{}-]+", m.group("unit")) if w):
        s = m.group("num").replace(" ", "")
    return Cleaned(s, percent, degree)


def text_key(s: str) -> str:
    """A key for comparing textual answers: lower case, no spaces, braces or trailing punctuation."""
    s = unwrap_command(s, _WRAP_RE)
    s = re.sub(r"\$|(?<!\\)\\[,;:! ]", " ", s).lower()
    s = re.sub(r"(?<![a-z0-9])\s+|\s+(?![a-z0-9])", "", s)
    return re.sub(r"\s+", " ", s).strip().rstrip(".")
