"""Bundled benchmark loaders, gold derivation, field-mapped user files and malformed-row errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from eval.benchmarks import BENCHMARKS, DatasetError, Problem, data_dir, list_benchmarks, load
from eval.benchmarks import formats as fmt


@pytest.fixture
def tmp_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Keep datasets' cache for throwaway files out of the user's cache."""
    import datasets

    cache = tmp_path / "hf-cache"
    monkeypatch.setattr(datasets.config, "HF_DATASETS_CACHE", cache)
    return cache


EXPECTED = {
    # name: (rows, first gold)
    "gsm8k": (1319, "18"),
    "math500": (500, r"\left( 3, \frac{\pi}{2} \right)"),
    "math": (5000, "2"),
    "svamp": (1000, "51"),
    "aqua": (254, "A"),
    "gsm_hard": (1319, "-9867630"),
    "olympiadbench": (675, "2"),
}


def test_registry_lists_the_seven_benchmarks() -> None:
    assert list_benchmarks() == sorted(EXPECTED)
    for spec in BENCHMARKS.values():
        for rel in spec.files.values():
            assert (data_dir() / rel).is_file()
            assert any(p.name.startswith("LICENSE") for p in (data_dir() / rel).parent.iterdir())


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_builtin_counts_first_gold_and_records(name: str) -> None:
    rows, first_gold = EXPECTED[name]
    problems = load(name)
    assert len(problems) == rows
    assert problems[0].gold == first_gold
    assert problems[0].id == f"{name}-test-00000"
    assert problems[42].id == f"{name}-test-00042"
    assert len({p.id for p in problems}) == rows
    assert all(isinstance(p, Problem) and p.benchmark == name for p in problems)
    assert all(p.question.strip() and p.gold.strip() for p in problems)
    json.dumps([p.meta for p in problems], allow_nan=False)  # meta must be JSON-serialisable


def test_gsm8k_train_split_and_unknown_split() -> None:
    train = load("gsm8k", split="train")
    assert len(train) == 7473
    assert train[0].gold == "72" and train[0].id == "gsm8k-train-00000"
    assert "#### 72" in train[0].meta["solution"]
    with pytest.raises(DatasetError, match="no split 'dev'"):
        load("gsm8k", split="dev")


def test_limit_and_fields_rejected_for_builtins() -> None:
    assert [p.id for p in load("math500", limit=3)] == [f"math500-test-{i:05d}" for i in range(3)]
    with pytest.raises(ValueError, match="fields"):
        load("gsm8k", fields={"question": "q"})


def test_gsm8k_gold_strips_commas() -> None:
    assert fmt.gsm8k_gold("so 1,000 + 234\n#### 1,234") == "1234"
    golds = [p.gold for p in load("gsm8k")]
    assert all("," not in g for g in golds)
    with pytest.raises(ValueError, match="####"):
        fmt.gsm8k_gold("no marker")


def test_last_boxed_handles_nested_braces_and_takes_the_last() -> None:
    text = r"first $\boxed{1}$ then $\boxed{\frac{a^{2}}{\sqrt{b_{1}}}}$ and $x$"
    assert fmt.last_boxed(text) == r"\frac{a^{2}}{\sqrt{b_{1}}}"
    assert fmt.last_boxed(r"$\boxed{\left\{ 1, 2 \right\}}$") == r"\left\{ 1, 2 \right\}"
    assert fmt.last_boxed(r"\boxed {7} and \fbox{8}") == "8"
    assert fmt.last_boxed(r"\boxed{unclosed") is None
    assert fmt.last_boxed("no box at all") is None


def test_math_gold_comes_from_boxed_solution() -> None:
    math = load("math")
    assert "boxed" in math[0].meta["solution"] and math[0].meta["level"] == "Level 3"
    # all 500 MATH-500 problems occur in MATH; the boxed answers equal MATH-500's answer field
    by_question = {p.question: p.gold for p in math}
    m500 = load("math500")
    assert all(by_question[p.question] == p.gold for p in m500)
    # list answers boxed item by item are joined
    assert math[414].gold == "-2, 1"


def test_aqua_options_in_question_and_meta() -> None:
    first = load("aqua")[0]
    assert first.gold == "A"
    assert first.question.endswith(
        "Answer Choices: (A) 5(√3 + 1) (B) 6(√3 + √2) (C) 7(√3 – 1) (D) 8(√3 – 2) (E) None of these"
    )
    assert first.meta["choices"]["E"] == "None of these"
    assert all(p.gold in p.meta["choices"] for p in load("aqua"))


def test_svamp_question_and_numeric_gold() -> None:
    first = load("svamp")[0]
    assert first.question == (
        "Each pack of dvds costs 76 dollars. If there is a discount of 25 dollars on each pack. "
        "How much do you have to pay to buy each pack?"
    )
    assert first.gold == "51" and first.meta["source_id"] == "chal-1"


def test_gsm_hard_and_olympiadbench_golds() -> None:
    golds = [p.gold for p in load("gsm_hard")]
    assert "3244047.1" in golds  # target 3244047.0999999996
    assert all("e" not in g for g in golds)
    olympiad = load("olympiadbench")
    assert olympiad[5].gold == "$(1,8,19), (2,7,13), (4,5,7)$"
    assert olympiad[0].meta["subfield"] == "Combinatorics"


@pytest.mark.parametrize(
    ("value", "expected"),
    [(5.0, "5"), (-9867630.0, "-9867630"), (3244047.0999999996, "3244047.1"), (0.5, "0.5"), (7, "7"),
     (1e-7, "0.0000001"), (" 12 ", "12")],
)
def test_clean_number(value: float | int | str, expected: str) -> None:
    assert fmt.clean_number(value) == expected


def test_clean_gold_lists_and_nan() -> None:
    assert fmt.clean_gold(["1", 2.0]) == "1, 2"
    with pytest.raises(ValueError):
        fmt.clean_number(float("nan"))


# ---------- user files with a field mapping ----------

ROWS = [
    {"uid": "a", "problem": "What is 1+1?", "answer": 2.0, "level": 1},
    {"uid": "b", "problem": "What is 2+3?", "answer": 5, "level": 2},
]


def _write_jsonl(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_jsonl_with_field_mapping(tmp_path: Path, tmp_cache: Path) -> None:
    path = _write_jsonl(tmp_path / "toy.jsonl", [json.dumps(r) for r in ROWS])
    problems = load(str(path), fields={"question": "problem", "gold": "answer", "id": "uid"})
    assert [(p.id, p.question, p.gold) for p in problems] == [
        ("a", "What is 1+1?", "2"),
        ("b", "What is 2+3?", "5"),
    ]
    assert problems[0].benchmark == "toy" and problems[0].meta == {"level": 1}
    default_ids = load(str(path), fields={"question": "problem", "gold": "answer"}, split="dev")
    assert [p.id for p in default_ids] == ["toy-dev-00000", "toy-dev-00001"]


def test_json_array_csv_tsv_and_parquet(tmp_path: Path, tmp_cache: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    fields = {"question": "problem", "gold": "answer"}
    (tmp_path / "arr.json").write_text(json.dumps(ROWS, indent=2), encoding="utf-8")
    (tmp_path / "t.csv").write_text('problem,answer\n"What is 1+1?",2\n"Say ""hi"", then 2+3?",5\n')
    (tmp_path / "t.tsv").write_text("problem\tanswer\nWhat is 1+1?\t2\nWhat is 2+3?\t5\n")
    pq.write_table(pa.Table.from_pylist(ROWS), tmp_path / "t.parquet")
    for name in ("arr.json", "t.csv", "t.tsv", "t.parquet"):
        problems = load(str(tmp_path / name), fields=fields)
        assert [p.gold for p in problems] == ["2", "5"], name
        assert problems[0].question == "What is 1+1?"
    assert load(str(tmp_path / "t.csv"), fields=fields)[1].question == 'Say "hi", then 2+3?'


def test_gold_format_gsm8k_and_boxed(tmp_path: Path, tmp_cache: Path) -> None:
    path = _write_jsonl(tmp_path / "g.jsonl", [
        json.dumps({"question": "q1", "answer": "work\n#### 1,500"}),
        json.dumps({"question": "q2", "answer": r"so $\boxed{\frac{1}{2}}$"}),
    ])
    assert load(str(path), fields={"gold_format": "gsm8k"}, limit=1)[0].gold == "1500"
    with pytest.raises(DatasetError, match=r"g\.jsonl:1: gold field 'answer'"):
        load(str(path), fields={"gold_format": "boxed"})
    with pytest.raises(ValueError, match="gold_format"):
        load(str(path), fields={"gold_format": "nope"})


def test_hub_dataset_path_uses_datasets(monkeypatch: pytest.MonkeyPatch) -> None:
    import datasets

    calls = []

    def fake_load_dataset(repo: str, config: str | None = None, *, split: str) -> datasets.Dataset:
        calls.append((repo, config, split))
        return datasets.Dataset.from_list([{"q": "What is 3*3?", "a": "9"}])

    monkeypatch.setattr(datasets, "load_dataset", fake_load_dataset)
    fields = {"question": "q", "gold": "a", "config": "main"}
    problems = load("someone/toy-math", split="validation", fields=fields)
    assert calls == [("someone/toy-math", "main", "validation")]
    assert problems == [Problem("toy-math-validation-00000", "What is 3*3?", "9", "toy-math", {})]


# ---------- malformed input names file and line ----------


@pytest.mark.parametrize(
    ("lines", "line", "message"),
    [
        (['{"question": "ok", "answer": "1"}', "", '{"question": "bad" "answer": 2}'], 3, "invalid JSON"),
        (['{"question": "ok", "answer": "1"}', '{"answer": "2"}'], 2, "missing field 'question'"),
        (['{"question": "  ", "answer": "1"}'], 1, r"the question \(field 'question'\) is empty"),
        (['{"question": "q", "answer": null}'], 1, "gold field 'answer' is empty"),
        (
            ['{"question": "q", "answer": "1"}', '{"question": "q", "answer": 2}'],
            2,
            "field 'answer' is a number here but a string at .*:1",
        ),
        (['{"question": "q", "answer": "1"}', '[1, 2]'], 2, "expected a JSON object"),
    ],
)
def test_malformed_jsonl_rows_name_file_and_line(
    tmp_path: Path, tmp_cache: Path, lines: list[str], line: int, message: str
) -> None:
    path = _write_jsonl(tmp_path / "bad.jsonl", lines)
    with pytest.raises(DatasetError, match=rf"bad\.jsonl:{line}: {message}"):
        load(str(path))


def test_malformed_csv_and_json_array_name_the_line(tmp_path: Path, tmp_cache: Path) -> None:
    csv_path = tmp_path / "bad.csv"
    csv_path.write_text('question,answer\n"two\nlines",1\n"",2\n')
    with pytest.raises(DatasetError, match=r"bad\.csv:4: the question"):
        load(str(csv_path))
    array = tmp_path / "bad.json"
    array.write_text('[\n  {"question": "a", "answer": 1},\n  {"question": "b"}\n]\n')
    with pytest.raises(DatasetError, match=r"bad\.json:3: missing field 'answer'"):
        load(str(array))
    array.write_text('[\n  {"question": "a", "answer": 1},\n  {"question": "b",,}\n]\n')
    with pytest.raises(DatasetError, match=r"bad\.json:3: invalid JSON"):
        load(str(array))


def test_unknown_name_fails_fast_with_a_suggestion() -> None:
    with pytest.raises(DatasetError, match="unknown benchmark 'gms8k'.*Did you mean 'gsm8k'"):
        load("gms8k")


def test_missing_unsupported_and_duplicate_ids(tmp_path: Path, tmp_cache: Path) -> None:
    with pytest.raises(DatasetError, match="no such file"):
        load(str(tmp_path / "absent.jsonl"))
    (tmp_path / "x.txt").write_text("hello")
    with pytest.raises(DatasetError, match="unsupported file type"):
        load(str(tmp_path / "x.txt"))
    path = _write_jsonl(tmp_path / "dup.jsonl", [json.dumps({"id": 1, "question": "q", "answer": 1})] * 2)
    with pytest.raises(DatasetError, match=r"dup\.jsonl:2: duplicate id '1' \(first at .*dup\.jsonl:1\)"):
        load(str(path), fields={"id": "id"})


def test_malformed_bundled_file_names_file_and_line(
    tmp_path: Path, tmp_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "gsm8k").mkdir()
    shutil.copy(data_dir() / "gsm8k" / "LICENSE", tmp_path / "gsm8k")
    _write_jsonl(tmp_path / "gsm8k" / "test.jsonl", [
        json.dumps({"question": "q", "answer": "x\n#### 3"}),
        json.dumps({"question": "q2", "answer": "no final marker"}),
    ])
    monkeypatch.setenv("SAICOT_DATA_DIR", str(tmp_path))
    assert load("gsm8k", limit=1)[0].gold == "3"
    with pytest.raises(DatasetError, match=r"gsm8k/test\.jsonl:2: answer has no '####'"):
        load("gsm8k")
    monkeypatch.setenv("SAICOT_DATA_DIR", str(tmp_path / "nowhere"))
    with pytest.raises(DatasetError, match="SAICOT_DATA_DIR"):
        load("gsm8k")
