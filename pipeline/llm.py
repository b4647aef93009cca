"""The LLM engine interface the stages use, and its implementation on the vLLM offline engine.

Stages never talk to vLLM directly: they call an :class:`Engine`. That keeps the stages testable with a
fake engine and lets the OpenAI-compatible server backend plug in behind the same five methods.

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
from typing import Any, Protocol, runtime_checkable

from pipeline.cpu import CPU_ENV_DEFAULTS, cpu_thread_binding, pick_dtype
from pipeline.progress import progress


@dataclass(frozen=True)
class Sampling:
    """Sampling parameters shared by every engine.

    `seed` is combined with the prompt's position so each prompt's samples are reproducible on their own,
    whatever else is in the batch (a resumed run sends fewer prompts than the original one).
    """

    n: int = 1
    temperature: float = 0.0
    top_p: float = 1.0
    max_tokens: int = 512
    stop: tuple[str, ...] = ()
    seed: int = 0

    def as_dict(self) -> dict[str, Any]:
        """Plain fields, for cache keys and records."""
        return {"n": self.n, "temperature": self.temperature, "top_p": self.top_p,
                "max_tokens": self.max_tokens, "stop": list(self.stop), "seed": self.seed}


def truncated(finish_reason: str | None) -> bool:
    """A completion stopped by the token limit (``max_tokens``) rather than by the model."""
    return finish_reason == "length"


@dataclass(frozen=True)
class Completion:
    """One sampled continuation."""

    text: str
    n_tokens: int
    finish_reason: str | None = None


@dataclass(frozen=True)
class GenerationResult:
    """The `n` completions of one prompt and what the prompt cost."""

    completions: list[Completion]
    n_prompt_tokens: int = 0


@dataclass(frozen=True)
class Request:
    """A prompt with its own seed (so that results do not depend on the batch it travels in)."""

    prompt: str
    seed: int = 0


@runtime_checkable
class Engine(Protocol):
    """What every stage needs from a language model."""

    name: str
    max_model_len: int

    def generate(self, requests: Sequence[Request], sampling: Sampling) -> Iterator[tuple[int, GenerationResult]]:
        """Submit all requests at once; yield `(index, result)` as each one finishes (any order)."""
        ...

    def apply_chat_template(self, messages: list[dict[str, str]]) -> str:
        """Render chat messages into the model's prompt text, ready for the assistant's turn."""
        ...

    def count_tokens(self, text: str) -> int:
        """Number of tokens of `text` (no special tokens added)."""
        ...

    def loglikelihood(self, pairs: Sequence[tuple[str, str]]) -> list[float]:
        """Mean negative log-likelihood per token of each continuation given its prompt (lower is better)."""
        ...

    def close(self) -> None:
        """Free the model's memory and processes."""
        ...


def encode_prompt(tokenizer: Any, prompt: str) -> list[int]:
    """Token ids of a prompt as both engines send it.

    Chat-templated prompts already carry their special tokens; plain prompts get the BOS if the tokenizer adds
    one. Tokenizing on our side (not the server's) lets loglikelihood split prompt from continuation.
    """
    return tokenizer.encode(prompt, add_special_tokens=not _starts_with_special(prompt, tokenizer))


def scoring_ids(tokenizer: Any, prompt: str, continuation: str, max_model_len: int) -> tuple[list[int], int]:
    """Token ids of prompt + continuation for scoring, and how many trailing ids (the continuation) to score.

    Too long for the context, the ids keep their end (the continuation matters, the prompt's start least).
    """
    head = encode_prompt(tokenizer, prompt)
    tail = tokenizer.encode(continuation, add_special_tokens=False)
    if not tail:
        raise ValueError("loglikelihood needs a non-empty continuation")
    ids = (head + tail)[-max_model_len + 1:]
    return ids, min(len(tail), len(ids) - 1)


def generate_all(engine: Engine, requests: Sequence[Request], sampling: Sampling) -> list[GenerationResult]:
    """Convenience: run `engine.generate` and return results in request order."""
    out: list[GenerationResult | None] = [None] * len(requests)
    for i, result in engine.generate(requests, sampling):
        out[i] = result
    return [r for r in out if r is not None]


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
    """

    model: str
    name: str = ""
    max_model_len: int = 4096
    dtype: str = "auto"
    enforce_eager: bool = True
    engine_kwargs: dict[str, Any] = field(default_factory=dict)
    show_progress: bool = True

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
        from vllm import SamplingParams

        prompts, spans = [], []
        for prompt, continuation in pairs:
            ids, span = scoring_ids(self._tokenizer, prompt, continuation, self.max_model_len)
            prompts.append({"prompt_token_ids": ids})
            spans.append(span)
        params = SamplingParams(max_tokens=1, temperature=0.0, prompt_logprobs=0, detokenize=False)
        nll = [0.0] * len(pairs)
        for index, output in self._run(prompts, [params] * len(prompts), desc="score"):
            ids = output.prompt_token_ids
            logprobs = output.prompt_logprobs
            span = spans[index]
            total = 0.0
            for pos in range(len(ids) - span, len(ids)):
                total -= logprobs[pos][ids[pos]].logprob
            nll[index] = total / span
        return nll

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


def _starts_with_special(prompt: str, tokenizer: Any) -> bool:
    specials = [t for t in (getattr(tokenizer, "bos_token", None),) if t]
    specials += [t for t in getattr(tokenizer, "all_special_tokens", []) if t]
    return any(prompt.startswith(t) for t in specials)
