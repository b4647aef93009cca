"""The LLM engine interface the stages use: requests, sampling, results and the `Engine` protocol.

Stages never talk to vLLM directly: they call an :class:`Engine`. That keeps the stages testable with a
fake engine and lets the OpenAI-compatible server backend (`pipeline.engines.openai_engine`) plug in behind
the same five methods as the vLLM offline engine (`pipeline.engines.vllm_engine`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable


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


def _starts_with_special(prompt: str, tokenizer: Any) -> bool:
    specials = [t for t in (getattr(tokenizer, "bos_token", None),) if t]
    specials += [t for t in getattr(tokenizer, "all_special_tokens", []) if t]
    return any(prompt.startswith(t) for t in specials)
