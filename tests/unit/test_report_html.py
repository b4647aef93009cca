"""report.html: built from records, model output shown as text only (checked in a real browser)."""

from __future__ import annotations

import base64
import gzip
import json
import re
from pathlib import Path

from tests.helpers.browser import dom
from tests.helpers.fake_engine import FakeEngine, FakeFactory
from tests.unit.test_pipeline_fake import make_cfg, read, run, stage_file

PAYLOAD = "<script>alert(1)</script><img src=x onerror=alert(2)>"


class HostileEngine(FakeEngine):
    def _respond(self, req, j, sampling):  # noqa: ANN001, ANN202
        return super()._respond(req, j, sampling) + f"\n{PAYLOAD} </script><b>bold?</b>"


class HostileFactory(FakeFactory):
    def __call__(self, model: str, cfg: object) -> FakeEngine:
        engine = HostileEngine(name=model)
        self.engines.append(engine)
        return engine


def test_model_output_never_becomes_markup(tmp_path: Path) -> None:
    run(make_cfg(tmp_path), HostileFactory())
    page = (tmp_path / "report.html").read_text()
    assert "alert(1)" not in page and len(re.findall(r"<script", page)) == 2  # the data file and the page's script
    data_js = (tmp_path / "report-data.js").read_text()
    packed = re.fullmatch(r'window\.SAICOT_REPORT_DATA = "([A-Za-z0-9+/=]*)";\n', data_js)  # base64 only
    assert packed is not None
    data = gzip.decompress(base64.b64decode(packed.group(1))).decode()
    assert "<script>alert(1)</script>" in json.loads(data)["runs"][0]["answers"]["gsm8k-test-00000"]["zero-shot"][
        "outputs"][0]
    html = dom(tmp_path / "report.html", "p=run/gsm8k-test-00000")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;" in html
    assert "<img src=\"x\"" not in html and "onerror=\"alert" not in html and "<b>bold?</b>" not in html


def test_list_filters_and_problem_page_in_a_browser(tmp_path: Path) -> None:
    run(make_cfg(tmp_path), FakeFactory())
    page = tmp_path / "report.html"
    scores = [s for s in read(tmp_path / "scores.jsonl") if s["strategy"] == "knn"]
    every = dom(page)
    assert "6 problems shown" in every and every.count('href="#p=run%2Fgsm8k-test-') == 6
    for status, want in (("correct", sum(s["correct"] for s in scores)),
                         ("wrong", sum(not s["correct"] for s in scores))):
        html = dom(page, f"list&strategy=knn&status={status}")
        assert f"{want} problems shown" in html and html.count('href="#p=run%2Fgsm8k-test-') == want
    preds = {(p["strategy"], p["problem_id"]): p for p in read(stage_file(tmp_path, "solve", "predictions.jsonl"))}
    problem = dom(page, "p=run/gsm8k-test-00001")
    for strategy in ("knn", "random"):
        column = problem.split(f'data-strategy="{strategy}"', 1)[1].split('data-strategy="', 1)[0]
        n_demos = len(preds[(strategy, "gsm8k-test-00001")]["demo_ids"])
        assert n_demos > 0 and column.count('class="demo"') == n_demos
        assert column.count("similarity 0.") + column.count("similarity -0.") == n_demos  # cosine shown
        assert "<mark>" in column  # the extracted answer is marked in the output
    assert 'id="generated"' in problem and "in the pool" in problem


def test_a_voted_answer_shows_its_votes_and_every_output(tmp_path: Path) -> None:
    run(make_cfg(tmp_path, "retrieve.strategies=[zero-shot, self-consistency]", "retrieve.sc_samples=3"),
        FakeFactory())
    (score,) = [s for s in read(tmp_path / "scores.jsonl")
                if s["strategy"] == "self-consistency" and s["problem_id"] == "gsm8k-test-00001"]
    problem = dom(tmp_path / "report.html", "p=run/gsm8k-test-00001")
    def column_of(strategy: str) -> str:
        return problem.split(f'data-strategy="{strategy}"', 1)[1].split('data-strategy="', 1)[0].split("<script")[0]

    column = column_of("self-consistency")
    votes = ", ".join("(none)" if a is None else a for a in score["answers"])
    assert f"votes: {votes}" in column and "3 outputs" in column and column.count("<pre") == 3
    greedy = column_of("zero-shot")
    assert "votes:" not in greedy and ">output<" in greedy


def test_a_page_without_its_data_file_says_so(tmp_path: Path) -> None:
    run(make_cfg(tmp_path), FakeFactory())
    (tmp_path / "report-data.js").unlink()
    assert "report-data.js, the data of this page, is missing" in dom(tmp_path / "report.html")


def test_a_per_sample_strategy_shows_which_demos_each_output_saw(tmp_path: Path) -> None:
    run(make_cfg(tmp_path, "retrieve.strategies=[zero-shot, knn-sc]", "retrieve.k=1", "retrieve.sc_samples=3"),
        FakeFactory())
    preds = {(p["strategy"], p["problem_id"]): p for p in read(stage_file(tmp_path, "solve", "predictions.jsonl"))}
    pred = preds[("knn-sc", "gsm8k-test-00001")]
    problem = dom(tmp_path / "report.html", "p=run/gsm8k-test-00001")
    column = problem.split('data-strategy="knn-sc"', 1)[1].split('data-strategy="', 1)[0].split("<script")[0]
    for i, sample in enumerate(pred["samples"], 1):
        assert f"sample {i} was shown: {', '.join(sample['demo_ids'])}<" in column
    assert column.count('class="demo"') == len(set(pred["demo_ids"]))  # each demo once
    greedy = problem.split('data-strategy="zero-shot"', 1)[1].split('data-strategy="', 1)[0].split("<script")[0]
    assert ">output<" in greedy and "was shown" not in greedy
