"""A persisted FAISS inner-product index that knows which embedder produced its vectors.

Kinds:
    * ``flat``: exact search (`IndexFlatIP`); fine up to tens of thousands of vectors on CPU.
    * ``hnsw``: approximate graph search (`IndexHNSWFlat`, M=32, efConstruction=80, efSearch=max(128, k)),
      sub-linear query time for large pools at a small recall cost.
    * ``auto``: ``flat`` below `AUTO_HNSW_THRESHOLD` (50,000) vectors, ``hnsw`` from there on. A pool of
      self-generated questions (k per test question) is usually far below it, so search stays exact.

On disk (one directory): ``pool.faiss`` (the FAISS index) and ``pool.index.json`` (embedder_id, dim, kind,
size, faiss version). Both are written through a temp file and `os.replace`, the JSON last.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np

from retriever._cpu import faiss_module

AUTO_HNSW_THRESHOLD = 50_000
HNSW_M = 32
HNSW_EF_CONSTRUCTION = 80
HNSW_EF_SEARCH = 128
INDEX_FILE = "pool.faiss"
META_FILE = "pool.index.json"


class IndexMismatchError(ValueError):
    """The index on disk was built with another embedder (or another dimension) than the caller's."""


class VectorIndex:
    """Inner-product search over L2-normalised vectors (so scores are cosine similarities)."""

    def __init__(self, index: Any, embedder_id: str, kind: str) -> None:
        self._index = index
        self.embedder_id = embedder_id
        self.kind = kind

    @classmethod
    def build(cls, vectors: np.ndarray, embedder_id: str, kind: str = "auto") -> VectorIndex:
        """Index `vectors` (n, d); `kind` is ``flat``, ``hnsw`` or ``auto`` (see the module docstring)."""
        faiss = faiss_module()
        v = np.ascontiguousarray(np.asarray(vectors, dtype=np.float32))
        if v.ndim != 2 or v.shape[1] == 0:
            raise ValueError(f"vectors must have shape (n, d) with d > 0, got {v.shape}")
        if kind == "auto":
            kind = "flat" if v.shape[0] < AUTO_HNSW_THRESHOLD else "hnsw"
        dim = v.shape[1]
        if kind == "flat":
            index = faiss.IndexFlatIP(dim)
        elif kind == "hnsw":
            index = faiss.IndexHNSWFlat(dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
            index.hnsw.efSearch = HNSW_EF_SEARCH
        else:
            raise ValueError(f"unknown index kind {kind!r}; expected 'auto', 'flat' or 'hnsw'")
        if v.shape[0]:
            index.add(v)
        return cls(index, embedder_id, kind)

    @property
    def size(self) -> int:
        return int(self._index.ntotal)

    @property
    def dim(self) -> int:
        return int(self._index.d)

    def metadata(self) -> dict[str, Any]:
        return {"embedder_id": self.embedder_id, "dim": self.dim, "kind": self.kind, "size": self.size,
                "faiss_version": faiss_module().__version__}

    def save(self, directory: Path) -> None:
        """Write ``pool.faiss`` then ``pool.index.json`` into `directory`, each atomically."""
        faiss = faiss_module()
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        tmp = directory / (INDEX_FILE + ".tmp")
        faiss.write_index(self._index, str(tmp))
        os.replace(tmp, directory / INDEX_FILE)
        tmp_meta = directory / (META_FILE + ".tmp")
        tmp_meta.write_text(json.dumps(self.metadata(), indent=2, sort_keys=True) + "\n")
        os.replace(tmp_meta, directory / META_FILE)

    @classmethod
    def load(cls, directory: Path, expected_embedder_id: str, expected_dim: int | None = None) -> VectorIndex:
        """Load an index saved by `save`, refusing one built by another embedder.

        Raises:
            IndexMismatchError: the recorded embedder id differs from `expected_embedder_id`, or the
                dimension differs from `expected_dim` (when given) or from the one recorded.
            FileNotFoundError: either file is missing.
        """
        faiss = faiss_module()
        directory = Path(directory)
        meta = json.loads((directory / META_FILE).read_text())
        stored_id = meta.get("embedder_id")
        if stored_id != expected_embedder_id:
            raise IndexMismatchError(
                f"index in {directory} was built with embedder {stored_id!r}, but the current embedder is "
                f"{expected_embedder_id!r}; rebuild the index (delete the directory) or use the same embedder")
        index = faiss.read_index(str(directory / INDEX_FILE))
        if index.d != meta.get("dim") or (expected_dim is not None and index.d != expected_dim):
            raise IndexMismatchError(
                f"index in {directory} has dimension {index.d} (recorded {meta.get('dim')}), expected "
                f"{expected_dim if expected_dim is not None else meta.get('dim')} for embedder "
                f"{expected_embedder_id!r}")
        if index.ntotal != meta.get("size"):
            raise ValueError(f"{directory / INDEX_FILE} holds {index.ntotal} vectors but {META_FILE} records "
                             f"{meta.get('size')}: the directory is inconsistent, rebuild it")
        return cls(index, stored_id, str(meta.get("kind", "flat")))

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Top-`k` rows per query by inner product, best first.

        Returns:
            (scores float32, rows int64), both of shape (n_queries, min(k, size)). Exact (flat) search
            always fills every slot; HNSW may leave a slot unfilled, marked row -1 with score -inf
            (always at the end of a row). Callers drop rows < 0.
        """
        q = np.ascontiguousarray(np.asarray(queries, dtype=np.float32))
        if q.ndim != 2 or q.shape[1] != self.dim:
            raise ValueError(f"queries must have shape (n, {self.dim}), got {q.shape}")
        kk = min(max(int(k), 0), self.size)
        if kk == 0 or q.shape[0] == 0:
            return np.zeros((q.shape[0], 0), dtype=np.float32), np.zeros((q.shape[0], 0), dtype=np.int64)
        if self.kind == "hnsw":
            self._index.hnsw.efSearch = max(HNSW_EF_SEARCH, kk)
        scores, rows = self._index.search(q, kk)
        rows = rows.astype(np.int64)
        scores = np.where(rows < 0, -np.inf, scores).astype(np.float32)
        return scores, rows
