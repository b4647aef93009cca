"""Sentence-transformers embeddings with a stable identity (so an index built with one model is never
searched with another).

Example:
    >>> emb = Embedder(model_dir)                       # doctest: +SKIP
    >>> emb.encode(["How many apples?"]).shape
    (1, 384)
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np


def _dir_fingerprint(path: Path) -> str:
    """Hash of file names and sizes under a model directory (cheap, stable across copies)."""
    digest = hashlib.sha256()
    for f in sorted(p for p in path.rglob("*") if p.is_file()):
        if f.suffix in {".json", ".safetensors", ".bin", ".txt", ".model"}:
            digest.update(f"{f.relative_to(path)}:{f.stat().st_size}".encode())
    return digest.hexdigest()[:12]


def _limit_torch_threads() -> None:
    import os

    import torch

    wanted = max(1, min(torch.get_num_threads(), os.cpu_count() or 1))
    torch.set_num_threads(wanted)


class Embedder:
    """L2-normalised float32 embeddings; `instruction` is prefixed to every text.

    Args:
        model_path: a sentence-transformers model directory (or hub id where a hub is reachable).
        instruction: task prefix (UDR prefixes one to every text).
        batch_size: encoding batch size.
        device: torch device.
    """

    def __init__(self, model_path: str, *, instruction: str = "", batch_size: int = 64, device: str = "cpu",
                 model: Any = None, identity: str | None = None) -> None:
        self.instruction = instruction
        self.batch_size = batch_size
        if model is None:
            from sentence_transformers import SentenceTransformer

            _limit_torch_threads()
            model = SentenceTransformer(model_path, device=device)
        self.model = model
        path = Path(model_path)
        base = identity or (f"{path.name}@{_dir_fingerprint(path)}" if path.is_dir() else model_path)
        self.identity = base + (f"|instr={hashlib.sha256(instruction.encode()).hexdigest()[:8]}"
                                if instruction else "")

    @classmethod
    def from_model(cls, model: Any, *, identity: str, instruction: str = "", batch_size: int = 64) -> Embedder:
        """Wrap an already-loaded SentenceTransformer (e.g. a fine-tuned UDR encoder)."""
        return cls(identity, instruction=instruction, batch_size=batch_size, model=model, identity=identity)

    @property
    def dim(self) -> int:
        get_dim = getattr(self.model, "get_embedding_dimension", None) or \
            self.model.get_sentence_embedding_dimension
        return int(get_dim())

    def encode(self, texts: Sequence[str], show_progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self.model.encode([self.instruction + t for t in texts], batch_size=self.batch_size,
                                    show_progress_bar=show_progress, convert_to_numpy=True,
                                    normalize_embeddings=True)
        return np.ascontiguousarray(vectors, dtype=np.float32)
