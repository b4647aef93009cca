"""The UDR training loop: a small torch loop over a `SentenceTransformer` module, on CPU.

Why not `SentenceTransformerTrainer`: each step needs, per query, 8 candidates *re-sampled every epoch* from
its LM-ranked list (top/middle/bottom rule) and a loss over the whole (queries x candidates) block (list-wise
rank term + in-batch CE across all queries' candidates). The trainer's loss API sees fixed dataset columns
and would need the dataset rebuilt every epoch and a custom collator anyway; the loop here is ~60 lines,
deterministic under a seed and has no `accelerate`/`datasets` start-up cost. The model stays an ordinary
`SentenceTransformer`, saved and loaded with sentence-transformers.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from retriever._cpu import limit_torch_threads
from retriever.udr.loss import udr_loss
from retriever.udr.sampler import sample_candidates


@dataclass(frozen=True)
class TrainSettings:
    """Optimisation settings of one mining round.

    Attributes:
        epochs: passes over the training lists per round.
        batch_size: queries per step (each brings `n_sample` candidates: batch_size * (1 + n_sample) texts).
        lr: AdamW learning rate (linear warm-up over `warmup` of the steps, then linear decay).
        n_sample: candidates per query and step (UDR: 8).
        factor: weight of the rank term (UDR: 4).
        scale: dot-product multiplier for unit-norm embeddings (see `udr_loss`).
        max_seq_length: token cap while training (short texts keep CPU steps fast).
        seed: sampling, shuffling and dropout seed.
    """

    epochs: int = 2
    batch_size: int = 8
    lr: float = 3e-5
    n_sample: int = 8
    factor: float = 4.0
    scale: float = 20.0
    max_seq_length: int = 128
    warmup: float = 0.1
    weight_decay: float = 0.01
    seed: int = 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class RankedList:
    """One training query: its text and its candidates' texts, best (lowest LM NLL) first."""

    query: str
    candidates: tuple[str, ...]


@dataclass(frozen=True)
class EpochStats:
    epoch: int
    loss: float
    rank: float
    ce: float
    steps: int
    seconds: float


def embed_for_training(model: Any, texts: Sequence[str], instruction: str) -> Any:
    """Unit-norm embeddings with gradients (the same normalisation `Embedder.encode` applies)."""
    import torch.nn.functional as F

    prep = getattr(model, "preprocess", None) or model.tokenize  # sentence-transformers >= 6 renamed it
    features = prep([instruction + t for t in texts])
    device = next(model.parameters()).device
    features = {k: v.to(device) if hasattr(v, "to") else v for k, v in features.items()}
    return F.normalize(model(features)["sentence_embedding"], dim=-1)


def train_encoder(model: Any, lists: Sequence[RankedList], settings: TrainSettings, *, instruction: str = "",
                  epoch_offset: int = 0, on_epoch: Callable[[EpochStats], None] | None = None) -> list[EpochStats]:
    """Train `model` (a `SentenceTransformer`, in place) on LM-ranked lists; returns per-epoch statistics.

    Lists with fewer than 2 candidates carry no ranking signal and are skipped.
    """
    import torch

    limit_torch_threads()
    usable = [r for r in lists if len(r.candidates) >= 2]
    if not usable:
        return []
    torch.manual_seed(settings.seed + epoch_offset)
    steps_per_epoch = math.ceil(len(usable) / settings.batch_size)
    total_steps = steps_per_epoch * settings.epochs
    warm = max(1, int(settings.warmup * total_steps))
    optimizer = torch.optim.AdamW(model.parameters(), lr=settings.lr, weight_decay=settings.weight_decay)
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min((s + 1) / warm, max(0.0, (total_steps - s) / max(1, total_steps - warm))))
    old_len = model.max_seq_length
    model.max_seq_length = min(old_len, settings.max_seq_length)
    model.train()
    stats: list[EpochStats] = []
    try:
        for epoch in range(settings.epochs):
            rng = np.random.default_rng([settings.seed, epoch_offset + epoch])
            order = rng.permutation(len(usable))
            start, sums, steps = time.perf_counter(), np.zeros(3), 0
            for b in range(0, len(order), settings.batch_size):
                batch = [usable[i] for i in order[b:b + settings.batch_size]]
                picks = [sample_candidates(len(r.candidates), rng, n=settings.n_sample) for r in batch]
                width = min(len(p) for p in picks)  # equal widths per step (short lists are rare)
                cand_texts = [batch[i].candidates[j] for i, p in enumerate(picks) for j in p[:width]]
                q = embed_for_training(model, [r.query for r in batch], instruction)
                c = embed_for_training(model, cand_texts, instruction).reshape(len(batch), width, -1)
                parts = udr_loss(q, c, factor=settings.factor, scale=settings.scale)
                optimizer.zero_grad()
                parts.total.backward()
                torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
                optimizer.step()
                scheduler.step()
                sums += (float(parts.total.detach()), parts.rank, parts.ce)
                steps += 1
            mean = sums / max(1, steps)
            stat = EpochStats(epoch=epoch_offset + epoch, loss=float(mean[0]), rank=float(mean[1]),
                              ce=float(mean[2]), steps=steps, seconds=time.perf_counter() - start)
            stats.append(stat)
            if on_epoch is not None:
                on_epoch(stat)
    finally:
        model.max_seq_length = old_len
        model.eval()
    return stats
