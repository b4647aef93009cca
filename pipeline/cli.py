"""The `saicot` command line.

Heavy modules (vllm, torch, sentence-transformers, faiss) are imported inside the commands, never at
module import, so `saicot --help` stays instant.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer

app = typer.Typer(
    help="saicot: self-adaptive in-context chains of thought for math benchmarks.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
models_app = typer.Typer(help="List, pull and locate the models saicot knows by alias.", no_args_is_help=True)
app.add_typer(models_app, name="models")
_DEBUG = False


@app.callback()
def _options(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks of errors.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", help="Show vLLM's own log on the console (default: "
                                          "it goes to engine.log in the run directory).")] = False,
) -> None:
    import os

    global _DEBUG
    _DEBUG = debug
    if verbose:
        os.environ["SAICOT_VERBOSE"] = "1"


@models_app.command("list")
def models_list() -> None:
    """Show every model alias, its hub id, its offline source and whether it is cached."""
    from pipeline import models

    models.print_table()


@models_app.command("pull")
def models_pull(
    alias: str,
    force: Annotated[bool, typer.Option(help="Rebuild the cached copy even if it verifies.")] = False,
) -> None:
    """Fetch and convert a model into the local cache (a no-op when it is already there)."""
    from pipeline import models

    path = models.pull(alias, force=force)
    typer.echo(str(path))


@models_app.command("path")
def models_path(alias: str) -> None:
    """Print the local directory of a model, pulling it first if needed."""
    from pipeline import models

    typer.echo(str(models.resolve(alias)))


udr_app = typer.Typer(help="Train the UDR list-wise retriever on a run's pool.", no_args_is_help=True)
app.add_typer(udr_app, name="udr")


@udr_app.command("train")
def udr_train(
    run_dir: Annotated[Path, typer.Option(
        "--run", help="A run directory with a finished pool, or a study run's (STUDY/runs/NAME).")],
    config: Annotated[Path | None, typer.Option("--config", "-c", help="UDR settings (YAML).")] = None,
    set_: Annotated[
        list[str] | None,
        typer.Option("--set", help="Override a UDR setting, e.g. --set rounds=2 --set train.epochs=1."),
    ] = None,
    index: Annotated[str | None, typer.Option(help="Pool (index stage key); default: the newest.")] = None,
    scorer: Annotated[str | None, typer.Option(help="LM giving feedback; default: the run's solver.")] = None,
    scorer_dtype: Annotated[Literal["auto", "float32", "bfloat16"] | None, typer.Option(
        help="dtype the feedback LM scores in; default: the run's engine.dtype.")] = None,
    labelled: Annotated[
        str | None, typer.Option(help="Use a benchmark's train split (gold solutions) as queries, e.g. gsm8k.")
    ] = None,
    force: Annotated[bool, typer.Option(help="Retrain even if this training is finished.")] = False,
    score_chunk: Annotated[int, typer.Option(
        min=1, help="Pairs per scoring call, each saved when done: a kill loses at most one call's work.")] = 512,
) -> None:
    """Mine candidates, score them with the solver, train the UDR encoder (3 rounds) and report.

    Resumable: pair scores are saved per call and every finished round's encoder is kept until the end.
    """
    from pipeline.lock import run_lock
    from pipeline.udr import load_settings
    from pipeline.udr.train import stage_root, train_run

    with run_lock(stage_root(run_dir)):  # a study's run trains in the study directory: lock that one
        train_run(run_dir, load_settings(config, set_ or []), index_key=index, scorer_model=scorer,
                  scorer_dtype=scorer_dtype, labelled=labelled, force=force, score_chunk=score_chunk)


@app.command()
def run(
    config: Annotated[Path | None, typer.Option("--config", "-c", help="Run config (YAML).")] = None,
    set_: Annotated[
        list[str] | None,
        typer.Option("--set", help="Override a config field, e.g. --set solver.temperature=0.7."),
    ] = None,
    run_dir: Annotated[Path | None, typer.Option("--run-dir", help="Where records go (overrides config).")] = None,
) -> None:
    """Run the pipeline. With no arguments: the default demo on bundled GSM8K."""
    from pipeline.config import load_config
    from pipeline.runner import run_pipeline

    cfg = load_config(config, overrides=set_ or [], run_dir=run_dir)
    run_pipeline(cfg)


@app.command()
def study(
    config: Annotated[Path, typer.Option("--config", "-c", help="Study config (YAML): base run config + grid.")],
    study_dir: Annotated[Path | None, typer.Option("--study-dir", help="Where the study lives (overrides config).")]
    = None,
    cached_only: Annotated[bool, typer.Option(
        "--cached-only", help="Load no LLM engine: report the cells already computed; a cell with work left stops "
        "the study with its name.")] = False,
) -> None:
    """Run (or resume) a grid over generator, solver, strategy, k and scope; then write its report."""
    from pipeline.study import load_study_config, run_study

    run_study(load_study_config(config, study_dir), cached_only=cached_only)


@app.command()
def report(run_dir: Annotated[Path, typer.Argument(help="A study or run directory.")],
           open_: Annotated[bool, typer.Option("--open", help="Open report.html in the default browser.")] = False,
           ) -> None:
    """Regenerate report.md, report.html, plots, cells.csv and the JSON summary from saved records (no engine)."""
    from eval.report.write import write_report
    from pipeline.errors import SaicotError
    from pipeline.strategies import report_roles

    if not ((run_dir / "study.json").exists() or (run_dir / "scores.jsonl").exists()):
        raise SaicotError(f"{run_dir} holds neither study.json nor scores.jsonl: not a study or run directory")
    for path in write_report(run_dir, roles=report_roles()):
        typer.echo(str(path))
    page = (run_dir / "report.html").resolve().as_uri()
    typer.echo(f"browse the problems: {page}")
    if open_:
        import webbrowser

        webbrowser.open(page)


def main() -> None:
    """Console-script entry point: user errors print one line and exit 2; Ctrl-C and SIGTERM exit cleanly.

    Engines shut down on the way out (``with`` blocks unwind) and no engine process outlives the command
    (`pipeline.processes`); finished records are on disk, so re-running the command resumes.
    """
    from eval.benchmarks.files import DatasetError
    from pipeline import processes
    from pipeline.errors import SaicotError

    processes.install(watchdog=False)
    try:
        app()
    except (SaicotError, DatasetError) as err:
        if _DEBUG:
            raise
        typer.secho(f"error: {err}", fg=typer.colors.RED, err=True)
        raise SystemExit(2) from None
    except KeyboardInterrupt:
        typer.secho("interrupted: finished work is saved; re-run the same command to resume", err=True)
        raise SystemExit(130) from None


if __name__ == "__main__":
    main()
