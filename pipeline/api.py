"""The Python API: the same run as `saicot run`, in a few lines.

Example:
    >>> from pipeline import run                                    # doctest: +SKIP
    >>> result = run(overrides=["benchmark.limit=5", "retrieve.strategies=[zero-shot, knn, mmr]"])
    >>> result.summary["strategies"]["knn"]["accuracy"]
"""

from __future__ import annotations

from pathlib import Path

from pipeline.config import RunConfig, build_config, load_config
from pipeline.runner import RunHooks, RunResult, run_pipeline


def run(config: RunConfig | Path | str | None = None, *, overrides: list[str] | None = None,
        run_dir: Path | str | None = None, hooks: RunHooks | None = None) -> RunResult:
    """Run (or resume) the pipeline.

    Args:
        config: a `RunConfig`, a YAML path, or None for the defaults (the demo run).
        overrides: ``section.field=value`` strings, as with ``saicot run --set``.
        run_dir: where records go (overrides the config's `run_dir`).
        hooks: engine/embedder factories (tests, other backends).
    """
    out_dir = Path(run_dir) if run_dir is not None else None
    if isinstance(config, RunConfig):
        cfg = build_config(config.model_dump(mode="json"), overrides=overrides, run_dir=out_dir)
    else:
        cfg = load_config(config, overrides=overrides, run_dir=out_dir)
    return run_pipeline(cfg, hooks)
