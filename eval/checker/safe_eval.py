"""Bounded numeric evaluation of parsed answer trees (pure Python, never touches sympy).

Rationals stay exact (``Fraction``) while that is cheap; everything else is a ``complex``. Powers and
factorials whose exact result would be huge fall back to floating point, where overflow raises
:class:`EvalError` instead of burning CPU. A deadline is checked while walking the tree.
"""

from __future__ import annotations

import cmath
import math
import time
from fractions import Fraction

from eval.checker.safe_tokens import Node

Num = Fraction | complex

MAX_EXACT_BITS = 4096
MAX_EXACT_FACTORIAL = 400
REL_TOL = 1e-8
ABS_TOL = 1e-9


class EvalError(ArithmeticError):
    """The tree cannot be evaluated here (domain error, overflow, unknown node, deadline)."""


def _c(x: Num) -> complex:
    try:
        return complex(x)
    except OverflowError as exc:
        raise EvalError("overflow") from exc


def _finite(z: complex) -> complex:
    if not (math.isfinite(z.real) and math.isfinite(z.imag)):
        raise EvalError("non-finite")
    return z


_CONSTS: dict[str, Num] = {"pi": complex(math.pi), "e": complex(math.e), "i": 1j}
_FUNCS = {
    "sin": cmath.sin, "cos": cmath.cos, "tan": cmath.tan, "asin": cmath.asin, "acos": cmath.acos,
    "atan": cmath.atan, "sinh": cmath.sinh, "cosh": cmath.cosh, "tanh": cmath.tanh, "exp": cmath.exp,
    "ln": cmath.log,
    "cot": lambda z: 1 / cmath.tan(z), "sec": lambda z: 1 / cmath.cos(z), "csc": lambda z: 1 / cmath.sin(z),
}


class Evaluator:
    """Evaluate trees with a fixed variable assignment and a deadline (``time.monotonic`` seconds)."""

    def __init__(self, env: dict[str, complex] | None = None, deadline: float | None = None) -> None:
        self.env = env or {}
        self.deadline = deadline
        self.steps = 0

    def __call__(self, node: Node) -> Num:
        self.steps += 1
        if self.deadline is not None and self.steps % 64 == 0 and time.monotonic() > self.deadline:
            raise EvalError("deadline")
        try:
            return self._eval(node)
        except (OverflowError, ZeroDivisionError, ValueError, TypeError) as exc:
            raise EvalError(str(exc)) from exc

    def _eval(self, node: Node) -> Num:
        op = node[0]
        if op == "n":
            return Fraction(node[1], node[2])
        if op == "c":
            if node[1] == "inf":
                raise EvalError("infinity")
            return _CONSTS[node[1]]
        if op == "v":
            if node[1] not in self.env:
                raise EvalError(f"free variable {node[1]}")
            return self.env[node[1]]
        if op == "neg":
            return -self(node[1])
        if op == "+":
            return self._norm(self(node[1]) + self(node[2]))
        if op == "*":
            return self._norm(self(node[1]) * self(node[2]))
        if op == "/":
            a, b = self(node[1]), self(node[2])
            if b == 0:
                raise EvalError("division by zero")
            return self._norm(a / b)
        if op == "^":
            return self._pow(self(node[1]), self(node[2]))
        if op == "root":
            n, a = self(node[1]), self(node[2])
            if n == 2 and isinstance(a, Fraction) and a >= 0:
                r = _exact_sqrt(a)
                if r is not None:
                    return r
            if n == 0:
                raise EvalError("zeroth root")
            return self._pow(a, 1 / _c(n)) if not (isinstance(n, Fraction) and isinstance(a, Fraction)) \
                else self._real_root(a, n)
        if op == "!":
            return self._factorial(self(node[1]))
        if op == "binom":
            n, k = self(node[1]), self(node[2])
            if _is_int(n) and _is_int(k) and 0 <= int(k) <= MAX_EXACT_FACTORIAL * 10 and abs(int(n)) < 10**6:
                return Fraction(math.comb(int(n), int(k))) if int(n) >= 0 else self._binom_float(n, k)
            return self._binom_float(n, k)
        if op == "log":
            arg = _c(self(node[2]))
            if arg == 0:
                raise EvalError("log 0")
            base = cmath.log(_c(self(node[1]))) if node[1] is not None else 1.0
            if base == 0:
                raise EvalError("log base 1")
            return _finite(cmath.log(arg) / base)
        if op == "f":
            name = node[1]
            x = self(node[2])
            if name == "abs":
                return abs(x) if isinstance(x, Fraction) else complex(abs(x))
            if name in ("floor", "ceil"):
                if isinstance(x, Fraction):
                    return Fraction(math.floor(x) if name == "floor" else math.ceil(x))
                z = _c(x)
                if abs(z.imag) > 1e-12:
                    raise EvalError("floor of complex")
                return Fraction(math.floor(z.real) if name == "floor" else math.ceil(z.real))
            return _finite(_FUNCS[name](_c(x)))
        raise EvalError(f"unknown node {op}")

    @staticmethod
    def _norm(x: Num) -> Num:
        if isinstance(x, complex):
            return _finite(x)
        return x

    def _pow(self, a: Num, b: Num) -> Num:
        if isinstance(a, Fraction) and isinstance(b, Fraction) and b.denominator == 1:
            e = b.numerator
            bits = max(a.numerator.bit_length(), a.denominator.bit_length(), 1)
            if a in (0, 1, -1) or bits * abs(e) <= MAX_EXACT_BITS:
                if a == 0 and e < 0:
                    raise EvalError("0 to a negative power")
                return a**e
        if isinstance(a, Fraction) and isinstance(b, Fraction) and a > 0:
            r = self._real_root(a, Fraction(b.denominator))
            if isinstance(r, Fraction):
                return self._pow(r, Fraction(b.numerator))
        za, zb = _c(a), _c(b)
        if za == 0:
            if zb.real > 0:
                return Fraction(0)
            raise EvalError("0 to a non-positive power")
        if za.imag == 0 and za.real > 0 and zb.imag == 0:
            if zb.real * math.log10(za.real) > 300:
                raise EvalError("overflow")
            return _finite(complex(za.real**zb.real))
        lg = cmath.log(za) * zb
        if lg.real > 690:
            raise EvalError("overflow")
        return _finite(cmath.exp(lg))

    def _real_root(self, a: Fraction, n: Fraction) -> Num:
        """Exact root when ``a`` is a perfect power, else the real root for odd ``n`` (else principal)."""
        if n.denominator == 1 and 1 <= n.numerator <= 64:
            k = n.numerator
            neg = a < 0 and k % 2 == 1
            aa = -a if neg else a
            if aa >= 0:
                p, q = _int_root(aa.numerator, k), _int_root(aa.denominator, k)
                if p is not None and q is not None:
                    r = Fraction(p, q)
                    return -r if neg else r
                if neg:
                    return _finite(complex(-(float(aa) ** (1.0 / k))))
        return self._pow_float(a, 1 / _c(n))

    def _pow_float(self, a: Num, b: complex) -> Num:
        za = _c(a)
        if za == 0:
            return Fraction(0)
        lg = cmath.log(za) * b
        if lg.real > 690:
            raise EvalError("overflow")
        return _finite(cmath.exp(lg))

    def _factorial(self, x: Num) -> Num:
        if _is_int(x) and 0 <= int(x) <= MAX_EXACT_FACTORIAL:
            return Fraction(math.factorial(int(x)))
        z = _c(x)
        if abs(z.imag) > 1e-12 or z.real > 170:
            raise EvalError("factorial too large or complex")
        return _finite(complex(math.gamma(z.real + 1)))

    def _binom_float(self, n: Num, k: Num) -> Num:
        zn, zk = _c(n), _c(k)
        if zn.imag or zk.imag or zn.real > 170:
            raise EvalError("binomial out of range")
        return _finite(complex(math.gamma(zn.real + 1) / (math.gamma(zk.real + 1) * math.gamma(zn.real - zk.real + 1))))


def _is_int(x: Num) -> bool:
    return isinstance(x, Fraction) and x.denominator == 1


def _int_root(n: int, k: int) -> int | None:
    if n < 0:
        return None
    if n.bit_length() > 4096:
        return None
    r = round(n ** (1.0 / k)) if n.bit_length() < 1000 else _iroot(n, k)
    for c in (r - 1, r, r + 1):
        if c >= 0 and c**k == n:
            return c
    return None


def _iroot(n: int, k: int) -> int:
    lo, hi = 0, 1 << (n.bit_length() // k + 1)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if mid**k <= n:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _exact_sqrt(a: Fraction) -> Fraction | None:
    p, q = math.isqrt(a.numerator), math.isqrt(a.denominator)
    if p * p == a.numerator and q * q == a.denominator:
        return Fraction(p, q)
    return None


def close(a: Num, b: Num, rel: float = REL_TOL) -> bool:
    """Numeric equality: exact for two integers, else relative tolerance ``rel`` (absolute near zero)."""
    if isinstance(a, Fraction) and isinstance(b, Fraction):
        if a == b:
            return True
        if a.denominator == 1 and b.denominator == 1:
            return False
        diff = abs(a - b)
        return diff <= Fraction(rel) * max(abs(a), abs(b)) or diff <= Fraction(ABS_TOL)
    try:
        za, zb = complex(a), complex(b)
    except OverflowError:
        return False
    diff = abs(za - zb)
    return diff <= rel * max(abs(za), abs(zb)) or diff <= ABS_TOL
