"""Why a response ended: stopped, cut while writing, or cut while looping (issue 33)."""

from __future__ import annotations

import pytest

from eval.checker.finish import finish_kind, loop_start, looping

# the shapes of the loops seen in the study's records: a repeated equation, a repeated line, a repeated word
LOOPS = [
    "Then \\frac{1}{\\cos^2 10^\\circ} + \\frac{1}{\\sin^2 20^\\circ} = " * 12,
    "The total is 4 + 4 = 8 apples.\n" * 20,
    "Let me recheck " + "the the " * 80,
    "so 2 + 4√(49 + 2x) = " * 30,
]
# unfinished but not looping: derivations cut mid-way, including a list whose numbers count up
CUTS = [
    "Step 1: the electronic gadgets cost $8,000.\n- The market will rise 1.2%.\n- 1.2% of $8,000 is 96.\n"
    "- So the total cost of the gadgets is 8,000 + 96 = 9,960 dollars, and the other items are next: the "
    "furniture costs $1,200 and rises by 3%, which is 36 dollars, so it costs 1,236 dollars. The clothes cost",
    "".join(f"Day {i}: she reads {3 * i} pages, {i * i} in all so far.\n" for i in range(1, 25)),
]


@pytest.mark.parametrize("text", LOOPS)
def test_a_repeated_tail_is_a_loop(text: str) -> None:
    assert looping(text) and finish_kind(text, "length") == "loop"


@pytest.mark.parametrize("text", CUTS)
def test_an_unfinished_derivation_is_a_cut(text: str) -> None:
    assert not looping(text) and finish_kind(text, "length") == "cut"


def test_a_finished_response_is_stopped_whatever_it_repeats() -> None:
    assert finish_kind(LOOPS[1], "stop") == "stop"
    assert finish_kind("short", None) == "stop"
    assert not looping("x = 1\n" * 10)  # too short to tell


def test_a_loop_starts_where_the_repetition_begins() -> None:
    head = "Janet has 16 eggs. She eats 3 and bakes with 4, so she sells 9 at $2: "
    text = head + "9 x 2 = 18 dollars, so " * 50
    start = loop_start(text)
    assert start is not None and abs(start - len(head)) <= len("9 x 2 = 18 dollars, so ")
    assert loop_start(CUTS[0]) is None
