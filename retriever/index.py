"""A persisted FAISS inner-product index that knows which embedder produced its vectors.

Kinds:
    * ``flat``: exact search (`IndexFlatIP`); fine up to tens of thousands of vectors on CPU.
    * ``hnsw``: approximate graph search (`IndexHNSWFlat`, M=32, efConstruction=80, efSearch=max(128, k)),
      sub-linear query time for large pools at a small recall cost.
    * ``ivf-sq8``: inverted lists over 8-bit codes, ``nprobe`` calibrated at build time to recall@32 >= 0.97
      on a pool sample (see `retriever.ivf`): the fastest and smallest index at recall >= 0.95 for large pools.
    * ``auto``: `choose_kind`: ``flat`` below `AUTO_LARGE_THRESHOLD` (50,000) vectors, ``ivf-sq8`` from there
      on. A pool of self-generated questions (k per test question) is usually far below it, so search stays
      exact. The rule comes from ``bench/retrieval_scale.py`` (384-d clustered pools, 2 CPU cores): flat
      search of 1,000 queries costs about 1 s per 10^5 vectors and 1.5 GB per 10^6, while IVF-SQ8 answers
      them in well under 1 s at 10^6 in about 0.4 GB; below ~5x10^4 its training time outweighs the gain.

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

AUTO_LARGE_THRESHOLD = 50_000
LARGE_KIND = "ivf-sq8"
KINDS = ("auto", "flat", "hnsw", "ivf-sq8")
HNSW_M = 32
HNSW_EF_CONSTRUCTION = 80
HNSW_EF_SEARCH = 128
INDEX_FILE = "pool.faiss"
META_FILE = "pool.index.json"


class IndexMismatchError(ValueError):
    """The index on disk was built with another embedder (or another dimension) than the caller's."""


def choose_kind(n: int, large_threshold: int = AUTO_LARGE_THRESHOLD) -> str:
    """The index kind ``auto`` builds for a pool of `n` vectors: exact below `large_threshold`, IVF-SQ8 above."""
    return "flat" if n < large_threshold else LARGE_KIND


class VectorIndex:
    """Inner-product search over L2-normalised vectors (so scores are cosine similarities)."""

    def __init__(self, index: Any, embedder_id: str, kind: str) -> None:
        self._index = index
        self.embedder_id = embedder_id
        self.kind = kind

    @classmethod
    def build(cls, vectors: np.ndarray, embedder_id: str, kind: str = "auto", *,
              large_threshold: int = AUTO_LARGE_THRESHOLD) -> VectorIndex:
        """Index `vectors` (n, d).

        Args:
            kind: ``flat``, ``hnsw``, ``ivf-sq8`` or ``auto`` (see the module docstring). An empty pool is
                always flat (there is nothing to train an IVF index on).
            large_threshold: pool size from which ``auto`` picks ``ivf-sq8`` (see `choose_kind`).
        """
        faiss = faiss_module()
        v = np.ascontiguousarray(np.asarray(vectors, dtype=np.float32))
        if v.ndim != 2 or v.shape[1] == 0:
            raise ValueError(f"vectors must have shape (n, d) with d > 0, got {v.shape}")
        if kind not in KINDS:
            raise ValueError(f"unknown index kind {kind!r}; expected one of {', '.join(repr(k) for k in KINDS)}")
        if kind == "auto":
            kind = choose_kind(v.shape[0], large_threshold)
        if kind == LARGE_KIND and v.shape[0] == 0:
            kind = "flat"
        dim = v.shape[1]
        if kind == LARGE_KIND:
            from retriever.ivf import build_ivf_sq8, calibrate_nprobe

            index = build_ivf_sq8(faiss, v)
            calibrate_nprobe(faiss, index, v)
            return cls(index, embedder_id, kind)
        if kind == "flat":
            index = faiss.IndexFlatIP(dim)
        else:
            index = faiss.IndexHNSWFlat(dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
            index.hnsw.efSearch = HNSW_EF_SEARCH
        if v.shape[0]:
            index.add(v)
        return cls(index, embedder_id, kind)

    @property
    def size(self) -> int:
        return int(self._index.ntotal)

    @property
    def dim(self) -> int:
        return int(self._index.d)

    @property
    def nprobe(self) -> int | None:
        """Inverted lists searched per query (IVF kinds only)."""
        return int(self._index.nprobe) if hasattr(self._index, "nprobe") else None

    def metadata(self) -> dict[str, Any]:
        meta = {"embedder_id": self.embedder_id, "dim": self.dim, "kind": self.kind, "size": self.size,
                "faiss_version": faiss_module().__version__}
        if self.nprobe is not None:
            meta.update(nprobe=self.nprobe, nlist=int(self._index.nlist))
        return meta

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
            always fills every slot; HNSW and IVF (when the probed lists hold fewer than k vectors) may
            leave a slot unfilled, marked row -1 with score -inf (always at the end of a row). Callers
            drop rows < 0.
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
