"""Checks a run config against what exists, before any stage runs or any model loads.

Pydantic checks shapes (types, ranges, unknown keys); this checks names: strategies against the registry,
models against the aliases and the file system, the benchmark against the bundled set and the file system,
and ``benchmark.fields`` keys. Each failure is one `SaicotError` sentence naming the field, what is allowed and
the closest allowed name.
"""

from __future__ import annotations

import difflib
from pathlib import Path

from pipeline.config import RunConfig
from pipeline.errors import SaicotError
from pipeline.strategies import spec


def _did_you_mean(value: str, allowed: list[str]) -> str:
    close = difflib.get_close_matches(value, allowed, n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def known_strategies() -> list[str]:
    """Every strategy name a run accepts (`pipeline.strategies`: the table and the registry)."""
    from pipeline.strategies import known

    return known()


def check_strategies(names: list[str], field: str = "retrieve.strategies") -> None:
    known = known_strategies()
    for name in names:
        if name not in known:
            raise SaicotError(f"config error: {field}: unknown strategy {name!r}; allowed: {', '.join(known)}"
                              + _did_you_mean(name, known))


def check_model(name: str, field: str) -> None:
    """An alias, an existing local path, or a hub id (``owner/name``; reachability is checked on use)."""
    from pipeline.models import REGISTRY, looks_like_hub_id

    if name in REGISTRY or Path(name).expanduser().exists() or looks_like_hub_id(name):
        return
    aliases = list(REGISTRY)
    raise SaicotError(f"config error: {field}: {name!r} is not a model alias ({', '.join(aliases)}), an existing "
                      "path or a hub id" + _did_you_mean(name, aliases))


def check_benchmark(name: str, fields: dict[str, str] | None) -> None:
    from eval.benchmarks import BENCHMARKS, FIELD_KEYS
    from eval.benchmarks.files import FILE_SUFFIXES
    from pipeline.models import looks_like_hub_id

    if name in BENCHMARKS:
        if fields:
            raise SaicotError(f"config error: benchmark.fields applies to files and hub datasets, not to the "
                              f"bundled {name!r}")
        return
    for key in fields or {}:
        if key not in FIELD_KEYS:
            raise SaicotError(f"config error: benchmark.fields: unknown key {key!r}; allowed: "
                              f"{', '.join(sorted(FIELD_KEYS))}" + _did_you_mean(key, sorted(FIELD_KEYS)))
    path = Path(name).expanduser()
    if path.exists():
        return
    if path.suffix.lower() in FILE_SUFFIXES or name.startswith((".", "/", "~")):
        raise SaicotError(f"config error: benchmark.name: file {name!r} not found")
    if not looks_like_hub_id(name):
        names = sorted(BENCHMARKS)
        raise SaicotError(f"config error: benchmark.name: {name!r} is not a bundled benchmark ({', '.join(names)}),"
                          " an existing file or a hub dataset id" + _did_you_mean(name, names))


def check_config(cfg: RunConfig, *, models: bool = True, embedder: bool = True) -> None:
    """Raise `SaicotError` on the first name in `cfg` that does not exist.

    Args:
        models: also check the LLM names (off when a test or another backend supplies the engines).
        embedder: also check the embedder name (off when the embedder is supplied).
    """
    check_strategies(cfg.retrieve.strategies)
    if "ensemble" in cfg.retrieve.strategies:
        check_strategies(cfg.retrieve.ensemble, "retrieve.ensemble")
        voters = [m for m in cfg.retrieve.ensemble if not spec(m).member]
        if voters:
            raise SaicotError(f"retrieve.ensemble: members vote with one answer each; {', '.join(voters)} "
                              "cannot be members (they vote themselves)")
    check_benchmark(cfg.benchmark.name, cfg.benchmark.fields)
    if models:
        check_model(cfg.generator.model, "generator.model")
        check_model(cfg.solver.model, "solver.model")
        if cfg.sample.model:
            check_model(cfg.sample.model, "sample.model")
    if embedder:
        check_model(cfg.index.embedder, "index.embedder")
