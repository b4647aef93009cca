"""The resumable record store: append-only JSONL files in content-keyed stage directories.

Guarantees a killed run relies on:

* one record is one line, written with a single ``write`` and flushed + fsynced per batch;
* a partially written *last* line (the process died mid-write) is cut off when the file is opened;
* a corrupt line anywhere else is an error naming the file and line: it is never skipped silently;
* records are keyed, so a resumed stage skips what is done and writes nothing twice.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from pipeline.errors import SaicotError

Record = dict[str, Any]


def cache_key(inputs: dict[str, Any]) -> str:
    """A short, stable hash of exactly the inputs that change a stage's output."""
    blob = json.dumps(inputs, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


class JsonlStore:
    """Append-only JSONL file of records identified by `key(record)`.

    Args:
        path: the ``.jsonl`` file (created with its parent directories on first append).
        key: function giving a record's identity (hashable).
    """

    def __init__(self, path: Path, key: Callable[[Record], Any]) -> None:
        self.path = Path(path)
        self.key = key
        self._records: list[Record] | None = None
        self._keys: set[Any] = set()

    def records(self) -> list[Record]:
        """All finished records, in file order (repairing a torn last line first)."""
        return list(self._loaded())

    def done(self) -> set[Any]:
        """Keys of finished records."""
        self._loaded()
        return set(self._keys)

    def _loaded(self) -> list[Record]:
        # Records and their keys are read once and then kept up to date by `append`, so appending one
        # result at a time stays linear in the number of records.
        if self._records is None:
            self._records = self._load()
            self._keys = {self.key(r) for r in self._records}
        return self._records

    def append(self, records: Iterable[Record]) -> int:
        """Append records durably; returns how many were written. Already-present keys are skipped."""
        known = self._loaded()
        lines, new, new_keys = [], [], set()
        for rec in records:
            k = self.key(rec)
            if k in self._keys or k in new_keys:
                continue
            new_keys.add(k)
            new.append(rec)
            lines.append(json.dumps(rec, ensure_ascii=False, sort_keys=True) + "\n")
        if not lines:
            return 0
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, "".join(lines).encode())
            os.fsync(fd)
        finally:
            os.close(fd)
        known.extend(new)  # only once they are on disk
        self._keys |= new_keys
        return len(lines)

    def _load(self) -> list[Record]:
        if not self.path.exists():
            return []
        data = self.path.read_bytes()
        if data and not data.endswith(b"\n"):
            # The process died mid-write: the torn tail was never a finished record.
            cut = data.rfind(b"\n") + 1
            with open(self.path, "r+b") as fh:
                fh.truncate(cut)
            data = data[:cut]
        out = []
        for lineno, line in enumerate(data.decode().splitlines(), start=1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as exc:
                raise SaicotError(f"{self.path}:{lineno}: corrupt record ({exc.msg}); "
                                  "fix or delete that line, then re-run") from None
            if not isinstance(rec, dict):
                raise SaicotError(f"{self.path}:{lineno}: record is not a JSON object")
            out.append(rec)
        return out


def write_json_atomic(path: Path, payload: Any) -> None:
    """Write JSON through a temp file and rename, so readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(payload, indent=2, ensure_ascii=False, sort_keys=True) + "\n")
    os.replace(tmp, path)


def write_text_atomic(path: Path, text: str) -> None:
    """Write text through a temp file and rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


class StageDir:
    """``RUN_DIR/<stage>/<key>/``: one stage's outputs for one set of inputs, plus what produced them."""

    def __init__(self, run_dir: Path, stage: str, inputs: dict[str, Any]) -> None:
        self.stage = stage
        self.inputs = inputs
        self.key = cache_key(inputs)
        self.path = Path(run_dir) / stage / self.key
        self._done_marker = self.path / "DONE"
        self._started: float | None = None

    def store(self, filename: str, key: Callable[[Record], Any]) -> JsonlStore:
        """The JSONL store `filename` inside this stage directory (records its inputs on first use)."""
        if not (self.path / "inputs.json").exists():
            write_json_atomic(self.path / "inputs.json", {"stage": self.stage, "key": self.key,
                                                          "inputs": self.inputs})
        if self._started is None and not self.complete:
            self._started = time.monotonic()
        return JsonlStore(self.path / filename, key)

    @property
    def complete(self) -> bool:
        """True once the stage finished every record (the DONE marker exists)."""
        return self._done_marker.exists()

    def mark_complete(self) -> None:
        self.path.mkdir(parents=True, exist_ok=True)
        if not self.complete:
            self.add_wall_time()
        self._done_marker.write_text("")

    def add_wall_time(self) -> None:
        """Add the wall time since this stage's store was opened (or since the last call) to ``timing.json``.

        Summed over the sessions that did work on the stage (a session killed before calling this loses its
        share); the study docs report it per stage.
        """
        if self._started is None:
            return
        timing = self.path / "timing.json"
        spent = json.loads(timing.read_text())["wall_s"] if timing.exists() else 0.0
        now = time.monotonic()
        write_json_atomic(timing, {"wall_s": round(spent + now - self._started, 1)})
        self._started = now
