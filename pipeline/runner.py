"""The stage runner: load → generate → sample → index → retrieve → solve → score.

Every stage directory is keyed by exactly the inputs that change its output (see `stage_inputs`), so
changing the solver reuses generated questions, adding a strategy reuses the pool, and re-running a
finished run touches no engine. Engines are loaded lazily, one at a time.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console

from pipeline.config import RunConfig
from pipeline.engines import EngineFactory, EngineManager
from pipeline.llm import Engine, Sampling, truncated
from pipeline.stages.generate import run_generate
from pipeline.stages.index import PoolFilter, run_index
from pipeline.stages.recipes import recipe_inputs, run_autocot, run_recipe
from pipeline.stages.retrieve import run_retrieve
from pipeline.stages.sample import run_sample
from pipeline.stages.score import ensemble_scores, score_predictions, summarize
from pipeline.stages.solve import run_solve
from pipeline.store import JsonlStore, StageDir, write_json_atomic, write_text_atomic
from pipeline.strategies import is_recipe, spec, strategy_params
from pipeline.strategies import needs_pool as strategy_needs_pool

console = Console(stderr=True, soft_wrap=True)  # logs and pipes: a stage line is never cut mid-name


@dataclass
class RunHooks:
    """Injection points for tests and other backends (defaults: vLLM, packaged models, MiniLM)."""

    engine_factory: EngineFactory | None = None
    embedder_factory: Callable[[str], Any] | None = None
    identity: Callable[[str], str] | None = None


@dataclass
class RunResult:
    """What a run produced: the summary dict and where its files are."""

    run_dir: Path
    summary: dict[str, Any]
    engine_loads: list[str] = field(default_factory=list)


def _identity(hooks: RunHooks) -> Callable[[str], str]:
    if hooks.identity is not None:
        return hooks.identity
    from pipeline.models import model_identity

    return model_identity


def _embedder(hooks: RunHooks, name: str) -> Any:
    if hooks.embedder_factory is not None:
        return hooks.embedder_factory(name)
    from pipeline.models import resolve
    from retriever.embed import Embedder

    return Embedder(resolve(name))


def _dtype(cfg: RunConfig) -> str:
    from pipeline.engines import stage_dtype

    return stage_dtype(cfg.engine)


def _benchmark_tag(name: str) -> str | None:
    from eval.benchmarks import BENCHMARKS

    return name if name in BENCHMARKS else None


def pool_tokens(generated: list[Any], solutions: list[Any], n_problems: int) -> float | None:
    """Prompt + generated tokens the pool cost (generate and sample stages) per test problem; None when records
    written before token counts were kept are involved."""
    if any("n_tokens" not in g for g in generated):
        return None
    total = sum(g["n_prompt_tokens"] + g["n_tokens"] for g in generated)
    total += sum(r["n_prompt_tokens"] + sum(s["n_tokens"] for s in r["samples"]) for r in solutions)
    return total / max(n_problems, 1)


def add_total_tokens(summary: dict[str, Any]) -> None:
    """Per strategy: tokens spent per test question, the pool's share included for strategies that use it."""
    per_problem = (summary.get("pool") or {}).get("tokens_per_problem")
    for name, s in summary["strategies"].items():
        own = s["mean_prompt_tokens"] + s["mean_completion_tokens"]
        if strategy_needs_pool(name):
            s["total_tokens"] = None if per_problem is None else own + per_problem
        else:
            s["total_tokens"] = own


def _cached(complete: bool) -> str:
    return " (cached)" if complete else ""


def degenerate_warnings(summary: dict[str, Any], k: int) -> list[str]:
    """Comparisons that say less than they seem: strategies short of ``k`` demos, a pool smaller than ``k``."""
    out = []
    pool = summary.get("pool")
    if pool is not None and pool["pool_size"] < k:
        out.append(f"the pool holds {pool['pool_size']} demos, fewer than k={k}: pool strategies pick from the same "
                   "few demos and their results coincide")
    for name, s in summary["strategies"].items():
        if not spec(name).demos or k == 0:
            continue
        if s["mean_demos"] < k:
            out.append(f"{name} used {s['mean_demos']:.1f} demos per question on average, fewer than k={k} "
                       "(small pool, own-scope filtering or the prompt budget)")
    return out


def run_pipeline(cfg: RunConfig, hooks: RunHooks | None = None, *, results_dir: Path | None = None) -> RunResult:
    """Run (or resume) every stage for `cfg` and write scores, summary and report into `cfg.run_dir`.

    Names in `cfg` are checked before anything runs (`pipeline.preflight`), and the run directory is locked
    for the run's life (`pipeline.lock`): a second writer is refused at once.

    Args:
        results_dir: where config.yaml, scores.jsonl, summary.json and report.md go (default: the run
            directory). A study keeps one stage cache (`cfg.run_dir`) and one results directory per run.
    """
    from pipeline.lock import run_lock
    from pipeline.preflight import check_config

    hooks = hooks or RunHooks()
    check_config(cfg, models=hooks.engine_factory is None, embedder=hooks.embedder_factory is None)
    with run_lock(cfg.run_dir):
        return _run_pipeline(cfg, hooks, results_dir)


def _run_pipeline(cfg: RunConfig, hooks: RunHooks, results_dir: Path | None) -> RunResult:
    from eval.benchmarks import load
    from eval.report import markdown_report, print_table
    from prompts.generate import STYLES
    from prompts.templates import template_hash

    identity = _identity(hooks)
    run_dir = Path(cfg.run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    out_dir = Path(results_dir) if results_dir is not None else run_dir
    os.environ.setdefault("SAICOT_ENGINE_LOG", str(run_dir.resolve() / "engine.log"))
    if hooks.engine_factory is None:
        from pipeline.engines import configure_engine_logs

        configure_engine_logs()  # before anything imports vllm (stage_dtype may)
    write_text_atomic(out_dir / "config.yaml", cfg.to_yaml())
    bench = _benchmark_tag(cfg.benchmark.name)

    console.rule("[bold]saicot")
    problems = load(cfg.benchmark.name, split=cfg.benchmark.split, fields=cfg.benchmark.fields,
                    limit=cfg.benchmark.limit)
    load_inputs = {"benchmark": cfg.benchmark.model_dump(), "ids": [p.id for p in problems]}
    load_stage = StageDir(run_dir, "load", load_inputs)
    load_stage.store("problems.jsonl", key=lambda r: r["id"]).append(asdict(p) for p in problems)
    console.print(f"[1/6] load: {len(problems)} problems from {cfg.benchmark.name}")

    gen_id, pool_id, solver_id = identity(cfg.generator.model), identity(cfg.pool_model), identity(cfg.solver.model)
    from prompts.solve import instruction_template

    solve_tpl = instruction_template(cfg.solver.instruction, cfg.solver.model)  # answers and pool solutions
    dtype = _dtype(cfg)  # numerics change outputs, so the LLM stages' keys include it
    needs_pool = any(strategy_needs_pool(s) for s in cfg.retrieve.strategies)
    pool = queries = None
    pool_stats = None
    index_key = "none"
    solutions: list[Any] = []
    sample_key: str | None = None
    embedder: Any = None
    with EngineManager(cfg.engine, hooks.engine_factory) as engines:
        if needs_pool:
            g = cfg.generator
            gen_sampling = Sampling(n=1, temperature=g.temperature, top_p=g.top_p, max_tokens=g.max_tokens,
                                    seed=cfg.seed)
            gen_stage = StageDir(run_dir, "generate", {
                "load": load_stage.key, "model": gen_id, "template": template_hash(STYLES[g.style]), "k": g.k,
                "style": g.style, "example": g.example, "prefill": g.prefill,
                "dtype": dtype, "sampling": gen_sampling.as_dict(), "near_copy_threshold": g.near_copy_threshold})
            console.print(f"[2/6] generate: {g.k} questions per problem with {g.model}{_cached(gen_stage.complete)}")
            generated = run_generate(problems, lambda: engines.get(g.model), gen_stage, k=g.k,
                                     sampling=gen_sampling, near_copy_threshold=g.near_copy_threshold,
                                     model_name=gen_id, style=g.style, example=g.example, prefill=g.prefill)

            s = cfg.sample
            sample_sampling = Sampling(n=s.n, temperature=s.temperature, top_p=s.top_p, max_tokens=s.max_tokens,
                                       seed=cfg.seed)
            sample_stage = StageDir(run_dir, "sample", {
                "generate": gen_stage.key, "model": pool_id, "template": template_hash(solve_tpl), "dtype": dtype,
                "sampling": sample_sampling.as_dict(), "benchmark": bench, "truncated": "no answer"})
            n_questions = sum(len(r["questions"]) for r in generated)
            console.print(f"[3/6] sample: {s.n} solutions for each of {n_questions} generated questions "
                          f"with {cfg.pool_model}{_cached(sample_stage.complete)}")
            solutions = run_sample(generated, lambda: engines.get(cfg.pool_model), sample_stage,
                                   sampling=sample_sampling, benchmark=bench, model_name=pool_id, template=solve_tpl)
            sample_key = sample_stage.key

            embedder = _embedder(hooks, cfg.index.embedder)
            flt = PoolFilter(s.self_consistency, s.min_agreement)
            index_stage = StageDir(run_dir, "index", {
                "sample": sample_stage.key, "embedder": embedder.identity, "text": cfg.index.text,
                "filter": asdict(flt)})
            console.print(f"[4/6] index: embedding the pool with {cfg.index.embedder}{_cached(index_stage.complete)}")
            pool, queries = run_index(problems, solutions, embedder, index_stage, flt=flt,
                                      text_mode=cfg.index.text)
            index_key = index_stage.key
            n_samples = sum(len(r["samples"]) for r in solutions)
            pool_stats = {"generated_questions": len(solutions), "pool_size": len(pool.items),
                          "kept_share": len(pool.items) / len(solutions) if solutions else 0.0,
                          "truncated_samples": sum(truncated(s.get("finish_reason")) for r in solutions
                                                   for s in r["samples"]) / max(n_samples, 1),
                          "tokens_per_problem": pool_tokens(generated, solutions, len(problems))}

        members = cfg.retrieve.ensemble if "ensemble" in cfg.retrieve.strategies else []
        to_solve = list(dict.fromkeys(n for n in [*cfg.retrieve.strategies, *members] if n != "ensemble"))
        console.print(f"[5/6] retrieve: {', '.join(to_solve)} (k={cfg.retrieve.k}, scope={cfg.retrieve.scope})")
        demos: dict[str, list[dict[str, Any]]] = {}
        for name in to_solve:
            if is_recipe(name):  # baselines; auto-cot needs the zero-shot answers, so it comes after solve
                if name != "auto-cot":
                    sc = (cfg.retrieve.sc_samples, cfg.retrieve.sc_temperature)
                    stage = StageDir(run_dir, "retrieve", {"load": load_stage.key, **recipe_inputs(
                        name, k=cfg.retrieve.k, seed=cfg.seed, sample_key=sample_key, sc=sc)})
                    demos[name] = run_recipe(name, problems, stage, k=cfg.retrieve.k, solutions=solutions, sc=sc)
                continue
            params = strategy_params(name, cfg.retrieve)
            inputs = ({"strategy": name} if not strategy_needs_pool(name) else {
                "strategy": name, "index": index_key, "k": cfg.retrieve.k, "scope": cfg.retrieve.scope,
                "params": params, "seed": cfg.seed})
            udr = None
            if name == "udr":  # the encoder from `saicot udr train` re-embeds the pool and the questions
                from pipeline.udr import udr_retrieval

                udr = udr_retrieval(run_dir, index_key)
                inputs["encoder"] = udr.identity
            stage = StageDir(run_dir, "retrieve", {"load": load_stage.key, **inputs})
            s_pool, s_queries = pool, queries
            if udr is not None and pool is not None and not stage.complete:
                s_pool, s_queries = udr.embed(pool, [p.question for p in problems])
            demos[name] = run_retrieve(problems, s_pool, s_queries, stage, strategy=name, k=cfg.retrieve.k,
                                       scope=cfg.retrieve.scope, params=params, seed=cfg.seed)

        sv = cfg.solver
        solve_sampling = Sampling(n=sv.n, temperature=sv.temperature, top_p=sv.top_p, max_tokens=sv.max_tokens,
                                  seed=cfg.seed)
        solve_stage = StageDir(run_dir, "solve", {
            "model": solver_id, "template": template_hash(solve_tpl), "dtype": dtype,
            "sampling": solve_sampling.as_dict(), "prompt_budget": sv.prompt_budget,
            "max_model_len": cfg.engine.max_model_len})

        def budget(engine: Engine) -> int:
            return sv.prompt_budget or (engine.max_model_len - sv.max_tokens)

        autocot = "auto-cot" in to_solve
        if autocot and "zero-shot" not in demos:  # Auto-CoT's chains are the solver's zero-shot answers
            demos["zero-shot"] = run_retrieve(
                problems, None, None, StageDir(run_dir, "retrieve", {"load": load_stage.key, "strategy": "zero-shot"}),
                strategy="zero-shot", k=0, scope=cfg.retrieve.scope, params={}, seed=cfg.seed)
        done = solve_stage.store("predictions.jsonl", key=lambda r: (r["strategy_key"], r["problem_id"])).done()
        solved = all((rec["strategy_key"], p.id) in done for recs in demos.values()
                     for p, rec in zip(problems, recs, strict=True))
        console.print(f"[6/6] solve: {len(problems)} problems x {len(demos) + autocot} strategies with {sv.model}"
                      f"{_cached(solved and not autocot)}")
        predictions = run_solve(problems, demos, pool, lambda: engines.get(sv.model), solve_stage,
                                sampling=solve_sampling, budget_fn=budget, model_name=solver_id,
                                template=solve_tpl)
        if autocot:
            if embedder is None:
                embedder = _embedder(hooks, cfg.index.embedder)
            stage = StageDir(run_dir, "retrieve", {
                "load": load_stage.key, "solve": solve_stage.key, "embedder": embedder.identity,
                **recipe_inputs("auto-cot", k=cfg.retrieve.k, seed=cfg.seed)})
            zero_key = demos["zero-shot"][0]["strategy_key"] if problems else ""
            ac = run_autocot(problems, stage, k=cfg.retrieve.k, seed=cfg.seed, benchmark=bench,
                             zero_shot=[p for p in predictions if p["strategy_key"] == zero_key],
                             vectors_fn=lambda: queries if queries is not None else embedder.encode(
                                 [p.question for p in problems], show_progress=False))
            predictions += run_solve(problems, {"auto-cot": ac}, pool, lambda: engines.get(sv.model), solve_stage,
                                     sampling=solve_sampling, budget_fn=budget, model_name=solver_id,
                                     template=solve_tpl)
        predictions = [p for p in predictions if p["strategy"] in to_solve]
        loads = list(engines.loads)

    scores = score_predictions(problems, predictions, bench)
    if members:
        scores += ensemble_scores(scores, members)
    scores = [s for s in scores if s["strategy"] in cfg.retrieve.strategies]
    score_path = out_dir / "scores.jsonl"
    score_path.unlink(missing_ok=True)
    JsonlStore(score_path, key=lambda r: (r["strategy"], r["problem_id"])).append(scores)
    summary = {
        "benchmark": cfg.benchmark.name, "n_problems": len(problems), "generator": gen_id,
        "pool_solver": pool_id, "solver": solver_id, "pool": pool_stats,
        "strategies": summarize(scores, cfg.retrieve.strategies),
        "stages": {"load": load_stage.key, "solve": solve_stage.key, "index": index_key},
    }
    add_total_tokens(summary)
    summary["warnings"] = degenerate_warnings(summary, cfg.retrieve.k)
    for warning in summary["warnings"]:
        console.print(f"[yellow]warning: {warning}[/yellow]")
    write_json_atomic(out_dir / "summary.json", summary)
    write_text_atomic(out_dir / "report.md", markdown_report(summary))
    print_table(summary)
    console.print(f"records, summary.json and report.md are in {out_dir}")
    if loads and hooks.engine_factory is None and not os.environ.get("SAICOT_VERBOSE"):
        console.print(f"engine log: {os.environ['SAICOT_ENGINE_LOG']}")
    return RunResult(run_dir=run_dir, summary=summary, engine_loads=loads)
