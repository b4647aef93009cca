"""Prompt templates shipped as package data, and their content hashes for cache keys."""

from __future__ import annotations

import hashlib
from functools import cache
from importlib import resources

#: Template families and their files; a family's hash covers all of its files.
FAMILIES = {
    "generate": ("generate.txt", "generate_user.txt"),
    "solve": ("solve.txt",),
}


@cache
def load_template(filename: str) -> str:
    """The text of `prompts/templates/<filename>` (trailing newline stripped)."""
    return resources.files("prompts").joinpath("templates", filename).read_text(encoding="utf-8").rstrip("\n")


def template_hash(*families: str) -> str:
    """sha256 over the texts of the given template families (changes whenever any text changes)."""
    digest = hashlib.sha256()
    for family in families:
        for filename in FAMILIES[family]:
            digest.update(filename.encode() + b"\0" + load_template(filename).encode() + b"\0")
    return digest.hexdigest()[:16]
