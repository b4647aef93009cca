"""Prompt templates (package data) and their rendering and packing (knows nothing of `pipeline`)."""

from prompts.solve import Demo, PackedPrompt, pack_demos, solve_messages
from prompts.templates import load_template, template_hash

__all__ = ["Demo", "PackedPrompt", "load_template", "pack_demos", "solve_messages", "template_hash"]
