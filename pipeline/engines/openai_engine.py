"""The `openai` engine: the same `Engine` interface over one or many OpenAI-compatible servers (`vllm serve`).

Prompts are rendered and tokenized here, with the model's own tokenizer, and sent to ``/v1/completions`` as
token ids: the server sees exactly the tokens the offline engine would, so greedy records match it and
`count_tokens`/`apply_chat_template` cost no round trip. With ``endpoint: chat`` the messages go to
``/v1/chat/completions`` instead and the server renders them with its own template.

Requests run on a bounded thread pool (`max_concurrency`) and are yielded as each finishes, so the stages
store every finished record at once; when a request fails for good (see `pipeline.engines.openai_http`), the
requests still in flight finish and are yielded, queued ones are dropped, and the `EndpointError` propagates:
re-running resumes with only the missing records.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from typing import Any

from pipeline.config import EngineConfig
from pipeline.engines.base import Completion, GenerationResult, Request, Sampling, encode_prompt, scoring_ids
from pipeline.engines.openai_http import EndpointError, HttpClient, RetryPolicy
from pipeline.engines.progress import progress
from pipeline.errors import SaicotError

_MAX_CHAT_MEMO = 100_000


class OpenAIEngine:
    """An `Engine` backed by OpenAI-compatible HTTP servers.

    Args:
        tokenizer_path: local model directory (or hub id) whose tokenizer and chat template render prompts.
        name: identity recorded in outputs (the model identity, as for the offline engine).
        served_model: the model name the servers know it by.
        client: the retrying HTTP client over the base URLs.
        endpoint: "completions" (token-id prompts, rendered locally) or "chat".
        max_model_len: the servers' context length.
        max_concurrency: requests in flight at once.
    """

    def __init__(self, tokenizer_path: str, *, name: str, served_model: str, client: HttpClient,
                 endpoint: str = "completions", max_model_len: int = 4096, max_concurrency: int = 16,
                 show_progress: bool = True) -> None:
        from transformers import AutoTokenizer

        self.name = name
        self.served_model = served_model
        self.client = client
        self.endpoint = endpoint
        self.max_model_len = max_model_len
        self.max_concurrency = max_concurrency
        self.show_progress = show_progress
        self._tokenizer = AutoTokenizer.from_pretrained(tokenizer_path)
        self._messages: dict[str, list[dict[str, str]]] = {}  # rendered prompt -> messages (chat endpoint)

    @classmethod
    def from_config(cls, model: str, cfg: EngineConfig, *, show_progress: bool = True) -> OpenAIEngine:
        """Build the engine for config model `model` (alias or path), reading the API key from its env var."""
        import os

        from pipeline import models

        api_key = None
        if cfg.api_key_env:
            api_key = os.environ.get(cfg.api_key_env)
            if not api_key:
                raise SaicotError(f"engine.api_key_env names {cfg.api_key_env}, but that environment variable "
                                  "is not set: export it (the key is never written to the config or records)")
        served = cfg.served_model
        if isinstance(served, dict):
            served = served.get(model)
        policy = RetryPolicy(timeout_s=cfg.timeout_s, max_retries=cfg.max_retries, backoff_s=cfg.backoff_s,
                             backoff_max_s=cfg.backoff_max_s)
        client = HttpClient(cfg.base_urls, policy, api_key=api_key, max_connections=cfg.max_concurrency)
        return cls(models.resolve(model), name=models.model_identity(model), served_model=served or model,
                   client=client, endpoint=cfg.endpoint, max_model_len=cfg.max_model_len,
                   max_concurrency=cfg.max_concurrency, show_progress=show_progress)

    # -- text utilities (local) -----------------------------------------------------------------------
    def apply_chat_template(self, messages: list[dict[str, str]]) -> str:
        text = self._tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
        if self.endpoint == "chat":
            if len(self._messages) >= _MAX_CHAT_MEMO:
                self._messages.clear()
            self._messages[text] = [dict(m) for m in messages]
        return text

    def count_tokens(self, text: str) -> int:
        return len(self._tokenizer.encode(text, add_special_tokens=False))

    # -- generation -----------------------------------------------------------------------------------
    def generate(self, requests: Sequence[Request], sampling: Sampling) -> Iterator[tuple[int, GenerationResult]]:
        yield from self._run(len(requests), lambda i, abort: self._generate_one(requests[i], sampling, abort),
                             desc="requests")

    def loglikelihood(self, pairs: Sequence[tuple[str, str]]) -> list[float]:
        prepared = [scoring_ids(self._tokenizer, prompt, continuation, self.max_model_len)
                    for prompt, continuation in pairs]
        nll = [0.0] * len(pairs)
        for index, value in self._run(len(pairs), lambda i, abort: self._score_one(*prepared[i], abort),
                                      desc="score"):
            nll[index] = value
        return nll

    def close(self) -> None:
        self.client.close()

    # -- one request ----------------------------------------------------------------------------------
    def _sampling_body(self, sampling: Sampling, seed: int) -> dict[str, Any]:
        body: dict[str, Any] = {"model": self.served_model, "n": sampling.n, "temperature": sampling.temperature,
                                "top_p": sampling.top_p, "max_tokens": sampling.max_tokens, "seed": seed,
                                "return_token_ids": True}  # vLLM extra: exact token counts per sample
        if sampling.stop:
            body["stop"] = list(sampling.stop)
        return body

    def _generate_one(self, req: Request, sampling: Sampling, abort: threading.Event) -> GenerationResult:
        body = self._sampling_body(sampling, req.seed)
        if self.endpoint == "chat":
            messages = self._messages.get(req.prompt)
            if messages is None:
                raise SaicotError("engine.endpoint chat can only send prompts built by this engine's "
                                  "apply_chat_template; use endpoint completions for raw prompts")
            _, data = self.client.post("/chat/completions", {**body, "messages": messages}, abort)
            texts = [(c, (c.get("message") or {}).get("content") or "") for c in _choices(data)]
            n_prompt = int((data.get("usage") or {}).get("prompt_tokens") or 0)
        else:
            ids = encode_prompt(self._tokenizer, req.prompt)
            _, data = self.client.post("/completions", {**body, "prompt": ids}, abort)
            texts = [(c, c.get("text") or "") for c in _choices(data)]
            n_prompt = len(ids)
        usage = data.get("usage") or {}
        completions = []
        for choice, text in texts:
            if choice.get("token_ids") is not None:
                n_tokens = len(choice["token_ids"])
            elif len(texts) == 1 and usage.get("completion_tokens") is not None:
                n_tokens = int(usage["completion_tokens"])
            else:  # a server without per-sample token ids: count locally
                n_tokens = self.count_tokens(text)
            completions.append(Completion(text=text, n_tokens=n_tokens, finish_reason=choice.get("finish_reason")))
        if len(completions) != sampling.n:
            raise EndpointError(f"the server returned {len(completions)} samples where n={sampling.n} was asked")
        return GenerationResult(completions, n_prompt_tokens=n_prompt)

    def _score_one(self, ids: list[int], span: int, abort: threading.Event) -> float:
        body = {"model": self.served_model, "prompt": ids, "max_tokens": 1, "temperature": 0.0,
                "prompt_logprobs": 0}  # vLLM extra: the logprob of every prompt token
        url, data = self.client.post("/completions", body, abort)
        choices = _choices(data)
        logprobs = choices[0].get("prompt_logprobs") if choices else None
        if not logprobs or len(logprobs) != len(ids):
            raise EndpointError(f"OpenAI server {url} returned no prompt logprobs: log-likelihood scoring needs a "
                                "server that supports the `prompt_logprobs` request field (vLLM's `vllm serve` "
                                "does); use the vllm backend for scoring otherwise")
        total = 0.0
        for pos in range(len(ids) - span, len(ids)):
            entry = (logprobs[pos] or {}).get(str(ids[pos]))
            if entry is None:
                raise EndpointError(f"OpenAI server {url}: prompt logprobs lack token {ids[pos]} at position {pos}")
            total -= float(entry["logprob"] if isinstance(entry, dict) else entry)
        return total / span

    # -- the pool -------------------------------------------------------------------------------------
    def _run(self, total: int, work: Callable[[int, threading.Event], Any], desc: str) -> Iterator[tuple[int, Any]]:
        """Run `work(i, abort)` for every i on the pool; yield (i, result) as each finishes.

        On the first failure: set `abort` (retries waiting elsewhere give up), drop queued work, keep yielding
        what still finishes, then raise the failure.
        """
        if total == 0:
            return
        abort = threading.Event()

        def guarded(i: int) -> Any:
            if abort.is_set():
                raise _Skipped
            try:
                return work(i, abort)
            except BaseException:
                abort.set()  # at once, before this worker takes the next queued request
                raise

        pool = ThreadPoolExecutor(max_workers=min(self.max_concurrency, total), thread_name_prefix="openai")
        futures: dict[Future[Any], int] = {pool.submit(guarded, i): i for i in range(total)}
        bar = progress(total, desc, self.show_progress)
        error: BaseException | None = None
        try:
            for fut in as_completed(futures):
                if fut.cancelled():
                    continue
                exc = fut.exception()
                if exc is not None:
                    if error is None and not isinstance(exc, _Skipped):
                        error = exc
                        for other in futures:
                            other.cancel()
                    continue
                bar.update(1)
                yield futures[fut], fut.result()
            if error is not None:
                raise error
        finally:
            abort.set()  # the consumer stopped early or we failed: nothing more is worth retrying
            pool.shutdown(wait=False, cancel_futures=True)
            bar.close()


class _Skipped(Exception):
    """A queued request not sent because another one of its batch failed for good."""


def _choices(data: Any) -> list[dict[str, Any]]:
    if not isinstance(data, dict) or not isinstance(data.get("choices"), list):
        raise EndpointError("the OpenAI server's response has no 'choices' list")
    return sorted(data["choices"], key=lambda c: c.get("index", 0))
