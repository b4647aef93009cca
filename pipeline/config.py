"""The run config: one YAML file, validated by pydantic, every field defaulted.

Unknown keys and bad values fail with the dotted name of the field, e.g.
``config error: solver.temperature: Input should be greater than or equal to 0``.

Example:
    >>> cfg = load_config(None, overrides=["solver.model=smollm2-135m", "benchmark.limit=5"])
    >>> cfg.solver.model, cfg.benchmark.limit
    ('smollm2-135m', 5)
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from pipeline.errors import SaicotError
from pipeline.strategies import DEFAULT_ENSEMBLE, DEFAULT_STRATEGIES

DEFAULT_MODEL = "qwen2.5-coder-0.5b"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class BenchmarkConfig(_Section):
    """Which problems to solve: a bundled benchmark name, a local file or a hub dataset id."""

    name: str = "gsm8k"
    split: str = "test"
    limit: int | None = Field(20, ge=1, description="first N problems; null for all")
    fields: dict[str, str] | None = Field(None, description="column mapping for files: question/gold/id")


class EngineConfig(_Section):
    """How models are served. `vllm` is the offline engine; `openai` a compatible server (docs/serving.md)."""

    backend: Literal["vllm", "openai"] = "vllm"
    max_model_len: int = Field(4096, ge=256)
    dtype: str = Field("auto", description="auto: bf16 where the CPU has native bf16, else float32; for "
                       "openai: what the server runs (stage keys only), so keys match offline runs of that dtype")
    kv_cache_gib: float = Field(2.0, gt=0, description="vLLM CPU KV cache (VLLM_CPU_KVCACHE_SPACE)")
    enforce_eager: bool = True
    extra: dict[str, Any] = Field(default_factory=dict, description="passed to vllm.LLM(...) as is")
    # -- backend openai ------------------------------------------------------------------------------
    base_urls: list[str] = Field(default_factory=list, description="OpenAI-compatible servers, e.g. "
                                 "http://node1:8000/v1; requests go to the least-loaded one")
    served_model: str | dict[str, str] | None = Field(
        None, description="model name on the server; a mapping config model -> served name; null = the "
        "config's model name as written")
    api_key_env: str | None = Field(None, description="environment variable holding the API key (never stored)")
    endpoint: Literal["completions", "chat"] = Field(
        "completions", description="completions: prompts rendered locally with the model's chat template "
        "(records match the offline engine); chat: the server renders the messages")
    max_concurrency: int = Field(16, ge=1, le=1024, description="requests in flight at once, all endpoints")
    timeout_s: float = Field(600.0, gt=0, description="per-request timeout (connect, read or write)")
    max_retries: int = Field(6, ge=0, le=100, description="retries after the first attempt (429, 5xx, timeouts, "
                             "connection errors); other 4xx are never retried")
    backoff_s: float = Field(1.0, gt=0, description="first retry wait; doubles each retry, with jitter")
    backoff_max_s: float = Field(60.0, gt=0, description="cap of one retry wait")

    @model_validator(mode="after")
    def _check_openai(self) -> EngineConfig:
        if self.backend == "openai" and not self.base_urls:
            raise ValueError("backend openai needs engine.base_urls (e.g. [http://localhost:8000/v1])")
        for url in self.base_urls:
            if not url.startswith(("http://", "https://")):
                raise ValueError(f"base_urls: {url!r} must start with http:// or https://")
        return self


class GeneratorConfig(_Section):
    """The question generator: writes `k` similar questions per test question."""

    model: str = DEFAULT_MODEL
    k: int = Field(3, ge=1, le=32)
    temperature: float = Field(0.8, ge=0)
    top_p: float = Field(0.95, gt=0, le=1)
    max_tokens: int = Field(256, ge=16)
    near_copy_threshold: float = Field(0.85, gt=0, le=1)
    # defaults from bench/generator_prompts.py on GSM8K test 300-399 (qwen2.5-coder-0.5b): single + chat kept
    # ~65% of the asked questions (list/system, the old default: 57%). Prefill, re-measured 2026-12-04 once its
    # trailing space was removed (see prompts.generate.reply_start): kept 0.64 vs 0.65 without, topicality 0.355
    # vs 0.372, asks 0.88 vs 0.86 -- equal within noise; with the space it was 0.66 / 0.488 / 0.68, 75% digit-first
    style: Literal["list", "single"] = Field(
        "single", description="list: k numbered problems in one reply; single: one problem per reply, sampled k times")
    example: Literal["system", "chat", "none"] = Field(
        "chat", description="where the worked example goes: system message, a chat turn before the request, none")
    prefill: bool | Literal["with-space"] = Field(
        True, description='start the reply for the model ("1." or "New problem:"); with-space: "New problem: ", '
        "the reference study's pools (made before the trailing space was found to force digits), kept so that "
        "their stage cache is reused")


class SampleConfig(_Section):
    """Chain-of-thought solutions for the generated questions (the demo pool)."""

    model: str | None = Field(None, description="pool solver; null = solver.model")
    n: int = Field(2, ge=1, le=64)
    temperature: float = Field(0.7, ge=0)
    top_p: float = Field(0.95, gt=0, le=1)
    max_tokens: int = Field(256, ge=16)
    self_consistency: bool = True
    min_agreement: float = Field(
        0.6, ge=0, le=1,
        description="share of samples that must agree with the majority answer (0.6: both of n=2, 2 of n=3)")
    questions_only: bool = Field(
        False, description="keep only generated problems that ask something (a '?' or a sentence starting "
        "with an imperative such as 'Calculate'); off keeps statements and equations the generator wrote")


class IndexConfig(_Section):
    """Embedding and FAISS index of the pool."""

    embedder: str = "minilm-l6"
    text: Literal["question", "question+solution"] = "question"


class RetrieveConfig(_Section):
    """Demonstration selection."""

    strategies: list[str] = Field(default_factory=lambda: list(DEFAULT_STRATEGIES), min_length=1)
    k: int = Field(2, ge=0, le=64, description="demos per test question (before packing); 2 keeps CPU prompts short")
    scope: Literal["own", "global"] = "global"
    mmr_lambda: float = Field(0.5, ge=0, le=1)
    gate_quantile: float = Field(
        0.5, ge=0, le=1, description="knn-gated: share of test questions, those with the least similar demos, "
        "answered without demos")
    sc_samples: int = Field(5, ge=2, le=64, description="self-consistency: samples per question (majority vote)")
    sc_temperature: float = Field(0.7, gt=0, description="self-consistency: sampling temperature")
    ensemble: list[str] = Field(
        default_factory=lambda: list(DEFAULT_ENSEMBLE), min_length=2,
        description="ensemble: the strategies whose answers it votes over (first listed wins ties)")


class SolverConfig(_Section):
    """The solver that answers the test questions."""

    model: str = DEFAULT_MODEL
    n: int = Field(1, ge=1, le=64, description="samples per question; >1 means majority vote")
    temperature: float = Field(0.0, ge=0)
    top_p: float = Field(1.0, gt=0, le=1)
    max_tokens: int = Field(400, ge=16)
    prompt_budget: int | None = Field(None, ge=64, description="prompt tokens; null = context - max_tokens")
    extend_shorter: bool = Field(False, description="grow answers from a solve stage that answered the same "
                                 "prompts under a smaller max_tokens: continue only the samples it cut "
                                 "(pipeline.stages.extend); the records say which")
    instruction: Literal["auto", "saicot", "qwen-math"] = Field(
        "auto", description="solve instruction (prompts.solve.INSTRUCTIONS); auto: the solver family's default. "
        "The pool's solutions use the same one, so demos and answers share a format")


class RunConfig(_Section):
    """A whole run."""

    run_dir: Path = Path("runs/default")
    seed: int = 0
    benchmark: BenchmarkConfig = BenchmarkConfig()
    engine: EngineConfig = EngineConfig()
    generator: GeneratorConfig = GeneratorConfig()
    sample: SampleConfig = SampleConfig()
    index: IndexConfig = IndexConfig()
    retrieve: RetrieveConfig = RetrieveConfig()
    solver: SolverConfig = SolverConfig()

    @model_validator(mode="after")
    def _check_budget(self) -> RunConfig:
        if self.solver.max_tokens >= self.engine.max_model_len:
            raise ValueError("solver.max_tokens must be smaller than engine.max_model_len")
        return self

    @property
    def pool_model(self) -> str:
        """The model that samples the pool's solutions."""
        return self.sample.model or self.solver.model

    def to_yaml(self) -> str:
        """The resolved config, every default written out (saved in the run directory)."""
        return yaml.safe_dump(self.model_dump(mode="json"), sort_keys=False)


def read_yaml(path: Path | str, what: str) -> dict[str, Any]:
    """A YAML file holding a mapping (empty file: {}), or one `SaicotError` line naming `what` and the path."""
    try:
        loaded = yaml.safe_load(Path(path).read_text())
    except FileNotFoundError:
        raise SaicotError(f"{what} not found: {path}") from None
    except (OSError, yaml.YAMLError) as exc:
        raise SaicotError(f"{what} {path} is not valid YAML: {exc}") from None
    if loaded is not None and not isinstance(loaded, dict):
        raise SaicotError(f"{what} {path} must hold a mapping of sections")
    return loaded or {}


def apply_overrides(data: dict[str, Any], overrides: Sequence[str]) -> None:
    """Apply ``--set section.field=value`` items (values parsed as YAML) to `data` in place."""
    for item in overrides:
        if "=" not in item:
            raise SaicotError(f"--set expects field=value, got '{item}'")
        dotted, raw = item.split("=", 1)
        _set_dotted(data, dotted.strip(), raw.strip())


def _set_dotted(data: dict[str, Any], dotted: str, raw: str) -> None:
    keys = dotted.split(".")
    node = data
    for key in keys[:-1]:
        node = node.setdefault(key, {})
        if not isinstance(node, dict):
            raise SaicotError(f"config error: --set {dotted}: '{key}' is not a section")
    node[keys[-1]] = yaml.safe_load(raw) if raw != "" else None


def _format_errors(err: ValidationError, source: str) -> str:
    lines = []
    for e in err.errors():
        where = ".".join(str(p) for p in e["loc"]) or "(top level)"
        lines.append(f"{where}: {e['msg']}")
    return f"config error in {source}: " + "; ".join(lines)


def load_config(path: Path | str | None = None, *, overrides: list[str] | None = None,
                run_dir: Path | None = None) -> RunConfig:
    """Read a YAML config (or the defaults), apply ``field.sub=value`` overrides and validate.

    Raises:
        SaicotError: naming the file and every bad field.
    """
    if path is None:
        return build_config({}, overrides=overrides, run_dir=run_dir)
    return build_config(read_yaml(path, "config file"), overrides=overrides, run_dir=run_dir, source=str(path))


def build_config(data: dict[str, Any], *, overrides: list[str] | None = None, run_dir: Path | None = None,
                 source: str = "defaults") -> RunConfig:
    """Validate a config mapping after applying overrides (the mapping is not modified)."""
    import copy

    data = copy.deepcopy(data)
    apply_overrides(data, overrides or [])
    if run_dir is not None:
        data["run_dir"] = str(run_dir)
    try:
        return RunConfig.model_validate(data)
    except ValidationError as err:
        raise SaicotError(_format_errors(err, source)) from None
