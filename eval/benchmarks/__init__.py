"""Benchmark loading: bundled math benchmarks, local files and hub datasets, as ``Problem`` records.

Bundled benchmarks live in the repository's ``data/`` directory (byte-for-byte copies of the upstream files,
see ``data/README.md``) and never touch the network. Anything else is a local JSON/JSONL/CSV/TSV/Parquet file
or a Hugging Face hub dataset id, mapped onto a problem with ``fields``.

Examples:
    >>> from eval.benchmarks import load
    >>> problems = load("gsm8k", limit=2)
    >>> problems[0].id, problems[0].gold
    ('gsm8k-test-00000', '18')
    >>> mine = load("my.csv", fields={"question": "problem", "gold": "answer"})  # doctest: +SKIP
"""

from __future__ import annotations

import difflib
import json
import math
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eval.benchmarks import formats as fmt
from eval.benchmarks.files import FILE_SUFFIXES, DatasetError, read_file, read_hub

__all__ = ["BENCHMARKS", "BenchmarkSpec", "DatasetError", "Problem", "data_dir", "list_benchmarks", "load"]


@dataclass(frozen=True)
class Problem:
    """One test problem. ``gold`` is a string; ``meta`` is JSON-serialisable (level, subject, choices)."""

    id: str
    question: str
    gold: str
    benchmark: str
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class BenchmarkSpec:
    """A bundled benchmark: its files per split (relative to ``data/``), row converter and answer type."""

    files: dict[str, str]
    convert: Callable[[fmt.Row], fmt.Converted]
    answer_type: str  # "number", "latex" (symbolic / LaTeX) or "choice" (a letter)
    source: str


BENCHMARKS: dict[str, BenchmarkSpec] = {
    "gsm8k": BenchmarkSpec(
        {"test": "gsm8k/test.jsonl", "train": "gsm8k/train.jsonl"}, fmt.convert_gsm8k, "number",
        "openai/grade-school-math (MIT)"),
    "math500": BenchmarkSpec(
        {"test": "math500/test.jsonl"}, fmt.convert_math500, "latex", "openai/prm800k MATH-500 split (MIT)"),
    "math": BenchmarkSpec(
        {"test": "math/test.jsonl"}, fmt.convert_math, "latex", "hendrycks/math test set (MIT)"),
    "svamp": BenchmarkSpec(
        {"test": "svamp/SVAMP.json"}, fmt.convert_svamp, "number", "arkilpatel/SVAMP (MIT)"),
    "aqua": BenchmarkSpec(
        {"test": "aqua/test.json"}, fmt.convert_aqua, "choice", "deepmind/AQuA (Apache-2.0)"),
    "gsm_hard": BenchmarkSpec(
        {"test": "gsm_hard/gsmhardv2.jsonl"}, fmt.convert_gsm_hard, "number",
        "reasoning-machines/pal GSM-Hard v2 (Apache-2.0)"),
    "olympiadbench": BenchmarkSpec(
        {"test": "olympiadbench/test.jsonl"}, fmt.convert_olympiadbench, "latex",
        "OpenBMB/OlympiadBench OE_TO_maths_en_COMP (MIT)"),
}

FIELD_KEYS = {"question", "gold", "id", "gold_format", "config"}


def list_benchmarks() -> list[str]:
    """Names of the bundled benchmarks, sorted."""
    return sorted(BENCHMARKS)


def data_dir() -> Path:
    """The bundled data directory: ``$SAICOT_DATA_DIR`` if set, else ``data/`` beside the ``eval`` package."""
    override = os.environ.get("SAICOT_DATA_DIR")
    path = Path(override) if override else Path(__file__).resolve().parents[2] / "data"
    if not path.is_dir():
        raise DatasetError(
            f"bundled benchmark data not found at {path}: install saicot from a source checkout "
            "(pip install -e .) or point SAICOT_DATA_DIR at a copy of its data/ directory"
        )
    return path


def load(
    name_or_path: str,
    *,
    split: str = "test",
    fields: dict[str, str] | None = None,
    limit: int | None = None,
) -> list[Problem]:
    """Load a benchmark as a list of problems.

    Args:
        name_or_path: a bundled benchmark name (see ``list_benchmarks()``), a local JSON/JSONL/CSV/TSV/Parquet
            file, or a Hugging Face hub dataset id ("owner/name"; needs the hub or a warm datasets cache).
        split: split of a bundled benchmark or hub dataset; for a local file it only names the ids.
        fields: for files and hub datasets, which column holds what: ``question`` and ``gold`` (defaults
            "question" and "answer"), optional ``id`` (else ids are ``<name>-<split>-<row:05d>``), optional
            ``gold_format`` ("raw" default, "gsm8k" for text ending in ``#### answer``, "boxed" for the last
            ``\\boxed{}``) and optional ``config`` (hub dataset subset). Other columns go to ``meta``.
        limit: keep only the first ``limit`` problems.

    Raises:
        DatasetError: a malformed file or row (the message names the file and 1-based line), an unknown split,
            or a dataset that cannot be found.
    """
    if limit is not None and limit < 0:
        raise ValueError(f"limit must be >= 0, got {limit}")
    if name_or_path in BENCHMARKS:
        if fields:
            raise ValueError(f"fields apply to files and hub datasets, not to the bundled {name_or_path!r}")
        return _load_builtin(name_or_path, split, limit)
    return _load_mapped(name_or_path, split, dict(fields or {}), limit)


def _load_builtin(name: str, split: str, limit: int | None) -> list[Problem]:
    spec = BENCHMARKS[name]
    if split not in spec.files:
        raise DatasetError(f"benchmark {name!r} has no split {split!r} (available: {', '.join(spec.files)})")
    rows, locations = read_file(data_dir() / spec.files[split])
    problems = []
    for index, (row, where) in enumerate(zip(rows[:limit], locations, strict=False)):
        try:
            question, gold, meta = spec.convert(row)
        except KeyError as exc:
            raise DatasetError(f"{where}: missing field {exc.args[0]!r}") from None
        except (TypeError, ValueError) as exc:
            raise DatasetError(f"{where}: {exc}") from None
        problems.append(_problem(f"{name}-{split}-{index:05d}", question, gold, name, meta, where))
    return problems


def _load_mapped(source: str, split: str, fields: dict[str, str], limit: int | None) -> list[Problem]:
    unknown = set(fields) - FIELD_KEYS
    if unknown:
        raise ValueError(f"unknown fields keys {sorted(unknown)}; allowed: {sorted(FIELD_KEYS)}")
    gold_format = fields.get("gold_format", "raw")
    if gold_format not in fmt.GOLD_FORMATS:
        raise ValueError(f"gold_format must be one of {sorted(fmt.GOLD_FORMATS)}, got {gold_format!r}")
    path = Path(source).expanduser()
    if path.exists() or path.suffix.lower() in FILE_SUFFIXES:
        rows, locations = read_file(path)
        name = path.stem
    elif "/" not in source:  # not a hub id ("owner/name"): most likely a mistyped benchmark name
        close = difflib.get_close_matches(source, list(BENCHMARKS), n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise DatasetError(
            f"unknown benchmark {source!r}: bundled ones are {', '.join(list_benchmarks())}; otherwise give a "
            f"local file or a hub dataset id like 'owner/name'.{hint}"
        )
    else:
        rows, locations = read_hub(source, split=split, config=fields.get("config"))
        name = source.rstrip("/").rsplit("/", 1)[-1]
    q_key, g_key, id_key = fields.get("question", "question"), fields.get("gold", "answer"), fields.get("id")
    to_gold, used = fmt.GOLD_FORMATS[gold_format], {q_key, g_key, id_key}
    problems, seen = [], {}
    for index, (row, where) in enumerate(zip(rows[:limit], locations, strict=False)):
        for key in (q_key, g_key) + ((id_key,) if id_key else ()):
            if key not in row:
                raise DatasetError(f"{where}: missing field {key!r} (columns: {', '.join(row)})")
        question = _cell(row[q_key])
        if question is None:
            raise DatasetError(f"{where}: the question (field {q_key!r}) is empty")
        if not isinstance(question, str):
            raise DatasetError(f"{where}: field {q_key!r} must be text, got {type(question).__name__}")
        if _cell(row[g_key]) is None:
            raise DatasetError(f"{where}: gold field {g_key!r} is empty")
        try:
            gold = to_gold(row[g_key])
        except (TypeError, ValueError) as exc:
            raise DatasetError(f"{where}: gold field {g_key!r}: {exc}") from None
        pid = str(row[id_key]).strip() if id_key else f"{name}-{split}-{index:05d}"
        if pid in seen:
            raise DatasetError(f"{where}: duplicate id {pid!r} (first at {seen[pid]})")
        seen[pid] = where
        meta = {k: _json_safe(v) for k, v in row.items() if k not in used}
        problems.append(_problem(pid, question.strip(), gold, name, meta, where))
    return problems


def _problem(pid: str, question: str, gold: str, benchmark: str, meta: dict[str, Any], where: str) -> Problem:
    if not question.strip():
        raise DatasetError(f"{where}: the question is empty")
    if not gold.strip():
        raise DatasetError(f"{where}: the gold answer is empty")
    return Problem(id=pid, question=question, gold=gold, benchmark=benchmark, meta=meta)


def _cell(value: Any) -> Any:
    """None for missing cells (null, NaN, empty CSV strings), the value otherwise."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, str) and not value.strip():
        return None
    return value


def _json_safe(value: Any) -> Any:
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError):
        return None if isinstance(value, float) else str(value)
    return value
