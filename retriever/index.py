"""A persisted FAISS inner-product index that remembers which embedder built it.

`kind="auto"` picks exact search (`IndexFlatIP`) below `HNSW_FROM` vectors and HNSW above (M=32,
efSearch=128): exact search is both fast and exact at the pool sizes a run produces on CPU.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np

HNSW_FROM = 50_000
INDEX_FILE, META_FILE = "pool.faiss", "pool.index.json"


class IndexMismatchError(ValueError):
    """The index was built by another embedder (or has another dimension) than the one searching it."""


def _faiss() -> Any:
    import faiss

    faiss.omp_set_num_threads(max(1, min(2, os.cpu_count() or 1)))
    return faiss


class VectorIndex:
    """Inner-product search over L2-normalised vectors (cosine similarity)."""

    def __init__(self, index: Any, embedder_id: str, kind: str) -> None:
        self.index = index
        self.embedder_id = embedder_id
        self.kind = kind

    @classmethod
    def build(cls, vectors: np.ndarray, embedder_id: str, kind: str = "auto") -> VectorIndex:
        faiss = _faiss()
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if vectors.ndim != 2:
            raise ValueError(f"vectors must be 2-D, got shape {vectors.shape}")
        n, dim = vectors.shape
        if kind == "auto":
            kind = "hnsw" if n >= HNSW_FROM else "flat"
        if kind == "flat":
            index = faiss.IndexFlatIP(dim)
        elif kind == "hnsw":
            index = faiss.IndexHNSWFlat(dim, 32, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efSearch = 128
        else:
            raise ValueError(f"unknown index kind {kind!r} (flat, hnsw, auto)")
        if n:
            index.add(vectors)
        return cls(index, embedder_id, kind)

    @property
    def size(self) -> int:
        return int(self.index.ntotal)

    @property
    def dim(self) -> int:
        return int(self.index.d)

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Top-`k` (scores, row indices) per query; rows are -1 where fewer than k vectors exist."""
        queries = np.ascontiguousarray(queries, dtype=np.float32)
        if queries.shape[1] != self.dim:
            raise IndexMismatchError(f"query dimension {queries.shape[1]} != index dimension {self.dim}")
        k = min(k, self.size)
        if k == 0:
            empty = np.zeros((len(queries), 0))
            return empty.astype(np.float32), empty.astype(np.int64)
        return self.index.search(queries, k)

    def save(self, directory: Path) -> None:
        faiss = _faiss()
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        tmp = directory / (INDEX_FILE + ".tmp")
        faiss.write_index(self.index, str(tmp))
        os.replace(tmp, directory / INDEX_FILE)
        meta = {"embedder_id": self.embedder_id, "dim": self.dim, "kind": self.kind, "size": self.size,
                "faiss_version": faiss.__version__}
        tmp_meta = directory / (META_FILE + ".tmp")
        tmp_meta.write_text(json.dumps(meta, indent=2))
        os.replace(tmp_meta, directory / META_FILE)

    @classmethod
    def load(cls, directory: Path, expected_embedder_id: str) -> VectorIndex:
        """Load an index, refusing one built by a different embedder."""
        directory = Path(directory)
        meta = json.loads((directory / META_FILE).read_text())
        if meta["embedder_id"] != expected_embedder_id:
            raise IndexMismatchError(
                f"index in {directory} was built with embedder {meta['embedder_id']!r}, "
                f"but {expected_embedder_id!r} is searching it; rebuild the index")
        index = _faiss().read_index(str(directory / INDEX_FILE))
        return cls(index, meta["embedder_id"], meta["kind"])
