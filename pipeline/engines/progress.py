"""Request progress for the engines: a tqdm bar on a terminal, one plain line per tenth in logs and pipes."""

from __future__ import annotations

import sys
from typing import Any


class _LineProgress:
    """Progress for logs and pipes (stderr not a terminal): one plain line per tenth done, no ``\\r`` redraws."""

    def __init__(self, total: int, desc: str) -> None:
        self.total, self.desc, self.n, self._next = total, desc, 0, 0.1

    def update(self, k: int = 1) -> None:
        self.n += k
        if self.n / self.total >= self._next - 1e-9 or self.n == self.total:
            print(f"  {self.desc}: {self.n}/{self.total} requests done", file=sys.stderr, flush=True)
            while self._next <= self.n / self.total + 1e-9:
                self._next += 0.1

    def close(self) -> None:
        pass


def progress(total: int, desc: str, enabled: bool) -> Any:
    from tqdm.auto import tqdm

    if enabled and total > 0 and not sys.stderr.isatty():
        return _LineProgress(total, desc)
    return tqdm(total=total, desc=desc, unit="req", disable=not enabled or total == 0, leave=False)
