"""The strategies a report treats specially, supplied by whoever knows the strategy table (`pipeline`).

The report library knows no strategy by name: every cell's Δ is against the ``baseline`` of its solver, the
"matched compute" section against ``votes``, and tables and plots follow ``order``. With the default (no roles)
a report still lists every cell, with no comparisons.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Roles:
    """Attributes:
        baseline: the strategy every cell is compared with (per solver and variant), e.g. zero-shot.
        votes: the plain-votes reference at matched compute, e.g. self-consistency.
        order: the display order of strategies (others follow, by name).
    """

    baseline: str | None = None
    votes: str | None = None
    order: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "order": list(self.order)}

    @classmethod
    def of(cls, data: dict[str, Any] | None) -> Roles:
        """The roles a summary recorded (``summary["roles"]``)."""
        data = data or {}
        return cls(data.get("baseline"), data.get("votes"), tuple(data.get("order") or ()))

    def rank(self, strategy: str) -> int:
        """Position of `strategy` in the display order (unknown ones after all known)."""
        return self.order.index(strategy) if strategy in self.order else len(self.order)
