"""Orchestration: config, stages, resumable store, LLM engines, model registry and CLI."""
