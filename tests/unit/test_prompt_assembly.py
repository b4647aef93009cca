from prompts.generate import EXAMPLE_TEXTS, filter_near_copies, generate_messages, parse_generated
from prompts.solve import Demo, pack_demos, solve_messages
from prompts.templates import template_hash


def render(messages):
    return "\n".join(f"[{m['role']}] {m['content']}" for m in messages)


def count(text):
    return len(text.split())


def test_generate_messages_carry_question_and_k() -> None:
    msgs = generate_messages("Tom has 3 apples. How many?", 5)
    assert msgs[0]["role"] == "system" and "5 new problems" in msgs[0]["content"]
    assert "Tom has 3 apples. How many?" in msgs[1]["content"]


def test_parse_generated_handles_messy_lists() -> None:
    text = (
        "Sure! Here are new problems:\n\n"
        "**Problem 1:** Mia buys 3 notebooks at $4 each. How much does she spend?\n"
        "Solution: 3 * 4 = 12\n\n"
        "2) A train travels 60 miles per hour for 3 hours.\n   How far does it go?\n"
        "- Question 3: Leo has 12 cookies and eats a quarter of them. How many are left?\n"
        "4. short\n"
        "5. A tank holds 200 liters and leaks 5 liters an hour. When is it empty?\n"
    )
    got = parse_generated(text, 3)
    assert got == [
        "Mia buys 3 notebooks at $4 each. How much does she spend?",
        "A train travels 60 miles per hour for 3 hours. How far does it go?",
        "Leo has 12 cookies and eats a quarter of them. How many are left?",
    ]


def test_parse_generated_without_markers_uses_paragraphs() -> None:
    text = "A cat eats 2 cans a day for a week. How many cans?\n\nA dog walks 3 km twice a day. Distance per day?"
    assert len(parse_generated(text, 4)) == 2


def test_near_copy_filter_drops_restatements_and_template_example() -> None:
    test_q = "Janet's ducks lay 16 eggs per day. She eats three. How many are left?"
    cands = [
        "Janet's ducks lay 16 eggs per day. She eats three. How many are left over?",  # near copy
        EXAMPLE_TEXTS[0],                                                               # template copy
        "A farmer's hens lay 30 eggs a week and he sells 12. How many remain?",
        "A farmer's hens lay 30 eggs a week and he sells 12. How many remain now?",     # copy of a keeper
    ]
    assert filter_near_copies(cands, [test_q, *EXAMPLE_TEXTS]) == [cands[2]]


def test_pack_demos_orders_most_relevant_last_and_respects_budget() -> None:
    demos = [Demo(f"question {i} " + "w " * 10, f"solution {i} " + "w " * 10) for i in range(5)]
    zero = count(render(solve_messages("final question", [])))
    per_demo = count(render(solve_messages("final question", demos[:1]))) - zero
    packed = pack_demos("final question", demos, render, count, budget=zero + 2 * per_demo + 1)
    assert [d.question.split()[1] for d in packed.demos] == ["1", "0"]  # rank 0 nearest the question
    assert packed.dropped == 3 and packed.n_tokens <= zero + 2 * per_demo + 1
    assert packed.messages[-1] == {"role": "user", "content": "final question"}


def test_pack_demos_skips_a_long_demo_and_tries_the_next() -> None:
    demos = [Demo("huge " * 500, "x"), Demo("small q", "small s")]
    packed = pack_demos("q", demos, render, count, budget=60)
    assert packed.demos == [demos[1]] and packed.dropped == 1 and not packed.over_budget


def test_pack_demos_flags_a_question_over_budget() -> None:
    packed = pack_demos("word " * 100, [Demo("a", "b")], render, count, budget=10)
    assert packed.demos == [] and packed.over_budget


def test_template_hash_is_stable_and_distinguishes_families() -> None:
    assert template_hash("solve") == template_hash("solve")
    assert template_hash("solve") != template_hash("generate")
