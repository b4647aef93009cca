"""The question generator's prompt, a forgiving parser for its numbered list, and a near-copy filter.

A prototype showed why the filter matters: a 0.5B generator copied the prompt's worked example in 39% of
outputs and restated the test question in others. Both kinds of copy are dropped here.

Example:
    >>> parse_generated("1. Sam has 3 cats. How many legs?\\n2) Ann buys 4 pens for $2 each. Cost?", 2)
    ['Sam has 3 cats. How many legs?', 'Ann buys 4 pens for $2 each. Cost?']
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence

from prompts.templates import load_template

_EXAMPLE_LINES = [ln for ln in load_template("generate.txt").splitlines() if ln.strip()]
#: The worked example's problem texts inside the template (generated copies of them are dropped).
EXAMPLE_TEXTS: tuple[str, ...] = tuple(
    re.sub(r"^\d+\.\s*", "", ln) for ln in _EXAMPLE_LINES if "$" in ln and "?" in ln
)

_ITEM = re.compile(
    r"^\s*(?:[-*•]\s*)?(?:\*\*)?(?:(?:problem|question|q)\s*#?\s*\d+\s*[:.)-]|\d+\s*[.):-]|\(\d+\)|[-*•])(?:\*\*)?\s*",
    re.IGNORECASE,
)
_TAIL = re.compile(r"\s*(?:\*\*)?\b(?:solution|answer|step \d+|explanation)\b\s*[:：].*$", re.IGNORECASE | re.DOTALL)
MIN_CHARS = 20


def generate_messages(question: str, k: int) -> list[dict[str, str]]:
    """Chat messages asking the generator for `k` new problems similar to `question`."""
    return [
        {"role": "system", "content": load_template("generate.txt").format(k=k)},
        {"role": "user", "content": load_template("generate_user.txt").format(question=question.strip(), k=k)},
    ]


def _clean(text: str) -> str:
    text = _TAIL.sub("", text)
    text = re.sub(r"[*_`#]+", "", text)
    text = re.sub(r"^\s*(?:new\s+)?(?:problem|question)\s*\d*\s*[:.)-]\s*", "", text, flags=re.IGNORECASE)
    return re.sub(r"\s+", " ", text).strip().strip('"').strip()


def parse_generated(text: str, k: int) -> list[str]:
    """At most `k` cleaned questions from a generator's reply (numbered, bulleted or "Problem N:" lists)."""
    items: list[list[str]] = []
    preamble = True
    for line in text.splitlines():
        if not line.strip():
            continue
        match = _ITEM.match(line)
        if match:
            items.append([line[match.end():]])
            preamble = False
        elif not preamble and items:
            items[-1].append(line)  # a wrapped continuation of the current item
    if not items:  # no list markers at all: treat blank-line separated paragraphs as items
        items = [[p] for p in re.split(r"\n\s*\n", text) if p.strip()]
    out = []
    for parts in items:
        q = _clean(" ".join(parts))
        if len(q) >= MIN_CHARS and q not in out:
            out.append(q)
    return out[:k]


def _tokens(text: str) -> set[str]:
    return set(re.findall(r"[a-z]+|\d+(?:\.\d+)?", text.lower()))


def similarity(a: str, b: str) -> float:
    """The larger of token Jaccard (word/number sets) and difflib's character ratio, both in [0, 1].

    Jaccard catches reordered restatements; the character ratio catches copies with small edits.
    """
    ta, tb = _tokens(a), _tokens(b)
    jaccard = len(ta & tb) / len(ta | tb) if ta | tb else 1.0
    ratio = difflib.SequenceMatcher(None, a.lower(), b.lower(), autojunk=False).ratio()
    return max(jaccard, ratio)


def filter_near_copies(candidates: Sequence[str], references: Sequence[str], threshold: float = 0.85) -> list[str]:
    """Drop candidates too similar to a reference (test question, template example) or an earlier keeper."""
    kept: list[str] = []
    for cand in candidates:
        if any(similarity(cand, ref) >= threshold for ref in [*references, *kept]):
            continue
        kept.append(cand)
    return kept
