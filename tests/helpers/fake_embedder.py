"""A hashed bag-of-words embedder: deterministic, instant, good enough to make kNN meaningful in unit tests."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

import numpy as np


class HashEmbedder:
    dim = 64

    def __init__(self, name: str = "hash-bow") -> None:
        self.identity = f"{name}/dim{self.dim}"
        self.calls = 0

    def encode(self, texts: Sequence[str], show_progress: bool = False) -> np.ndarray:
        self.calls += 1
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            for word in re.findall(r"[a-z]+", text.lower()):
                out[i, int(hashlib.md5(word.encode()).hexdigest(), 16) % self.dim] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(norms, 1e-9)
