"""A tiny random Llama with a byte-level BPE tokenizer, built offline in seconds.

vLLM's CPU backend needs a supported head size (32 here: hidden 64 / 2 heads). The weights are random, so
its text is gibberish, but every code path (chat template, sampling, `n`, logprobs) is real.
"""

from __future__ import annotations

import random
from pathlib import Path

CHAT_TEMPLATE = (
    "{{ bos_token }}{% for m in messages %}<|{{ m['role'] }}|>\n{{ m['content'] }}<|end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|assistant|>\n{% endif %}"
)
SPECIAL = ["<s>", "</s>", "<pad>", "<|end|>"]
# The tiny engine, its `vllm serve` and its run configs all run float32. Its random weights give near-uniform
# next-token distributions, so bf16's batch-dependent rounding (a server batches requests differently from the
# offline engine) flips sampled tokens: CI once saw one token differ between the two engines' generator output.
# float32 rounding is ~1e5 times smaller, and the tests comparing two engines record for record rely on that.
TINY_DTYPE = "float32"


def _corpus(n: int = 400) -> list[str]:
    rng = random.Random(0)
    words = "apples pears sold bought each total how many dollars more than twice half the answer is step".split()
    lines = []
    for _ in range(n):
        a, b = rng.randint(1, 99), rng.randint(1, 99)
        lines.append(f"Tom has {a} {rng.choice(words)} and {b} {rng.choice(words)}. {a} + {b} = {a + b}. "
                     f"The answer is {a + b}. <|user|> <|assistant|> <|system|>")
    return lines


def build_tiny_llama(directory: Path, vocab_size: int = 512, seed: int = 0) -> Path:
    """Write a tiny random LlamaForCausalLM and its tokenizer to `directory` and return it."""
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    directory.mkdir(parents=True, exist_ok=True)
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=SPECIAL,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(_corpus(), trainer=trainer)
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, bos_token="<s>", eos_token="</s>", pad_token="<pad>")
    fast.chat_template = CHAT_TEMPLATE
    fast.save_pretrained(directory)

    torch.manual_seed(seed)
    config = LlamaConfig(
        vocab_size=tok.get_vocab_size(), hidden_size=64, intermediate_size=128, num_hidden_layers=2,
        num_attention_heads=2, num_key_value_heads=2, max_position_embeddings=4096,
        bos_token_id=fast.bos_token_id, eos_token_id=fast.eos_token_id, pad_token_id=fast.pad_token_id,
        tie_word_embeddings=False,
    )
    model = LlamaForCausalLM(config).to(torch.bfloat16)
    model.save_pretrained(directory, safe_serialization=True)
    return directory


def tiny_run_overrides(model: Path) -> list[str]:
    """Config overrides for a whole pipeline run on the tiny model that finishes in seconds on a CPU."""
    return [
        f"generator.model={model}", f"solver.model={model}", "benchmark.limit=3", "generator.k=2",
        "generator.max_tokens=48", "sample.n=2", "sample.max_tokens=24", "sample.self_consistency=false",
        "solver.max_tokens=24", "engine.max_model_len=4096", f"engine.dtype={TINY_DTYPE}", "retrieve.k=2",
        "retrieve.strategies=[zero-shot, knn, mmr]",
    ]
