"""The watchdog behind `pipeline.processes`: ``python -m pipeline.reaper PARENT_PID``.

It records the parent's descendants every 0.2 s; once the parent is gone (killed by SIGKILL, which nothing in
the parent can observe), it SIGKILLs every recorded process still alive (matched by pid *and* start time, so a
reused pid is never hit) and exits. SIGINT and SIGTERM are ignored, so a Ctrl-C or a `kill` of the process
group cannot take the watchdog down before the engine processes it watches.
"""

from __future__ import annotations

import signal
import sys
import time

POLL = 0.2


def watch(parent_pid: int) -> int:
    """Watch ``parent_pid`` until it exits; return how many leftover processes were killed."""
    import psutil

    try:
        parent = psutil.Process(parent_pid)
        born = parent.create_time()
    except psutil.Error:
        return 0
    me = psutil.Process().pid
    seen: dict[int, float] = {}
    while True:
        try:
            if not parent.is_running() or parent.create_time() != born or parent.status() == psutil.STATUS_ZOMBIE:
                break
            for child in parent.children(recursive=True):
                if child.pid != me and child.pid not in seen:
                    try:
                        seen[child.pid] = child.create_time()
                    except psutil.Error:
                        pass
        except psutil.NoSuchProcess:
            break
        except psutil.Error:
            pass
        time.sleep(POLL)
    killed = 0
    for pid, created in seen.items():
        try:
            proc = psutil.Process(pid)
            if proc.create_time() == created:
                proc.kill()
                killed += 1
        except psutil.Error:
            pass
    return killed


def main() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    watch(int(sys.argv[1]))


if __name__ == "__main__":
    main()
