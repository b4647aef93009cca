"""Build sympy objects from a parsed answer tree (never from text).

Used only inside the worker process (:mod:`eval.checker.budget_worker`): the tree comes from
:mod:`eval.checker.safe_parse`, so sympy never sees untrusted strings. Sizes are checked first: literal exponents
and factorial arguments above a cap are refused before sympy gets a chance to expand them.
"""

from __future__ import annotations

from typing import Any

MAX_LITERAL_EXP = 2000
MAX_FACTORIAL_ARG = 2000


class TooBig(ValueError):
    """The tree holds a literal too large to hand to sympy."""


def check_size(node: Any) -> None:
    """Raise :class:`TooBig` for huge literal exponents, towers of powers or factorials."""
    stack = [(node, 0)]
    while stack:
        cur, pow_depth = stack.pop()
        if not isinstance(cur, list | tuple) or not cur:
            continue
        op = cur[0]
        if op == "n":
            if abs(cur[1]).bit_length() > 4000 or abs(cur[2]).bit_length() > 4000:
                raise TooBig("literal")
            continue
        if op == "^":
            exp = cur[2]
            if isinstance(exp, list | tuple) and exp and exp[0] == "n" and abs(exp[1]) > MAX_LITERAL_EXP * exp[2]:
                raise TooBig("exponent")
            if pow_depth >= 2:
                raise TooBig("power tower")
            stack.append((cur[1], pow_depth))
            stack.append((exp, pow_depth + 1))
            continue
        if op == "!":
            arg = cur[1]
            if not (isinstance(arg, list | tuple) and arg and arg[0] == "n" and abs(arg[1]) <= MAX_FACTORIAL_ARG):
                raise TooBig("factorial")
        stack.extend((x, pow_depth) for x in cur[1:] if isinstance(x, list | tuple))


def to_sympy(node: Any) -> Any:
    """Convert a tree to a sympy expression (import is local: only the worker pays for it)."""
    import sympy as sp

    funcs = {
        "sin": sp.sin, "cos": sp.cos, "tan": sp.tan, "cot": sp.cot, "sec": sp.sec, "csc": sp.csc,
        "asin": sp.asin, "acos": sp.acos, "atan": sp.atan, "sinh": sp.sinh, "cosh": sp.cosh, "tanh": sp.tanh,
        "exp": sp.exp, "ln": sp.log, "abs": sp.Abs, "floor": sp.floor, "ceil": sp.ceiling,
    }
    consts = {"pi": sp.pi, "e": sp.E, "i": sp.I, "inf": sp.oo}

    def go(n: Any) -> Any:
        op = n[0]
        if op == "n":
            return sp.Rational(int(n[1]), int(n[2]))
        if op == "c":
            return consts[n[1]]
        if op == "v":
            return sp.Symbol(str(n[1]), real=True)
        if op == "neg":
            return -go(n[1])
        if op == "+":
            return go(n[1]) + go(n[2])
        if op == "*":
            return go(n[1]) * go(n[2])
        if op == "/":
            return go(n[1]) / go(n[2])
        if op == "^":
            return go(n[1]) ** go(n[2])
        if op == "root":
            return sp.root(go(n[2]), go(n[1]))
        if op == "!":
            return sp.factorial(go(n[1]))
        if op == "binom":
            return sp.binomial(go(n[1]), go(n[2]))
        if op == "log":
            return sp.log(go(n[2])) if n[1] is None else sp.log(go(n[2]), go(n[1]))
        if op == "f":
            return funcs[n[1]](go(n[2]))
        raise ValueError(f"unknown node {op}")

    return go(node)


def sympy_equal(a: Any, b: Any, mode: str = "expr") -> bool:
    """Symbolic check: ``a - b`` simplifies to 0 (``mode="expr"``) or ``a/b`` is a nonzero constant (``"eq"``)."""
    import sympy as sp

    check_size(a)
    check_size(b)
    ea, eb = to_sympy(a), to_sympy(b)
    if mode == "eq":
        ratio = sp.simplify(ea / eb)
        return bool(ratio.is_number and ratio != 0 and ratio.is_finite)
    diff = sp.simplify(ea - eb)
    if diff == 0:
        return True
    eq = ea.equals(eb)
    return bool(eq)
