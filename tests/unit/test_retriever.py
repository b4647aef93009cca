"""retriever: strategies on synthetic unit vectors, the registry, and the FAISS index (save/load/mismatch)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from retriever.index import IndexMismatchError, VectorIndex
from retriever.registry import Strategy, register
from retriever.strategies import Pool, PoolItem, available, get_strategy, reasoning_steps


def unit(v) -> np.ndarray:
    v = np.asarray(v, dtype=np.float32)
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


def make_pool(vectors, solutions=None, with_index=True, kind="flat") -> Pool:
    vecs = unit(vectors)
    sols = solutions or ["One step."] * len(vecs)
    items = [PoolItem(f"g{i}/s0", f"prob{i % 3}", f"question {i}", sols[i], str(i)) for i in range(len(vecs))]
    return Pool(items, vecs, VectorIndex.build(vecs, "emb-test", kind=kind) if with_index else None)


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(0)


# --- registry ---------------------------------------------------------------------------------------------

def test_registry_knows_builtins_and_names_them_on_unknown() -> None:
    assert set(available()) >= {"random", "long", "knn", "mmr", "knn-gated", "knn-sc"}
    with pytest.raises(ValueError, match=r"unknown.*'bogus'.*knn.*mmr"):
        get_strategy("bogus")
    with pytest.raises(ValueError, match="lambda_"):
        get_strategy("mmr", lambda_=1.5)
    with pytest.raises(ValueError, match="bad parameters"):
        get_strategy("knn", nonsense=1)


def test_a_new_strategy_plugs_in_with_one_decorator() -> None:
    @register("test-first-rows")
    class FirstRows(Strategy):
        def select(self, query_vectors, pool, k, *, allowed=None, seed=0):
            return [list(range(min(k, len(pool.items))))] * len(query_vectors)

    assert "test-first-rows" in available() and FirstRows.name == "test-first-rows"
    pool = make_pool(np.eye(4))
    assert get_strategy("test-first-rows").select(unit(np.ones((2, 4))), pool, 2) == [[0, 1], [0, 1]]
    with pytest.raises(ValueError, match="already registered"):
        register("knn")(FirstRows)


# --- knn ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("with_index", [True, False])
def test_knn_returns_the_true_nearest_in_order(rng, with_index) -> None:
    pool = make_pool(rng.normal(size=(60, 12)), with_index=with_index)
    queries = unit(rng.normal(size=(5, 12)))
    got = get_strategy("knn").select(queries, pool, 4)
    brute = [[int(r) for r in np.argsort(-(pool.vectors @ q), kind="stable")[:4]] for q in queries]
    assert got == brute


def test_knn_on_allowed_subsets_ignores_the_index(rng) -> None:
    pool = make_pool(rng.normal(size=(30, 6)))
    queries = unit(rng.normal(size=(3, 6)))
    allowed = [np.array([4, 9, 17, 22]), np.array([0]), np.array([], dtype=np.int64)]
    got = get_strategy("knn").select(queries, pool, 3, allowed=allowed)
    sub = allowed[0]
    assert got[0] == [int(r) for r in sub[np.argsort(-(pool.vectors[sub] @ queries[0]))[:3]]]
    assert got[1] == [0] and got[2] == []


@pytest.mark.parametrize("name", ["knn", "mmr", "random", "long"])
def test_every_strategy_stays_inside_allowed_and_returns_what_exists(rng, name) -> None:
    pool = make_pool(rng.normal(size=(25, 5)))
    queries = unit(rng.normal(size=(4, 5)))
    allowed = [np.array([1, 2, 3]), np.array([7, 8, 9, 10, 11, 12]), np.array([5]), np.array([], dtype=np.int64)]
    got = get_strategy(name).select(queries, pool, 4, allowed=allowed, seed=3)
    for rows, allow in zip(got, allowed, strict=True):
        assert set(rows) <= set(allow.tolist())
        assert len(rows) == min(4, len(allow)) and len(set(rows)) == len(rows)
    whole = get_strategy(name).select(queries, pool, 100, seed=3)
    assert all(sorted(rows) == list(range(25)) for rows in whole)  # k > pool: everything, once


def test_allowed_rows_outside_the_pool_are_an_error() -> None:
    pool = make_pool(np.eye(3))
    with pytest.raises(ValueError, match="outside the pool"):
        get_strategy("knn").select(unit(np.ones((1, 3))), pool, 2, allowed=[np.array([0, 3])])
    with pytest.raises(ValueError, match="entries for 2 queries"):
        get_strategy("random").select(unit(np.ones((2, 3))), pool, 2, allowed=[np.array([0])])


# --- mmr ---------------------------------------------------------------------------------------------------

def test_mmr_diversifies_where_knn_takes_near_duplicates() -> None:
    # rows 0-2 are near-duplicates close to the query; row 3 is a bit less relevant but different
    vecs = [[1, 0.02, 0, 0], [1, 0.03, 0, 0], [1, 0.04, 0, 0], [0.75, 0, 0.65, 0], [0, 0, 0, 1]]
    pool = make_pool(vecs)
    query = unit([[1, 0, 0.25, 0]])
    assert get_strategy("knn").select(query, pool, 2)[0] == [0, 1]
    mmr = get_strategy("mmr").select(query, pool, 2)[0]
    assert mmr[0] == 0 and mmr[1] == 3
    assert get_strategy("mmr", lambda_=1.0).select(query, pool, 3)[0] == get_strategy("knn").select(query, pool, 3)[0]


def test_mmr_only_reranks_the_top_l_candidates(rng) -> None:
    pool = make_pool(rng.normal(size=(40, 8)), with_index=False)
    query = unit(rng.normal(size=(1, 8)))
    top5 = set(get_strategy("knn").select(query, pool, 5)[0])
    picked = get_strategy("mmr", lambda_=0.0, n_candidates=5).select(query, pool, 5)[0]
    assert set(picked) == top5


# --- random / long / zero-shot --------------------------------------------------------------------------

def test_random_is_deterministic_seed_dependent_and_per_query_independent(rng) -> None:
    pool = make_pool(rng.normal(size=(50, 4)))
    queries = unit(rng.normal(size=(6, 4)))
    rnd = get_strategy("random")
    a = rnd.select(queries, pool, 5, seed=11)
    assert a == rnd.select(queries, pool, 5, seed=11)
    assert a != rnd.select(queries, pool, 5, seed=12)
    assert rnd.select(queries[:3], pool, 5, seed=11) == a[:3]  # fewer queries: same picks for the first
    assert len({tuple(rows) for rows in a}) > 1  # queries do not all get the same demos
    assert rnd.select(None, pool, 5, allowed=[np.arange(50)] * 6, seed=11) == a  # vectors are not needed


def test_long_prefers_most_reasoning_steps_with_ties_in_pool_order() -> None:
    sols = ["Just 4.", "3 + 1 = 4.\nSo 4 * 2 = 8.\nThe answer is 8.", "A is 2. B is 3. Sum is 5.",
            "x.\ny.", "1.5 + 2.5 = 4. The answer is 4.", "a\nb\nc\nd"]
    assert [reasoning_steps(s) for s in sols] == [1, 3, 3, 2, 2, 4]
    pool = make_pool(np.eye(6), solutions=sols)
    assert get_strategy("long").select(unit(np.ones((1, 6))), pool, 4)[0] == [5, 1, 2, 3]


def test_vector_strategies_need_vectors() -> None:
    pool = make_pool(np.eye(3), with_index=False)
    with pytest.raises(ValueError, match="query vectors"):
        get_strategy("knn").select(None, pool, 1, allowed=[np.array([0])])


# --- index -------------------------------------------------------------------------------------------------

def test_index_save_load_roundtrip_and_metadata(tmp_path, rng) -> None:
    vecs = unit(rng.normal(size=(40, 6)))
    index = VectorIndex.build(vecs, "emb-A")
    index.save(tmp_path)
    assert {p.name for p in tmp_path.iterdir()} == {"pool.faiss", "pool.index.json"}  # no temp files left
    meta = json.loads((tmp_path / "pool.index.json").read_text())
    assert meta["embedder_id"] == "emb-A" and meta["dim"] == 6 and meta["size"] == 40 and meta["kind"] == "flat"
    assert meta["faiss_version"]
    loaded = VectorIndex.load(tmp_path, expected_embedder_id="emb-A")
    assert (loaded.size, loaded.dim, loaded.kind) == (40, 6, "flat")
    s1, r1 = index.search(vecs[:3], 5)
    s2, r2 = loaded.search(vecs[:3], 5)
    assert (r1 == r2).all() and np.allclose(s1, s2)
    assert (r1[:, 0] == [0, 1, 2]).all() and np.allclose(s1[:, 0], 1.0, atol=1e-5)  # each vector finds itself


def test_index_refuses_another_embedder_or_dimension(tmp_path, rng) -> None:
    VectorIndex.build(unit(rng.normal(size=(5, 4))), "minilm@abc").save(tmp_path)
    with pytest.raises(IndexMismatchError, match=r"minilm@abc.*mpnet@def"):
        VectorIndex.load(tmp_path, expected_embedder_id="mpnet@def")
    with pytest.raises(IndexMismatchError, match="dimension 4"):
        VectorIndex.load(tmp_path, expected_embedder_id="minilm@abc", expected_dim=8)
    assert issubclass(IndexMismatchError, ValueError)


def test_index_search_edge_cases(rng) -> None:
    empty = VectorIndex.build(np.zeros((0, 4), dtype=np.float32), "e")
    scores, rows = empty.search(unit(rng.normal(size=(2, 4))), 3)
    assert rows.shape == (2, 0) and scores.shape == (2, 0) and empty.size == 0
    small = VectorIndex.build(unit(rng.normal(size=(3, 4))), "e")
    assert small.search(unit(rng.normal(size=(1, 4))), 10)[1].shape == (1, 3)  # k clipped, no -1 padding
    with pytest.raises(ValueError, match="shape"):
        small.search(unit(rng.normal(size=(1, 5))), 1)
    with pytest.raises(ValueError, match="unknown index kind"):
        VectorIndex.build(unit(rng.normal(size=(3, 4))), "e", kind="ivf")


def test_hnsw_index_matches_exact_search_and_survives_save(tmp_path, rng) -> None:
    vecs = unit(rng.normal(size=(400, 16)))
    queries = unit(rng.normal(size=(20, 16)))
    exact = VectorIndex.build(vecs, "e", kind="flat").search(queries, 5)[1]
    hnsw = VectorIndex.build(vecs, "e", kind="hnsw")
    hnsw.save(tmp_path)
    approx = VectorIndex.load(tmp_path, "e").search(queries, 5)[1]
    recall = np.mean([len(set(a) & set(b)) / 5 for a, b in zip(exact, approx, strict=True)])
    assert recall >= 0.95 and VectorIndex.load(tmp_path, "e").kind == "hnsw"
