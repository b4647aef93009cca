"""prompts: templates and hashes, generator prompt, list parsing, near-copy filter, demo packing."""

from __future__ import annotations

from pathlib import Path

import pytest

import prompts.templates as templates
from prompts.fewshot_gsm8k import MANUAL_GSM8K
from prompts.generate import EXAMPLE_TEXTS, filter_near_copies, generate_messages, parse_generated, similarity
from prompts.solve import Demo, instruction, pack_demos, solve_messages
from prompts.templates import available_templates, fill, load_template, sections, template_hash

TEST_Q = ("Natalia sold clips to 48 of her friends in April, and then she sold half as many clips in May. "
          "How many clips did Natalia sell altogether in April and May?")


def render(messages: list[dict[str, str]]) -> str:
    return "".join(f"<{m['role']}> {m['content']} </{m['role']}> " for m in messages) + "<assistant>"


def count(text: str) -> int:
    return len(text.split())


# --- templates --------------------------------------------------------------------------------------------

def test_templates_are_package_data_with_sections() -> None:
    assert {"generate", "solve"} <= set(available_templates())
    assert load_template("solve") == load_template("solve.txt")
    assert set(sections(load_template("generate"))) == {"system", "system_example", "user", "start", "example"}
    assert set(sections(load_template("generate-single"))) == {"system", "system_example", "user", "start"}
    with pytest.raises(FileNotFoundError, match="available"):
        load_template("nope")


def test_template_hash_changes_when_text_changes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    original = {n: template_hash(n) for n in ("generate", "solve")}
    assert original["generate"] != original["solve"] and template_hash("solve") == original["solve"]
    for name in ("generate", "solve"):
        (tmp_path / f"{name}.txt").write_text(load_template(name))
    monkeypatch.setattr(templates, "_dir", lambda: tmp_path)
    assert template_hash("solve") == original["solve"]  # same text elsewhere: same hash
    (tmp_path / "solve.txt").write_text(load_template("solve") + " Be brief.")
    assert template_hash("solve") != original["solve"]
    assert template_hash("generate") == original["generate"]
    assert template_hash("generate", "solve") != template_hash("solve", "generate")


def test_fill_leaves_other_braces_alone() -> None:
    assert fill("{k} items, \\frac{1}{2} and {x}", k=3) == "3 items, \\frac{1}{2} and {x}"


# --- generator prompt ----------------------------------------------------------------------------------

def test_generate_messages_hold_the_question_k_and_one_worked_example() -> None:
    msgs = generate_messages(TEST_Q + "\n", 5)
    assert [m["role"] for m in msgs] == ["system", "user"]
    system, user = msgs[0]["content"], msgs[1]["content"]
    assert "5 new problems" in system and "{" not in system + user
    assert TEST_Q in user and TEST_Q not in system
    assert len(EXAMPLE_TEXTS) == 3 and all(t in system for t in EXAMPLE_TEXTS)
    assert "1." in system and "solution" in system.lower()


MESSY = """Sure! Here are 4 new problems similar to the one you gave:

**Problem 1:** Mia sold 36 bracelets in June and then twice as many in July. How many bracelets did she
sell in June and July together?
**Solution:** In July she sold 36 * 2 = 72.
1. First add them: 36 + 72 = 108.
2. The answer is 108.

**Problem 2:** A library lent 120 books in March and a third as many in April. How many books were lent
in total?   Answer: 160

Problem 3: Omar ran 15 km on Saturday and 40% less on Sunday. How far did he run over the weekend?

4) Short one?
5) Extra problem that should not be returned because k is four."""


def test_parse_generated_on_a_messy_markdown_reply() -> None:
    got = parse_generated(MESSY, 4)
    assert got == [
        "Mia sold 36 bracelets in June and then twice as many in July. How many bracelets did she sell in June "
        "and July together?",
        "A library lent 120 books in March and a third as many in April. How many books were lent in total?",
        "Omar ran 15 km on Saturday and 40% less on Sunday. How far did he run over the weekend?",
        "Extra problem that should not be returned because k is four.",
    ]
    assert len(parse_generated(MESSY, 2)) == 2


@pytest.mark.parametrize("text", [
    "1. Tom has 4 boxes of 6 eggs each. How many eggs?\n2. Ann bakes 3 trays of 12 buns. How many buns?",
    "1) Tom has 4 boxes of 6 eggs each. How many eggs?\n\n2) Ann bakes 3 trays of 12 buns. How many buns?",
    "- Tom has 4 boxes of 6 eggs each. How many eggs?\n- Ann bakes 3 trays of 12 buns. How many buns?",
    "**Question 1:** Tom has 4 boxes of 6 eggs each. How many eggs?\n\n**Question 2:** Ann bakes 3 trays of "
    "12 buns. How many buns?",
    "### Problem 1\nTom has 4 boxes of 6 eggs each. How many eggs?\n### Problem 2\nAnn bakes 3 trays of 12 "
    "buns. How many buns?",
    "Tom has 4 boxes of 6 eggs each. How many eggs?\n\nAnn bakes 3 trays of 12 buns. How many buns?",
    "1. \"Tom has 4 boxes of 6 eggs each. How many eggs?\"\nSolution: 4 * 6 = 24\n"
    "2. Ann bakes 3 trays of 12 buns. How many buns? Solution: 36",
])
def test_parse_generated_accepts_common_list_styles(text: str) -> None:
    assert parse_generated(text, 5) == ["Tom has 4 boxes of 6 eggs each. How many eggs?",
                                        "Ann bakes 3 trays of 12 buns. How many buns?"]


def test_parse_generated_keeps_sub_bullets_and_drops_nested_solutions() -> None:
    text = ("Sure, here are 3 new problems:\n\n1. **Problem:** A recipe uses 3 cups of flour for 12 cookies:\n"
            "   - How much flour is needed for 36 cookies?\n   - Solution: 36 / 12 * 3 = 9\n"
            "2. *A car uses 8 liters per 100 km.* How many liters for 250 km?\n   * Step 1: 250 / 100 * 8 = 20\n"
            "   * So the answer is 20.")
    assert parse_generated(text, 3) == [
        "A recipe uses 3 cups of flour for 12 cookies: How much flour is needed for 36 cookies?",
        "A car uses 8 liters per 100 km. How many liters for 250 km?"]


def test_parse_generated_drops_echoes_of_the_prompt_before_taking_k() -> None:
    text = (f"Problem: {TEST_Q}\n\nExample output:\n1. {EXAMPLE_TEXTS[1]}\n2. {EXAMPLE_TEXTS[2]}\n"
            "3. Ben picked 30 apples on Monday and half as many on Tuesday. How many apples did he pick?\n"
            "4. A shop sold 64 hats in May and a quarter as many in June. How many hats were sold in all?")
    assert parse_generated(text, 2) == [
        "Ben picked 30 apples on Monday and half as many on Tuesday. How many apples did he pick?",
        "A shop sold 64 hats in May and a quarter as many in June. How many hats were sold in all?"]


def test_parse_generated_drops_duplicates_short_items_and_empty_replies() -> None:
    text = "1. Tom has 4 boxes of 6 eggs. How many eggs?\n2. tom has 4 boxes of 6 eggs. how many eggs?\n3. Hi.\n"
    assert parse_generated(text, 5) == ["Tom has 4 boxes of 6 eggs. How many eggs?"]
    assert parse_generated("", 3) == [] and parse_generated("Here are the problems:", 3) == []


# --- near-copy filter ----------------------------------------------------------------------------------

def test_near_copy_filter_drops_the_example_restatements_and_repeats() -> None:
    cands = [
        EXAMPLE_TEXTS[1],                                                      # the template's example output
        "**" + EXAMPLE_TEXTS[0].upper() + "**",                                 # the example problem, shouted
        "Natalia sold clips to 48 of her friends in April and then half as many clips in May. How many clips "
        "did Natalia sell in April and May altogether?",                        # restated test question
        "Jorge sold 60 tickets on Friday and a third as many on Saturday. How many tickets did he sell?",
        "Jorge sold 60 tickets on Friday and a third as many on Saturday. How many tickets did he sell?!",
        "Natalia sold clips to 30 of her friends in June, then a third as many in July. How many clips in all?",
    ]
    kept = filter_near_copies(cands, [TEST_Q, *EXAMPLE_TEXTS])
    assert kept == [cands[3], cands[5]]


def test_similarity_counts_numbers_and_ignores_case_and_punctuation() -> None:
    a = "Sam has 3 red balls and 4 blue balls. How many balls?"
    assert similarity(a, a.upper().replace(".", "")) == 1.0
    assert similarity(a, "Sam has 30 red balls and 41 blue balls. How many balls?") < 0.85
    assert similarity("1,200 apples", "1200 apples") == 1.0
    assert filter_near_copies([a], [a], threshold=1.01) == [a]  # threshold above 1 keeps everything


# --- solver prompt and packing ------------------------------------------------------------------------

def test_solve_messages_structure_and_shared_instruction() -> None:
    demos = [Demo("Q1 text", "S1 text. The answer is 1."), Demo("Q2 text", "S2. The answer is 2.")]
    msgs = solve_messages("  Test question?  ", demos)
    assert [m["role"] for m in msgs] == ["system", "user", "assistant", "user", "assistant", "user"]
    assert msgs[0]["content"] == instruction() == solve_messages("x", [])[0]["content"]
    assert "step by step" in instruction() and "The answer is" in instruction()
    assert msgs[1]["content"] == "Q1 text" and msgs[-1]["content"] == "Test question?"


def test_pack_demos_keeps_rank_order_reversed_so_the_best_is_nearest() -> None:
    demos = [Demo(f"question {i} " + "w " * 8, f"solution {i} " + "w " * 8) for i in range(4)]
    packed = pack_demos("final q", demos, render, count, budget=10_000)
    assert [d.question.split()[1] for d in packed.demos] == ["3", "2", "1", "0"]
    assert packed.messages[-3]["content"].startswith("question 0") and packed.dropped == 0
    assert packed.text == render(packed.messages) and packed.n_tokens == count(packed.text)
    assert len(pack_demos("final q", demos, render, count, budget=10_000, max_demos=2).demos) == 2


def test_pack_demos_respects_the_budget_and_skips_a_demo_that_does_not_fit() -> None:
    small = [Demo(f"q{i} a b", f"s{i} c d") for i in range(3)]
    huge = Demo("q-huge " + "x " * 300, "s-huge")
    zero = count(render(solve_messages("final q", [])))
    per = count(render(solve_messages("final q", small[:1]))) - zero
    budget = zero + 2 * per
    packed = pack_demos("final q", [small[0], huge, small[1], small[2]], render, count, budget=budget)
    assert packed.demos == [small[1], small[0]]  # huge skipped, small[2] no longer fits
    assert packed.kept == (0, 2)  # positions in the ranked list, rank order: what the solve stage records
    assert packed.dropped == 2 and packed.n_tokens <= budget and not packed.over_budget


def test_pack_demos_falls_back_to_zero_shot_and_flags_it() -> None:
    packed = pack_demos("word " * 200, [Demo("a", "b")], render, count, budget=50)
    assert packed.demos == [] and packed.over_budget and packed.dropped == 1
    assert packed.messages == solve_messages("word " * 200, [])


def test_manual_gsm8k_exemplars() -> None:
    assert len(MANUAL_GSM8K) == 8
    assert all(d.solution.rstrip(".").split("The answer is ")[-1].isdigit() for d in MANUAL_GSM8K)
    assert [d.solution.split("The answer is ")[-1] for d in MANUAL_GSM8K] == \
        ["6.", "5.", "39.", "8.", "9.", "29.", "33.", "8."]
