"""The openai backend against an in-process fake server: retries, no-retry 4xx, endpoints, engine plumbing."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from pipeline.config import EngineConfig, load_config
from pipeline.engines import stage_dtype
from pipeline.engines.base import Engine, Request, Sampling, generate_all
from pipeline.engines.openai_engine import OpenAIEngine
from pipeline.engines.openai_http import EndpointError, HttpClient, RetryPolicy, normalize_url
from pipeline.errors import SaicotError
from tests.helpers.fake_openai import FakeOpenAI

FAST = RetryPolicy(timeout_s=2.0, max_retries=3, backoff_s=0.01, backoff_max_s=0.05)


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    server = FakeOpenAI()
    yield server
    server.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def engine_on(tiny_model_dir, urls: list[str], **kw) -> OpenAIEngine:
    client = HttpClient(urls, kw.pop("policy", FAST), api_key=kw.pop("api_key", None))
    return OpenAIEngine(str(tiny_model_dir), name="tiny", served_model="tiny-served", client=client,
                        show_progress=False, **kw)


def test_400_is_not_retried_and_names_the_endpoint(fake: FakeOpenAI) -> None:
    fake.status = 400
    client = HttpClient([fake.url], FAST)
    with pytest.raises(EndpointError) as err:
        client.post("/completions", {"prompt": [1]})
    assert fake.calls == 1
    assert fake.url in str(err.value) and "400" in str(err.value) and "not retried" in str(err.value)
    assert client.stats["retries"] == 0


@pytest.mark.parametrize("status", [429, 500, 503])
def test_retryable_status_then_success(fake: FakeOpenAI, status: int) -> None:
    fake.script = [status, status]
    client = HttpClient([fake.url], FAST)
    url, data = client.post("/completions", {"prompt": [1, 2], "seed": 5})
    assert url == fake.url and data["choices"][0]["text"].startswith("2:5:")
    assert fake.calls == 3 and client.stats["retries"] == 2 and client.stats[f"retry:http{status}"] == 2


def test_retries_exhausted_gives_a_clear_error(fake: FakeOpenAI) -> None:
    fake.status = 503
    client = HttpClient([fake.url], FAST)
    with pytest.raises(EndpointError) as err:
        client.post("/completions", {"prompt": [1]})
    assert fake.calls == FAST.max_retries + 1
    assert fake.url in str(err.value) and "HTTP 503" in str(err.value) and "re-run" in str(err.value)


def test_connection_refused_and_timeouts_are_retried_then_reported() -> None:
    dead = f"http://127.0.0.1:{free_port()}/v1"
    client = HttpClient([dead], FAST)
    with pytest.raises(EndpointError, match=dead):
        client.post("/completions", {"prompt": [1]})
    assert client.stats["retry:connection"] == FAST.max_retries

    slow = FakeOpenAI(delay_s=0.5)
    try:
        client = HttpClient([slow.url], RetryPolicy(timeout_s=0.1, max_retries=1, backoff_s=0.01))
        with pytest.raises(EndpointError, match="no answer within 0.1 s"):
            client.post("/completions", {"prompt": [1]})
        assert slow.calls == 2
    finally:
        slow.close()


def test_requests_spread_over_endpoints_and_route_around_a_dead_one(fake: FakeOpenAI) -> None:
    other = FakeOpenAI()
    try:
        client = HttpClient([fake.url, other.url], FAST)
        for _ in range(6):
            client.post("/completions", {"prompt": [1]})
        assert fake.calls == 3 and other.calls == 3
        dead = f"http://127.0.0.1:{free_port()}/v1"
        client = HttpClient([dead, fake.url], FAST)
        for _ in range(4):
            assert client.post("/completions", {"prompt": [1]})[0] == fake.url
        assert client.endpoints.sent[dead] == 1  # failed once, then healthy endpoints go first
    finally:
        other.close()


def test_base_url_normalization() -> None:
    assert normalize_url("http://h:8000") == "http://h:8000/v1"
    assert normalize_url("http://h:8000/v1/") == "http://h:8000/v1"
    assert normalize_url("https://h/api/v1") == "https://h/api/v1"


def test_engine_sends_token_ids_seeds_n_and_stop(tiny_model_dir, fake: FakeOpenAI) -> None:
    engine = engine_on(tiny_model_dir, [fake.url])
    assert isinstance(engine, Engine)
    prompts = [engine.apply_chat_template([{"role": "user", "content": f"Tom has {i} apples."}]) for i in range(5)]
    results = generate_all(engine, [Request(p, seed=10 + i) for i, p in enumerate(prompts)],
                           Sampling(n=2, temperature=0.5, max_tokens=7, stop=("\n\n",)))
    for i, (prompt, result) in enumerate(zip(prompts, results, strict=True)):
        n_ids = engine.count_tokens(prompt)  # chat-templated: BOS already in the text, none added
        assert result.n_prompt_tokens == n_ids
        assert [c.text for c in result.completions] == [f"{n_ids}:{10 + i}:0", f"{n_ids}:{10 + i}:1"]
        assert all(c.n_tokens == 3 for c in result.completions)
    body = fake.bodies[0]
    assert body["model"] == "tiny-served" and body["n"] == 2 and body["max_tokens"] == 7
    assert body["stop"] == ["\n\n"] and isinstance(body["prompt"], list) and fake.paths[0] == "/v1/completions"


def test_failure_mid_batch_yields_finished_results_then_raises(tiny_model_dir, fake: FakeOpenAI) -> None:
    fake.script = [200, 200, 400]
    engine = engine_on(tiny_model_dir, [fake.url], max_concurrency=1)
    got = []
    with pytest.raises(EndpointError, match="400"):
        for i, _ in engine.generate([Request(f"q{i}") for i in range(6)], Sampling(max_tokens=4)):
            got.append(i)
    assert got == [0, 1] and fake.calls == 3  # queued requests were dropped, not sent


def test_loglikelihood_from_prompt_logprobs_and_clear_error_without(tiny_model_dir, fake: FakeOpenAI) -> None:
    engine = engine_on(tiny_model_dir, [fake.url])
    (nll,) = engine.loglikelihood([("Tom has", " 3 apples and 4 pears")])
    span = engine.count_tokens(" 3 apples and 4 pears")
    assert nll > 0 and fake.bodies[-1]["prompt_logprobs"] == 0
    ids = fake.bodies[-1]["prompt"]
    want = sum(0.5 * (1 + (pos - 1) % 2) for pos in range(len(ids) - span, len(ids))) / span
    assert nll == pytest.approx(want)
    fake.prompt_logprobs = False
    with pytest.raises(EndpointError, match="prompt_logprobs"):
        engine.loglikelihood([("Tom has", " 3 apples")])


def test_chat_endpoint_sends_messages(tiny_model_dir, fake: FakeOpenAI) -> None:
    engine = engine_on(tiny_model_dir, [fake.url], endpoint="chat")
    prompt = engine.apply_chat_template([{"role": "user", "content": "hi"}])
    (result,) = generate_all(engine, [Request(prompt, seed=1)], Sampling(n=2))
    assert [c.text for c in result.completions] == ["re:hi:0", "re:hi:1"] and result.n_prompt_tokens == 11
    assert fake.paths == ["/v1/chat/completions"] and fake.bodies[0]["messages"][-1]["content"] == "hi"
    with pytest.raises(SaicotError, match="apply_chat_template"):
        generate_all(engine, [Request("raw text")], Sampling())


def test_api_key_from_env_var_is_sent_and_never_in_config(tiny_model_dir, fake: FakeOpenAI,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = load_config(None, overrides=["engine.backend=openai", f"engine.base_urls=[{fake.url}]",
                                       "engine.api_key_env=SAICOT_TEST_KEY"]).engine
    with pytest.raises(SaicotError, match="SAICOT_TEST_KEY"):
        OpenAIEngine.from_config(str(tiny_model_dir), cfg)
    monkeypatch.setenv("SAICOT_TEST_KEY", "sk-secret")
    engine = OpenAIEngine.from_config(str(tiny_model_dir), cfg, show_progress=False)
    generate_all(engine, [Request("x")], Sampling())
    assert fake.headers[0]["Authorization"] == "Bearer sk-secret"
    assert fake.bodies[0]["model"] == str(tiny_model_dir)  # default served name: the config's model
    assert "sk-secret" not in cfg.model_dump_json()


def test_config_validation_and_stage_dtype() -> None:
    with pytest.raises(SaicotError, match="base_urls"):
        load_config(None, overrides=["engine.backend=openai"])
    with pytest.raises(SaicotError, match="http"):
        load_config(None, overrides=["engine.backend=openai", "engine.base_urls=[localhost:8000]"])
    assert stage_dtype(EngineConfig(backend="openai", base_urls=["http://h/v1"], dtype="float32")) == "float32"
    assert stage_dtype(EngineConfig(backend="openai", base_urls=["http://h/v1"])) == "auto"
