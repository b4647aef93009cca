from pathlib import Path

import pytest

from pipeline.config import RunConfig, load_config
from pipeline.errors import SaicotError


def test_defaults_are_complete_and_roundtrip(tmp_path: Path) -> None:
    cfg = load_config(None)
    assert cfg.benchmark.name == "gsm8k" and cfg.retrieve.strategies == ["zero-shot", "knn"]
    path = tmp_path / "c.yaml"
    path.write_text(cfg.to_yaml())
    assert load_config(path) == cfg


def test_overrides_parse_yaml_values() -> None:
    cfg = load_config(None, overrides=["solver.temperature=0.7", "retrieve.strategies=[knn, mmr]",
                                       "benchmark.limit=null"])
    assert cfg.solver.temperature == 0.7
    assert cfg.retrieve.strategies == ["knn", "mmr"]
    assert cfg.benchmark.limit is None


@pytest.mark.parametrize("override, field", [
    ("solver.temperature=-1", "solver.temperature"),
    ("solver.bogus=1", "solver.bogus"),
    ("retrieve.scope=everywhere", "retrieve.scope"),
    ("generator.k=0", "generator.k"),
])
def test_bad_values_name_the_field(override: str, field: str) -> None:
    with pytest.raises(SaicotError) as err:
        load_config(None, overrides=[override])
    assert field in str(err.value)


def test_unknown_section_in_file_names_file_and_field(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("solverr:\n  model: x\n")
    with pytest.raises(SaicotError) as err:
        load_config(path)
    assert "bad.yaml" in str(err.value) and "solverr" in str(err.value)


def test_budget_must_leave_room() -> None:
    with pytest.raises(SaicotError, match="max_tokens"):
        load_config(None, overrides=["engine.max_model_len=512", "solver.max_tokens=600"])


def test_pool_model_defaults_to_solver() -> None:
    assert RunConfig().pool_model == RunConfig().solver.model
    assert load_config(None, overrides=["sample.model=a"]).pool_model == "a"


def test_shipped_configs_validate() -> None:
    configs = sorted(Path(__file__).resolve().parents[2].joinpath("configs").glob("*.yaml"))
    assert {p.name for p in configs} >= {"gsm8k.yaml", "math500.yaml", "swap-models.yaml", "retrieval-study.yaml"}
    import yaml

    from pipeline.preflight import check_config
    from pipeline.study import load_study_config, plan_study, run_config

    for path in configs:
        if "grid" in (yaml.safe_load(path.read_text()) or {}):  # a study: a base run config and a grid
            study = load_study_config(path)
            for run in plan_study(study).runs:
                check_config(run_config(study, run))
        else:
            check_config(load_config(path))
