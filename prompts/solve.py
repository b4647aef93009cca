"""The solver's prompt: one CoT instruction, demos as chat turns, packed to a token budget.

The same instruction serves zero-shot answers, pool solutions of generated questions and few-shot
answers, so demos and answers share one format ("... The answer is X.").

Example:
    >>> msgs = solve_messages("What is 2+3?", [Demo("What is 1+1?", "1+1=2. The answer is 2.")])
    >>> [m["role"] for m in msgs]
    ['system', 'user', 'assistant', 'user']
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from prompts.templates import load_template


@dataclass(frozen=True)
class Demo:
    """One in-context demonstration."""

    question: str
    solution: str


@dataclass(frozen=True)
class PackedPrompt:
    """A rendered prompt and what went into it.

    Attributes:
        demos: the demos kept, in prompt order (most relevant last, nearest the question).
        dropped: demos that did not fit the budget.
        over_budget: even the zero-shot prompt exceeds the budget (it is returned anyway).
    """

    text: str
    messages: list[dict[str, str]]
    demos: list[Demo]
    n_tokens: int
    dropped: int
    over_budget: bool = False


def solve_messages(question: str, demos: Sequence[Demo]) -> list[dict[str, str]]:
    """System instruction, each demo as a user/assistant turn, then the question."""
    messages = [{"role": "system", "content": load_template("solve.txt")}]
    for demo in demos:
        messages += [{"role": "user", "content": demo.question.strip()},
                     {"role": "assistant", "content": demo.solution.strip()}]
    messages.append({"role": "user", "content": question.strip()})
    return messages


def pack_demos(question: str, ranked_demos: Sequence[Demo], render: Callable[[list[dict[str, str]]], str],
               count_tokens: Callable[[str], int], budget: int, max_demos: int | None = None) -> PackedPrompt:
    """Greedily keep demos in rank order while the rendered prompt fits `budget` tokens.

    A demo that does not fit is skipped and the next one tried. The kept demos are then ordered so the
    most relevant one sits nearest the question.
    """
    kept: list[Demo] = []
    limit = len(ranked_demos) if max_demos is None else max_demos
    dropped = 0
    for demo in ranked_demos:
        if len(kept) >= limit:
            break
        trial = kept + [demo]
        if count_tokens(render(solve_messages(question, list(reversed(trial))))) <= budget:
            kept = trial
        else:
            dropped += 1
    ordered = list(reversed(kept))
    messages = solve_messages(question, ordered)
    text = render(messages)
    n_tokens = count_tokens(text)
    return PackedPrompt(text=text, messages=messages, demos=ordered, n_tokens=n_tokens, dropped=dropped,
                        over_budget=n_tokens > budget)
