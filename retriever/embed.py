"""Sentence-transformers embedder with an identity string that travels with every index built from it."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from retriever._cpu import limit_torch_threads

# Directory names that say nothing about the model; the parent's name is added to them in identities.
_GENERIC_DIR_NAMES = {"model", "models", "snapshot", "snapshots", "weights", "checkpoint", "main"}
# Files that define the model as sentence-transformers loads it (configs, tokenizer, torch weights);
# READMEs, licences and alternative exports (onnx/, openvino/) do not enter the identity.
_IDENTITY_SUFFIXES = {".json", ".safetensors", ".bin", ".pt", ".pth", ".model", ".txt"}
_IGNORED_DIRS = {"onnx", "openvino"}


def model_dir_identity(path: str | os.PathLike[str]) -> str:
    """A stable name for a local model directory: its name plus a short hash of file names and sizes.

    Only config, tokenizer and weight files count (see `_IDENTITY_SUFFIXES`). Their contents are not
    read (weights are large); names and sizes are enough to tell models apart while staying identical
    across machines and copies. A non-directory (e.g. a hub id) is its own name.

    Examples:
        >>> model_dir_identity("sentence-transformers/all-MiniLM-L6-v2")
        'sentence-transformers/all-MiniLM-L6-v2'
    """
    root = Path(path)
    if not root.is_dir():
        return str(path)
    entries = []
    for file in sorted(root.rglob("*")):
        rel = file.relative_to(root)
        if (file.is_file() and file.suffix in _IDENTITY_SUFFIXES and not _IGNORED_DIRS & set(rel.parts[:-1])
                and not any(part.startswith(".") for part in rel.parts)):
            entries.append(f"{rel.as_posix()}:{file.stat().st_size}")
    digest = hashlib.sha256("\n".join(entries).encode()).hexdigest()[:12]
    resolved = root.resolve()
    name = resolved.name
    if name.lower() in _GENERIC_DIR_NAMES and resolved.parent.name:
        name = f"{resolved.parent.name}/{name}"
    return f"{name}@{digest}"


def _with_instruction(identity: str, instruction: str) -> str:
    if not instruction:
        return identity
    return f"{identity}+instr:{hashlib.sha256(instruction.encode()).hexdigest()[:8]}"


class Embedder:
    """L2-normalised float32 sentence embeddings (inner product = cosine).

    Args:
        model_path: a local sentence-transformers directory (or any name `SentenceTransformer` accepts).
        instruction: text prefixed to every input (task instructions for instruction-tuned encoders, UDR).
        batch_size: encoding batch size.
        device: torch device.

    Examples:
        >>> emb = Embedder(path)                      # doctest: +SKIP
        >>> emb.encode(["Tom has 3 apples."]).shape   # doctest: +SKIP
        (1, 384)
    """

    def __init__(self, model_path: str, *, instruction: str = "", batch_size: int = 64, device: str = "cpu") -> None:
        limit_torch_threads()
        from sentence_transformers import SentenceTransformer

        model = SentenceTransformer(str(model_path), device=device)
        self._setup(model, _with_instruction(model_dir_identity(model_path), instruction), instruction, batch_size)

    @classmethod
    def from_model(cls, st_model: Any, *, identity: str, instruction: str = "", batch_size: int = 64) -> Embedder:
        """Wrap an already-loaded `SentenceTransformer` (e.g. a fine-tuned UDR encoder).

        Args:
            identity: the caller's stable name for this model (e.g. base identity + training hash);
                the instruction is appended to it as for path-loaded models.
        """
        limit_torch_threads()
        obj = cls.__new__(cls)
        obj._setup(st_model, _with_instruction(identity, instruction), instruction, batch_size)
        return obj

    def _setup(self, model: Any, identity: str, instruction: str, batch_size: int) -> None:
        self.model = model
        self.instruction = instruction
        self.batch_size = batch_size
        self._identity = identity
        dim_fn = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        self._dim = int(dim_fn())

    @property
    def identity(self) -> str:
        """Model name + short content hash (+ instruction hash): indexes record it to catch mismatches."""
        return self._identity

    @property
    def dim(self) -> int:
        return self._dim

    def encode(self, texts: Sequence[str], show_progress: bool = False) -> np.ndarray:
        """Embed `texts` (instruction prefixed); returns float32 (len(texts), dim), rows of unit norm."""
        if len(texts) == 0:
            return np.zeros((0, self._dim), dtype=np.float32)
        inputs = [self.instruction + t for t in texts] if self.instruction else list(texts)
        out = self.model.encode(inputs, batch_size=self.batch_size, show_progress_bar=show_progress,
                                convert_to_numpy=True, normalize_embeddings=True)
        return normalize(np.asarray(out, dtype=np.float32))


def normalize(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to unit L2 norm (zero rows stay zero), as contiguous float32."""
    v = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(v, axis=1, keepdims=True)
    return np.ascontiguousarray(v / np.maximum(norms, 1e-12))
