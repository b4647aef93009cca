"""Analogical prompting (Yasunaga et al. 2024, "Large Language Models as Analogical Reasoners").

One pass, no pool: the solver is asked to recall `n` relevant problems with their solutions, then to solve
the given problem. The final line follows the solve template's convention ("The answer is X."), and the
answer checker takes the last match, so the recalled problems' answers do not count.

Example:
    >>> msgs = analogical_messages("What is 2+3?", n=2)
    >>> [m["role"] for m in msgs], "recall 2 relevant problems" in msgs[0]["content"]
    (['system', 'user'], True)
"""

from __future__ import annotations

from prompts.templates import fill, load_template, sections

TEMPLATE = "analogical"


def analogical_messages(question: str, n: int = 3) -> list[dict[str, str]]:
    """Chat messages asking the model to recall `n` relevant problems, then solve `question`."""
    if n < 1:
        raise ValueError(f"analogical prompting recalls at least one problem, got n={n}")
    parts = sections(load_template(TEMPLATE))
    return [
        {"role": "system", "content": fill(parts["system"], n=n)},
        {"role": "user", "content": fill(parts["user"], n=n, question=question.strip())},
    ]
