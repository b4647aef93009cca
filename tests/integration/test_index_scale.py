"""A pool above the size threshold gets the large-pool index (IVF-SQ8) and keeps recall@32 >= 0.95.

Real FAISS on small synthetic 384-d pools, with the threshold lowered so the test stays fast: a clustered
pool (like sentence embeddings) and an unclustered one (the hard case, where the calibrated nprobe must
grow). Queries are fresh draws, not pool vectors, as in a run.
"""

from __future__ import annotations

import numpy as np
import pytest

from retriever.index import VectorIndex, choose_kind

DIM, K = 384, 32


def clustered(rng: np.random.Generator, centres: np.ndarray, n: int, spread: float = 1.0) -> np.ndarray:
    spectrum = np.arange(1, DIM + 1, dtype=np.float32) ** -0.5
    spectrum *= spread / np.sqrt((spectrum**2).sum())
    x = centres[rng.integers(0, len(centres), n)] + rng.standard_normal((n, DIM), dtype=np.float32) * spectrum
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def recall_vs_exact(pool: np.ndarray, queries: np.ndarray, index: VectorIndex) -> float:
    exact = np.argsort(-(queries @ pool.T), axis=1)[:, :K]
    rows = index.search(queries, K)[1]
    return float(np.mean([len(set(a) & set(b)) / K for a, b in zip(rows, exact, strict=True)]))


@pytest.mark.parametrize("shape", ["clustered", "unclustered"])
def test_pool_above_threshold_builds_ivf_with_recall(shape: str, tmp_path) -> None:
    rng = np.random.default_rng(1)
    if shape == "clustered":
        centres = rng.standard_normal((40, DIM), dtype=np.float32)
        centres /= np.linalg.norm(centres, axis=1, keepdims=True)
        pool, queries = clustered(rng, centres, 12_000), clustered(rng, centres, 200)
    else:
        pool = rng.standard_normal((6_000, DIM), dtype=np.float32)
        queries = rng.standard_normal((200, DIM), dtype=np.float32)
        pool /= np.linalg.norm(pool, axis=1, keepdims=True)
        queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    threshold = 5_000
    assert choose_kind(len(pool), threshold) == "ivf-sq8"
    index = VectorIndex.build(pool, "synthetic", large_threshold=threshold)
    assert index.kind == "ivf-sq8"
    assert recall_vs_exact(pool, queries, index) >= 0.95
    index.save(tmp_path)
    assert recall_vs_exact(pool, queries, VectorIndex.load(tmp_path, "synthetic")) >= 0.95
    if shape == "clustered":  # the search really is approximate: far fewer lists probed than exist
        assert index.nprobe < index.metadata()["nlist"] // 4
