"""UDR loss, candidate sampler and ranking metrics against hand-computed values."""

from __future__ import annotations

import math

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from retriever.udr.loss import (  # noqa: E402
    inbatch_ce_loss,
    lambdarank_loss,
    predicted_positions,
    udr_loss,
)
from retriever.udr.sampler import lm_relevance, ndcg_at_k, reciprocal_rank, sample_candidates  # noqa: E402


def sp(x: float) -> float:
    return math.log1p(math.exp(x))


def test_predicted_positions_descending_ties_by_column() -> None:
    pos = predicted_positions(torch.tensor([[1.0, 2.0, 0.0], [0.5, 0.5, 0.7]]))
    assert pos.tolist() == [[2.0, 1.0, 3.0], [2.0, 3.0, 1.0]]


def test_lambdarank_matches_hand_computation() -> None:
    # LM order: col 0 best. Model scores put col 1 first: positions (2, 1, 3), 1/pos = (1/2, 1, 1/3).
    scores = torch.tensor([[1.0, 2.0, 0.0]])
    expected = (sp(1.0) * abs(1 / 2 - 1)         # pair (0, 1): s0 - s1 = -1
                + sp(-1.0) * abs(1 / 2 - 1 / 3)  # pair (0, 2): s0 - s2 = 1
                + sp(-2.0) * abs(1 - 1 / 3)) / 3  # pair (1, 2): s1 - s2 = 2
    assert float(lambdarank_loss(scores)) == pytest.approx(expected, abs=1e-6)
    assert expected == pytest.approx(0.264488, abs=1e-5)


def test_lambdarank_custom_relevance_skips_ties() -> None:
    scores = torch.tensor([[0.0, 3.0]])
    assert float(lambdarank_loss(scores, torch.tensor([[1.0, 1.0]]))) == 0.0
    # reversed relevance: col 1 is better and already on top -> log(1+e^-3) * |1 - 1/2|
    assert float(lambdarank_loss(scores, torch.tensor([[0.5, 1.0]]))) == pytest.approx(sp(-3.0) * 0.5, abs=1e-6)


def test_lambdarank_gradient_pushes_toward_lm_order() -> None:
    scores = torch.tensor([[1.0, 2.0, 0.0]], requires_grad=True)
    lambdarank_loss(scores).backward()
    g = scores.grad[0]
    assert g[0] < 0 < g[1]            # descent raises the under-ranked best, lowers the over-ranked second
    # a step of gradient descent lowers the loss and moves col 0 above col 1
    with torch.no_grad():
        stepped = scores - 5.0 * scores.grad
    assert float(lambdarank_loss(stepped)) < float(lambdarank_loss(scores.detach()))
    assert stepped[0, 0] - stepped[0, 1] > scores[0, 0].detach() - scores[0, 1].detach()


def test_lambdarank_ordered_list_still_widens_margin() -> None:
    # already perfectly ordered: loss is small but positive, gradient still favours a larger margin
    scores = torch.tensor([[3.0, 2.0, 1.0]], requires_grad=True)
    loss = lambdarank_loss(scores)
    loss.backward()
    assert 0 < float(loss.detach()) < 0.2 and scores.grad[0, 0] < 0 < scores.grad[0, 2]


def test_inbatch_ce_hand_value_and_gradient() -> None:
    q = torch.tensor([[1.0, 0.0]], requires_grad=True)
    c = torch.tensor([[[1.0, 0.0], [0.0, 1.0]]], requires_grad=True)
    loss = inbatch_ce_loss(q, c, scale=1.0)
    assert float(loss.detach()) == pytest.approx(sp(-1.0), abs=1e-6)   # -log(e / (e + 1))
    loss.backward()
    assert c.grad[0, 0, 0] < 0 and c.grad[0, 1, 0] > 0         # pull positive toward q, push negative away


def test_inbatch_ce_uses_other_queries_candidates_as_negatives() -> None:
    q = torch.eye(2)
    c = torch.tensor([[[1.0, 0.0], [0.0, 0.0]], [[0.0, 1.0], [0.0, 0.0]]])
    # query 0: logits over 4 candidates = (1, 0, 0, 0); positive is column 0
    expected = -math.log(math.e / (math.e + 3))
    assert float(inbatch_ce_loss(q, c)) == pytest.approx(expected, abs=1e-6)


def test_udr_loss_combines_terms_with_factor() -> None:
    q = torch.nn.functional.normalize(torch.tensor([[1.0, 0.2], [0.1, 1.0]]), dim=-1)
    c = torch.nn.functional.normalize(torch.randn(2, 4, 2, generator=torch.Generator().manual_seed(0)), dim=-1)
    parts = udr_loss(q, c, factor=4.0, scale=20.0)
    scores = 20.0 * torch.einsum("bd,bcd->bc", q, c)
    assert parts.rank == pytest.approx(float(lambdarank_loss(scores)), abs=1e-5)
    assert parts.ce == pytest.approx(float(inbatch_ce_loss(q, c, scale=20.0)), abs=1e-5)
    assert float(parts.total) == pytest.approx(4.0 * parts.rank + parts.ce, abs=1e-4)


@pytest.mark.parametrize("seed", range(40))
def test_sampler_top_bottom_middle_rule(seed: int) -> None:
    picks = sample_candidates(50, np.random.default_rng(seed), n=8)
    assert len(picks) == 8 and picks == sorted(picks) and len(set(picks)) == 8
    top = [p for p in picks if p < 5]
    bottom = [p for p in picks if p >= 45]
    middle = [p for p in picks if 5 <= p < 45]
    assert len(top) in (1, 2) and len(bottom) == 1 and len(middle) == 8 - len(top) - 1


def test_sampler_uses_both_top_counts_and_covers_the_middle() -> None:
    counts = {sum(p < 5 for p in sample_candidates(50, np.random.default_rng(s))) for s in range(60)}
    assert counts == {1, 2}
    seen = {p for s in range(200) for p in sample_candidates(50, np.random.default_rng(s))}
    assert seen == set(range(50))


def test_sampler_short_lists() -> None:
    assert sample_candidates(5, np.random.default_rng(0)) == [0, 1, 2, 3, 4]
    for seed in range(20):
        picks = sample_candidates(10, np.random.default_rng(seed))  # bands overlap-free but middle too small
        assert len(picks) == 8 == len(set(picks)) and all(0 <= p < 10 for p in picks)
        assert any(p >= 5 for p in picks)


def test_ndcg_and_mrr() -> None:
    rel = lm_relevance([7, 3, 9])           # 7 best
    assert rel == {7: 1.0, 3: 0.5, 9: pytest.approx(1 / 3)}
    assert ndcg_at_k([7, 3, 9], rel) == pytest.approx(1.0)
    worst = ndcg_at_k([9, 3, 7], rel)
    idcg = 1 + 0.5 / math.log2(3) + (1 / 3) / 2
    assert worst == pytest.approx(((1 / 3) + 0.5 / math.log2(3) + 1 / 2) / idcg)
    assert ndcg_at_k([9, 3, 7], rel, k=1) == pytest.approx(1 / 3)
    assert reciprocal_rank([9, 3, 7], 7) == pytest.approx(1 / 3) and reciprocal_rank([1], 7) == 0.0
