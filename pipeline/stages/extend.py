"""Answers under a larger answer cap, grown from a solve stage that answered the same prompts under a smaller one.

Opt-in (``solver.extend_shorter: true``): used when a study raises its cap (round two of the reference study,
320 -> 512 tokens). A solve stage whose inputs equal this one's except a smaller ``sampling.max_tokens`` has
answered the same prompts with the same request seeds. For each of its records with this stage's prompt:

* a sample that stopped before its cap is what the larger cap produces too (greedy: the same tokens; seeded
  sampling: the same seed draws the same tokens, the cap only ends the draw), so it is kept as is;
* a sample the cap cut is continued: its prompt plus its text, for the tokens left (greedy: the tokens the larger
  cap would have produced, up to the re-tokenisation of the text; sampled: a draw from the same distribution
  conditioned on the text so far, seeded anew). Such a sample records ``"extended": <tokens added>``.

A record grown this way records ``"extended_from": <the smaller stage's key>``; every other prompt is answered
afresh. ``bench/extend_check.py`` compares grown greedy answers with fresh ones on real records.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from pipeline.engines.base import Engine, Request, Sampling
from pipeline.stages.common import request_seed
from pipeline.store import JsonlStore, Record


def shorter_stages(stage_root: Path, inputs: dict[str, Any]) -> list[tuple[str, Path]]:
    """Sibling solve stages whose inputs differ from `inputs` only by a smaller answer cap, largest cap first."""
    inputs = json.loads(json.dumps(inputs))  # as stored (tuples are lists in inputs.json)
    cap = inputs["sampling"]["max_tokens"]
    found = []
    for path in sorted(stage_root.glob("*/inputs.json")):
        other = json.loads(path.read_text()).get("inputs", {})
        if not isinstance(other.get("sampling"), dict) or other["sampling"].get("max_tokens", cap) >= cap:
            continue
        same = {**other, "sampling": {**other["sampling"], "max_tokens": cap}} == inputs
        if same and (path.parent / "predictions.jsonl").exists():
            found.append((other["sampling"]["max_tokens"], path.parent.name, path.parent))
    return [(key, directory) for _, key, directory in sorted(found, reverse=True)]


def shorter_answers(stages: Sequence[tuple[str, Path]]) -> dict[tuple[str, str, str], Record]:
    """``(strategy_key, problem_id, prompt) -> record`` over the shorter stages (the largest cap wins)."""
    out: dict[tuple[str, str, str], Record] = {}
    for key, directory in reversed(stages):  # smallest first, so a larger cap's record overwrites it
        store = JsonlStore(directory / "predictions.jsonl", key=lambda r: (r["strategy_key"], r["problem_id"]))
        for rec in store.records():
            if "draw" not in rec and "reused_from" not in rec:
                out[(rec["strategy_key"], rec["problem_id"], rec["prompt"])] = {**rec, "_stage": key}
    return out


def same_sampling(rec: Record, want: dict[str, Any], default_n: int) -> bool:
    """Was `rec` answered under the sampling override `want` (a recipe's own, e.g. self-consistency's)?

    Records written before the solve stage copied the override into them have no ``sampling`` field; the same
    strategy key (the retrieve stage's records, which carry the override) then implies the same override, and the
    number of samples must be the one asked for.
    """
    if "sampling" in rec:
        return (rec["sampling"] or {}) == want
    return len(rec["samples"]) == want.get("n", default_n)


def grow(engine: Engine, found: Sequence[tuple[Record, Request]], sampling: Sampling
         ) -> Iterator[tuple[int, dict[str, Any]]]:
    """Each found record's answer under `sampling` (its larger cap), samples cut by the smaller cap continued;
    yielded as ``(index in found, answer)`` as soon as the record is whole (a kill loses only records in flight).

    Args:
        found: (the smaller stage's record, this stage's request for the same prompt) pairs.
        sampling: this stage's sampling for these requests (the larger ``max_tokens``).

    Yields:
        ``(i, {"n_prompt_tokens", "samples", "extended_from"})``: the part of a record an answer fills.
    """
    out = [{"n_prompt_tokens": rec["n_prompt_tokens"], "extended_from": rec["_stage"],
            "samples": [dict(s) for s in rec["samples"]]} for rec, _ in found]
    todo: list[tuple[int, int, int]] = []  # (answer, sample, tokens left)
    requests: list[Request] = []
    for a, (rec, req) in enumerate(found):
        for j, s in enumerate(rec["samples"]):
            left = sampling.max_tokens - int(s["n_tokens"])
            if s.get("finish_reason") == "length" and left > 0:
                todo.append((a, j, left))
                requests.append(Request(req.prompt + s["text"], seed=request_seed(req.seed, "extend", str(j))))
    pending = [0] * len(found)
    for a, _, _ in todo:
        pending[a] += 1
    yield from ((a, out[a]) for a in range(len(found)) if not pending[a])
    by_left: dict[int, list[int]] = {}
    for t, (_, _, left) in enumerate(todo):
        by_left.setdefault(left, []).append(t)
    for left, idx in by_left.items():  # one engine call per number of tokens left (greedy: one or a few)
        more = dataclasses.replace(sampling, n=1, max_tokens=left)
        for i, result in engine.generate([requests[t] for t in idx], more):
            a, j, _ = todo[idx[i]]
            c, s = result.completions[0], out[a]["samples"][j]
            out[a]["samples"][j] = {**s, "text": s["text"] + c.text, "n_tokens": int(s["n_tokens"]) + c.n_tokens,
                                    "finish_reason": c.finish_reason, "extended": c.n_tokens}
            pending[a] -= 1
            if not pending[a]:
                yield a, out[a]
