"""`saicot study` with the fake engine: grid planning, shared stage cache, resume, report determinism."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from pipeline.errors import SaicotError
from pipeline.runner import RunHooks
from pipeline.strategies import report_roles
from pipeline.study import StudyConfig, load_study_config, plan_study, run_study
from tests.helpers.fake_embedder import HashEmbedder
from tests.helpers.fake_engine import FakeFactory

STRATEGIES = ["zero-shot", "manual-8shot", "knn", "random", "self-icl", "analogical", "auto-cot"]


def study_cfg(study_dir: Path, **grid) -> StudyConfig:
    grid = {"generator": ["gen-a"], "solver": ["gen-a"], "strategy": STRATEGIES, "k": [1, 2], **grid}
    return StudyConfig.model_validate({"study_dir": str(study_dir), "grid": grid,
                                       "base": {"benchmark": {"limit": 3}, "sample": {"n": 3}, "generator": {"k": 2}}})


class Factory(FakeFactory):
    """The fake factory, able to count prompts by kind."""

    def calls(self, kind: str) -> int:
        """Prompts of one kind sent so far: 'generate' (generator prompts) or 'solve' (anything else)."""
        gen = sum(1 for e in self.engines for p in e.prompts if "new practice problems" in p)
        return gen if kind == "generate" else sum(len(e.prompts) for e in self.engines) - gen


def hooks(factory: Factory) -> RunHooks:
    return RunHooks(engine_factory=factory, embedder_factory=lambda n: HashEmbedder(), identity=lambda m: m)


def test_plan_dedupes_cells_whose_axes_do_not_matter() -> None:
    plan = plan_study(study_cfg(Path("s"), generator=["g1", "g2"], solver=["s1", "g2"], k=[1, 2],
                                scope=["global", "own"], strategy=["zero-shot", "knn", "self-icl", "auto-cot"]))
    by_strategy: dict[str, int] = {}
    for c in plan.cells:
        by_strategy[c.strategy] = by_strategy.get(c.strategy, 0) + 1
    # zero-shot: one per solver; auto-cot: solver x k; self-icl: generator x solver x k; knn: everything
    assert by_strategy == {"zero-shot": 2, "auto-cot": 4, "self-icl": 8, "knn": 16}
    assert all(c.generator is None and c.k is None for c in plan.cells if c.strategy == "zero-shot")
    # runs go generator by generator, the solver equal to the generator first (its engine is loaded)
    assert [(r.generator, r.solver) for r in plan.runs[::4]] == [("g1", "s1"), ("g1", "g2"), ("g2", "g2"),
                                                                 ("g2", "s1")]
    assert len({r.name for r in plan.runs}) == len(plan.runs)


def test_study_config_errors_name_the_field(tmp_path: Path) -> None:
    bad = tmp_path / "s.yaml"
    bad.write_text("grid: {solvr: [a]}\n")
    with pytest.raises(SaicotError, match="solvr"):
        load_study_config(bad)
    bad.write_text("base: {solver: {temperature: -1}}\n")
    with pytest.raises(SaicotError, match="temperature"):
        load_study_config(bad)
    cfg = load_study_config(Path(__file__).resolve().parents[2] / "configs" / "study-small.yaml")
    assert len(plan_study(cfg).runs) == 4


def test_study_shares_stages_and_adding_a_solver_reuses_generation(tmp_path: Path) -> None:
    first = Factory()
    result = run_study(study_cfg(tmp_path), hooks(first), report=False)
    assert result.engine_loads == ["gen-a"]
    assert len(list((tmp_path / "generate").iterdir())) == 1
    assert len(list((tmp_path / "solve").iterdir())) == 1  # one solver: one solve stage for every cell
    assert first.calls("generate") == 3
    second = Factory()
    grown = run_study(study_cfg(tmp_path, solver=["gen-a", "solver-b"]), hooks(second), report=False)
    assert second.calls("generate") == 0  # the generator's pool serves the new solver
    assert grown.engine_loads == ["solver-b"]
    assert len(list((tmp_path / "generate").iterdir())) == 1 and len(list((tmp_path / "index").iterdir())) == 1
    cells = {(c.strategy, c.solver, c.k) for c in grown.plan.cells}
    assert ("zero-shot", "solver-b", None) in cells and ("knn", "solver-b", 2) in cells
    # a second pass over the same grid starts no engine at all
    third = Factory()
    assert run_study(study_cfg(tmp_path, solver=["gen-a", "solver-b"]), hooks(third)).engine_loads == []
    # report.html carries the shared pool's generated questions once, and both runs point at them
    from eval.report.html_data import report_data

    data = report_data(tmp_path)
    assert len(data["runs"]) == 4 and len(data["generated"]) == 1  # 2 solvers x 2 k, one pool
    assert {r["generated_key"] for r in data["runs"]} == set(data["generated"])
    assert all("generated" not in r for r in data["runs"])


def test_killed_study_resumes_to_the_same_report(tmp_path: Path) -> None:
    run_study(study_cfg(tmp_path / "ref"), hooks(Factory()))
    with pytest.raises(KeyboardInterrupt):
        run_study(study_cfg(tmp_path / "run"), hooks(Factory(kill_after=20)))
    assert not (tmp_path / "run" / "report.md").exists()
    from eval.report.write import write_report

    write_report(tmp_path / "run", roles=report_roles())  # a partial study still reports what it has, and says so
    assert "Incomplete:" in (tmp_path / "run" / "report.md").read_text()
    run_study(study_cfg(tmp_path / "run"), hooks(Factory()))
    for name in ["cells.csv", "plots/accuracy_by_strategy.png"]:
        assert (tmp_path / "run" / name).read_bytes() == (tmp_path / "ref" / name).read_bytes(), name
    # the same results; only the recorded wall times differ between the two executions
    import json

    def untimed(root: Path) -> tuple[str, dict]:
        report = (root / "report.md").read_text().split("## Wall time per stage")[0]
        summary = json.loads((root / "summary.json").read_text())
        return report, {k: v for k, v in summary.items() if k != "stage_times"}

    assert untimed(tmp_path / "run") == untimed(tmp_path / "ref")


def test_cached_only_reports_finished_cells_and_stops_at_one_with_work_left(tmp_path: Path) -> None:
    """`saicot study --cached-only`: a report of what is computed, with no LLM engine ever loaded."""
    small = {"strategy": ["zero-shot", "knn"], "k": [2]}
    fresh = Factory()
    with pytest.raises(SaicotError, match=r"--cached-only: study run \S+ has work that is not cached"):
        run_study(study_cfg(tmp_path, **small), hooks(fresh), cached_only=True)
    assert not fresh.engines and not (tmp_path / "report.md").exists()

    run_study(study_cfg(tmp_path, **small), hooks(Factory()))
    reference = (tmp_path / "cells.csv").read_bytes()
    (tmp_path / "cells.csv").unlink()
    again = Factory()
    result = run_study(study_cfg(tmp_path, **small), hooks(again), cached_only=True)
    assert result.engine_loads == [] and not again.engines
    assert (tmp_path / "cells.csv").read_bytes() == reference  # the same report, from the cache

    more = Factory()  # a cell added to the grid has work left: the study stops before computing it
    with pytest.raises(SaicotError, match="would load gen-a"):
        run_study(study_cfg(tmp_path, **{**small, "strategy": ["zero-shot", "knn", "random"]}), hooks(more),
                  cached_only=True)
    assert not more.engines


def test_an_arm_adds_only_its_own_cells_and_runs_after_the_main_grid(tmp_path: Path) -> None:
    cfg = StudyConfig.model_validate({
        "study_dir": str(tmp_path), "base": {"benchmark": {"limit": 3}, "sample": {"n": 3, "model": "gen-a"}},
        "grid": {"generator": ["gen-a"], "solver": ["gen-a"], "strategy": ["zero-shot", "knn", "random"], "k": [2]},
        "arms": [{"generator": ["gen-b"], "strategy": ["zero-shot", "knn"]},       # zero-shot: already a cell
                 {"strategy": ["mmr"]}],                                          # same run as the main grid's
        "claims": [{"claim": "2. another generator gives a better pool",
                    "a": {"strategy": "knn", "generator": "gen-b"}, "b": {"strategy": "knn", "generator": "gen-a"}}]})
    plan = plan_study(cfg)
    assert [(r.name, r.strategies) for r in plan.runs] == [
        ("gen-a--gen-a--k2--global", ("zero-shot", "knn", "random", "mmr")), ("gen-b--gen-a--k2--global", ("knn",))]
    assert sorted((c.strategy, c.generator) for c in plan.cells) == [
        ("knn", "gen-a"), ("knn", "gen-b"), ("mmr", "gen-a"), ("random", "gen-a"), ("zero-shot", None)]
    factory = Factory()
    run_study(cfg, hooks(factory))
    # gen-b generates the arm's questions; gen-a (the base's pool solver) samples and solves them
    assert [e.name for e in factory.engines] == ["gen-a", "gen-b", "gen-a"]
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert len(summary["cells"]) == 5 and summary["claims"][0]["verdict"] in ("holds", "refuted", "inconclusive")


def test_a_variant_arm_reuses_the_pool_under_its_own_settings_and_claims_select_it(tmp_path: Path) -> None:
    cfg = StudyConfig.model_validate({
        "study_dir": str(tmp_path), "base": {"benchmark": {"limit": 3}, "sample": {"n": 3}},
        "grid": {"generator": ["gen-a"], "solver": ["gen-a"], "strategy": ["zero-shot", "knn"], "k": [2]},
        "arms": [{"variant": "no-filter", "set": {"sample": {"self_consistency": False}}, "strategy": ["knn"]}],
        "claims": [{"claim": "3. the filter helps", "a": {"strategy": "knn"},
                    "b": {"strategy": "knn", "variant": "no-filter"}}]})
    plan = plan_study(cfg)
    assert [(r.name, r.strategies, r.variant) for r in plan.runs] == [
        ("gen-a--gen-a--k2--global", ("zero-shot", "knn"), None),
        ("gen-a--gen-a--k2--global--no-filter", ("knn",), "no-filter")]
    from pipeline.study import run_config

    assert [run_config(cfg, r).sample.self_consistency for r in plan.runs] == [True, False]
    factory = Factory()
    run_study(cfg, hooks(factory))
    assert factory.calls("generate") == 3  # the variant's pool is the main one's questions and samples
    assert len(list((tmp_path / "sample").iterdir())) == 1 and len(list((tmp_path / "index").iterdir())) == 2
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert sorted((c["strategy"], c["variant"] or "") for c in summary["cells"]) == [
        ("knn", ""), ("knn", "no-filter"), ("zero-shot", "")]
    assert summary["claims"][0]["comparison"]["n"] == 3
    assert sorted(p["self_consistency_filter"] for p in summary["pools"]) == [False, True]
    report = (tmp_path / "report.md").read_text()
    assert "| knn [no-filter] |" in report and "| off |" in report


def test_a_claim_that_re_judges_another_shows_both_verdicts_in_one_row(tmp_path: Path) -> None:
    claims = [{"claim": "knn beats zero-shot", "a": {"strategy": "knn"}, "b": {"strategy": "zero-shot"}},
              {"claim": "at cap 64: knn beats zero-shot", "earlier": "knn beats zero-shot",
               "a": {"strategy": "knn", "variant": "cap-64"}, "b": {"strategy": "zero-shot", "variant": "cap-64"}}]
    cfg = StudyConfig.model_validate({
        "study_dir": str(tmp_path), "base": {"benchmark": {"limit": 3}, "sample": {"n": 3}},
        "grid": {"generator": ["gen-a"], "solver": ["gen-a"], "strategy": ["zero-shot", "knn"], "k": [2]},
        "arms": [{"variant": "cap-64", "set": {"solver": {"max_tokens": 64}}, "strategy": ["zero-shot", "knn"]}],
        "claims": claims})
    run_study(cfg, hooks(Factory()))
    first, second = json.loads((tmp_path / "summary.json").read_text())["claims"]
    assert "earlier" not in first
    assert second["earlier"] == {k: first[k] for k in ("claim", "comparison", "verdict")}
    report = (tmp_path / "report.md").read_text()
    assert "| verdict before (the claim it re-judges) |" in report
    d = first["comparison"]
    before = f"knn beats zero-shot: {d['diff']:+.3f} [{d['low']:+.3f}, {d['high']:+.3f}], **{first['verdict']}** |"
    (row,) = [line for line in report.splitlines() if line.startswith("| at cap 64: knn beats zero-shot |")]
    assert row.endswith(before)
    with pytest.raises(ValueError, match=r"claims\[1\].earlier 'knn wins' must name another claim"):
        StudyConfig.model_validate({"claims": [claims[0], {**claims[1], "earlier": "knn wins"}]})


def test_an_arm_with_overrides_needs_a_variant_and_valid_settings(tmp_path: Path) -> None:
    bad = tmp_path / "s.yaml"
    bad.write_text("arms: [{set: {sample: {n: 4}}, strategy: [knn]}]\n")
    with pytest.raises(SaicotError, match="variant"):
        load_study_config(bad)
    bad.write_text("arms: [{variant: v, set: {sample: {n: -4}}, strategy: [knn]}]\n")
    with pytest.raises(SaicotError, match=r"arms\[0\] v.*sample.n"):
        load_study_config(bad)


def test_a_grid_with_one_k_gets_no_accuracy_vs_k_plot(tmp_path: Path) -> None:
    run_study(study_cfg(tmp_path, k=[2], strategy=["zero-shot", "knn"]), hooks(Factory()))
    assert sorted(p.name for p in (tmp_path / "plots").iterdir()) == ["accuracy_by_strategy.png",
                                                                      "accuracy_vs_tokens.png",
                                                                      "transfer_heatmap.png"]


def test_report_is_byte_identical_on_a_copy_without_an_engine(tmp_path: Path) -> None:
    from eval.report.write import write_report

    run_study(study_cfg(tmp_path / "a", generator=["gen-a", "gen-b"]), hooks(Factory()))
    shutil.copytree(tmp_path / "a", tmp_path / "b")
    written = write_report(tmp_path / "b", roles=report_roles())
    names = sorted(p.relative_to(tmp_path / "b").as_posix() for p in written)
    assert names == ["cells.csv", "plots/accuracy_by_strategy.png", "plots/accuracy_vs_k.png",
                     "plots/accuracy_vs_tokens.png", "plots/transfer_heatmap.png", "report-data.js", "report.html",
                     "report.md", "summary.json"]
    for name in names:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    report = (tmp_path / "b" / "report.md").read_text()
    assert str(tmp_path) not in report and "unanimous" in report
    rows = (tmp_path / "b" / "cells.csv").read_text().splitlines()
    assert rows[0].startswith("run,solver,generator,strategy,k,scope,variant,n,accuracy")
    # zero-shot + manual once per solver; k-dependent recipes per k; pool strategies per generator and k
    assert len(rows) - 1 == 2 + 2 * 2 + 2 * 2 * 3


def test_report_command_on_a_single_run_dir(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from pipeline.cli import app
    from pipeline.config import load_config
    from pipeline.runner import run_pipeline

    cfg = load_config(None, run_dir=tmp_path, overrides=[
        "benchmark.limit=4", "generator.model=g", "solver.model=g", "retrieve.strategies=[zero-shot, knn]",
        "solver.n=3", "solver.temperature=0.7"])
    run_pipeline(cfg, hooks(Factory()))
    runner = CliRunner()
    out = runner.invoke(app, ["report", str(tmp_path)])
    assert out.exit_code == 0, out.output
    first = {p: (tmp_path / p).read_bytes() for p in ["report.md", "report.json", "cells.csv"]}
    assert runner.invoke(app, ["report", str(tmp_path)]).exit_code == 0
    assert first == {p: (tmp_path / p).read_bytes() for p in first}
    report = first["report.md"].decode()
    assert "maj@n" in report and "pass@n" in report  # three samples per question
    curve = json.loads(first["report.json"])["cells"][0]["samples"]["maj_curve"]
    assert len(curve) == 3 and "maj@j, j = 1..n" in report
    assert (tmp_path / "plots" / "accuracy_vs_tokens.png").stat().st_size > 0
    assert runner.invoke(app, ["report", str(tmp_path / "nothing")]).exit_code != 0


def test_claims_get_a_paired_interval_and_a_verdict_in_the_report(tmp_path: Path) -> None:
    import json

    from eval.report.claims import verdict
    from eval.report.write import write_report

    claims = [{"claim": "1. similar demos beat random", "a": {"strategy": "knn", "k": 2},
               "b": {"strategy": "random", "k": 2}},
              {"claim": "SC question", "a": {"strategy": "knn", "k": 1, "generator": "gen-a"},
               "b": {"strategy": "self-consistency"}}]  # not in the grid: pending
    cfg = StudyConfig.model_validate({**study_cfg(tmp_path).model_dump(mode="json"), "claims": claims})
    run_study(cfg, hooks(Factory()))
    summary = json.loads((tmp_path / "summary.json").read_text())
    first, second = summary["claims"]
    knn = next(c for c in summary["cells"] if c["strategy"] == "knn" and c["k"] == 2)
    rnd = next(c for c in summary["cells"] if c["strategy"] == "random" and c["k"] == 2)
    assert first["comparison"]["diff"] == pytest.approx(knn["accuracy"] - rnd["accuracy"])
    assert first["verdict"] == verdict(first["comparison"]) != "pending"
    assert second["comparison"] is None and second["verdict"] == "pending"
    report = (tmp_path / "report.md").read_text()
    assert "## Claims" in report and "| 1. similar demos beat random | strategy=knn, k=2 vs strategy=random, k=2 |" \
        in report and "**pending**" in report
    assert all(c["total_tokens"] is not None and c["total_tokens"] >= c["tokens_per_question"]
               for c in summary["cells"])
    assert "total tok" in report and "| cut |" in report
    assert "![claims](plots/claims.png)" in report and (tmp_path / "plots" / "claims.png").stat().st_size > 0
    write_report(tmp_path, roles=report_roles())  # regenerated from the records: the same claims
    assert json.loads((tmp_path / "summary.json").read_text())["claims"] == summary["claims"]


def test_left_out_cells_are_listed_with_why_in_the_report(tmp_path: Path) -> None:
    from eval.report.write import write_report

    left_out = [{"cell": "udr", "why": "its training would take 4 h | here"}]
    cfg = StudyConfig.model_validate({**study_cfg(tmp_path, strategy=["zero-shot"]).model_dump(mode="json"),
                                      "left_out": left_out})
    run_study(cfg, hooks(Factory()))
    report = (tmp_path / "report.md").read_text()
    assert "## Left out" in report and "| udr | its training would take 4 h \\| here |" in report
    assert json.loads((tmp_path / "summary.json").read_text())["left_out"] == left_out
    shutil.rmtree(tmp_path / "runs")  # regenerated from study.json alone: still listed
    (tmp_path / "runs").mkdir()
    write_report(tmp_path, with_plots=False, roles=report_roles())
    assert "| udr |" in (tmp_path / "report.md").read_text()
    with pytest.raises(ValueError, match="why"):
        StudyConfig.model_validate({"left_out": [{"cell": "udr"}]})
    plain = tmp_path / "plain"
    run_study(study_cfg(plain, strategy=["zero-shot"]), hooks(Factory()))
    assert "## Left out" not in (plain / "report.md").read_text()
    assert not (plain / "plots" / "claims.png").exists()  # no claim: no claims plot


def test_claim_selectors_are_checked(tmp_path: Path) -> None:
    from eval.report.claims import find_cell

    with pytest.raises(ValueError, match="axes among"):
        StudyConfig.model_validate({"claims": [{"claim": "x", "a": {"strategi": "knn"}, "b": {"strategy": "r"}}]})
    run_study(study_cfg(tmp_path), hooks(Factory()), report=False)
    from eval.report.study import load_cells

    cells, _, _ = load_cells(tmp_path)
    with pytest.raises(ValueError, match="matches 2 cells"):
        find_cell(cells, {"strategy": "knn"}, str)


def test_verdicts_use_the_margin_and_identical_cells_get_a_rule_of_three_interval() -> None:
    from eval.report.claims import evaluate_claims, verdict

    assert verdict({"low": 0.001, "high": 0.2}) == "holds"
    assert verdict({"low": -0.1, "high": 0.019}) == "refuted"
    assert verdict({"low": -0.1, "high": 0.019}, margin=0.01) == "inconclusive"
    assert verdict({"low": -0.05, "high": 0.05}) == "inconclusive"
    same = {"n": 300, "diff": 0.0, "low": 0.0, "high": 0.0, "wins": 0, "losses": 0}
    (row,) = evaluate_claims([{"claim": "c", "a": {"strategy": "x"}, "b": {"strategy": "y"}}],
                             [type("C", (), {"strategy": s})() for s in "xy"], lambda a, b: same, str)
    assert row["comparison"]["high"] == 0.01 and row["verdict"] == "refuted"
    (row,) = evaluate_claims([{"claim": "c", "a": {"strategy": "x"}, "b": {"strategy": "y"}}],
                             [type("C", (), {"strategy": s})() for s in "xy"], lambda a, b: {**same, "n": 20}, str)
    assert row["comparison"]["high"] == 0.15 and row["verdict"] == "inconclusive"


def test_report_lists_the_wall_time_of_the_stages_that_did_work(tmp_path: Path) -> None:
    import json

    run_study(study_cfg(tmp_path), hooks(Factory()))
    summary = json.loads((tmp_path / "summary.json").read_text())
    stages = [t["stage"] for t in summary["stage_times"]]
    assert {"generate", "sample", "index", "solve"} <= set(stages)
    assert stages.index("generate") < stages.index("sample") < stages.index("solve")
    assert "## Wall time per stage" in (tmp_path / "report.md").read_text()


def test_every_cell_is_compared_with_its_solvers_self_consistency(tmp_path: Path) -> None:
    from eval.report.study import build_summary

    run_study(study_cfg(tmp_path, k=[2], strategy=["zero-shot", "self-consistency", "knn"]), hooks(Factory()))
    cells = {c["strategy"]: c for c in build_summary(tmp_path, report_roles())["cells"]}
    knn, sc = cells["knn"], cells["self-consistency"]
    assert sc["vs_self_consistency"] is None and sc["vs_zero_shot"] is not None
    assert abs(knn["vs_self_consistency"]["diff"] - (knn["accuracy"] - sc["accuracy"])) < 1e-9
    report = (tmp_path / "report.md").read_text()
    section = report.split("## Against self-consistency", 1)[1].split("\n## ", 1)[0]
    assert "| knn |" in section and "| zero-shot |" in section and "| self-consistency |" not in section
    header = (tmp_path / "cells.csv").read_text().splitlines()[0]
    assert header.endswith("diff_vs_self_consistency,sc_diff_low,sc_diff_high")


def test_a_variant_with_its_own_zero_shot_is_paired_with_it(tmp_path: Path) -> None:
    """Round two's arms (another cap, another benchmark) pair with their own zero-shot, not the main grid's."""
    from eval.report.study import build_summary

    cfg = StudyConfig.model_validate({
        "study_dir": str(tmp_path), "base": {"benchmark": {"limit": 3}, "sample": {"n": 3}},
        "grid": {"generator": ["gen-a"], "solver": ["gen-a"], "strategy": ["zero-shot", "knn"], "k": [2]},
        "arms": [{"variant": "svamp", "set": {"benchmark": {"name": "svamp"}, "solver": {"max_tokens": 512}},
                  "strategy": ["zero-shot", "knn"]},
                 {"variant": "no-filter", "set": {"sample": {"self_consistency": False}}, "strategy": ["knn"]}]})
    run_study(cfg, hooks(Factory()))
    cells = {(c["strategy"], c["variant"]): c for c in build_summary(tmp_path, report_roles())["cells"]}
    svamp_knn, svamp_zero = cells[("knn", "svamp")], cells[("zero-shot", "svamp")]
    assert svamp_knn["vs_zero_shot"]["n"] == 3  # the main grid's zero-shot answered other (GSM8K) problems
    assert abs(svamp_knn["vs_zero_shot"]["diff"] - (svamp_knn["accuracy"] - svamp_zero["accuracy"])) < 1e-9
    assert svamp_zero["vs_zero_shot"] is None
    main_zero = cells[("zero-shot", None)]
    no_filter = cells[("knn", "no-filter")]  # no zero-shot of its own: the main grid's
    assert abs(no_filter["vs_zero_shot"]["diff"] - (no_filter["accuracy"] - main_zero["accuracy"])) < 1e-9
    assert (svamp_knn["cap"], main_zero["cap"]) == (512, 400)
    report = (tmp_path / "report.md").read_text()
    assert "| cap | cut | loop |" in report
    assert "- variant `svamp` (its cells are marked `[svamp]`): benchmark.name=svamp, solver.max_tokens=512" in report


def test_a_variant_on_another_benchmark_gets_its_own_plot_panel_and_baseline_line(tmp_path: Path) -> None:
    from eval.report.panels import baseline, in_panel, panel_title, panels
    from eval.report.study import build_summary, cell_name

    cfg = StudyConfig.model_validate({
        "study_dir": str(tmp_path), "base": {"benchmark": {"limit": 3}, "sample": {"n": 3}},
        "grid": {"generator": ["gen-a"], "solver": ["gen-a"], "strategy": ["zero-shot", "knn"], "k": [2]},
        "arms": [{"variant": "svamp", "set": {"benchmark": {"name": "svamp"}}, "strategy": ["zero-shot", "knn"]},
                 {"variant": "cap-64", "set": {"solver": {"max_tokens": 64}}, "strategy": ["zero-shot", "knn"]}]})
    run_study(cfg, hooks(Factory()))
    summary = build_summary(tmp_path, report_roles())
    assert {(c["variant"], c["benchmark"]) for c in summary["cells"]} == {
        (None, "gsm8k"), ("cap-64", "gsm8k"), ("svamp", "svamp")}
    every = panels(summary, summary["cells"])
    assert every == [("gen-a", "gsm8k"), ("gen-a", "svamp")]  # another cap stays beside its benchmark's cells
    assert panel_title(every[1], every) == "solver: gen-a · svamp"
    gsm8k, svamp = (in_panel(summary, summary["cells"], p) for p in every)
    assert {cell_name(c) for c in svamp} == {"zero-shot [svamp]", "knn [svamp]"}
    assert baseline(svamp, report_roles())["variant"] == "svamp"  # the line is SVAMP's own zero-shot
    assert baseline(gsm8k, report_roles())["variant"] is None  # the main grid's, not cap-64's
    assert (tmp_path / "plots" / "accuracy_by_strategy.png").stat().st_size > 0


def test_a_variant_with_its_own_self_consistency_renders_without_the_main_grids(tmp_path: Path) -> None:
    """One phase of round two runs self-consistency only under a variant: its cells pair with that cell."""
    from eval.report.study import build_summary

    cfg = StudyConfig.model_validate({
        "study_dir": str(tmp_path), "base": {"benchmark": {"limit": 3}, "sample": {"n": 3}},
        "grid": {"generator": ["gen-a"], "solver": ["gen-a"], "strategy": ["zero-shot"], "k": [2]},
        "arms": [{"variant": "cap-64", "set": {"solver": {"max_tokens": 64}},
                  "strategy": ["zero-shot", "knn", "self-consistency"]}]})
    run_study(cfg, hooks(Factory()))
    cells = {(c["strategy"], c["variant"]): c for c in build_summary(tmp_path, report_roles())["cells"]}
    knn, sc = cells[("knn", "cap-64")], cells[("self-consistency", "cap-64")]
    assert abs(knn["vs_self_consistency"]["diff"] - (knn["accuracy"] - sc["accuracy"])) < 1e-9
    section = (tmp_path / "report.md").read_text().split("## Against self-consistency", 1)[1].split("\n## ", 1)[0]
    knn_row = next(line for line in section.splitlines() if "| knn [cap-64] |" in line)
    assert f"| {sc['tokens_per_question']:.0f} |" in knn_row
