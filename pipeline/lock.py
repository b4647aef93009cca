"""One writer per run directory: an advisory file lock held for the run's life.

The lock is ``filelock``'s (``flock`` on Unix): the kernel releases it when its holder dies, so a lock left by a
killed run is simply free for the next one, with no prompt and no stale-file cleanup. The holder's pid is
written beside it (``.saicot.lock.pid``) so a refused run can say who holds the directory. Locks are re-entrant
within one process (a study holds its directory while its runs write into it).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pipeline.errors import SaicotError

_HELD: dict[Path, int] = {}


@contextmanager
def run_lock(directory: Path | str) -> Iterator[None]:
    """Hold the lock of ``directory`` (created if missing) for the ``with`` block.

    Raises:
        SaicotError: another process holds it; the message names its pid.
    """
    from filelock import FileLock, Timeout

    path = Path(directory).resolve()
    if path in _HELD:
        _HELD[path] += 1
        try:
            yield
        finally:
            _HELD[path] -= 1
        return
    path.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(path / ".saicot.lock"), timeout=0)
    pid_file = path / ".saicot.lock.pid"
    try:
        lock.acquire()
    except Timeout:
        holder = pid_file.read_text().strip() if pid_file.exists() else "unknown"
        raise SaicotError(f"{path} is in use by another saicot process (pid {holder}); wait for it to finish or "
                          "stop it, then re-run") from None
    _HELD[path] = 1
    try:
        pid_file.write_text(f"{os.getpid()}\n")
        yield
    finally:
        del _HELD[path]
        lock.release()
