"""The generator's pre-filled reply start, tokenized by a real packaged model's tokenizer (SmolLM2, byte-level BPE).

A prefill must be a token prefix of the replies it starts: the model then continues exactly as if it had
written the start itself. "New problem: " (with a space) is not: it ends in a lone " " token, while a reply
writes " A" as one token, so after it only digits (split from their space) come naturally.
"""

from __future__ import annotations

import pytest

from pipeline import models
from prompts.generate import reply_start

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("style", ["list", "single"])
def test_the_reply_start_is_a_token_prefix_of_a_reply_that_begins_with_a_word(style: str) -> None:
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(models.pull("smollm2-135m"))
    start = reply_start(style)
    reply = f"{start} A florist sells roses for $4 each."
    assert tok.encode(reply)[: len(tok.encode(start))] == tok.encode(start)
    with_space = tok.encode(start + " ")  # the old prefill: not a prefix of the same reply
    assert tok.encode(reply)[: len(with_space)] != with_space
