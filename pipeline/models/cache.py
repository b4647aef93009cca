"""The converted-model cache: manifests, verification, atomic install and a per-entry file lock.

A cache entry is a directory `<cache_root>/<alias>/` whose `saicot-manifest.json` lists the sha256, size and
mtime of every other file in it. The manifest is written last, after the directory has been renamed into
place, so an entry without a manifest is by definition partial. Verification comes in two strengths:
`quick` trusts a file whose size and mtime match the manifest (and hashes only files whose mtime moved),
`full` hashes everything.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

MANIFEST = "saicot-manifest.json"
_CHUNK = 1 << 20


def sha256_file(path: Path) -> str:
    """Return the hex sha256 of a file, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _saicot_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("saicot")
    except PackageNotFoundError:
        return "0+unknown"


def write_manifest(entry: Path, alias: str, source_sha256: str) -> dict:
    """Hash every file under `entry` and write the manifest atomically (it must be the last write)."""
    files = {}
    for path in sorted(p for p in entry.rglob("*") if p.is_file() and p.name != MANIFEST):
        st = path.stat()
        files[path.relative_to(entry).as_posix()] = {
            "sha256": sha256_file(path), "size": st.st_size, "mtime_ns": st.st_mtime_ns,
        }
    manifest = {
        "alias": alias, "source_sha256": source_sha256, "saicot_version": _saicot_version(),
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "files": files,
    }
    tmp = entry / f".{MANIFEST}.tmp"
    tmp.write_text(json.dumps(manifest, indent=2, sort_keys=True))
    os.replace(tmp, entry / MANIFEST)
    return manifest


def read_manifest(entry: Path) -> dict | None:
    """Return the parsed manifest of `entry`, or None when it is missing or unreadable."""
    try:
        data = json.loads((entry / MANIFEST).read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and isinstance(data.get("files"), dict) else None


def verify_entry(entry: Path, alias: str, source_sha256: str, full: bool = False) -> str | None:
    """Check a cache entry against its manifest.

    Args:
        entry: the entry directory.
        alias: the alias the manifest must name.
        source_sha256: the source checksum the manifest must name (a different pin means a stale entry).
        full: hash every file instead of trusting unchanged size + mtime.

    Returns:
        None when the entry verifies, else a short reason ("no manifest", "config.json: sha256 mismatch").
    """
    if not entry.is_dir():
        return "not present"
    manifest = read_manifest(entry)
    if manifest is None:
        return "no manifest (partial entry)"
    if manifest.get("alias") != alias or manifest.get("source_sha256") != source_sha256:
        return "manifest names another model or source"
    files: dict = manifest["files"]
    if not files:
        return "manifest lists no files"
    for rel, meta in files.items():
        path = entry / rel
        try:
            st = path.stat()
        except OSError:
            return f"{rel}: missing"
        if st.st_size != meta.get("size"):
            return f"{rel}: size mismatch"
        if full or st.st_mtime_ns != meta.get("mtime_ns"):
            if sha256_file(path) != meta.get("sha256"):
                return f"{rel}: sha256 mismatch"
    return None


@contextlib.contextmanager
def entry_lock(root: Path, alias: str) -> Iterator[None]:
    """Hold an exclusive fcntl lock for one alias, so concurrent pulls build it once."""
    root.mkdir(parents=True, exist_ok=True)
    with (root / f".{alias}.lock").open("a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def staging_dir(root: Path, alias: str, role: str = "build") -> Path:
    """A fresh temporary directory on the cache's filesystem (so the final rename is atomic)."""
    root.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f".tmp-{alias}@{role}-", dir=root))


def clean_leftovers(root: Path, alias: str) -> int:
    """Remove staging/old directories a killed pull of `alias` left behind; call it holding the lock."""
    stale = [*root.glob(f".tmp-{alias}@*"), *root.glob(f".old-{alias}@*")]
    for path in stale:
        shutil.rmtree(path, ignore_errors=True)
    return len(stale)


def install_entry(staged: Path, entry: Path) -> None:
    """Move a finished staging directory into place, replacing any old entry, via renames."""
    old = None
    if entry.exists():
        old = entry.with_name(f".old-{entry.name}@{os.getpid()}-{time.time_ns()}")
        os.rename(entry, old)
    os.rename(staged, entry)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
