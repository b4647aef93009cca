"""The two checkers under comparison, called the way their users call them.

* saicot: ``grade(pred, gold, benchmark, truncated=...)`` when the case names a benchmark (whole responses, as
  the score stage calls it), else ``is_equiv(pred, gold)`` (bare answers, as a user comparing two answers calls
  it); with ``second_opinion=False``, its own parser alone.
* Math-Verify 0.9: ``verify(parse(gold), parse(pred))``, fed the way its README recommends: the gold wrapped in
  ``$...$``; a bare predicted answer wrapped too (this is what raised it from 0.79 to 0.87 on the outside set),
  a whole response as is with its default extraction (LaTeX + expressions); for multiple-choice benchmarks
  the letter extraction (``StringExtractionConfig``) is added, as its task configs do.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Check = Callable[[dict[str, Any]], bool]


def saicot(second_opinion: bool = True) -> Check:
    """saicot's checker; ``second_opinion=False`` is its own parser alone (no Math-Verify)."""
    try:
        from eval.checker.grade import grade, is_equiv
    except ImportError:  # an older checkout's checker (label.py puts its eval/ first on the path)
        from eval.grade import grade, is_equiv
    import inspect

    new = "second_opinion" in inspect.signature(grade).parameters  # older checkouts: neither flag
    opts: dict[str, Any] = {"second_opinion": second_opinion} if new else {}

    def check(c: dict[str, Any]) -> bool:
        if c.get("benchmark"):
            cut = {"truncated": bool(c.get("truncated"))} if new else {}
            return grade(c["pred"], c["gold"], c["benchmark"], **cut, **opts).correct
        return is_equiv(c["pred"], c["gold"], **opts)

    return check


def math_verify() -> Check:
    from math_verify import ExprExtractionConfig, LatexExtractionConfig, StringExtractionConfig, parse, verify

    try:
        from eval.checker.extract import looks_like_response
    except ImportError:  # an older checkout (see saicot())
        from eval.extract import looks_like_response

    choice = [StringExtractionConfig(), LatexExtractionConfig(), ExprExtractionConfig()]

    def check(c: dict[str, Any]) -> bool:
        pred, gold = c["pred"], c["gold"]
        try:
            if c.get("benchmark") == "aqua":
                return bool(verify(parse(gold, choice), parse(pred, choice)))
            g = parse(gold if "$" in gold else f"${gold}$")
            bare = not c.get("benchmark") and not looks_like_response(pred)
            p = parse(f"${pred}$" if bare and "$" not in pred else pred)
            return bool(verify(g, p))
        except Exception:  # noqa: BLE001 - a crash is a "not equivalent" verdict, as in its own metric
            return False

    return check
