"""Answers grown from a smaller cap's solve stage (`pipeline.stages.extend`), with an engine whose answer to a prompt
is a known word sequence: a grown greedy answer must equal a fresh one, and only cut samples reach the engine."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from eval.benchmarks import Problem
from pipeline.engines.base import Completion, GenerationResult, Request, Sampling
from pipeline.stages.extend import shorter_stages
from pipeline.stages.solve import run_solve
from pipeline.store import StageDir


def _h(*parts: object) -> int:
    return int(hashlib.md5("|".join(map(str, parts)).encode()).hexdigest()[:6], 16)


class WordsEngine:
    """Answers a prompt with `` ANS w1 w2 ... wL`` (one token per word; L from the prompt, and from the sample's
    seed when sampling); a prompt that already holds `` ANS w1 .. wm`` continues with `` w(m+1) ...``."""

    name = "words"
    max_model_len = 4096

    def __init__(self) -> None:
        self.requests: list[tuple[str, int]] = []  # (prompt, max_tokens)

    def generate(self, requests: Sequence[Request], sampling: Sampling) -> Iterator[tuple[int, GenerationResult]]:
        for i, req in enumerate(requests):
            self.requests.append((req.prompt, sampling.max_tokens))
            question, marker, done = req.prompt.partition(" ANS")
            start = len(done.split())
            completions = []
            for j in range(sampling.n):
                if sampling.temperature == 0:
                    total = 3 + _h(question) % 12
                elif marker:  # a sampled continuation: some more words
                    total = start + 1 + _h(req.seed, j) % 10
                else:
                    total = 3 + _h(question, req.seed, j) % 12
                words = [f"w{k}" for k in range(start + 1, min(total, start + sampling.max_tokens) + 1)]
                text = "".join(f" {w}" for w in words)
                completions.append(Completion(text if marker else " ANS" + text, len(words),
                                              "length" if total > start + sampling.max_tokens else "stop"))
            yield i, GenerationResult(completions, n_prompt_tokens=len(req.prompt.split()))

    def apply_chat_template(self, messages: list[dict[str, str]]) -> str:
        return messages[-1]["content"]

    def count_tokens(self, text: str) -> int:
        return len(text.split())

    def close(self) -> None:
        pass


PROBLEMS = [Problem(id=f"p{i}", question=f"Question number {i}?", gold="1", benchmark="gsm8k") for i in range(12)]


def _demos(strategy: str = "zero-shot", sampling: dict | None = None) -> dict[str, list[dict]]:
    return {strategy: [{"problem_id": p.id, "strategy": strategy, "strategy_key": f"key-{strategy}", "pool_ids": [],
                        **({"sampling": sampling} if sampling else {})} for p in PROBLEMS]}


def _inputs(cap: int, temperature: float = 0.0) -> dict:
    return {"model": "words", "template": "t", "dtype": "float32", "prompt_budget": None, "max_model_len": 4096,
            "sampling": Sampling(max_tokens=cap, temperature=temperature).as_dict()}


def _solve(run_dir: Path, cap: int, engine: WordsEngine, demos: dict, extend: bool = False) -> list[dict]:
    stage = StageDir(run_dir, "solve", _inputs(cap))
    extend_from = shorter_stages(stage.path.parent, stage.inputs) if extend else []
    return run_solve(PROBLEMS, demos, None, lambda: engine, stage, sampling=Sampling(max_tokens=cap),
                     budget_fn=lambda e: 4000, model_name="words", extend_from=extend_from)


def _by_problem(records: list[dict]) -> dict[str, dict]:
    return {r["problem_id"]: r for r in records}


def test_greedy_answers_grown_from_a_smaller_cap_equal_fresh_ones(tmp_path: Path) -> None:
    short = _solve(tmp_path / "grown", 6, WordsEngine(), _demos())
    cut = {r["problem_id"] for r in short if r["samples"][0]["finish_reason"] == "length"}
    assert 0 < len(cut) < len(PROBLEMS)  # the fixture has both kinds

    engine = WordsEngine()
    grown = _by_problem(_solve(tmp_path / "grown", 10, engine, _demos(), extend=True))
    fresh = _by_problem(_solve(tmp_path / "fresh", 10, WordsEngine(), _demos()))
    assert {p: r["samples"][0]["text"] for p, r in grown.items()} == {p: r["samples"][0]["text"]
                                                                      for p, r in fresh.items()}
    assert {p: r["samples"][0]["finish_reason"] for p, r in grown.items()} == {
        p: r["samples"][0]["finish_reason"] for p, r in fresh.items()}
    # only the cut answers reached the engine, each for the 4 tokens the larger cap adds
    assert len(engine.requests) == len(cut) and {m for _, m in engine.requests} == {4}
    assert all(r["extended_from"] for r in grown.values())
    assert {p for p, r in grown.items() if "extended" in r["samples"][0]} == cut


def _drop_sampling(stage_root: Path) -> None:
    """Rewrite every solve record as the solve stage wrote it before it copied a recipe's sampling into them."""
    for path in stage_root.glob("*/predictions.jsonl"):
        records = [json.loads(line) for line in path.read_text().splitlines()]
        path.write_text("".join(json.dumps({k: v for k, v in r.items() if k != "sampling"}) + "\n"
                                for r in records))


@pytest.mark.parametrize("old_records", [False, True], ids=["records", "records-without-sampling"])
def test_sampled_answers_keep_finished_samples_and_continue_cut_ones(tmp_path: Path, old_records: bool) -> None:
    sc = {"n": 5, "temperature": 0.7}
    short = _by_problem(_solve(tmp_path, 6, WordsEngine(), _demos("self-consistency", sc)))
    if old_records:  # round one's early records: the same strategy key implies the same sampling
        _drop_sampling(tmp_path / "solve")
    engine = WordsEngine()
    grown = _by_problem(_solve(tmp_path, 10, engine, _demos("self-consistency", sc), extend=True))
    n_cut = 0
    for pid, rec in grown.items():
        for before, after in zip(short[pid]["samples"], rec["samples"], strict=True):
            if before["finish_reason"] == "length":
                n_cut += 1
                assert after["text"].startswith(before["text"]) and after["extended"] == after["n_tokens"] - 6
            else:
                assert after == before
    assert n_cut == len(engine.requests) > 0
    assert all(r["extended_from"] for r in grown.values())


def test_a_record_with_another_number_of_samples_is_not_grown(tmp_path: Path) -> None:
    _solve(tmp_path, 6, WordsEngine(), _demos("self-consistency", {"n": 5, "temperature": 0.7}))
    _drop_sampling(tmp_path / "solve")  # no sampling field: only the sample count can tell
    engine = WordsEngine()
    grown = _solve(tmp_path, 10, engine, _demos("self-consistency", {"n": 3, "temperature": 0.7}), extend=True)
    assert not any("extended_from" in r for r in grown) and len(engine.requests) == len(PROBLEMS)


def test_a_stage_grows_only_from_stages_that_differ_by_a_smaller_cap(tmp_path: Path) -> None:
    for cap in (4, 6, 20):
        _solve(tmp_path, cap, WordsEngine(), _demos())
    other = StageDir(tmp_path, "solve", _inputs(5, temperature=0.7))  # another sampling: never a source
    run_solve(PROBLEMS, _demos(), None, WordsEngine, other, sampling=Sampling(max_tokens=5, temperature=0.7),
              budget_fn=lambda e: 4000, model_name="words")
    target = StageDir(tmp_path, "solve", _inputs(10))
    found = shorter_stages(target.path.parent, target.inputs)
    assert [k for k, _ in found] == [StageDir(tmp_path, "solve", _inputs(c)).key for c in (6, 4)]


def test_without_a_smaller_stage_everything_is_asked_afresh(tmp_path: Path) -> None:
    engine = WordsEngine()
    records = _solve(tmp_path, 10, engine, _demos(), extend=True)
    assert len(engine.requests) == len(PROBLEMS) and not any("extended_from" in r for r in records)
