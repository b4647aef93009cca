"""Reading benchmark files through ``datasets``, with row-level validation that names file and line.

``datasets`` reports malformed JSON poorly (an Arrow parse error with no line), so JSON and JSON-lines files
are first checked here line by line (cheap: one ``json.loads`` per row), then loaded with
``datasets.load_dataset("json", ...)``. Every row comes back with a location label such as ``path:12`` that
the loader uses in its errors.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

JSON_SUFFIXES = {".jsonl", ".ndjson", ".json"}
CSV_SUFFIXES = {".csv", ".tsv"}
PARQUET_SUFFIXES = {".parquet", ".pq"}
FILE_SUFFIXES = JSON_SUFFIXES | CSV_SUFFIXES | PARQUET_SUFFIXES


class DatasetError(ValueError):
    """A benchmark file or row is malformed; the message starts with ``file:line:`` where one is known."""


def _kind(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "list" if isinstance(value, list) else "object"


class _TypeTracker:
    """Arrow needs one type per column: report the first row whose field type differs from earlier rows."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.seen: dict[str, tuple[str, str]] = {}
        self.keys: list[frozenset[str]] = []  # per row: its real fields (Arrow fills the rest with null)

    def check(self, row: Any, where: str) -> None:
        if not isinstance(row, dict):
            raise DatasetError(f"{where}: expected a JSON object, got {type(row).__name__}")
        self.keys.append(frozenset(row))
        for key, value in row.items():
            kind = _kind(value)
            if kind is None:
                continue
            first = self.seen.setdefault(key, (kind, where))
            if first[0] != kind:
                raise DatasetError(
                    f"{where}: field {key!r} is a {kind} here but a {first[0]} at {first[1]}; "
                    "every row must use one type per field"
                )


def _validate_jsonl(path: Path, text: str) -> tuple[list[str], list[frozenset[str]]]:
    tracker, locations = _TypeTracker(path), []
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path}:{lineno}"
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DatasetError(f"{where}: invalid JSON ({exc.msg} at column {exc.colno})") from None
        tracker.check(row, where)
        locations.append(where)
    return locations, tracker.keys


def _validate_json_array(path: Path, text: str) -> tuple[list[str], list[frozenset[str]]]:
    """Check a file holding one JSON array of objects; locations are the line where each object starts."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DatasetError(f"{path}:{exc.lineno}: invalid JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(data, list):
        raise DatasetError(f"{path}:1: expected JSON lines or one JSON array of objects, got a JSON object")
    decoder, tracker, locations = json.JSONDecoder(), _TypeTracker(path), []
    pos = text.index("[") + 1
    for row in data:
        while text[pos] in " \t\r\n,":
            pos += 1
        where = f"{path}:{text.count(chr(10), 0, pos) + 1}"
        tracker.check(row, where)
        locations.append(where)
        pos = decoder.raw_decode(text, pos)[1]
    return locations, tracker.keys


def validate_json(path: Path) -> tuple[list[str], list[frozenset[str]]]:
    """Validate a JSON-lines (or JSON array) file; return ``file:line`` labels and field names per row."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise DatasetError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    if text.lstrip().startswith("["):
        return _validate_json_array(path, text)
    return _validate_jsonl(path, text)


def _csv_locations(path: Path, delimiter: str) -> tuple[list[str], list[str]]:
    """Header and the start line of each CSV record (quoted fields may span lines)."""
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle, delimiter=delimiter)
        header = next(reader, [])
        starts, previous_end = [], reader.line_num
        for record in reader:
            if record:
                starts.append(f"{path}:{previous_end + 1}")
            previous_end = reader.line_num
    return header, starts


def _all_text(columns: list[str]) -> Any:
    """CSV cells stay text (no "007" -> 7 or "1/2" surprises); gold normalisers see what the file says."""
    from datasets import Features, Value

    return Features({name: Value("string") for name in columns})


def _quiet_load(*args: Any, **kwargs: Any) -> Any:
    import datasets
    from datasets.utils import logging as ds_logging

    enabled = ds_logging.is_progress_bar_enabled()
    ds_logging.disable_progress_bar()
    try:
        return datasets.load_dataset(*args, **kwargs)
    finally:
        if enabled:
            ds_logging.enable_progress_bar()


def read_file(path: Path) -> tuple[list[dict[str, Any]], list[str]]:
    """Load a local JSON/JSONL/CSV/TSV/Parquet file with ``datasets``; return rows and their locations."""
    suffix = path.suffix.lower()
    if not path.is_file():
        raise DatasetError(f"{path}: no such file")
    if suffix not in FILE_SUFFIXES:
        raise DatasetError(f"{path}: unsupported file type {suffix!r} (use one of {sorted(FILE_SUFFIXES)})")
    keys: list[frozenset[str]] | None = None
    if suffix in JSON_SUFFIXES:
        builder, kwargs = "json", {}
        locations, keys = validate_json(path)
    elif suffix in CSV_SUFFIXES:
        delimiter = "\t" if suffix == ".tsv" else ","
        header, locations = _csv_locations(path, delimiter)
        builder, kwargs = "csv", {"sep": delimiter, "keep_default_na": False, "features": _all_text(header)}
    else:
        builder, kwargs, locations = "parquet", {}, []
    if not locations and builder != "parquet":
        raise DatasetError(f"{path}: the file holds no rows")
    try:
        rows = _quiet_load(builder, data_files=str(path), split="train", **kwargs).to_list()
    except Exception as exc:  # datasets/pyarrow raise many types; keep the cause, name the file
        raise DatasetError(f"{path}: datasets could not load the file: {exc}") from exc
    if builder == "parquet":
        locations = [f"{path}: row {i}" for i in range(1, len(rows) + 1)]
    if len(rows) != len(locations):
        raise DatasetError(f"{path}: datasets read {len(rows)} rows but the file has {len(locations)}")
    if keys is not None:  # a field absent from a row stays absent (not null), so errors can say "missing"
        rows = [{k: v for k, v in r.items() if k in present} for r, present in zip(rows, keys, strict=True)]
    return rows, locations


def read_hub(
    repo_id: str, *, split: str, config: str | None = None
) -> tuple[list[dict[str, Any]], list[str]]:
    """Load a Hugging Face hub dataset split (needs the hub or a warm ``datasets`` cache)."""
    try:
        rows = _quiet_load(repo_id, config, split=split).to_list()
    except Exception as exc:
        raise DatasetError(
            f"{repo_id}: not a bundled benchmark or local file, and loading it from the Hugging Face hub "
            f"failed (split {split!r}): {exc}"
        ) from exc
    return rows, [f"{repo_id}[{split}] row {i}" for i in range(1, len(rows) + 1)]
