"""The index kind rule (`choose_kind`), IVF sizing, and nprobe calibration on small synthetic pools."""

from __future__ import annotations

import json

import numpy as np
import pytest

from retriever.index import AUTO_LARGE_THRESHOLD, VectorIndex, choose_kind
from retriever.ivf import MIN_POINTS_PER_LIST, calibrate_nprobe, ivf_nlist


def unit(v) -> np.ndarray:
    v = np.asarray(v, dtype=np.float32)
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(0)


def test_choose_kind_is_exact_below_the_threshold_and_ivf_from_it() -> None:
    assert choose_kind(0) == "flat"
    assert choose_kind(AUTO_LARGE_THRESHOLD - 1) == "flat"
    assert choose_kind(AUTO_LARGE_THRESHOLD) == "ivf-sq8"
    assert choose_kind(10**6) == "ivf-sq8"
    assert choose_kind(999, large_threshold=1000) == "flat"
    assert choose_kind(1000, large_threshold=1000) == "ivf-sq8"


@pytest.mark.parametrize("n", [1, 38, 39, 500, 5_000, 100_000, 1_000_000])
def test_ivf_nlist_keeps_enough_training_points_per_list(n: int) -> None:
    nlist = ivf_nlist(n)
    assert nlist >= 1
    assert nlist == 1 or n // nlist >= MIN_POINTS_PER_LIST
    if n >= 100_000:  # large pools: about 4 sqrt(n), a power of two
        assert nlist & (nlist - 1) == 0 and 2 * np.sqrt(n) <= nlist <= 8 * np.sqrt(n)
        assert ivf_nlist(n, per_sqrt=1.0) * 4 == nlist
    assert ivf_nlist(0) == 1


def test_auto_below_threshold_stays_flat_and_exact(rng) -> None:
    vecs = unit(rng.normal(size=(300, 8)))
    queries = unit(rng.normal(size=(5, 8)))
    index = VectorIndex.build(vecs, "e", large_threshold=301)
    assert index.kind == "flat" and index.nprobe is None
    brute = np.argsort(-(queries @ vecs.T), axis=1, kind="stable")[:, :4]
    assert (index.search(queries, 4)[1] == brute).all()


def test_auto_at_threshold_builds_ivf_and_it_survives_save(tmp_path, rng) -> None:
    vecs = unit(rng.normal(size=(400, 8)))
    index = VectorIndex.build(vecs, "e", large_threshold=400)
    assert index.kind == "ivf-sq8" and index.size == 400 and 1 <= index.nprobe <= ivf_nlist(400)
    index.save(tmp_path)
    meta = json.loads((tmp_path / "pool.index.json").read_text())
    assert meta["kind"] == "ivf-sq8" and meta["nprobe"] == index.nprobe and meta["nlist"] == ivf_nlist(400)
    loaded = VectorIndex.load(tmp_path, "e")
    assert (loaded.kind, loaded.nprobe) == ("ivf-sq8", index.nprobe)
    assert (loaded.search(vecs[:7], 5)[1] == index.search(vecs[:7], 5)[1]).all()


def test_empty_pool_is_flat_whatever_the_kind() -> None:
    index = VectorIndex.build(np.zeros((0, 4), dtype=np.float32), "e", kind="ivf-sq8")
    assert index.kind == "flat" and index.size == 0


def test_calibration_raises_nprobe_until_the_sample_recall_is_reached(rng) -> None:
    import faiss

    from retriever.ivf import build_ivf_sq8

    vecs = unit(rng.normal(size=(4000, 32)))  # unclustered: one probed list is far from enough
    index = build_ivf_sq8(faiss, vecs)
    index.nprobe = 1
    _, exact = faiss.knn(vecs[:100], vecs, 11, metric=faiss.METRIC_INNER_PRODUCT)
    _, one = index.search(vecs[:100], 11)
    assert np.mean([len(set(a) & set(b)) / 11 for a, b in zip(one, exact, strict=True)]) < 0.9
    recall = calibrate_nprobe(faiss, index, vecs, target=0.9, k=10)
    assert recall >= 0.9 and 1 < index.nprobe <= index.nlist
    strict = index.nprobe
    calibrate_nprobe(faiss, index, vecs, target=0.5, k=10)
    assert index.nprobe < strict  # a lower target probes fewer lists
