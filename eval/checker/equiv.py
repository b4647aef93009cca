"""Equivalence of two cleaned answers: structures first, then scalars.

Scalars are compared on a pure-Python numeric path (exact rationals, else floating point with relative
tolerance 1e-6; expressions with variables at several fixed random points). Only when that path cannot
decide (both sides overflow, or every sample point fails) are the parsed trees sent to the sympy worker, under
the remaining budget.
"""

from __future__ import annotations

import re

from eval.checker.budget import Deadline, shared_worker
from eval.checker.equiv_struct import S, as_union, lone_var, read, rel_to_interval
from eval.checker.latex_norm import Cleaned
from eval.checker.safe_eval import EvalError, Evaluator, close
from eval.checker.safe_sympy import TooBig, check_size
from eval.checker.safe_tokens import Node, free_vars

_POINTS = (0.5371, 1.2913, 2.0817, 0.8423, 1.6737, 2.7183, 0.3119, 1.9421)
_N_POINTS = 5
_HUNDRED: Node = ("n", 100, 1)
_DEG: Node = ("/", ("c", "pi"), ("n", 180, 1))


def _inf_sign(node: Node) -> int:
    """``+1``/``-1`` for ``inf``/``-inf`` trees, 0 otherwise."""
    if node == ("c", "inf"):
        return 1
    if node[0] == "neg" and node[1] == ("c", "inf"):
        return -1
    return 0


def _has_inf(node: Node) -> bool:
    stack = [node]
    while stack:
        cur = stack.pop()
        if cur == ("c", "inf"):
            return True
        if isinstance(cur, tuple) and cur and cur[0] not in ("n", "c", "v"):
            stack.extend(x for x in cur[1:] if isinstance(x, tuple))
    return False


def scalar_equal(a: Node, b: Node, dl: Deadline, mode: str = "expr") -> bool | None:
    """Compare two trees: ``True``/``False``, or ``None`` when the numeric path cannot tell.

    ``mode="eq"`` asks whether ``a / b`` is a nonzero constant (two equations with the same solution set).
    """
    if a == b:
        return True
    if _has_inf(a) or _has_inf(b):
        sa, sb = _inf_sign(a), _inf_sign(b)
        return sa != 0 and sa == sb
    names = sorted(free_vars(a) | free_vars(b))
    agree = 0
    ratio = None
    for k in range(_N_POINTS if names else 1):
        if dl.expired():
            return None
        env = {nm: complex(_POINTS[(k + 3 * j) % len(_POINTS)] + 0.1 * j) for j, nm in enumerate(names)}
        ev = Evaluator(env, dl.at)
        try:
            va = ev(a)
        except (EvalError, RecursionError):
            va = None
        try:
            vb = ev(b)
        except (EvalError, RecursionError):
            vb = None
        if va is None or vb is None:
            if va is None and vb is None:
                continue
            if not names:
                return False
            continue
        if mode == "eq":
            if vb == 0 or complex(vb) == 0:
                if complex(va) != 0:
                    return False
                continue
            r = complex(va) / complex(vb)
            if ratio is None:
                ratio = r
            elif not close(r, ratio):
                return False
            agree += 1
            continue
        if not close(va, vb):
            return False
        agree += 1
    if agree >= (2 if names else 1):
        return True if mode == "expr" or (ratio is not None and ratio != 0) else None
    return None


def _sympy(a: Node, b: Node, dl: Deadline, mode: str = "expr") -> bool:
    try:
        check_size(a)
        check_size(b)
    except TooBig:
        return False
    if dl.left() < 0.05:
        return False
    return bool(shared_worker().check(a, b, dl.left(), mode))


def scalars(a: Node, b: Node, dl: Deadline, mode: str = "expr") -> bool:
    """Numeric verdict, else the sympy worker's verdict (``False`` if none in time)."""
    r = scalar_equal(a, b, dl, mode)
    if r is None:
        return _sympy(a, b, dl, mode)
    return r


_DECIMAL_COMMA = re.compile(r"-?\d+,(?:\d{1,2}|\d{4,})")


_ANGLE_NAME = re.compile(r"(?:m\s*)?\\angle\s*[a-z]{1,3}")


def _eq_value(s: S) -> S | None:
    """The value side of ``x = 3`` / ``3 = x`` / ``a = b = 7`` / ``\\angle APC = 74`` (pred chains: the last side)."""
    if s.kind != "eq" or len(s.items) < 2:
        return None
    if s.items[0].kind == "text" and _ANGLE_NAME.fullmatch(s.items[0].text):
        return s.items[-1]
    if lone_var(s.items[0]) or all(lone_var(x) for x in s.items[:-1]):
        return s.items[-1]
    if len(s.items) == 2 and lone_var(s.items[1]):
        return s.items[0]
    if s.items[0].kind == "scalar" and s.items[0].node is not None and not free_vars(s.items[0].node):
        return s.items[-1]
    return None


def _unordered(ps: tuple[S, ...], gs: tuple[S, ...], dl: Deadline) -> bool:
    if len(ps) != len(gs):
        return False
    if len(ps) <= 6:
        used = [False] * len(gs)

        def match(i: int) -> bool:
            if i == len(ps):
                return True
            for j, g in enumerate(gs):
                if not used[j] and struct_equal(ps[i], g, dl):
                    used[j] = True
                    if match(i + 1):
                        return True
                    used[j] = False
            return False

        return match(0)
    remaining = list(gs)
    for p in ps:
        for j, g in enumerate(remaining):
            if struct_equal(p, g, dl):
                del remaining[j]
                break
        else:
            return False
    return True


def _ordered(ps: tuple[S, ...], gs: tuple[S, ...], dl: Deadline) -> bool:
    return len(ps) == len(gs) and all(struct_equal(p, g, dl) for p, g in zip(ps, gs, strict=True))


def struct_equal(p: S, g: S, dl: Deadline) -> bool:
    """Structural equivalence of a predicted and a gold answer."""
    if dl.expired():
        return p.text == g.text
    if p.text == g.text and p.kind == g.kind:
        return True
    if p.kind == "rel":
        p = rel_to_interval(p) or p
    if g.kind == "rel":
        g = rel_to_interval(g) or g
    if p.kind == "rel" and g.kind == "rel":
        return p.brackets == g.brackets and _ordered(p.items, g.items, dl)
    if p.kind == "list" and g.kind == "union" or p.kind == "union" and g.kind == "list":  # "x<3 or x>5"
        p, g = as_union(p), as_union(g)
    if p.kind == "union" and g.kind == "union":
        return _unordered(p.items, g.items, dl)
    if p.kind == "eq" and g.kind == "eq":
        pv, gv = _eq_value(p), _eq_value(g)
        if pv is not None and gv is not None and lone_var(p.items[0]) and lone_var(g.items[0]):
            return p.items[0].text == g.items[0].text and struct_equal(pv, gv, dl)
        if len(p.items) == 2 and len(g.items) == 2 and all(x.kind == "scalar" for x in p.items + g.items):
            dp = ("+", p.items[0].node, ("neg", p.items[1].node))
            dg = ("+", g.items[0].node, ("neg", g.items[1].node))
            return scalars(dp, dg, dl, mode="eq")
        return _ordered(p.items, g.items, dl)
    if p.kind == "eq":
        pv = _eq_value(p)
        return pv is not None and struct_equal(pv, g, dl)
    if g.kind == "eq":
        gv = _eq_value(g)
        return gv is not None and struct_equal(p, gv, dl)
    if p.kind == "matrix" or g.kind == "matrix":
        return _matrix_equal(p, g, dl)
    if g.kind == "seq":
        if p.kind == "seq":
            return p.brackets == g.brackets and _ordered(p.items, g.items, dl)
        if p.kind == "list" and g.brackets == ("(", ")"):
            return _ordered(p.items, g.items, dl)
        return False
    if g.kind in ("set", "list"):
        if p.kind in ("set", "list") or (p.kind == "seq" and g.kind == "list" and p.brackets == ("(", ")")):
            return _unordered(p.items, g.items, dl)
        if len(g.items) == 1:
            return struct_equal(p, g.items[0], dl)
        return False
    if p.kind in ("set", "list") and len(p.items) == 1:
        return struct_equal(p.items[0], g, dl)
    if p.kind == "scalar" and g.kind == "scalar":
        assert p.node is not None and g.node is not None
        return scalars(p.node, g.node, dl) or rounded_equal(p, g, dl) or rounded_equal(g, p, dl)
    return p.text == g.text


_DECIMAL = re.compile(r"-?(\d*)\.(\d+)")


def rounded_equal(dec: S, exact: S, dl: Deadline) -> bool:
    """``0.3333`` vs ``1/3``, ``2.667`` vs ``8/3``: a decimal of at least 4 significant digits that is the
    other (non-decimal) side rounded to as many places. Two decimals are compared as written, never rounded."""
    m = _DECIMAL.fullmatch(dec.text)
    if m is None or _DECIMAL.fullmatch(exact.text) or re.fullmatch(r"-?\d+", exact.text) or exact.node is None:
        return False
    if len((m.group(1) + m.group(2)).lstrip("0")) < 4 or free_vars(exact.node):
        return False
    try:
        val = complex(Evaluator({}, dl.at)(exact.node))
    except (EvalError, RecursionError, OverflowError):
        return False
    places = len(m.group(2))
    return abs(val.imag) < 1e-12 and abs(float(dec.text) - val.real) <= 0.5 * 10 ** -places * (1 + 1e-9)


def _matrix_equal(p: S, g: S, dl: Deadline) -> bool:
    def cells(s: S) -> tuple[tuple[S, ...], ...] | None:
        if s.kind == "matrix":
            return s.rows
        if s.kind == "seq" and s.brackets in (("(", ")"), ("[", "]")):
            return tuple((x,) for x in s.items)
        return None

    pc, gc = cells(p), cells(g)
    if pc is None or gc is None:
        return False
    if len(pc) != len(gc) and len(pc) == 1 and all(len(r) == 1 for r in gc):  # row vs column vector
        pc = tuple((x,) for x in pc[0])
    if len(gc) != len(pc) and len(gc) == 1 and all(len(r) == 1 for r in pc):
        gc = tuple((x,) for x in gc[0])
    if len(pc) != len(gc) or any(len(a) != len(b) for a, b in zip(pc, gc, strict=True)):
        return False
    return all(struct_equal(x, y, dl) for a, b in zip(pc, gc, strict=True) for x, y in zip(a, b, strict=True))


def cleaned_equal(p: Cleaned, g: Cleaned, dl: Deadline) -> bool:
    """Equivalence of two cleaned answers, honouring the gold's percent and degree conventions."""
    ps, gs = read(p.text), read(g.text)
    if struct_equal(ps, gs, dl):
        return True
    for a, b in ((p.text, g.text), (g.text, p.text)):  # "1,22" is 1.22 in much of the world
        if _DECIMAL_COMMA.fullmatch(a) and _DECIMAL.fullmatch(b):
            return struct_equal(read(a.replace(",", ".")), read(b), dl)
    if ps.kind != "scalar" or gs.kind != "scalar" or ps.node is None or gs.node is None:
        return False
    variants: list[tuple[Node, Node]] = []
    if g.percent and not p.percent:  # gold 10%, pred 0.1
        variants.append((("*", ps.node, _HUNDRED), gs.node))
    if p.percent and not g.percent:  # gold 0.1, pred 10%
        variants.append((ps.node, ("*", gs.node, _HUNDRED)))
    if p.degree != g.degree:
        if p.degree:
            variants.append((("*", ps.node, _DEG), gs.node))
        else:
            variants.append((ps.node, ("*", gs.node, _DEG)))
    return any(scalar_equal(a, b, dl) is True for a, b in variants)

