"""Numbers in answers: the last number of a response, and the one number of an answer written in words.

Examples:
    >>> last_number("so 1,250 apples and $3.50")
    '3.5'
    >>> number_in_prose("120 pounds of carrots")
    '120'
"""

from __future__ import annotations

import re

NUMBER_RE = re.compile(r"-?\$?\s?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:\s*/\s*\d+)?|-?\.\d+")
PROSE_WORD = re.compile(r"(?<![\\A-Za-z])[A-Za-z]{2,}|[€£¥]")
_REASON_CUT = re.compile(r"\s(?:because|since|as|so that|which means|given that)\s", re.I)


def last_number(text: str) -> str | None:
    """The last number in ``text`` without ``$`` and thousands separators."""
    nums = NUMBER_RE.findall(text)
    if not nums:
        return None
    return plain_number(nums[-1])


def plain_number(s: str) -> str:
    s = re.sub(r"[$,\s]", "", s)  # the pattern lets whitespace follow a sign or `$`, newlines included
    if "." in s and "/" not in s:
        s = s.rstrip("0").rstrip(".") if re.fullmatch(r"-?\d*\.\d+", s) else s
    return s


def number_in_prose(s: str) -> str | None:
    """The one number of an answer written in words: ``23 years``, ``120 pounds of carrots``, ``€100``,
    ``9200 - 2600 = 6600 calories``, ``42 because 6 x 7 = 42``; ``None`` when ``s`` is not prose or holds no
    single number (``2 hours and 30 minutes``).

    Examples:
        >>> number_in_prose("Jean's current age, which is 23 years")
        '23'
        >>> number_in_prose("3x") is None
        True
    """
    if not PROSE_WORD.search(s):
        return None
    cut = _REASON_CUT.search(" " + s)
    head = s[:cut.start()] if cut else s
    head = re.sub(r"\\[()\[\]]", " ", head).rsplit("=", 1)[-1]
    nums = NUMBER_RE.findall(head)
    if len(nums) != 1 or re.search(r"\\[a-zA-Z]|\^", head):
        return None
    return plain_number(nums[0])

