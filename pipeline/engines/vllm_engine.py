"""The vLLM offline engine (`vllm.LLM`) behind the `Engine` interface, with CPU-friendly defaults.

Example:
    >>> engine = VLLMEngine("/path/to/model")            # doctest: +SKIP
    >>> prompt = engine.apply_chat_template([{"role": "user", "content": "2+2?"}])
    >>> for i, result in engine.generate([prompt], Sampling(n=4, temperature=0.7)):
    ...     print(i, [c.text for c in result.completions])
    >>> engine.close()
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from pipeline.engines.base import Completion, GenerationResult, Request, Sampling, encode_prompt, scoring_ids
from pipeline.engines.cpu import CPU_ENV_DEFAULTS, cpu_thread_binding, pick_dtype
from pipeline.engines.progress import progress


@dataclass
class VLLMEngine:
    """The vLLM offline engine (`vllm.LLM`) with CPU-friendly defaults.

    Args:
        model: local model directory (or hub id where a hub is reachable).
        name: identity recorded in outputs and cache keys (defaults to `model`).
        max_model_len: context length to reserve KV cache for.
        dtype: weights/activations dtype; "auto" picks bf16 only on CPUs with native bf16 (see `pick_dtype`).
        enforce_eager: skip graph capture (starts much faster on CPU).
        engine_kwargs: anything else for `vllm.LLM(...)`; wins over the defaults above.
        score_prefix_cache: let `loglikelihood` read the prefix cache. vLLM turns prefix caching off for
            requests with `prompt_logprobs` (cached positions return none), but only the continuation's
            logprobs are needed, and it sits at the end; with this on, prompts are sent sorted so that those
            sharing a prefix (UDR's pairs of one demo) follow each other, and any whose continuation was
            cached is scored again without the cache. Measured in `bench/udr_prefix_cache.py`.
    """

    model: str
    name: str = ""
    max_model_len: int = 4096
    dtype: str = "auto"
    enforce_eager: bool = True
    engine_kwargs: dict[str, Any] = field(default_factory=dict)
    show_progress: bool = True
    score_prefix_cache: bool = False
    score_stats: dict[str, int] = field(default_factory=lambda: {"prompt_tokens": 0, "cached_tokens": 0,
                                                                 "rescored": 0})

    def __post_init__(self) -> None:
        for key, value in CPU_ENV_DEFAULTS.items():
            os.environ.setdefault(key, value)
        binding = cpu_thread_binding()
        if binding is not None:
            os.environ.setdefault("VLLM_CPU_OMP_THREADS_BIND", binding)
        if os.path.isdir(self.model):
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
        self.name = self.name or self.model
        from vllm import LLM  # heavy: ~6-10 s

        kwargs: dict[str, Any] = {
            "model": self.model,
            "dtype": pick_dtype(self.dtype),
            "max_model_len": self.max_model_len,
            "enforce_eager": self.enforce_eager,
            "enable_prefix_caching": True,
            # vLLM 0.32 on CPU crashes ("CPU Generator does not use offset") when a request with its own
            # seed is prefilled in chunks; whole-prompt prefill avoids it (tests/integration pin this).
            "enable_chunked_prefill": False,
            "max_num_batched_tokens": max(self.max_model_len, 4096),
            "seed": 0,
        }
        kwargs.update(self.engine_kwargs)
        self._llm = LLM(**kwargs)
        self._tokenizer = self._llm.get_tokenizer()
        self._counter = 0

    # -- text utilities -------------------------------------------------------------------------------
    def apply_chat_template(self, messages: list[dict[str, str]]) -> str:
        return self._tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)

    def count_tokens(self, text: str) -> int:
        return len(self._tokenizer.encode(text, add_special_tokens=False))

    # -- generation -----------------------------------------------------------------------------------
    def generate(self, requests: Sequence[Request], sampling: Sampling) -> Iterator[tuple[int, GenerationResult]]:
        from vllm import SamplingParams

        if not requests:
            return
        params = [
            SamplingParams(
                n=sampling.n,
                temperature=sampling.temperature,
                top_p=sampling.top_p,
                max_tokens=sampling.max_tokens,
                stop=list(sampling.stop) or None,
                seed=req.seed,
            )
            for req in requests
        ]
        prompts = [{"prompt_token_ids": encode_prompt(self._tokenizer, r.prompt)} for r in requests]
        for index, output in self._run(prompts, params, desc="requests"):
            completions = [
                Completion(text=c.text, n_tokens=len(c.token_ids), finish_reason=c.finish_reason)
                for c in sorted(output.outputs, key=lambda c: c.index)
            ]
            yield index, GenerationResult(completions, n_prompt_tokens=len(output.prompt_token_ids or []))

    def loglikelihood(self, pairs: Sequence[tuple[str, str]]) -> list[float]:
        prompts, spans = [], []
        for prompt, continuation in pairs:
            ids, span = scoring_ids(self._tokenizer, prompt, continuation, self.max_model_len)
            prompts.append(ids)
            spans.append(span)
        nll: list[float | None] = [None] * len(pairs)
        order = list(range(len(pairs)))
        if self.score_prefix_cache:  # neighbours share prefixes; a cached continuation comes back as None
            order.sort(key=lambda i: prompts[i])
            for i, value in self._score([prompts[i] for i in order], [spans[i] for i in order], read_cache=True):
                nll[order[i]] = value
            order = [i for i, value in enumerate(nll) if value is None]
            self.score_stats["rescored"] += len(order)
        for i, value in self._score([prompts[i] for i in order], [spans[i] for i in order], read_cache=False):
            nll[order[i]] = value
        missing = [i for i, v in enumerate(nll) if v is None]
        if missing:
            raise RuntimeError(f"vLLM returned no prompt logprobs for {len(missing)} of {len(pairs)} pairs")
        return [float(v) for v in nll if v is not None]

    def _score(self, prompts: list[list[int]], spans: list[int], *, read_cache: bool
               ) -> Iterator[tuple[int, float | None]]:
        """Mean NLL of each prompt's last `span` tokens (None where the cache left a position without logprobs)."""
        from vllm import SamplingParams

        if not prompts:
            return
        params = SamplingParams(max_tokens=1, temperature=0.0, prompt_logprobs=0, detokenize=False,
                                skip_reading_prefix_cache=not read_cache)
        inputs = [{"prompt_token_ids": ids} for ids in prompts]
        for index, output in self._run(inputs, [params] * len(inputs), desc="score"):
            ids, logprobs, span = output.prompt_token_ids, output.prompt_logprobs or [], spans[index]
            self.score_stats["prompt_tokens"] += len(ids)
            self.score_stats["cached_tokens"] += output.num_cached_tokens or 0
            # `prompt_logprobs` is [None, position 1, ..., position n-1], but with c positions read from the
            # cache it is [None, position c+1, ..., n-1]: align from the end.
            total = 0.0
            for pos in range(len(ids) - span, len(ids)):
                at = len(logprobs) - (len(ids) - pos)
                entry = logprobs[at] if at >= 1 else None
                if entry is None or ids[pos] not in entry:
                    yield index, None
                    break
                total -= entry[ids[pos]].logprob
            else:
                yield index, total / span

    def reset_prefix_cache(self) -> None:
        """Drop every cached prefix (benchmarks compare cold runs)."""
        self._llm.reset_prefix_cache()

    def close(self) -> None:
        """Shut the engine core down (avoids a logging error at interpreter exit) and free memory."""
        llm = getattr(self, "_llm", None)
        if llm is None:
            return
        try:
            llm.llm_engine.engine_core.shutdown()
        except Exception:  # noqa: BLE001 - best effort at teardown
            pass
        self._llm = None
        import gc

        gc.collect()

    # -- internals ------------------------------------------------------------------------------------
    def _run(self, prompts: list[Any], params: list[Any], desc: str) -> Iterator[tuple[int, Any]]:
        """Enqueue everything at once, then step the engine, yielding outputs as they finish."""
        if self._llm is None:
            raise RuntimeError("engine is closed")
        engine = self._llm.llm_engine
        ids = self._llm.enqueue(prompts, params, use_tqdm=False)
        # enqueue() returns internal ids ("7-1a2b3c"); step() reports the external part ("7").
        index_of = {rid.split("-", 1)[0]: i for i, rid in enumerate(ids)}
        bar = progress(len(ids), desc, self.show_progress)
        try:
            while engine.has_unfinished_requests():
                for output in engine.step():
                    if output.finished and output.request_id in index_of:
                        bar.update(1)
                        yield index_of[output.request_id], output
        finally:
            if engine.has_unfinished_requests():  # the consumer stopped early: drop what is left
                engine.abort_request(list(ids), internal=True)
            bar.close()
