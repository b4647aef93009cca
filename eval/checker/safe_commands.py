"""The LaTeX commands `eval.checker.safe_parse` accepts (constants, Greek letters, \\frac, \\binom, \\sqrt,
floor/ceil, absolute value, \\log and the whitelisted functions); any other command is a `ParseError`."""

from __future__ import annotations

from typing import Any

from eval.checker.safe_tokens import FUNCS, GREEK, Node, ParseError


def latex_command(parser: Any, name: str) -> Node:
    """The node of LaTeX command `name` (its arguments read from `parser`, a `safe_parse.Parser`)."""
    if name in ("pi",):
        return parser.mk("c", "pi")
    if name in ("infty", "inf"):
        return parser.mk("c", "inf")
    if name == "e":
        return parser.mk("c", "e")
    if name == "imath":
        return parser.mk("c", "i")
    if name in GREEK:
        return parser.mk("v", name)
    if name in ("frac", "cfrac"):
        num = parser.latex_arg()
        den = parser.latex_arg()
        return parser.mk("/", num, den)
    if name == "binom":
        a = parser.latex_arg()
        b = parser.latex_arg()
        return parser.mk("binom", a, b)
    if name == "sqrt":
        if parser.peek() == ("op", "["):
            parser.take()
            idx = parser.group_rest("]")
            return parser.mk("root", idx, parser.latex_arg())
        if parser.peek() == ("op", "("):
            return parser.mk("root", ("n", 2, 1), parser.group("(", ")"))
        return parser.mk("root", ("n", 2, 1), parser.latex_arg())
    if name in ("lfloor", "lceil"):
        inner = parser.expr()
        close = parser.take()
        if close != ("cmd", "r" + name[1:]):
            raise ParseError("unbalanced floor/ceil")
        return parser.mk("f", name[1:], inner)
    if name in ("vert", "mid"):
        parser.abs_open += 1
        inner = parser.expr()
        parser.abs_open -= 1
        close = parser.take()
        if close not in (("cmd", "vert"), ("cmd", "mid"), ("op", "|")):
            raise ParseError("unbalanced abs")
        return parser.mk("f", "abs", inner)
    if name == "log":
        base: Node | None = None
        if parser.peek() == ("op", "_"):
            parser.take()
            base = parser.latex_arg()
        return parser.mk("log", base, parser.func_arg())
    if name in FUNCS:
        power: Node | None = None
        fname = FUNCS[name]
        if parser.peek() == ("op", "^"):
            parser.take()
            power = parser.exponent()
            if power == ("neg", ("n", 1, 1)) and fname in ("sin", "cos", "tan"):
                fname, power = "a" + fname, None
        node = parser.mk("f", fname, parser.func_arg())
        return parser.mk("^", node, power) if power is not None else node
    raise ParseError(f"unexpected command {name}")
