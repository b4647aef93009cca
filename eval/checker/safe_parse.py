"""A whitelisting tokenizer and recursive-descent parser for math answers (LaTeX or plain text).

Model output is untrusted: it is never handed to ``eval``, ``exec``, ``sympify`` or ``parse_expr``. This
module reads it into a small tree of tuples built only from whitelisted tokens; anything outside the
whitelist (unknown commands, quotes, dots after names, ``__``, ``lambda``...) is a :class:`ParseError`.

Tree nodes (all plain tuples, JSON-friendly):
``("n", p, q)`` rational ``p/q``; ``("c", name)`` constant (pi, e, i, inf); ``("v", name)`` variable;
``("+", a, b)``, ``("*", a, b)``, ``("/", a, b)``, ``("^", a, b)``, ``("neg", a)``; ``("f", name, a)`` a
function; ``("log", base, a)``; ``("root", n, a)``; ``("!", a)``; ``("binom", a, b)``.
"""

from __future__ import annotations

from eval.checker.safe_commands import latex_command
from eval.checker.safe_tokens import (
    MAX_DEPTH,
    MAX_NODES,
    Node,
    ParseError,
    num_node,
    tokenize,
)


class Parser:
    """Recursive-descent parser over the token list; see the module docstring for the tree."""

    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.t = tokens
        self.i = 0
        self.depth = 0
        self.nodes = 0
        self.abs_open = 0

    # -- helpers -------------------------------------------------------------------------------------
    def peek(self) -> tuple[str, str] | None:
        return self.t[self.i] if self.i < len(self.t) else None

    def take(self) -> tuple[str, str]:
        if self.i >= len(self.t):
            raise ParseError("unexpected end")
        tok = self.t[self.i]
        self.i += 1
        return tok

    def expect(self, val: str) -> None:
        tok = self.take()
        if tok[1] != val or tok[0] != "op":
            raise ParseError(f"expected {val}")

    def mk(self, *node: object) -> Node:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise ParseError("too many nodes")
        return tuple(node)

    def enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ParseError("too deep")

    # -- grammar -------------------------------------------------------------------------------------
    def parse(self) -> Node:
        node = self.expr()
        if self.peek() is not None:
            raise ParseError(f"trailing {self.peek()}")
        return node

    def expr(self) -> Node:
        self.enter()
        node = self.term()
        while (tok := self.peek()) is not None and tok[0] == "op" and tok[1] in "+-":
            self.take()
            rhs = self.term()
            node = self.mk("+", node, rhs if tok[1] == "+" else self.mk("neg", rhs))
        self.depth -= 1
        return node

    def starts_primary(self, tok: tuple[str, str] | None) -> bool:
        if tok is None:
            return False
        kind, val = tok
        if kind in ("num", "id"):
            return True
        if kind == "cmd":
            return val not in ("cdot", "times", "div", "ast", "rfloor", "rceil")
        if kind == "op":
            return val in "({[" or (val == "|" and self.abs_open == 0)
        return False

    def term(self) -> Node:
        node = self.unary()
        while True:
            tok = self.peek()
            if tok is None:
                return node
            if (tok[0] == "op" and tok[1] in "*/") or (tok[0] == "cmd" and tok[1] in ("cdot", "times", "div", "ast")):
                self.take()
                rhs = self.unary()
                node = self.mk("/" if tok[1] in ("/", "div") else "*", node, rhs)
            elif self.starts_primary(tok):
                node = self.mk("*", node, self.power())
            else:
                return node

    def unary(self) -> Node:
        tok = self.peek()
        if tok is not None and tok[0] == "op" and tok[1] in "+-":
            self.take()
            self.enter()
            inner = self.unary()
            self.depth -= 1
            return inner if tok[1] == "+" else self.mk("neg", inner)
        return self.power()

    def power(self) -> Node:
        base = self.postfix()
        tok = self.peek()
        if tok is not None and tok == ("op", "^"):
            self.take()
            self.enter()
            exp = self.exponent()
            self.depth -= 1
            return self.mk("^", base, exp)
        return base

    def exponent(self) -> Node:
        tok = self.peek()
        if tok == ("op", "{"):
            return self.group("{", "}")
        if tok is not None and tok[0] == "op" and tok[1] in "+-":
            self.take()
            inner = self.power()
            return inner if tok[1] == "+" else self.mk("neg", inner)
        return self.power()

    def postfix(self) -> Node:
        node = self.primary()
        while (tok := self.peek()) is not None and tok == ("op", "!"):
            self.take()
            node = self.mk("!", node)
        return node

    def group(self, open_: str, close: str) -> Node:
        self.expect(open_)
        return self.group_rest(close)

    def latex_arg(self) -> Node:
        """One TeX argument: ``{...}``, a single digit of a number, or a single token."""
        tok = self.peek()
        if tok is None:
            raise ParseError("missing argument")
        if tok == ("op", "{"):
            return self.group("{", "}")
        if tok[0] == "num":
            self.take()
            if len(tok[1]) > 1 and tok[1][0].isdigit():
                self.t.insert(self.i, ("num", tok[1][1:]))
                return num_node(tok[1][0])
            return num_node(tok[1])
        return self.primary()

    def subscript(self) -> str:
        """Raw text of a subscript (``_1``, ``_{n+1}``) used to name a variable."""
        tok = self.take()
        if tok == ("op", "{"):
            parts: list[str] = []
            depth = 1
            while depth:
                t = self.take()
                if t == ("op", "{"):
                    depth += 1
                elif t == ("op", "}"):
                    depth -= 1
                    if depth == 0:
                        break
                parts.append(t[1])
            return "".join(parts)
        return tok[1]

    def func_arg(self) -> Node:
        tok = self.peek()
        if tok is not None and tok[0] == "op" and tok[1] in "({[":
            return self.power_after_group()
        node = self.power()
        while self.starts_primary(self.peek()) and self.peek()[0] != "cmd":  # type: ignore[index]
            node = self.mk("*", node, self.power())
        return node

    def power_after_group(self) -> Node:
        return self.power()

    def primary(self) -> Node:
        self.enter()
        try:
            return self._primary()
        finally:
            self.depth -= 1

    def _primary(self) -> Node:
        tok = self.take()
        kind, val = tok
        if kind == "num":
            node = self.mk(*num_node(val))
            if self.peek() == ("op", "_"):  # base subscript such as 1011_2: keep the digits as written
                self.take()
                self.subscript()
            return node
        if kind == "id":
            if val == "i":
                return self.mk("c", "i")
            if val == "e" and self.peek() != ("op", "_"):
                return self.mk("c", "e")
            name = val
            if self.peek() == ("op", "_"):
                self.take()
                name = f"{val}_{self.subscript()}"
            return self.mk("v", name)
        if kind == "op":
            if val == "(":
                return self.group_rest(")")
            if val == "[":
                return self.group_rest("]")
            if val == "{":
                return self.group_rest("}")
            if val == "|":
                self.abs_open += 1
                inner = self.expr()
                self.abs_open -= 1
                self.expect("|")
                return self.mk("f", "abs", inner)
            raise ParseError(f"unexpected {val}")
        return self.command(val)

    def group_rest(self, close: str) -> Node:
        saved = self.abs_open
        self.abs_open = 0
        node = self.expr()
        self.abs_open = saved
        self.expect(close)
        return node

    def command(self, name: str) -> Node:
        return latex_command(self, name)

def parse(text: str) -> Node:
    """Parse one scalar expression into a tree; raise :class:`ParseError` if it is not whitelisted."""
    return Parser(tokenize(text)).parse()
