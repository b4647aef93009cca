"""Prompt templates shipped as package data (``prompts/templates/*.txt``) and their hashes.

The data directory ``templates/`` has no ``__init__.py`` (it is package data of `prompts`, not a package),
so ``import prompts.templates`` resolves to this module.

A template file is split into named sections by header lines ``[name]`` (e.g. ``[system]``, ``[user]``);
text before the first header belongs to section ``""``. Placeholders are ``{name}`` and are filled by
`fill`, which only replaces the names it is given (so braces in LaTeX stay untouched).
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

_SECTION = re.compile(r"^\[([a-z_]+)\]\s*$", re.MULTILINE)


def _dir() -> Traversable:
    return resources.files("prompts").joinpath("templates")


def _file_name(name: str) -> str:
    return name if name.endswith(".txt") else f"{name}.txt"


def load_template(name: str) -> str:
    """The text of template `name` (``"generate"`` or ``"generate.txt"``).

    Read once per file version: an edited template (new modification time) is read again, so its new text
    and hash are used at once; unchanged, the solve stage's k + 1 renders per question cost no file reads.

    Raises:
        FileNotFoundError: no such template (the message lists the available ones).
    """
    file = _dir().joinpath(_file_name(name))
    if not file.is_file():
        raise FileNotFoundError(f"no prompt template {name!r}; available: {', '.join(available_templates())}")
    try:
        stamp = os.stat(str(file)).st_mtime_ns
    except OSError:  # not a plain file (a zipped package): read it
        return file.read_text(encoding="utf-8")
    return _read(str(file), stamp)


@functools.lru_cache(maxsize=64)
def _read(path: str, stamp: int) -> str:
    return Path(path).read_text(encoding="utf-8")


def available_templates() -> list[str]:
    """Template names (file names without ``.txt``), sorted."""
    return sorted(f.name[:-4] for f in _dir().iterdir() if f.name.endswith(".txt"))


def template_hash(*names: str) -> str:
    """sha256 over the named templates' texts (name and text, in the given order): part of cache keys."""
    h = hashlib.sha256()
    for name in names:
        h.update(_file_name(name).encode() + b"\0" + load_template(name).encode("utf-8") + b"\0")
    return h.hexdigest()


def sections(text: str) -> dict[str, str]:
    """Split a template into its ``[section]`` parts (each stripped of surrounding blank lines)."""
    parts = _SECTION.split(text)
    out = {"": parts[0].strip("\n")} if parts[0].strip() else {}
    for i in range(1, len(parts), 2):
        out[parts[i]] = parts[i + 1].strip("\n")
    return out


def fill(text: str, **values: object) -> str:
    """Replace ``{name}`` for each given name; other braces are left alone."""
    for key, value in values.items():
        text = text.replace("{" + key + "}", str(value))
    return text
