import json
from pathlib import Path

import pytest

from pipeline.errors import SaicotError
from pipeline.store import JsonlStore, StageDir, cache_key


def test_append_skips_existing_keys(tmp_path: Path) -> None:
    store = JsonlStore(tmp_path / "r.jsonl", key=lambda r: r["id"])
    assert store.append([{"id": 1}, {"id": 2}]) == 2
    assert store.append([{"id": 2}, {"id": 3}]) == 1
    fresh = JsonlStore(tmp_path / "r.jsonl", key=lambda r: r["id"])
    assert [r["id"] for r in fresh.records()] == [1, 2, 3]


def test_duplicates_inside_one_batch_are_written_once_and_a_failed_write_caches_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = JsonlStore(tmp_path / "r.jsonl", key=lambda r: r["id"])
    assert store.append([{"id": 1, "v": "a"}, {"id": 1, "v": "b"}]) == 1
    assert store.records() == [{"id": 1, "v": "a"}]

    def disk_full(*args: object) -> None:
        raise OSError("No space left on device")

    monkeypatch.setattr("pipeline.store.os.write", disk_full)
    with pytest.raises(OSError):
        store.append([{"id": 2}])
    monkeypatch.undo()
    assert 2 not in store.done()
    assert store.append([{"id": 2}]) == 1
    assert [r["id"] for r in JsonlStore(tmp_path / "r.jsonl", key=lambda r: r["id"]).records()] == [1, 2]


def test_torn_last_line_is_discarded_and_file_repaired(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    path.write_text('{"id": 1}\n{"id": 2}\n{"id": 3, "te')
    store = JsonlStore(path, key=lambda r: r["id"])
    assert store.done() == {1, 2}
    store.append([{"id": 3}])
    lines = path.read_text().splitlines()
    assert [json.loads(x)["id"] for x in lines] == [1, 2, 3]


def test_corrupt_middle_line_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    path.write_text('{"id": 1}\nnot json\n{"id": 3}\n')
    with pytest.raises(SaicotError, match=r"r\.jsonl:2: corrupt record"):
        JsonlStore(path, key=lambda r: r["id"]).records()


def test_cache_key_depends_on_every_input() -> None:
    base = {"model": "a", "sampling": {"n": 1}}
    assert cache_key(base) == cache_key({"sampling": {"n": 1}, "model": "a"})
    assert cache_key(base) != cache_key({"model": "b", "sampling": {"n": 1}})
    assert cache_key(base) != cache_key({"model": "a", "sampling": {"n": 2}})


def test_stage_dir_records_inputs_and_completion(tmp_path: Path) -> None:
    stage = StageDir(tmp_path, "generate", {"k": 4})
    assert not stage.complete
    stage.store("generated.jsonl", key=lambda r: r["id"]).append([{"id": "x"}])
    assert json.loads((stage.path / "inputs.json").read_text())["inputs"] == {"k": 4}
    stage.mark_complete()
    assert StageDir(tmp_path, "generate", {"k": 4}).complete
    assert not StageDir(tmp_path, "generate", {"k": 5}).complete
