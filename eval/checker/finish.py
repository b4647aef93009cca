"""Why a response ended: it stopped, it was cut by the token limit, or it was cut while looping.

A looping response repeats the same text until the cap stops it: a longer cap would not have let it finish,
so its cut says nothing about the cap. A response cut without looping might have finished with more tokens.
The study chooses its answer cap from the share of the second kind (docs/reference-study/README.md).

Examples:
    >>> finish_kind("So 3 + 4 = 7.\\nThe answer is 7.", "stop")
    'stop'
    >>> finish_kind("We have " + "x = 2 + 4y, so " * 40, "length")
    'loop'
    >>> finish_kind("Step 1: add 3 and 4 to get 7. Step 2: multiply by the", "length")
    'cut'
"""

from __future__ import annotations

import numpy as np

TAIL = 400
"""Characters of the response's end that are examined."""
MAX_PERIOD = 200
"""The longest repeated unit looked for, in characters."""
MATCH = 0.9
"""Share of the tail's characters equal to the character one period earlier that makes a loop (numbers that
count up inside a repeated sentence still leave it above this)."""


def _period(text: str) -> int | None:
    """The shortest unit the end of ``text`` repeats (in characters), if it loops."""
    tail = np.frombuffer(text[-TAIL:].encode("utf-32-le"), dtype=np.uint32)
    if len(tail) < TAIL:
        return None
    for period in range(1, MAX_PERIOD + 1):
        if (tail[period:] == tail[:-period]).mean() >= MATCH:
            return period
    return None


def looping(text: str) -> bool:
    """Whether the end of ``text`` repeats one unit of at most :data:`MAX_PERIOD` characters at least twice."""
    return _period(text) is not None


def loop_start(text: str) -> int | None:
    """Where the loop at the end of ``text`` begins (a character index), or ``None`` when it does not loop.

    Walks back one unit at a time while each unit still matches the one after it.

    Examples:
        >>> loop_start("Let x = 3. " + "Again, 2 + 2 = 4. " * 40) in range(0, 20)
        True
    """
    period = _period(text)
    if period is None:
        return None
    chars = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    start = len(chars) - TAIL
    while start - period >= 0 and (chars[start - period:start] == chars[start:start + period]).mean() >= MATCH:
        start -= period
    return max(start, 0)


def finish_kind(text: str, finish_reason: str | None) -> str:
    """``stop`` (the model ended it), ``loop`` (cut by the token limit while repeating itself) or ``cut``."""
    if finish_reason != "length":
        return "stop"
    return "loop" if looping(text) else "cut"
