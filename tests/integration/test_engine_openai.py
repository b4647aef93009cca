"""The openai backend against a real `vllm serve` (CPU, tiny random Llama) on loopback, with and without faults.

One server for the session (`vllm_server`); fault-injection proxies (`tests.helpers.fault_proxy`) sit in
front of it. Every run is compared with an offline-engine run of the same config: same stage directories
(keys), same record lines, one line per record.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.config import load_config
from pipeline.engines import openai_factory
from pipeline.errors import SaicotError
from pipeline.runner import RunHooks, run_pipeline
from tests.conftest import needs_vllm
from tests.helpers.fault_proxy import KINDS, FaultProxy
from tests.helpers.tiny_model import tiny_run_overrides

# the server alone takes ~60 s to start
pytestmark = [needs_vllm, pytest.mark.vllm, pytest.mark.slow]
STAGE_FILES = [("generate", "generated.jsonl"), ("sample", "solutions.jsonl"), ("solve", "predictions.jsonl")]
TIMEOUT_S = 4.0  # short, so the fault test's stalls (TIMEOUT_S + 1) time out quickly
NO_TIMEOUT_S = 120.0  # for counting tests: a slow answer on a loaded machine must not turn into a retry
PAIRS = [("Tom has 3 apples and", " 4 pears. The answer is 7."), ("The answer", " is 12.")]


def openai_overrides(model: Path, urls: list[str], timeout_s: float = TIMEOUT_S) -> list[str]:
    return tiny_run_overrides(model) + [
        "engine.backend=openai", f"engine.base_urls=[{', '.join(urls)}]",
        "engine.max_concurrency=4", f"engine.timeout_s={timeout_s}", "engine.max_retries=8",
        "engine.backoff_s=0.05", "engine.backoff_max_s=0.5",
    ]


def stage_lines(run_dir: Path) -> dict[str, list[str]]:
    """Every LLM stage file (path relative to the run, so stage keys count) -> its record lines, sorted."""
    return {str(p.relative_to(run_dir)): sorted(p.read_text().splitlines())
            for stage, name in STAGE_FILES for p in run_dir.glob(f"{stage}/*/{name}")}


def n_records(run_dir: Path) -> int:
    return sum(len(lines) for lines in stage_lines(run_dir).values())


def n_sent(run_dir: Path) -> int:
    """Records that took a request: all but the solve answers reused from an equal greedy prompt."""
    return sum(1 for lines in stage_lines(run_dir).values() for line in lines if '"reused_from"' not in line)


def openai_run(model: Path, urls: list[str], run_dir: Path, timeout_s: float = TIMEOUT_S) -> list:
    """Run the pipeline through the openai backend; return the engines it built (their client stats)."""
    engines = []

    def factory(name, cfg):
        engines.append(openai_factory(name, cfg))
        return engines[-1]

    run_pipeline(load_config(None, overrides=openai_overrides(model, urls, timeout_s), run_dir=run_dir),
                 RunHooks(engine_factory=factory))
    return engines


def openai_engine(model: Path, urls: list[str]):
    return openai_factory(str(model), load_config(None, overrides=openai_overrides(model, urls)).engine)


@pytest.fixture
def reference(tiny_reference_run: Path) -> Path:
    """The same run on the offline engine."""
    return tiny_reference_run


@pytest.fixture
def proxies(vllm_server) -> Iterator[list[FaultProxy]]:
    made: list[FaultProxy] = []
    yield made
    for proxy in made:
        proxy.close()


def test_records_and_loglikelihood_match_the_offline_engine(reference, vllm_server, tiny_engine, tiny_model_dir,
                                                            tmp_path) -> None:
    engines = openai_run(tiny_model_dir, [vllm_server.url], tmp_path, NO_TIMEOUT_S)
    want = stage_lines(reference)
    assert stage_lines(tmp_path) == want and n_records(tmp_path) >= 12
    assert engines[0].client.stats["retries"] == 0

    engine = openai_engine(tiny_model_dir, [vllm_server.url])
    try:
        assert engine.loglikelihood(PAIRS) == pytest.approx(tiny_engine.loglikelihood(PAIRS), abs=1e-3)
    finally:
        engine.close()


def test_thirty_percent_faults_on_two_endpoints_lose_and_duplicate_nothing(reference, vllm_server, tiny_engine,
                                                                           tiny_model_dir, proxies, tmp_path) -> None:
    proxies += [FaultProxy(vllm_server.port, rate=0.3, seed=seed, stall_s=TIMEOUT_S + 1) for seed in (1, 2)]
    urls = [p.url for p in proxies]
    engines = openai_run(tiny_model_dir, urls, tmp_path)
    assert stage_lines(tmp_path) == stage_lines(reference)  # same keys, same records, one line each
    # more traffic through the same faults: scoring 20 pairs
    scorer = openai_engine(tiny_model_dir, urls)
    engines.append(scorer)
    pairs = [(f"Tom has {i} apples and", f" {i + 1} pears.") for i in range(20)]
    try:
        assert scorer.loglikelihood(pairs) == pytest.approx(tiny_engine.loglikelihood(pairs), abs=1e-3)
    finally:
        scorer.close()
    faults = {kind: sum(p.counts[kind] for p in proxies) for kind in KINDS}
    stats = sum((e.client.stats for e in engines), start=Counter())
    retries = stats["retries"]
    print(f"\nfault test: records {n_records(tmp_path)} (reference {n_records(reference)}); "
          f"requests per endpoint {[sum(p.counts.values()) for p in proxies]}; faults {faults}; "
          f"client stats {dict(stats)}")
    assert all(p.counts["pass"] > 0 for p in proxies), "both endpoints must receive requests"
    assert all(faults[kind] > 0 for kind in KINDS) and retries >= sum(faults.values())


def test_server_down_stops_with_the_endpoint_then_resume_finishes_only_the_rest(reference, vllm_server,
                                                                                tiny_model_dir, proxies,
                                                                                tmp_path) -> None:
    proxy = FaultProxy(vllm_server.port)
    proxies.append(proxy)
    proxy.down_after = 5  # five requests get through, then the server is gone for good
    with pytest.raises(SaicotError) as err:
        openai_run(tiny_model_dir, [proxy.url], tmp_path, NO_TIMEOUT_S)
    assert proxy.url in str(err.value) and "re-run" in str(err.value)
    done = n_sent(tmp_path)
    assert done == proxy.counts["pass"] == 5  # every answered request was stored, once

    proxy.down = False
    proxy.counts.clear()
    openai_run(tiny_model_dir, [proxy.url], tmp_path, NO_TIMEOUT_S)
    assert stage_lines(tmp_path) == stage_lines(reference)
    assert n_sent(reference) < n_records(reference)  # empty pool: knn's and mmr's prompts are zero-shot's
    assert proxy.counts["pass"] == n_sent(reference) - done  # only what was missing, each distinct prompt once
