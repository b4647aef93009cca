"""Prompt templates (package data) and their rendering and packing (knows nothing of `pipeline`)."""
