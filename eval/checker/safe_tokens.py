"""The whitelist of `eval.checker.safe_parse`: token kinds, known commands and functions, size limits, and the
tokenizer that refuses anything else (unknown commands, quotes, ``__``...) with a `ParseError`."""

from __future__ import annotations

import re
from fractions import Fraction

Node = tuple

MAX_DEPTH = 60
MAX_NODES = 3000
MAX_SCI_EXP = 400

FUNCS = {
    "sin": "sin", "cos": "cos", "tan": "tan", "cot": "cot", "sec": "sec", "csc": "csc",
    "arcsin": "asin", "arccos": "acos", "arctan": "atan", "sinh": "sinh", "cosh": "cosh", "tanh": "tanh",
    "exp": "exp", "ln": "ln", "abs": "abs", "floor": "floor", "ceil": "ceil",
}
GREEK = {
    "alpha", "beta", "gamma", "delta", "epsilon", "varepsilon", "zeta", "eta", "theta", "vartheta", "iota",
    "kappa", "lambda", "mu", "nu", "xi", "rho", "sigma", "tau", "upsilon", "phi", "varphi", "chi", "psi",
    "omega", "Gamma", "Delta", "Theta", "Lambda", "Xi", "Sigma", "Phi", "Psi", "Omega",
}
_CMDS = set(FUNCS) | GREEK | {
    "frac", "sqrt", "pi", "cdot", "times", "div", "binom", "infty", "log", "lfloor", "rfloor", "lceil",
    "rceil", "vert", "mid", "ast", "e", "imath", "cfrac",
}
_PLAIN_NAMES = set(FUNCS) | {"sqrt", "pi", "log", "inf", "infty"}
_TOKEN_RE = re.compile(
    r"(?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+(?![\d.]))?)"
    r"|(?P<cmd>\\[a-zA-Z]+)"
    r"|(?P<alpha>[a-zA-Z]+)"
    r"|(?P<op>\*\*|[-+*/^_!(){}\[\]|])"
    r"|(?P<space>\s+)"
)


class ParseError(ValueError):
    """The text is not a whitelisted expression."""


def tokenize(s: str) -> list[tuple[str, str]]:
    """Split ``s`` into whitelisted tokens; raise :class:`ParseError` on anything else."""
    out: list[tuple[str, str]] = []
    pos = 0
    n = len(s)
    while pos < n:
        m = _TOKEN_RE.match(s, pos)
        if m is None:
            raise ParseError(f"bad char {s[pos]!r}")
        pos = m.end()
        kind = m.lastgroup
        val = m.group()
        if kind == "space":
            continue
        if kind == "num":
            # A sci-notation tail only counts when the mantissa has digits: "2e5" yes, "e5" never reaches here.
            mant, _, exp = val.replace("E", "e").partition("e")
            if exp and abs(int(exp)) > MAX_SCI_EXP:
                raise ParseError("exponent too large")
            out.append(("num", val))
        elif kind == "cmd":
            name = val[1:]
            if name not in _CMDS:
                raise ParseError(f"command {val} not allowed")
            out.append(("cmd", name))
        elif kind == "alpha":
            if val in _PLAIN_NAMES:
                out.append(("cmd", val))
            elif len(val) >= 3:
                raise ParseError(f"word {val!r}")
            else:
                out.extend(("id", ch) for ch in val)
        else:
            out.append(("op", "^" if val == "**" else val))
    return out


def num_node(text: str) -> Node:
    """A rational leaf from a decimal literal (exact)."""
    f = Fraction(text)
    return ("n", f.numerator, f.denominator)


ONE: Node = ("n", 1, 1)


def free_vars(node: Node, acc: set[str] | None = None) -> set[str]:
    """Names of the variables in a tree."""
    acc = set() if acc is None else acc
    stack = [node]
    while stack:
        cur = stack.pop()
        if not isinstance(cur, tuple | list) or not cur:
            continue
        if cur[0] == "v":
            acc.add(cur[1])
        elif cur[0] not in ("n", "c"):
            stack.extend(x for x in cur[1:] if isinstance(x, tuple | list))
    return acc
