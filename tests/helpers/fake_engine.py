"""A deterministic fake engine for unit tests of the logic around the LLM (never for integration tests).

It behaves like a tiny, consistent math model: asked to write similar problems it writes a numbered
list of new marble problems; asked to solve a problem it adds the numbers in the question and ends
with "The answer is N." Every prompt it sees is kept in `prompts`, so tests can check for leakage.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from pipeline.engines.base import Completion, GenerationResult, Request, Sampling

NAMES = ["Ana", "Ben", "Caro", "Dev", "Eli", "Fay", "Gus", "Hana"]
STORIES = [
    "{n} has {a} marbles and wins {b} more at the fair. How many marbles does {n} have now?",
    "A shop sold {a} red pens on Monday and {b} blue pens on Tuesday. How many pens were sold in total?",
    "There are {a} birds on a wire; {b} more land beside them. Count the birds on the wire now.",
    "{n} reads {a} pages of a novel in the morning and {b} pages at night. Find the pages read today.",
    "A farm keeps {a} goats in one field and {b} sheep in another field. What is the number of animals?",
    "The school bus carries {a} children, then picks up {b} at the next stop. How many ride the bus?",
]


def _h(*parts: object) -> int:
    return int.from_bytes(hashlib.sha256("|".join(map(str, parts)).encode()).digest()[:4], "little")


def last_user_turn(prompt: str) -> str:
    return prompt.rsplit("<user>", 1)[-1].split("</user>", 1)[0]


def _cut(text: str, max_tokens: int) -> Completion:
    """One token per word, cut at ``max_tokens`` like a real engine (``finish_reason`` "length")."""
    words = text.split()
    if len(words) > max_tokens:
        return Completion(" ".join(words[:max_tokens]), max_tokens, "length")
    return Completion(text, len(words), "stop")


@dataclass
class FakeEngine:
    """Deterministic stand-in for `pipeline.engines.base.Engine`."""

    name: str = "fake"
    max_model_len: int = 2048
    wrong_every: int = 3          # every third sample of a generated question is wrong
    prompts: list[str] = field(default_factory=list)
    generate_calls: int = 0
    closed: bool = False

    def apply_chat_template(self, messages: list[dict[str, str]]) -> str:
        return "".join(f"<{m['role']}>{m['content']}</{m['role']}>" for m in messages) + "<assistant>"

    def count_tokens(self, text: str) -> int:
        return len(text.split())

    def generate(self, requests: Sequence[Request], sampling: Sampling) -> Iterator[tuple[int, GenerationResult]]:
        assert not self.closed
        self.generate_calls += 1
        for i in reversed(range(len(requests))):  # finish out of order, like a real scheduler
            req = requests[i]
            self.prompts.append(req.prompt)
            texts = [self._respond(req, j, sampling) for j in range(sampling.n)]
            yield i, GenerationResult([_cut(t, sampling.max_tokens) for t in texts],
                                      n_prompt_tokens=self.count_tokens(req.prompt))

    def loglikelihood(self, pairs: Sequence[tuple[str, str]]) -> list[float]:
        return [(_h(p, c) % 1000) / 100.0 for p, c in pairs]

    def close(self) -> None:
        self.closed = True

    def _respond(self, req: Request, j: int, sampling: Sampling) -> str:
        user = last_user_turn(req.prompt)
        if "write one new problem" in user.lower():  # the generator's prompt, style "single": one story per sample
            a, b = 3 + _h(req.seed, j) % 50, 2 + _h(req.seed, j, "b") % 40
            story = STORIES[(req.seed + j) % len(STORIES)].format(n=NAMES[j % len(NAMES)], a=a, b=b)
            return f" {story}" if req.prompt.endswith("New problem:") else f"New problem: {story}"
        if "similar" in req.prompt.lower() and "1." in req.prompt:  # the generator's prompt
            lines = []
            for q in range(6):
                a, b = 3 + _h(req.seed, q) % 50, 2 + _h(req.seed, q, "b") % 40
                name = NAMES[(req.seed + q) % len(NAMES)]
                lines.append(f"{q + 1}. " + STORIES[q].format(n=name, a=a, b=b))
            return "\n".join(lines)
        numbers = [int(x) for x in re.findall(r"\d+", user)]
        total = sum(numbers)
        if sampling.temperature > 0 and self.wrong_every and j % self.wrong_every == self.wrong_every - 1:
            total += 1
        return f"Adding the numbers gives {total}.\nThe answer is {total}."


class FakeFactory:
    """An engine factory for `RunHooks`: creates fake engines, remembers them, and can simulate a kill.

    With `kill_after=N` the N+1-th result any engine would yield raises `KeyboardInterrupt` instead, which
    is how the resume tests stop a run mid-stage.
    """

    def __init__(self, kill_after: int | None = None) -> None:
        self.engines: list[FakeEngine] = []
        self.kill_after = kill_after
        self.yielded = 0

    def __call__(self, model: str, cfg: object) -> FakeEngine:
        engine = FakeEngine(name=model)
        if self.kill_after is not None:
            inner = engine.generate

            def dying(requests: Sequence[Request], sampling: Sampling) -> Iterator[tuple[int, GenerationResult]]:
                for item in inner(requests, sampling):
                    if self.yielded >= self.kill_after:
                        raise KeyboardInterrupt("simulated kill")
                    self.yielded += 1
                    yield item

            engine.generate = dying  # type: ignore[method-assign]
        self.engines.append(engine)
        return engine

    @property
    def prompts(self) -> list[str]:
        """Every prompt any engine of this factory has seen."""
        return [p for e in self.engines for p in e.prompts]
