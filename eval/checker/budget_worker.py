"""Worker process for the symbolic path: reads JSON requests on stdin, answers on stdout.

Started by :class:`eval.budget.SympyWorker` as ``python -m eval.checker.budget_worker``. Each request is one line
``{"id": n, "a": tree, "b": tree, "mode": "expr"|"eq"}`` (or ``"mode": "mv"`` with two answer strings, see
:mod:`eval.checker.second_opinion`); each answer ``{"id": n, "ok": true|false|null}``.
The parent kills this process when a request runs past its budget, so no check can hang the caller. Memory
is capped with ``RLIMIT_AS`` so a runaway expansion fails fast instead of swapping.
"""

from __future__ import annotations

import json
import sys

MEMORY_LIMIT = 2 * 1024**3


def main() -> None:
    """Serve requests until stdin closes."""
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    except (ImportError, ValueError, OSError):
        pass
    import logging

    import math_verify  # noqa: F401  (warm the imports before the first request)
    import sympy  # noqa: F401

    from eval.checker.safe_sympy import sympy_equal
    from eval.checker.second_opinion import install_guards, math_verify_equal

    install_guards()
    try:  # Math-Verify builds its parsers on first use: do it before "ready", outside any request's budget
        math_verify_equal("1", "1")
    except Exception:  # noqa: BLE001 - a failed warm-up only costs the first request its speed
        pass

    logging.disable(logging.WARNING)  # Math-Verify warns that its own timeout is off: the parent keeps time

    sys.stdout.write(json.dumps({"id": -1, "ok": None}) + "\n")
    sys.stdout.flush()
    for line in sys.stdin:
        try:
            req = json.loads(line)
        except ValueError:
            continue
        ok: bool | None
        try:
            if req.get("mode") in ("mv", "mv-response"):  # text, for Math-Verify's LaTeX path
                ok = math_verify_equal(str(req["a"]), str(req["b"]), whole_response=req["mode"] == "mv-response")
            else:
                ok = sympy_equal(req["a"], req["b"], req.get("mode", "expr"))
        except Exception:  # noqa: BLE001 - any failure is "no verdict"
            ok = None
        sys.stdout.write(json.dumps({"id": req.get("id"), "ok": ok}) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
