"""No orphaned engine processes, whatever ends a run.

vLLM 0.32's offline engine starts ``VLLM::EngineCore``, which starts ``VLLM::Worker``; both stay in the parent's
process group. Measured before this module: SIGKILL or SIGTERM of ``saicot run`` left both running, re-parented
to init (4.9 + 1.0 GB resident), and the orphaned EngineCore ignored SIGTERM. A parent-death signal set in a
fork handler (``prctl PR_SET_PDEATHSIG``) did not help: vLLM starts EngineCore with multiprocessing's *spawn*
(fork + exec), which runs no Python fork handler. Three layers stop it:

1. **A watchdog process** (`pipeline.reaper`) records this process's descendants and SIGKILLs them when this
   process disappears. This covers SIGKILL of saicot, which no code in saicot can observe.
2. **SIGTERM** becomes ``SystemExit``, so ``with`` blocks unwind: engines shut down, stores stay consistent.
3. **At exit** any child still alive is terminated, then killed after a grace period.
"""

from __future__ import annotations

import atexit
import os
import signal
import subprocess
import sys
from types import FrameType

_installed = False
_watchdog: subprocess.Popen[bytes] | None = None


def _on_sigterm(signum: int, _frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


def reap_children(grace: float = 3.0) -> list[int]:
    """Terminate every live descendant of this process, then kill the ones left after ``grace`` seconds.

    Returns:
        The pids that were still alive when called.
    """
    import psutil

    try:
        children = psutil.Process().children(recursive=True)
    except psutil.Error:
        return []
    for child in children:
        try:
            child.terminate()
        except psutil.Error:
            pass
    _, alive = psutil.wait_procs(children, timeout=grace)
    for child in alive:
        try:
            child.kill()
        except psutil.Error:
            pass
    psutil.wait_procs(alive, timeout=grace)
    return [c.pid for c in children]


def install(watchdog: bool = True) -> None:
    """Install the layers (idempotent). Call it before any engine starts.

    Args:
        watchdog: also start the watchdog process (engines do; the CLI installs only the signal handling).
    """
    global _installed, _watchdog
    if watchdog and (_watchdog is None or _watchdog.poll() is not None):
        _watchdog = subprocess.Popen([sys.executable, "-m", "pipeline.reaper", str(os.getpid())],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, close_fds=True)
    if _installed:
        return
    _installed = True
    try:
        signal.signal(signal.SIGTERM, _on_sigterm)
    except ValueError:  # not the main thread: the caller owns signal handling
        pass
    atexit.register(reap_children)
