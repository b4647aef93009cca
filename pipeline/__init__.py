"""Orchestration: config, stages, resumable store, LLM engines, model registry and CLI.

`from pipeline import run` is the Python API (see `pipeline.api`); it is imported lazily so that
`saicot --help` never pays for the pipeline's imports.
"""

from typing import Any


def run(*args: Any, **kwargs: Any) -> Any:
    """Run (or resume) the pipeline; see `pipeline.api.run`."""
    from pipeline.api import run as _run

    return _run(*args, **kwargs)
