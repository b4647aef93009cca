"""The solver's prompt: one CoT instruction, demos as chat turns, packed to a token budget.

The same instruction (template ``solve``) serves zero-shot answers, sampled solutions of generated
questions and few-shot answers, so demos and answers share one format ("... The answer is X.").

Example:
    >>> msgs = solve_messages("What is 2+3?", [Demo("What is 1+1?", "1+1=2. The answer is 2.")])
    >>> [m["role"] for m in msgs]
    ['system', 'user', 'assistant', 'user']
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from prompts.templates import load_template, sections

TEMPLATE = "solve"

#: Solve instructions by name (config ``solver.instruction``) -> template. One instruction serves the
#: zero-shot answer, the pool's sampled solutions and few-shot answers, so demos and answers share a format.
INSTRUCTIONS = {
    "saicot": "solve",           # "... End your response with "The answer is X."" (measured 0.260, see below)
    "qwen-math": "solve-qwen",   # Qwen2.5's own math prompt: "... put your final answer within \\boxed{}."
}
#: The default instruction per model family. Measured with qwen2.5-coder-0.5b, greedy, 320 answer tokens on
#: the first GSM8K test problems: n=150 saicot 0.260, qwen-math 0.253; n=300 (2026-12-01) saicot 0.270,
#: qwen-math 0.280, paired difference +0.010 [-0.027, +0.047]: equal within noise, so saicot's instruction
#: (whose "The answer is X." format the manual 8-shot demos share) stays the default for Qwen too.
FAMILY_DEFAULTS = {"qwen": "saicot", "smollm": "saicot"}


def instruction_template(name: str, model: str = "") -> str:
    """The template of instruction ``name``; ``auto`` picks the model family's default (else saicot's).

    Raises:
        ValueError: an unknown instruction name.
    """
    if name == "auto":
        lowered = model.lower()
        name = next((v for fam, v in FAMILY_DEFAULTS.items() if fam in lowered), "saicot")
    if name not in INSTRUCTIONS:
        raise ValueError(f"unknown solve instruction {name!r}; allowed: auto, {', '.join(INSTRUCTIONS)}")
    return INSTRUCTIONS[name]


@dataclass(frozen=True)
class Demo:
    """One in-context demonstration."""

    question: str
    solution: str


@dataclass(frozen=True)
class PackedPrompt:
    """A rendered prompt and what went into it.

    Attributes:
        text: the prompt as rendered by the caller's chat template.
        messages: the chat messages it was rendered from.
        demos: the demos kept, in prompt order (most relevant last, nearest the question).
        n_tokens: `count_tokens(text)`.
        dropped: demos skipped because they did not fit the budget (demos beyond `max_demos` are not
            counted: they were never tried).
        over_budget: even the zero-shot prompt exceeds the budget (it is returned anyway, with no demos).
        kept: positions in `ranked_demos` of the demos kept, in rank order (most relevant first).
    """

    text: str
    messages: list[dict[str, str]]
    demos: list[Demo]
    n_tokens: int
    dropped: int
    over_budget: bool = False
    kept: tuple[int, ...] = ()


def instruction(template: str = TEMPLATE) -> str:
    """The chain-of-thought instruction (the system message of every solver prompt)."""
    return sections(load_template(template))["system"].strip()


def solve_messages(question: str, demos: Sequence[Demo], template: str = TEMPLATE) -> list[dict[str, str]]:
    """System instruction, each demo as a user/assistant turn pair (in the given order), then the question."""
    messages = [{"role": "system", "content": instruction(template)}]
    for demo in demos:
        messages += [{"role": "user", "content": demo.question.strip()},
                     {"role": "assistant", "content": demo.solution.strip()}]
    messages.append({"role": "user", "content": question.strip()})
    return messages


def pack_demos(question: str, ranked_demos: Sequence[Demo], render: Callable[[list[dict[str, str]]], str],
               count_tokens: Callable[[str], int], budget: int, max_demos: int | None = None,
               template: str = TEMPLATE) -> PackedPrompt:
    """Greedily keep demos in rank order while the rendered prompt fits `budget` tokens.

    Each candidate is tried with the demos kept so far; one that does not fit is skipped and the next
    tried (a shorter one may still fit). The kept demos are then ordered so the most relevant one sits
    last, nearest the question. Token counts are of the full rendered prompt, so chat-template overhead
    per turn is included.

    Args:
        question: the test question.
        ranked_demos: candidates, most relevant first.
        render: messages -> prompt text (the solver's chat template).
        count_tokens: text -> number of tokens (the solver's tokenizer).
        budget: maximum prompt tokens (context length minus the answer budget).
        max_demos: keep at most this many demos (None: no limit besides the budget).
        template: the instruction's template (see `INSTRUCTIONS`).
    """
    limit = len(ranked_demos) if max_demos is None else max(0, max_demos)
    kept: list[Demo] = []
    positions: list[int] = []
    dropped = 0
    for pos, demo in enumerate(ranked_demos):
        if len(kept) >= limit:
            break
        trial = [*kept, demo]
        if count_tokens(render(solve_messages(question, trial[::-1], template))) <= budget:
            kept = trial
            positions.append(pos)
        else:
            dropped += 1
    ordered = kept[::-1]
    messages = solve_messages(question, ordered, template)
    text = render(messages)
    n_tokens = count_tokens(text)
    return PackedPrompt(text=text, messages=messages, demos=ordered, n_tokens=n_tokens, dropped=dropped,
                        over_budget=n_tokens > budget, kept=tuple(positions))
