"""Small helpers shared by the stages."""

from __future__ import annotations

import hashlib


def request_seed(seed: int, *parts: str) -> int:
    """A per-request sampling seed derived from the run seed and the request's identity.

    Seeding each request on its own (not the batch) makes a resumed run, which sends fewer prompts,
    sample exactly what the uninterrupted run would have.
    """
    digest = hashlib.sha256("\x1f".join([str(seed), *parts]).encode()).digest()
    return int.from_bytes(digest[:4], "little") & 0x7FFFFFFF
