"""The HTTP side of the OpenAI backend: endpoint choice, retries with backoff, and errors that name the server.

Retry semantics (one request):

* retried: HTTP 408, 429 and 5xx, timeouts, connection errors (refused, reset, torn responses) and 200s whose
  body is not JSON; each retry goes to the least-loaded endpoint (healthy ones first), so with several servers
  a dead one is routed around;
* never retried: any other 4xx (a bad request stays bad) -> `EndpointError` at once;
* waits: exponential from `backoff_s`, doubling, plus up to `backoff_s` of random jitter, capped at
  `backoff_max_s`; a larger ``Retry-After`` (capped too) wins;
* after `max_retries` retries: `EndpointError` naming the endpoint(s) and the last failure.

An `abort` event (set when another request of the same batch failed for good) stops waiting early.
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from pipeline.errors import SaicotError

RETRY_STATUS = {408, 429}


class EndpointError(SaicotError):
    """A request failed for good: a non-retryable 4xx, or retries exhausted against a server."""


class _Retryable(Exception):
    def __init__(self, url: str, kind: str, reason: str, retry_after: float | None = None) -> None:
        super().__init__(f"{url}: {reason}")
        self.url, self.kind, self.reason, self.retry_after = url, kind, reason, retry_after


@dataclass(frozen=True)
class RetryPolicy:
    """Timeouts and retries of one request (see the module docstring)."""

    timeout_s: float = 600.0
    max_retries: int = 6
    backoff_s: float = 1.0
    backoff_max_s: float = 60.0

    def wait(self, retry: int, retry_after: float | None = None) -> float:
        """Seconds to wait before retry number `retry` (1-based)."""
        wait = self.backoff_s * 2 ** (retry - 1) + random.uniform(0, self.backoff_s)
        if retry_after is not None:
            wait = max(wait, retry_after)
        return min(wait, self.backoff_max_s)


def normalize_url(url: str) -> str:
    """``http://host:8000`` -> ``http://host:8000/v1``; a URL with a path is kept (minus a trailing slash)."""
    url = url.rstrip("/")
    rest = url.split("://", 1)[-1]
    return url if "/" in rest else url + "/v1"


class Endpoints:
    """Spreads requests over base URLs: fewest in flight first, healthy before failing, then round-robin."""

    def __init__(self, urls: list[str]) -> None:
        if not urls:
            raise SaicotError("the openai backend needs at least one base URL (engine.base_urls)")
        self.urls = [normalize_url(u) for u in urls]
        self._lock = threading.Lock()
        self._inflight = dict.fromkeys(self.urls, 0)
        self._failing = dict.fromkeys(self.urls, 0)  # consecutive failures
        self._last = dict.fromkeys(self.urls, -1)
        self._tick = 0
        self.sent: Counter[str] = Counter()  # attempts per endpoint

    @contextmanager
    def lease(self) -> Iterator[str]:
        with self._lock:
            url = min(self.urls, key=lambda u: (self._failing[u] > 0, self._inflight[u], self._last[u]))
            self._inflight[url] += 1
            self._last[url] = self._tick
            self._tick += 1
            self.sent[url] += 1
        try:
            yield url
        finally:
            with self._lock:
                self._inflight[url] -= 1

    def report(self, url: str, ok: bool) -> None:
        with self._lock:
            self._failing[url] = 0 if ok else self._failing[url] + 1


class HttpClient:
    """POSTs JSON to one of several OpenAI-compatible servers with timeouts and retries.

    Args:
        urls: base URLs (``.../v1``).
        policy: timeouts and retries.
        api_key: sent as ``Authorization: Bearer ...`` (held in memory only).
        max_connections: connection pool size (the engine's concurrency).
    """

    def __init__(self, urls: list[str], policy: RetryPolicy, api_key: str | None = None,
                 max_connections: int = 16) -> None:
        import httpx

        self.endpoints = Endpoints(urls)
        self.policy = policy
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.Client(timeout=httpx.Timeout(policy.timeout_s), headers=headers,
                                    limits=httpx.Limits(max_connections=max_connections,
                                                        max_keepalive_connections=max_connections))
        self._lock = threading.Lock()
        self.stats: Counter[str] = Counter()  # "requests", "retries", "failed", "retry:<kind>"

    def post(self, path: str, body: dict[str, Any], abort: threading.Event | None = None) -> tuple[str, Any]:
        """POST `body` to ``<endpoint><path>``; returns (endpoint, parsed JSON). Raises `EndpointError`."""
        from tenacity import RetryError, Retrying, retry_if_exception_type, stop_after_attempt, stop_when_event_set

        abort = abort or threading.Event()
        stop = stop_after_attempt(self.policy.max_retries + 1) | stop_when_event_set(abort)
        tried: list[str] = []

        def wait(state: Any) -> float:
            return self.policy.wait(state.attempt_number, getattr(state.outcome.exception(), "retry_after", None))

        def count(state: Any) -> None:  # called only when a retry follows
            self._count("retries", f"retry:{getattr(state.outcome.exception(), 'kind', 'other')}")

        retrying = Retrying(stop=stop, wait=wait, retry=retry_if_exception_type(_Retryable), before_sleep=count,
                            sleep=abort.wait, reraise=False)
        self._count("requests")
        try:
            for attempt in retrying:
                with attempt:
                    return self._once(path, body, tried)
        except RetryError as err:
            last = err.last_attempt.exception()
            self._count("failed")
            where = ", ".join(dict.fromkeys(tried))
            raise EndpointError(
                f"OpenAI server {where} failed {len(tried)} time(s) for POST {path} (last: {last.reason}); "
                "check that it is up, then re-run the same command: finished records are kept") from None
        raise AssertionError("unreachable")  # pragma: no cover

    def close(self) -> None:
        self._client.close()

    # -- internals ------------------------------------------------------------------------------------
    def _count(self, *keys: str) -> None:
        with self._lock:
            for key in keys:
                self.stats[key] += 1

    def _once(self, path: str, body: dict[str, Any], tried: list[str]) -> tuple[str, Any]:
        import httpx

        with self.endpoints.lease() as url:
            tried.append(url)
            try:
                response = self._client.post(url + path, json=body)
                data = _check(url, path, response)
            except httpx.TimeoutException:
                self.endpoints.report(url, ok=False)
                raise _Retryable(url, "timeout", f"no answer within {self.policy.timeout_s:g} s") from None
            except httpx.TransportError as exc:
                self.endpoints.report(url, ok=False)
                raise _Retryable(url, "connection", f"connection error ({type(exc).__name__}: {exc})") from None
            except _Retryable:
                self.endpoints.report(url, ok=False)
                raise
            self.endpoints.report(url, ok=True)
            return url, data


def _check(url: str, path: str, response: Any) -> Any:
    """The parsed body of a 2xx; `_Retryable` for 408/429/5xx/garbled JSON; `EndpointError` for other 4xx."""
    code = response.status_code
    if code in RETRY_STATUS or code >= 500:
        raise _Retryable(url, f"http{code}", f"HTTP {code} {_snippet(response)}", _retry_after(response))
    if code >= 400:
        raise EndpointError(f"OpenAI server {url} refused POST {path}: HTTP {code} {_snippet(response)} "
                            "(not retried: the request itself is wrong; check engine.served_model and the config)")
    try:
        return response.json()
    except ValueError:
        raise _Retryable(url, "garbled", "the response body is not JSON") from None


def _snippet(response: Any) -> str:
    text = " ".join(response.text.split())
    return text[:300] + ("..." if len(text) > 300 else "")


def _retry_after(response: Any) -> float | None:
    try:
        return float(response.headers.get("retry-after", ""))
    except ValueError:
        return None
