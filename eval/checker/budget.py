"""Time budgets that work anywhere: main thread, other threads, worker processes.

No SIGALRM. The in-process fast path checks a :class:`Deadline` cooperatively (it is pure Python with hard
caps on sizes, so it cannot run long). The symbolic path runs sympy in a separate, reusable process
(:mod:`eval.checker.budget_worker`); the caller waits on a pipe with ``select`` and, if the budget runs out, kills
the process and starts a new one on the next request. A lock serialises access from threads; a thread that
cannot get the worker within its own budget simply gets no verdict.

Starting the worker (imports of sympy and Math-Verify, ~0.4 s idle, several times that on a busy machine) is
bounded by its own :data:`STARTUP_S`, not by the request's budget: were it charged to the request, the first
check in a process (and the first after a kill) would get no verdict whenever the machine is slow, and a grade
would depend on whether the worker happened to be warm.
"""

from __future__ import annotations

import atexit
import json
import os
import select
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any


class Deadline:
    """A point in ``time.monotonic()`` time after which work should stop."""

    def __init__(self, seconds: float) -> None:
        self.at = time.monotonic() + max(0.0, seconds)

    def left(self) -> float:
        """Seconds left (never negative)."""
        return max(0.0, self.at - time.monotonic())

    def expired(self) -> bool:
        """True once the budget is spent."""
        return time.monotonic() >= self.at


STARTUP_S = 60.0
"""At most this long to start the worker process (once per process, and again after a kill)."""


class SympyWorker:
    """A reusable sympy process with kill-on-timeout.

    Examples:
        >>> w = SympyWorker()
        >>> w.check(["n", 1, 2], ["/", ["n", 1, 1], ["n", 2, 1]], timeout=10.0)
        True
    """

    def __init__(self) -> None:
        self._proc: subprocess.Popen[bytes] | None = None
        self._buf = b""
        self._lock = threading.Lock()
        self._next_id = 0
        self.kills = 0

    def _start(self, deadline: Deadline) -> bool:
        root = str(Path(__file__).resolve().parents[2])  # the directory holding eval/
        env = dict(os.environ)
        env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
        self._proc = subprocess.Popen(
            [sys.executable, "-u", "-m", "eval.checker.budget_worker"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, cwd=root,
        )
        self._buf = b""
        ready = self._read_line(deadline)
        if ready is None:
            self._kill()
            return False
        return True

    def _kill(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None:
            self.kills += 1
            try:
                proc.kill()
                proc.wait(timeout=5)
            except (OSError, subprocess.TimeoutExpired):
                pass
            for stream in (proc.stdin, proc.stdout):
                try:
                    if stream is not None:
                        stream.close()
                except OSError:
                    pass

    def _read_line(self, deadline: Deadline) -> dict[str, Any] | None:
        assert self._proc is not None and self._proc.stdout is not None
        fd = self._proc.stdout.fileno()
        while b"\n" not in self._buf:
            left = deadline.left()
            if left <= 0:
                return None
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                return None
            chunk = os.read(fd, 65536)
            if not chunk:
                return None
            self._buf += chunk
        line, _, self._buf = self._buf.partition(b"\n")
        try:
            return json.loads(line)
        except ValueError:
            return None

    def check(self, a: Any, b: Any, timeout: float, mode: str = "expr") -> bool | None:
        """Ask the worker whether trees ``a`` and ``b`` are equal; ``None`` when it gives no verdict in time."""
        if not self._lock.acquire(timeout=max(0.0, timeout)):
            return None
        try:
            if self._proc is None or self._proc.poll() is not None:
                self._proc = None
                if not self._start(Deadline(STARTUP_S)):
                    return None
            deadline = Deadline(timeout)  # the request's own budget starts once the worker is up
            assert self._proc is not None and self._proc.stdin is not None
            self._next_id += 1
            req = json.dumps({"id": self._next_id, "a": a, "b": b, "mode": mode}) + "\n"
            try:
                self._proc.stdin.write(req.encode())
                self._proc.stdin.flush()
            except OSError:
                self._kill()
                return None
            while True:
                resp = self._read_line(deadline)
                if resp is None:
                    self._kill()
                    return None
                if resp.get("id") == self._next_id:
                    ok = resp.get("ok")
                    return ok if isinstance(ok, bool) else None
        finally:
            self._lock.release()

    def close(self) -> None:
        """Stop the worker process."""
        with self._lock:
            if self._proc is not None:
                self.kills -= 1
                self._kill()


_WORKER: SympyWorker | None = None
_WORKER_LOCK = threading.Lock()


def shared_worker() -> SympyWorker:
    """The process-wide worker (created lazily; closed at interpreter exit)."""
    global _WORKER
    with _WORKER_LOCK:
        if _WORKER is None or _WORKER_PID != os.getpid():
            _set_worker(SympyWorker())
        assert _WORKER is not None
        return _WORKER


_WORKER_PID = -1


def _set_worker(w: SympyWorker) -> None:
    global _WORKER, _WORKER_PID
    _WORKER, _WORKER_PID = w, os.getpid()
    atexit.register(w.close)
