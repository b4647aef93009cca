"""Generator prompt styles ("list" / "single"), the worked example's place and the pre-filled reply start."""

from __future__ import annotations

from pathlib import Path

import pytest

from prompts.generate import EXAMPLE_TEXTS, generate_messages, reply_start
from tests.helpers.fake_engine import FakeFactory
from tests.unit.test_pipeline_fake import make_cfg, read, run, stage_file

Q = "Tom has 3 apples and buys 4 more. How many apples does he have?"


@pytest.mark.parametrize("style", ["list", "single"])
def test_the_example_goes_in_the_system_message_a_chat_turn_or_nowhere(style: str) -> None:
    system = generate_messages(Q, 3, style=style, example="system")
    chat = generate_messages(Q, 3, style=style, example="chat")
    none = generate_messages(Q, 3, style=style, example="none")
    assert [m["role"] for m in system] == [m["role"] for m in none] == ["system", "user"]
    assert [m["role"] for m in chat] == ["system", "user", "assistant", "user"]
    assert EXAMPLE_TEXTS[0] in system[0]["content"] and EXAMPLE_TEXTS[1] in system[0]["content"]
    assert EXAMPLE_TEXTS[0] in chat[1]["content"] and EXAMPLE_TEXTS[1] in chat[2]["content"]
    assert not any(t in m["content"] for m in none for t in EXAMPLE_TEXTS)
    assert "example below" in system[0]["content"] and "example" not in none[0]["content"]
    assert all(msgs[-1]["content"].startswith(f"Problem: {Q}") for msgs in (system, chat, none))
    assert all("{" not in m["content"] for msgs in (system, chat, none) for m in msgs)
    if style == "single":  # the example reply is written the way the model is asked to reply
        assert chat[2]["content"] == f"{reply_start('single')} {EXAMPLE_TEXTS[1]}"
        assert "one new problem" in none[0]["content"] and "3" not in none[0]["content"]
    else:
        assert "3 new problems" in system[0]["content"] and chat[2]["content"].startswith("1. ")


def test_single_style_samples_k_replies_from_one_prompt_per_problem(tmp_path: Path) -> None:
    factory = FakeFactory()
    run(make_cfg(tmp_path, "generator.style=single", "generator.example=chat", "generator.prefill=true",
                 "generator.k=3"), factory)
    records = read(stage_file(tmp_path, "generate", "generated.jsonl"))
    assert len(records) == 6
    gen_prompts = [p for p in factory.prompts if "practice problems" in p]
    assert len(gen_prompts) == 6 and all(p.endswith("<assistant>New problem:") for p in gen_prompts)
    for r in records:
        assert len(r["raw"]) == 3 and all(t.startswith("New problem: ") and t.count("New problem") == 1
                                          for t in r["raw"])
        assert len(r["finish_reasons"]) == 3
        assert 1 <= len(r["questions"]) <= 3 and len(r["questions"]) + r["dropped"] == 3
        assert all(not q["question"].startswith("New problem") for q in r["questions"])
    assert sum(len(r["questions"]) for r in records) >= 15  # the fake's k samples are different stories


def test_style_example_and_prefill_are_part_of_the_generate_key(tmp_path: Path) -> None:
    keys = set()
    for i, extra in enumerate([[], ["generator.style=list"], ["generator.example=none"],
                               ["generator.prefill=false"]]):
        run(make_cfg(tmp_path / str(i), *extra), FakeFactory())
        keys.add(stage_file(tmp_path / str(i), "generate", "generated.jsonl").parent.name)
    assert len(keys) == 4


@pytest.mark.parametrize("style", ["list", "single"])
def test_the_prefilled_reply_start_ends_in_no_space(style: str) -> None:
    assert reply_start(style) and reply_start(style) == reply_start(style).rstrip()
