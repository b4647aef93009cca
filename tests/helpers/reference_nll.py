"""The reference for `Engine.loglikelihood`: the same mean token NLL computed directly with transformers."""

from __future__ import annotations

from pathlib import Path


def transformers_mean_nll(model_dir: str | Path, pairs: list[tuple[str, str]]) -> list[float]:
    """Mean negative log-likelihood of each continuation's tokens given its prompt (float32)."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32)
    out = []
    for prompt, cont in pairs:
        head = tok.encode(prompt, add_special_tokens=True)
        tail = tok.encode(cont, add_special_tokens=False)
        ids = torch.tensor([head + tail])
        with torch.no_grad():
            logprobs = torch.log_softmax(model(ids).logits[0, :-1].float(), dim=-1)
        token_lp = logprobs[torch.arange(ids.shape[1] - 1), ids[0, 1:]][-len(tail):]
        out.append(-token_lp.mean().item())
    return out
