"""The vLLM engine interface on a real engine (tiny random Llama, CPU)."""

from __future__ import annotations

import pytest

from pipeline.engines.base import Engine, Request, Sampling, generate_all
from tests.conftest import needs_vllm

pytestmark = [needs_vllm, pytest.mark.vllm]


def test_engine_satisfies_protocol(tiny_engine) -> None:
    assert isinstance(tiny_engine, Engine)


def test_batched_generation_with_n_samples(tiny_engine) -> None:
    prompts = [tiny_engine.apply_chat_template([{"role": "user", "content": f"Tom has {i} apples."}])
               for i in range(5)]
    results = generate_all(tiny_engine, [Request(p, seed=i) for i, p in enumerate(prompts)],
                           Sampling(n=4, temperature=1.0, max_tokens=12))
    assert len(results) == 5
    for prompt, result in zip(prompts, results, strict=True):
        assert len(result.completions) == 4
        assert all(0 < c.n_tokens <= 12 for c in result.completions)
        assert result.n_prompt_tokens == tiny_engine.count_tokens(prompt)
    # sampling at temperature 1 from a random model gives distinct samples
    assert len({c.text for c in results[0].completions}) > 1


def test_per_request_seed_makes_results_independent_of_batch(tiny_engine) -> None:
    sampling = Sampling(n=2, temperature=1.0, max_tokens=10)
    alone = generate_all(tiny_engine, [Request("The answer is", seed=7)], sampling)[0]
    batch = generate_all(tiny_engine, [Request("Tom has", seed=1), Request("The answer is", seed=7)], sampling)
    assert batch[1].completions == alone.completions
    other_seed = generate_all(tiny_engine, [Request("The answer is", seed=8)], sampling)[0]
    assert other_seed.completions != alone.completions


def test_many_seeded_requests_beyond_one_prefill_step(tiny_engine) -> None:
    """Regression: seeded requests whose prompts overflow one step's token budget crashed vLLM CPU."""
    requests = [Request(f"Tom has {i} apples and " + "more apples " * 150, seed=i) for i in range(60)]
    results = generate_all(tiny_engine, requests, Sampling(n=2, temperature=0.8, max_tokens=4))
    assert len(results) == 60 and all(len(r.completions) == 2 for r in results)


def test_greedy_is_deterministic_and_respects_max_tokens(tiny_engine) -> None:
    sampling = Sampling(temperature=0.0, max_tokens=5)
    a = generate_all(tiny_engine, [Request("Tom has 3 apples")], sampling)[0]
    b = generate_all(tiny_engine, [Request("Tom has 3 apples")], sampling)[0]
    assert a == b and a.completions[0].n_tokens <= 5


def test_chat_template_and_token_count(tiny_engine) -> None:
    text = tiny_engine.apply_chat_template([{"role": "user", "content": "hi"}])
    assert text.endswith("<|assistant|>\n") and "<|user|>\nhi" in text
    assert tiny_engine.count_tokens("Tom has 3 apples") > 0


def test_loglikelihood_matches_transformers(tiny_engine, tiny_model_dir) -> None:
    from tests.helpers.reference_nll import transformers_mean_nll

    pairs = [("Tom has 3 apples and", " 4 pears. The answer is 7."), ("The answer", " is 12.")]
    got = tiny_engine.loglikelihood(pairs)
    assert got == pytest.approx(transformers_mean_nll(tiny_model_dir, pairs), abs=1e-2)
    assert all(x > 0 for x in got)


def test_scoring_with_the_prefix_cache_gives_the_same_nlls(tiny_engine) -> None:
    """Pairs sharing a long demo prefix (UDR's case), and a long continuation scored twice (the second time its
    full KV blocks come from the cache and carry no logprobs, so it must be scored again without it)."""
    demo = " ".join(f"Ana has {i} apples and buys {i + 2} more, so she has {2 * i + 2}." for i in range(12))
    pairs = [(f"{demo}\nQuestion: Ben has {n} pens.", f" The answer is {n + 1}.") for n in range(6)]
    pairs += [pairs[2], ("Question: Tom has pears.", demo * 2)]
    tiny_engine.reset_prefix_cache()
    plain = tiny_engine.loglikelihood(pairs)
    assert tiny_engine.score_stats["cached_tokens"] == 0  # without the flag nothing is read from the cache
    tiny_engine.reset_prefix_cache()
    tiny_engine.score_prefix_cache = True
    try:
        cached = tiny_engine.loglikelihood(pairs)
        stats = dict(tiny_engine.score_stats)
        again = tiny_engine.loglikelihood(pairs)  # everything in the cache now: the fallback path
    finally:
        tiny_engine.score_prefix_cache = False
    assert stats["cached_tokens"] > 0
    assert tiny_engine.score_stats["rescored"] > stats["rescored"]
    assert cached == pytest.approx(plain, abs=1e-3) and again == pytest.approx(plain, abs=1e-3)
    assert plain[2] == pytest.approx(plain[6], abs=1e-4)
