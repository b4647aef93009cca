"""A small study on the real vLLM engine (the session's tiny random Llama) with MiniLM and FAISS."""

from __future__ import annotations

import shutil

import pytest

from pipeline.engines import Borrowed
from pipeline.runner import RunHooks
from pipeline.study import StudyConfig, run_study
from tests.conftest import needs_vllm

pytestmark = [needs_vllm, pytest.mark.vllm, pytest.mark.slow]


def test_study_on_real_engine_every_baseline_and_a_reproducible_report(tiny_engine, tiny_model_dir,
                                                                          tmp_path) -> None:
    from eval.report.write import write_report
    from pipeline.strategies import report_roles

    model = str(tiny_model_dir)
    cfg = StudyConfig.model_validate({
        "study_dir": str(tmp_path / "study"),
        "base": {"benchmark": {"limit": 3}, "engine": {"max_model_len": 1024},
                 "generator": {"k": 2, "max_tokens": 48}, "sample": {"n": 2, "max_tokens": 24,
                                                                     "self_consistency": False},
                 "solver": {"max_tokens": 24}},
        "grid": {"generator": [model], "solver": [model], "k": [1, 2],
                 "strategy": ["zero-shot", "manual-8shot", "knn", "self-icl", "analogical", "auto-cot"]}})
    result = run_study(cfg, RunHooks(engine_factory=lambda m, c: Borrowed(tiny_engine)))
    assert result.engine_loads == [model]
    study = tmp_path / "study"
    report = (study / "report.md").read_text()
    for strategy in ["zero-shot", "manual-8shot", "knn", "self-icl", "analogical", "auto-cot"]:
        assert f"| {strategy} |" in report
    assert model not in report  # paths are shown by their last component only
    shutil.copytree(study, tmp_path / "copy")
    for path in write_report(tmp_path / "copy", roles=report_roles()):
        name = path.relative_to(tmp_path / "copy")
        assert path.read_bytes() == (study / name).read_bytes(), name
