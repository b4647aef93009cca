"""The question generator's prompt, a forgiving parser for its list, and a near-copy filter.

A prototype showed why the filter matters: a 0.5B generator copied the prompt's worked example in 39% of
outputs and restated the test question in others. Both kinds of copy are dropped by `filter_near_copies`
(the caller passes the test question and `EXAMPLE_TEXTS` as references).

Example:
    >>> parse_generated("Here you go:\\n1. Sam has 3 cats and 2 dogs. How many pets?\\n"
    ...                 "2) Ann buys 4 pens for $2 each. What does she pay?", 2)
    ['Sam has 3 cats and 2 dogs. How many pets?', 'Ann buys 4 pens for $2 each. What does she pay?']
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence

from prompts.templates import fill, load_template, sections

TEMPLATE = "generate"
MIN_CHARS = 20
#: How the generator is asked: "list" = `k` numbered problems in one reply; "single" = one problem per reply,
#: sampled `k` times (no list to parse, and a small model need not keep count).
STYLES = {"list": "generate", "single": "generate-single"}
#: Where the worked example goes: the system message, a user/assistant turn before the real request, or nowhere.
EXAMPLE_PLACES = ("system", "chat", "none")


def _example() -> tuple[str, tuple[str, ...]]:
    lines = [ln.strip() for ln in sections(load_template(TEMPLATE))["example"].splitlines() if ln.strip()]
    return "\n".join(lines), tuple(re.sub(r"^(?:Problem:|\d+\.)\s*", "", ln) for ln in lines)


#: The worked example shown in the generator prompt, as one block, and its problem texts (the example
#: problem and its example outputs): generated copies of them must be dropped.
EXAMPLE_BLOCK, EXAMPLE_TEXTS = _example()


def reply_start(style: str = "list") -> str:
    """The text that starts the generator's reply when it is pre-filled ("1." or "New problem:").

    No trailing space: byte-level BPE tokenizers (Qwen's among them) put a word's leading space inside the
    word's token (" A", " florist") but split digits off a lone " " token, so a prompt ending in a space
    leaves digits as the only natural next token. With "New problem: " 87% of the 1.5b's questions and 71%
    of the 0.5b's began with a number (the reference study's pools, made before this was found).
    """
    return sections(load_template(STYLES[style]))["start"]


def _example_reply(style: str) -> str:
    if style == "list":
        return EXAMPLE_BLOCK.split("\n", 1)[1]  # "1. ...\n2. ..."
    return f"{reply_start(style)} {EXAMPLE_TEXTS[1]}"


def generate_messages(question: str, k: int, *, style: str = "list", example: str = "system") -> list[dict[str, str]]:
    """Chat messages asking the generator for `k` new problems similar to `question` ("list"), or for one
    ("single"; the stage samples the reply `k` times), with the worked example placed per `example`."""
    parts = sections(load_template(STYLES[style]))
    rule = {"system": " and do not copy the example below", "chat": " or the earlier example", "none": ""}[example]
    system = fill(parts["system"], k=k, example_rule=rule)
    if example == "system":
        block = EXAMPLE_BLOCK if style == "list" else f"Problem: {EXAMPLE_TEXTS[0]}\n{_example_reply(style)}"
        system += "\n\n" + fill(parts["system_example"], example=block)
    messages = [{"role": "system", "content": system}]
    if example == "chat":
        messages += [{"role": "user", "content": fill(parts["user"], k=2, question=EXAMPLE_TEXTS[0])},
                     {"role": "assistant", "content": _example_reply(style)}]
    return [*messages, {"role": "user", "content": fill(parts["user"], k=k, question=question.strip())}]


# An item starts with a number ("1.", "1)", "(1)", "1:"), a labelled number ("Problem 1:", "**Question 1:**",
# "### Q1."), an unnumbered label ("Problem:", "New question:") or a bullet; markdown may wrap it.
_MD = r"(?:\*\*|__|\*|_)?"
_ITEM = re.compile(
    r"^\s*(?:#{1,6}\s*)?(?:[-*•+]\s+)?" + _MD + r"\s*"
    r"(?:(?:(?:new|similar)\s+)?(?:problem|question|q)\s*#?\s*(?P<n1>\d+)\s*[:.)\-]?"
    r"|\(?(?P<n2>\d+)\s*[.):]"
    r"|(?P<label>(?:(?:new|similar|example)\s+)?(?:problem|question))\s*:)"
    r"\s*" + _MD + r"\s*[:.\-]?\s*",
    re.IGNORECASE,
)
_BULLET = re.compile(r"^\s*[-*•+]\s+")
# A line that starts a solution (dropped up to the next item) and the same label inside a line (cut there).
_SOLUTION_LINE = re.compile(
    r"^\s*(?:#{1,6}\s*)?(?:[-*•+]\s+)?" + _MD + r"\s*(?:solution|answer|final answer|explanation|step\s*\d+|work)\b\s*"
    + _MD + r"\s*[:.\-]", re.IGNORECASE)
_SOLUTION_INLINE = re.compile(
    r"(?:^|(?<=[\s.?!)]))" + _MD + r"(?:solution|answer|final answer|explanation)\s*" + _MD + r"\s*:.*$",
    re.IGNORECASE | re.DOTALL)


def _clean(text: str) -> str:
    text = _SOLUTION_INLINE.sub("", text)
    text = re.sub(r"\*\*|__|`+|^#+\s*", "", text)
    text = re.sub(r"(?<!\w)[*_](?=\w)|(?<=[\w.?!])[*_](?!\w)", "", text)  # *italic* / _italic_
    text = re.sub(r"^\s*(?:new\s+|similar\s+)?(?:problem|question)\s*\d*\s*[:.)\-]\s*", "", text,
                  flags=re.IGNORECASE)
    text = re.sub(r"\s+", " ", text).strip().rstrip("-*•+ ")
    return text.strip("\"'“”").strip()


_STEP = re.compile(r"=|^\W*(?:the answer|answer|so|then|first|next|finally|therefore|thus|now|step)\b",
                   re.IGNORECASE)


def _looks_like_step(text: str) -> bool:
    return bool(_STEP.search(text))


def _item_start(line: str) -> tuple[int, str, int | None] | None:
    """(end of the marker, style, item number) when `line` starts an item; style: label/number/bullet."""
    match = _ITEM.match(line)
    if match:
        style = "number" if match.group("n2") else "label"
        raw = match.group("n1") or match.group("n2")
        return match.end(), style, int(raw) if raw else None
    bullet = _BULLET.match(line)
    return (bullet.end(), "bullet", None) if bullet else None


def _split_items(text: str) -> list[str]:
    """Group lines into items; text before the first item and solution blocks are left out.

    Numbered steps inside a solution must not start items: inside a solution block a marker starts a new
    item only if it carries the next item number and its text does not read like a step (an equation,
    "So ...", "The answer is ..."). Bullets start items only in a bulleted list.
    """
    items: list[list[str]] = []
    numbered: list[bool] = []
    style: str | None = None
    last: int | None = None
    in_solution = False
    for line in text.splitlines():
        if not line.strip() or re.match(r"^\s*(?:```|-{3,}|={3,})\s*$", line):
            continue
        start = _item_start(line)
        if start is not None:
            end, kind, number = start
            if style is not None:
                if kind == "bullet" and style != "bullet":
                    start = None  # a bullet inside a numbered item (data, sub-steps)
                elif in_solution and (_looks_like_step(line[end:])
                                      or (number is not None and last is not None and number != last + 1)):
                    start = None  # a step of the solution
                elif number is not None and last is not None and number <= last:
                    start = None  # numbering restarted: a sub-list inside the item
        if start is not None:
            items.append([line[end:]])
            numbered.append(number is not None)
            style = style or kind
            last = number if number is not None else last
            in_solution = False
        elif _SOLUTION_LINE.match(line):
            in_solution = True
        elif items and not in_solution:
            items[-1].append(_BULLET.sub("", line))  # a wrapped continuation of the current item
    if any(numbered):  # "Problem: ..." beside a numbered list is an echo of the prompt, not an item
        items = [parts for parts, has_number in zip(items, numbered, strict=True)
                 if has_number or style == "bullet"]
    return [" ".join(parts) for parts in items]


def parse_generated(text: str, k: int) -> list[str]:
    """At most `k` cleaned questions from a generator's reply.

    Accepts numbered lists ("1.", "1)", "(1)"), labelled items ("Problem 1:", "**Question 1:**"), bullets
    and, when there are no markers at all, blank-line separated paragraphs. Preambles ("Here are ..."),
    solutions and answers ("Solution:", "Answer:", inline or on their own lines) are dropped; markdown is
    stripped and whitespace collapsed; items shorter than `MIN_CHARS` and exact duplicates are dropped.
    Copies of the prompt's own worked example (`EXAMPLE_TEXTS`, `similarity` >= 0.85) and unnumbered
    "Problem: ..." echoes beside a numbered list are dropped here too, so they do not use up the `k` slots;
    the caller still filters near-copies of the test question with `filter_near_copies`.
    """
    items = _split_items(text)
    if not items:
        items = [p for p in re.split(r"\n\s*\n", text) if p.strip() and not p.strip().endswith(":")]
    out: list[str] = []
    seen: set[str] = set()
    for item in items:
        q = _clean(item)
        if len(q) < MIN_CHARS or q.lower() in seen or any(similarity(q, ex) >= 0.85 for ex in EXAMPLE_TEXTS):
            continue
        seen.add(q.lower())
        out.append(q)
        if len(out) == k:
            break
    return out


_ASK = re.compile(r"\?|(?:^|[.!:;]\s+|\n)\s*(?:then\s+|now\s+)?(?:calculate|find|determine|compute|work out|figure out|"
                  r"what|how|write|express|show)\b", re.IGNORECASE)


def asks_question(text: str) -> bool:
    """Whether a generated problem asks something: a ``?``, or a sentence that starts with an imperative.

    A small generator often writes a statement, an equation or the start of a solution instead of a problem
    ("She works 50 weeks a year.", "10 + 6 + 3 = 19"); its samples agree easily, so the agreement filter
    alone lets them into the pool.

    >>> asks_question("Each box holds 6 eggs. Calculate the eggs in 4 boxes."), asks_question("10 + 6 = 16")
    (True, False)
    """
    return bool(_ASK.search(text))


def tokens(text: str) -> list[str]:
    """Lower-cased words and numbers (numbers kept whole: "3.5", "1,200" -> "1200")."""
    return re.findall(r"[a-z]+|\d+(?:\.\d+)?", re.sub(r"(?<=\d),(?=\d{3})", "", text.lower()))


def similarity(a: str, b: str) -> float:
    """Near-copy score in [0, 1]: the larger of token-set Jaccard and token-sequence difflib ratio.

    Both work on `tokens` (lower-cased words and numbers), so punctuation, case and markdown do not matter
    but numbers do: a problem that keeps the wording and changes the numbers scores lower than a restatement.
    Jaccard catches reordered restatements; the sequence ratio catches copies with a few words edited.
    """
    ta, tb = tokens(a), tokens(b)
    if not ta or not tb:
        return 1.0 if ta == tb else 0.0
    sa, sb = set(ta), set(tb)
    jaccard = len(sa & sb) / len(sa | sb)
    ratio = difflib.SequenceMatcher(None, ta, tb, autojunk=False).ratio()
    return max(jaccard, ratio)


def filter_near_copies(candidates: list[str], references: Sequence[str], threshold: float = 0.85) -> list[str]:
    """Drop candidates whose `similarity` to a reference or to an earlier kept candidate is >= `threshold`.

    Args:
        candidates: parsed generated questions, in order.
        references: texts nothing may copy: the test question and `EXAMPLE_TEXTS`.
        threshold: similarity from which a candidate counts as a copy.
    """
    kept: list[str] = []
    for cand in candidates:
        if not tokens(cand):
            continue
        if any(similarity(cand, ref) >= threshold for ref in (*references, *kept)):
            continue
        kept.append(cand)
    return kept
