import numpy as np
import pytest

from retriever.index import IndexMismatchError, VectorIndex
from retriever.strategies import Pool, PoolItem, available, count_steps, get_strategy


def unit(v):
    v = np.asarray(v, dtype=np.float32)
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


def make_pool(vectors, solutions=None, problem_ids=None, with_index=True):
    vecs = unit(vectors)
    items = [PoolItem(f"p{i}", (problem_ids or ["a"] * len(vecs))[i], f"q{i}",
                      (solutions or ["s."] * len(vecs))[i], "1") for i in range(len(vecs))]
    index = VectorIndex.build(vecs, "test-emb") if with_index else None
    return Pool(items, vecs, index)


def test_registry_lists_strategies_and_rejects_unknown() -> None:
    assert {"zero-shot", "random", "long", "knn", "mmr"} <= set(available())
    with pytest.raises(ValueError, match="known"):
        get_strategy("nope")


@pytest.mark.parametrize("with_index", [True, False])
def test_knn_returns_true_nearest_first(with_index) -> None:
    rng = np.random.default_rng(0)
    pool = make_pool(rng.normal(size=(40, 8)), with_index=with_index)
    queries = unit(rng.normal(size=(3, 8)))
    got = get_strategy("knn").select(queries, pool, 5)
    want = [list(np.argsort(-(pool.vectors @ q))[:5]) for q in queries]
    assert got == want


def test_allowed_rows_are_respected() -> None:
    rng = np.random.default_rng(1)
    pool = make_pool(rng.normal(size=(20, 4)))
    queries = unit(rng.normal(size=(2, 4)))
    allowed = [np.array([3, 7, 9]), np.array([], dtype=np.int64)]
    for name in ["knn", "mmr", "random", "long"]:
        got = get_strategy(name).select(queries, pool, 2, allowed=allowed)
        assert set(got[0]) <= {3, 7, 9} and len(got[0]) == 2 and got[1] == []


def test_mmr_diversifies_where_knn_picks_duplicates() -> None:
    # two near-identical demos close to the query, one different but still relevant
    pool = make_pool([[1, 0.05, 0], [1, 0.06, 0], [0.7, 0, 0.7]], with_index=False)
    query = unit([[1, 0, 0.2]])
    assert get_strategy("knn").select(query, pool, 2)[0] == [0, 1]
    assert get_strategy("mmr", lambda_=0.5).select(query, pool, 2)[0] == [0, 2]
    assert get_strategy("mmr", lambda_=1.0).select(query, pool, 2)[0] == [0, 1]


def test_random_is_deterministic_per_seed_and_query() -> None:
    pool = make_pool(np.eye(10))
    queries = unit(np.ones((3, 10)))
    rnd = get_strategy("random")
    assert rnd.select(queries, pool, 4, seed=1) == rnd.select(queries, pool, 4, seed=1)
    assert rnd.select(queries, pool, 4, seed=1) != rnd.select(queries, pool, 4, seed=2)
    # a query's pick does not depend on how many other queries are in the batch
    assert rnd.select(queries[:1], pool, 4, seed=1)[0] == rnd.select(queries, pool, 4, seed=1)[0]


def test_long_picks_most_steps() -> None:
    sols = ["a.", "a.\nb.\nc.", "a. b.", "a.\nb.\nc.\nd."]
    pool = make_pool(np.eye(4), solutions=sols)
    assert get_strategy("long").select(unit(np.ones((1, 4))), pool, 2)[0] == [3, 1]
    assert count_steps("One. Two. Three.") == 3


def test_k_larger_than_pool_returns_what_exists() -> None:
    pool = make_pool(np.eye(3))
    assert len(get_strategy("knn").select(unit(np.ones((1, 3))), pool, 10)[0]) == 3


def test_index_roundtrip_and_embedder_mismatch(tmp_path) -> None:
    rng = np.random.default_rng(2)
    vecs = unit(rng.normal(size=(30, 6)))
    index = VectorIndex.build(vecs, "emb-A")
    index.save(tmp_path)
    loaded = VectorIndex.load(tmp_path, expected_embedder_id="emb-A")
    assert loaded.size == 30 and loaded.dim == 6
    assert (loaded.search(vecs[:2], 3)[1] == index.search(vecs[:2], 3)[1]).all()
    with pytest.raises(IndexMismatchError, match="emb-A"):
        VectorIndex.load(tmp_path, expected_embedder_id="emb-B")


def test_hnsw_agrees_with_flat_on_small_data() -> None:
    rng = np.random.default_rng(3)
    vecs = unit(rng.normal(size=(500, 16)))
    flat = VectorIndex.build(vecs, "e", kind="flat").search(vecs[:20], 5)[1]
    hnsw = VectorIndex.build(vecs, "e", kind="hnsw").search(vecs[:20], 5)[1]
    recall = np.mean([len(set(a) & set(b)) / 5 for a, b in zip(flat, hnsw, strict=True)])
    assert recall >= 0.9
