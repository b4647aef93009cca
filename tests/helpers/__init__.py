"""Test helpers: a tiny random model built offline, a deterministic fake engine."""
