"""Worker process for the symbolic path: reads JSON requests on stdin, answers on stdout.

Started by :class:`eval.budget.SympyWorker` as ``python -m eval.checker.budget_worker``. Each request is one line
``{"id": n, "a": tree, "b": tree, "mode": "expr"|"eq"}``; each answer ``{"id": n, "ok": true|false|null}``.
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
    import sympy  # noqa: F401  (warm the import before the first request)

    from eval.checker.safe_sympy import sympy_equal

    sys.stdout.write(json.dumps({"id": -1, "ok": None}) + "\n")
    sys.stdout.flush()
    for line in sys.stdin:
        try:
            req = json.loads(line)
        except ValueError:
            continue
        ok: bool | None
        try:
            ok = sympy_equal(req["a"], req["b"], req.get("mode", "expr"))
        except Exception:  # noqa: BLE001 - any failure is "no verdict"
            ok = None
        sys.stdout.write(json.dumps({"id": req.get("id"), "ok": ok}) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
