"""Reads a cleaned answer into a structure: scalar, equation, tuple/interval, set, list, union, matrix or text.

Only splitting and classification happen here; scalars go through the whitelisting parser
(:mod:`eval.checker.safe_parse`). Brackets are matched by depth regardless of kind so that intervals such as
``[2,5)`` split correctly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from fractions import Fraction

from eval.checker.latex_norm import SHORT_UNITS, matching_brace, text_key
from eval.checker.safe_parse import parse
from eval.checker.safe_tokens import Node, ParseError

_OPEN = "([{"
_CLOSE = ")]}"
_MATRIX_RE = re.compile(r"\\begin\{(?:p|b|B|v|V|small)?matrix\}(.*?)\\end\{(?:p|b|B|v|V|small)?matrix\}", re.S)
_ARRAY_RE = re.compile(r"\\begin\{array\}\{[^}]*\}(.*?)\\end\{array\}", re.S)
_PMATRIX_RE = re.compile(r"\\(?:p|b)?matrix\s*\{")
_WORD_RE = re.compile(r"(?<![\\a-zA-Z])[a-zA-Z]{3,}")
_KNOWN_WORDS = {"sqrt", "pi", "sin", "cos", "tan", "cot", "sec", "csc", "arcsin", "arccos", "arctan", "sinh",
                "cosh", "tanh", "exp", "log", "ln", "inf", "infty", "abs", "floor", "ceil"}
_MIXED_TEX = re.compile(r"^([-+]?)(\d+)\s*\\frac\s*\{\s*(\d+)\s*\}\s*\{\s*(\d+)\s*\}$")
_MIXED_PLAIN = re.compile(r"^([-+]?)(\d+)\s+(\d+)\s*/\s*(\d+)$")
_UNIT_SUFFIX = re.compile(r"(?:\s*(?<![\\a-zA-Z])(?:[a-zA-Z]{3,}|" + SHORT_UNITS + r")\.?(?:\^\{?[23]\}?)?)+$")
_REL_RE = re.compile(r"<=|>=|!=|<|>|=")
_IN_RE = re.compile(r"^\s*[a-zA-Z](?:_\{?\w+\}?)?\s*\\in\s*")
_CONNECT = re.compile(r"\s+(?:and|or)\s+")


@dataclass(frozen=True)
class S:
    """A structured answer.

    Attributes:
        kind: one of ``scalar``, ``eq``, ``seq`` (tuple or interval, ordered), ``set``, ``list`` (bare comma
            list, unordered), ``union``, ``matrix``, ``rel`` (inequality), ``text``.
        node: the parsed tree for ``scalar``.
        items: children for containers; for ``eq``/``rel`` the sides.
        brackets: opening and closing bracket of a ``seq``; relation symbols for ``rel``.
        text: the comparison key (always set).
        rows: matrix cells.
    """

    kind: str
    text: str
    node: Node | None = None
    items: tuple[S, ...] = ()
    brackets: tuple[str, ...] = ()
    rows: tuple[tuple[S, ...], ...] = field(default_factory=tuple)


def split_top(s: str, seps: tuple[str, ...]) -> list[str]:
    """Split ``s`` on any of ``seps`` outside brackets (``\\{`` and ``\\}`` count as brackets)."""
    parts: list[str] = []
    depth = 0
    start = 0
    i = 0
    n = len(s)
    while i < n:
        c = s[i]
        if c == "\\" and i + 1 < n and s[i + 1] in "{}":
            depth += 1 if s[i + 1] == "{" else -1
            i += 2
            continue
        if c in _OPEN:
            depth += 1
        elif c in _CLOSE:
            depth -= 1
        elif depth == 0:
            for sep in seps:
                if s.startswith(sep, i):
                    parts.append(s[start:i])
                    i += len(sep)
                    start = i
                    break
            else:
                i += 1
                continue
            continue
        i += 1
    parts.append(s[start:])
    return [p.strip() for p in parts]


def _enclosed(s: str) -> tuple[str, str, str] | None:
    """``(open, inner, close)`` when one bracket pair spans all of ``s``."""
    if len(s) < 2:
        return None
    if s.startswith("\\{") and s.endswith("\\}"):
        return ("{", s[2:-2], "}")
    if s[0] not in _OPEN or s[-1] not in _CLOSE:
        return None
    depth = 0
    for i, c in enumerate(s):
        if c in _OPEN:
            depth += 1
        elif c in _CLOSE:
            depth -= 1
            if depth == 0 and i != len(s) - 1:
                return None
    return (s[0], s[1:-1], s[-1]) if depth == 0 else None


def _matrix(s: str) -> S | None:
    body: str | None = None
    if s[:1] in "([" and s[-1:] in ")]" and s[1:].lstrip().startswith("\\begin"):  # \left[ \begin{array} \right]
        s = s[1:-1].strip()
    m = _MATRIX_RE.search(s) or _ARRAY_RE.search(s)
    if m and m.start() == 0 and m.end() == len(s):
        body = m.group(1)
    else:
        m2 = _PMATRIX_RE.match(s)
        if m2:
            end = matching_brace(s, m2.end() - 1)
            if end == len(s) - 1:
                body = s[m2.end():end]
    if body is None:
        return None
    rows = []
    for row in re.split(r"\\\\|\\cr(?![a-zA-Z])", body):
        if row.strip() == "":
            continue
        rows.append(tuple(read(cell) for cell in row.split("&")))
    if not rows or len({len(r) for r in rows}) != 1:
        return None
    return S("matrix", text_key(s), rows=tuple(rows))


def _scalar(s: str) -> S:
    key = text_key(s)
    if _MIXED_TEX.match(s) or _MIXED_PLAIN.match(s):
        m = _MIXED_TEX.match(s) or _MIXED_PLAIN.match(s)
        assert m is not None
        whole, num, den = int(m.group(2)), int(m.group(3)), int(m.group(4))
        if 0 < num < den:
            val = whole + Fraction(num, den)
            if m.group(1) == "-":
                val = -val
            return S("scalar", key, node=("n", val.numerator, val.denominator))
    if any(w.lower() not in _KNOWN_WORDS for w in _WORD_RE.findall(s)):
        head = _UNIT_SUFFIX.sub("", s).strip()  # "\frac{1}{2} cups", "5 square feet"
        if head and head != s and not any(w.lower() not in _KNOWN_WORDS for w in _WORD_RE.findall(head)):
            try:
                return S("scalar", key, node=parse(head))
            except (ParseError, RecursionError, ValueError, ZeroDivisionError):
                pass
        return S("text", key)
    try:
        return S("scalar", key, node=parse(s))
    except (ParseError, RecursionError, ValueError, ZeroDivisionError):
        return S("text", key)


def read(s: str, depth: int = 0) -> S:
    """Classify and parse one cleaned answer string."""
    s = s.strip()
    key = text_key(s)
    if depth > 6 or not s:
        return S("text", key)
    mat = _matrix(s)
    if mat is not None:
        return mat
    s = _IN_RE.sub("", s)
    if "\\pm" in s and s.count("\\pm") == 1 and "," not in s:
        plus, minus = s.replace("\\pm", "+"), s.replace("\\pm", "-")
        return S("list", key, items=(read(plus, depth + 1), read(minus, depth + 1)))
    s2 = _CONNECT.sub(", ", s).strip().strip(",").strip()
    union = split_top(s2, ("\\cup",))
    if len(union) > 1:
        return S("union", key, items=tuple(read(u, depth + 1) for u in union))
    parts = split_top(s2, (",", ";"))
    if len(parts) > 1:
        return S("list", key, items=tuple(read(p, depth + 1) for p in parts if p))
    enc = _enclosed(s2)
    if enc is not None:
        open_, inner, close = enc
        inner_parts = split_top(inner, (",",))
        if open_ == "{" and s2.startswith("\\{"):
            return S("set", key, items=tuple(read(p, depth + 1) for p in inner_parts if p))
        if len(inner_parts) > 1:
            return S("seq", key, items=tuple(read(p, depth + 1) for p in inner_parts), brackets=(open_, close))
    rel = [m for m in _REL_RE.finditer(s2) if _depth_at(s2, m.start()) == 0]
    if rel:
        sides = []
        ops = []
        last = 0
        for m in rel:
            sides.append(s2[last:m.start()])
            ops.append(m.group())
            last = m.end()
        sides.append(s2[last:])
        items = tuple(read(x, depth + 1) for x in sides)
        if all(o == "=" for o in ops):
            return S("eq", key, items=items)
        return S("rel", key, items=items, brackets=tuple(ops))
    return _scalar(s2)


def _depth_at(s: str, idx: int) -> int:
    depth = 0
    for c in s[:idx]:
        if c in _OPEN:
            depth += 1
        elif c in _CLOSE:
            depth -= 1
    return depth


_FUNC_LHS = re.compile(r"^[a-zA-Z](?:_\{?\w+\}?)?\s*\(\s*[a-zA-Z](?:\s*,\s*[a-zA-Z])*\s*\)$")


def lone_var(s: S) -> bool:
    """A bare variable (``x``, ``a_1``), a function head such as ``f(x)``, or a tuple of variables."""
    if s.kind == "scalar" and s.node is not None and s.node[0] == "v":
        return True
    if s.kind in ("seq", "list") and s.items and all(lone_var(x) for x in s.items):
        return True
    return bool(_FUNC_LHS.match(s.text))


def rel_to_interval(s: S) -> S | None:
    """``x < 3`` -> ``(-inf, 3)``; ``2 <= x < 5`` -> ``[2, 5)``; ``x >= 1`` -> ``[1, inf)``."""
    ops = s.brackets
    items = s.items
    neg_inf = S("scalar", "-inf", node=("neg", ("c", "inf")))
    pos_inf = S("scalar", "inf", node=("c", "inf"))
    if len(items) == 2 and ops[0] in ("<", "<=", ">", ">="):
        var_left = lone_var(items[0])
        if not var_left and not lone_var(items[1]):
            return None
        op = ops[0]
        val = items[1] if var_left else items[0]
        if not var_left:  # 3 > x  ==  x < 3
            op = {"<": ">", "<=": ">=", ">": "<", ">=": "<="}[op]
        if op in ("<", "<="):
            return S("seq", s.text, items=(neg_inf, val), brackets=("(", "]" if op == "<=" else ")"))
        return S("seq", s.text, items=(val, pos_inf), brackets=("[" if op == ">=" else "(", ")"))
    if len(items) == 3 and lone_var(items[1]) and ops[0] in ("<", "<=") and ops[1] in ("<", "<="):
        return S("seq", s.text, items=(items[0], items[2]),
                 brackets=("[" if ops[0] == "<=" else "(", "]" if ops[1] == "<=" else ")"))
    if len(items) == 3 and lone_var(items[1]) and ops[0] in (">", ">=") and ops[1] in (">", ">="):
        return S("seq", s.text, items=(items[2], items[0]),
                 brackets=("[" if ops[1] == ">=" else "(", "]" if ops[0] == ">=" else ")"))
    return None


def as_union(s: S) -> S:
    """A list of inequalities (``x < 3, x > 5``) as the union of their intervals."""
    if s.kind != "list" or not all(x.kind == "rel" for x in s.items):
        return s
    parts = [rel_to_interval(x) for x in s.items]
    return s if any(x is None for x in parts) else S("union", s.text, items=tuple(p for p in parts if p))
