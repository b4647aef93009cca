"""What the pipeline adds to the engine: solve stage vs a direct ``vllm.LLM.generate``, and a whole run's split.

1. Solve stage vs raw vLLM (target ratio <= 1.05). One vLLM engine, loaded as a run loads it
   (`pipeline.engines.vllm_factory`). The same zero-shot GSM8K prompts and greedy sampling go through
   `pipeline.stages.solve.run_solve` (prompt assembly, token budgeting, per-request seeds, durable JSONL
   records) and through ``LLM.generate`` on that engine's own ``vllm.LLM`` with the same prompt texts and
   the same ``SamplingParams``. Runs alternate (pipeline first, then raw first, ...); the prefix cache is
   reset before each timed run and every pipeline run writes a fresh stage directory.
2. Share of a whole run's wall time spent outside the engine (target <= 5%). `pipeline.run` on a small
   default-like config (GSM8K, zero-shot + kNN, the default generate/sample/solve settings) with an engine
   factory whose engines time every generate / loglikelihood call, and timed stage functions and embedder,
   so the time outside the engine is broken down into embedding, FAISS, checking, stage I/O and the rest.

If a target is missed, the part that missed it is profiled (cProfile, time outside the engine only) and the
top functions are printed. Run from the repository root::

    python bench/engine_overhead.py                          # smollm2-135m, ~5-10 min on 2 cores
    python bench/engine_overhead.py --model qwen2.5-coder-0.5b --problems 16 --limit 5

The last line is the summary with both figures.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

TARGET_RATIO = 1.05
TARGET_SHARE = 0.05


# -- part 1: solve stage vs raw LLM.generate --------------------------------------------------------------

def solve_vs_raw(args: argparse.Namespace, work: Path) -> float:
    from vllm import SamplingParams

    from eval.benchmarks import load
    from pipeline.config import EngineConfig
    from pipeline.engines import vllm_factory
    from pipeline.engines.base import Sampling
    from pipeline.models import model_identity
    from pipeline.stages.retrieve import run_retrieve
    from pipeline.stages.solve import run_solve
    from pipeline.store import StageDir

    problems = load("gsm8k", limit=args.problems)
    engine = vllm_factory(args.model, EngineConfig(max_model_len=args.max_model_len))
    llm = engine._llm  # the very vllm.LLM the pipeline steps
    demos = {"zero-shot": run_retrieve(problems, None, None, StageDir(work, "retrieve", {"s": "zero-shot"}),
                                       strategy="zero-shot", k=0, scope="global", params={}, seed=0)}
    sampling = Sampling(n=1, temperature=0.0, top_p=1.0, max_tokens=args.max_tokens, seed=0)
    solver_id = model_identity(args.model)
    runs = 0

    def pipeline_once() -> tuple[float, list[dict[str, Any]]]:
        nonlocal runs
        runs += 1
        stage = StageDir(work, "solve", {"run": runs})
        start = time.perf_counter()
        recs = run_solve(problems, demos, None, lambda: engine, stage, sampling=sampling,
                         budget_fn=lambda e: e.max_model_len - sampling.max_tokens, model_name=solver_id)
        return time.perf_counter() - start, recs

    def raw_once(prompts: list[str], params: list[Any]) -> tuple[float, list[Any]]:
        start = time.perf_counter()
        outs = llm.generate(prompts, params, use_tqdm=False)
        return time.perf_counter() - start, outs

    print(f"\n== solve stage vs LLM.generate: {args.model}, {len(problems)} GSM8K zero-shot prompts, greedy, "
          f"max_tokens={args.max_tokens}, {args.repeats} interleaved repeats", flush=True)
    _, recs = pipeline_once()  # warm-up (not timed); also yields the exact prompts and seeds the stage sent
    from pipeline.stages.common import request_seed

    prompts = [r["prompt"] for r in recs]
    params = [SamplingParams(n=1, temperature=0.0, top_p=1.0, max_tokens=args.max_tokens,
                             seed=request_seed(0, "solve", r["strategy_key"], r["problem_id"])) for r in recs]
    _, outs = raw_once(prompts, params)
    same_text = sum(o.outputs[0].text == r["samples"][0]["text"] for o, r in zip(outs, recs, strict=True))
    same_prompt = sum(len(o.prompt_token_ids) == r["n_prompt_tokens"] for o, r in zip(outs, recs, strict=True))
    gen_tokens = sum(len(o.outputs[0].token_ids) for o in outs)
    print(f"same prompt tokens {same_prompt}/{len(recs)}, same completions {same_text}/{len(recs)}, "
          f"{gen_tokens} generated tokens per run", flush=True)
    pipe_t, raw_t = [], []
    for rep in range(args.repeats):
        for side in (("pipeline", "raw") if rep % 2 == 0 else ("raw", "pipeline")):
            llm.reset_prefix_cache()
            if side == "pipeline":
                pipe_t.append(pipeline_once()[0])
            else:
                raw_t.append(raw_once(prompts, params)[0])
        print(f"  repeat {rep + 1}: pipeline {pipe_t[-1]:7.2f} s   raw {raw_t[-1]:7.2f} s   "
              f"ratio {pipe_t[-1] / raw_t[-1]:.3f}", flush=True)
    p, r = statistics.median(pipe_t), statistics.median(raw_t)
    ratio = p / r
    print(f"{'':12}{'median s':>10}{'tok/s':>10}\n{'pipeline':12}{p:10.2f}{gen_tokens / p:10.1f}\n"
          f"{'raw vLLM':12}{r:10.2f}{gen_tokens / r:10.1f}\nratio pipeline/raw {ratio:.3f} "
          f"(target <= {TARGET_RATIO}: {'met' if ratio <= TARGET_RATIO else 'MISSED'})", flush=True)
    if ratio > TARGET_RATIO or args.profile:
        prof = cProfile.Profile()
        llm.reset_prefix_cache()
        prof.enable()
        pipeline_once()
        prof.disable()
        print_profile(prof, "one pipeline solve run (main process; the engine core runs in its own process)")
    engine.close()
    return ratio


# -- part 2: a whole run, engine time vs the rest --------------------------------------------------------

class Clock:
    """Accumulated seconds per bucket; `gate` pauses a profiler while the engine works."""

    def __init__(self) -> None:
        self.s: dict[str, float] = defaultdict(float)
        self.profiler: cProfile.Profile | None = None

    def timed(self, bucket: str, fn: Callable[..., Any], *a: Any, engine: bool = False, **kw: Any) -> Any:
        if engine and self.profiler is not None:
            self.profiler.disable()
        start = time.perf_counter()
        try:
            return fn(*a, **kw)
        finally:
            self.s[bucket] += time.perf_counter() - start
            if engine and self.profiler is not None:
                self.profiler.enable()


class TimedEngine:
    """An `Engine` proxy: generate/loglikelihood time goes to `engine`, tokenizer calls to `tokenizer`."""

    def __init__(self, inner: Any, clock: Clock) -> None:
        self._inner, self._clock = inner, clock
        self.name, self.max_model_len = inner.name, inner.max_model_len

    def generate(self, requests: Sequence[Any], sampling: Any) -> Iterator[tuple[int, Any]]:
        it = self._clock.timed("engine", self._inner.generate, requests, sampling, engine=True)
        while True:
            item = self._clock.timed("engine", next, it, None, engine=True)
            if item is None:
                return
            yield item

    def loglikelihood(self, pairs: Sequence[tuple[str, str]]) -> list[float]:
        return self._clock.timed("engine", self._inner.loglikelihood, pairs, engine=True)

    def apply_chat_template(self, messages: list[dict[str, str]]) -> str:
        return self._clock.timed("tokenizer", self._inner.apply_chat_template, messages)

    def count_tokens(self, text: str) -> int:
        return self._clock.timed("tokenizer", self._inner.count_tokens, text)

    def close(self) -> None:
        self._clock.timed("engine load/close", self._inner.close, engine=True)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class TimedEmbedder:
    def __init__(self, inner: Any, clock: Clock) -> None:
        self._inner, self._clock = inner, clock
        self.identity, self.dim = inner.identity, inner.dim

    def encode(self, *a: Any, **kw: Any) -> Any:
        return self._clock.timed("embedding", self._inner.encode, *a, **kw)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


STAGES = ("run_generate", "run_sample", "run_index", "run_retrieve", "run_recipe", "run_solve",
          "score_predictions")


def whole_run(args: argparse.Namespace, work: Path, profile: bool = False) -> tuple[float, dict[str, float]]:
    import pipeline.runner as runner
    from pipeline.api import run
    from pipeline.engines import vllm_factory
    from retriever.embed import Embedder
    from retriever.index import VectorIndex

    clock = Clock()
    stage_wall: dict[str, float] = defaultdict(float)
    stage_engine: dict[str, float] = defaultdict(float)

    def engine_factory(model: str, cfg: Any) -> Any:
        return TimedEngine(clock.timed("engine load/close", vllm_factory, model, cfg, engine=True), clock)

    def embedder_factory(name: str) -> Any:
        from pipeline.models import resolve

        return TimedEmbedder(clock.timed("embedder load", Embedder, resolve(name)), clock)

    def wrap_stage(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def wrapped(*a: Any, **kw: Any) -> Any:
            e0 = clock.s["engine"] + clock.s["engine load/close"]
            start = time.perf_counter()
            try:
                return fn(*a, **kw)
            finally:
                stage_wall[name] += time.perf_counter() - start
                stage_engine[name] += clock.s["engine"] + clock.s["engine load/close"] - e0
        return wrapped

    saved = {name: getattr(runner, name) for name in STAGES}
    saved_build = VectorIndex.__dict__["build"]
    try:
        for name in STAGES:
            setattr(runner, name, wrap_stage(name, saved[name]))
        build = saved_build.__func__
        VectorIndex.build = classmethod(lambda cls, *a, **kw: clock.timed("faiss", build, cls, *a, **kw))
        overrides = [f"benchmark.limit={args.limit}", f"generator.model={args.model}", f"solver.model={args.model}",
                     f"engine.max_model_len={args.max_model_len}"]
        hooks = runner.RunHooks(engine_factory=engine_factory, embedder_factory=embedder_factory)
        run_dir = work / ("profiled-run" if profile else "run")
        prof = cProfile.Profile() if profile else None
        clock.profiler = prof
        start = time.perf_counter()
        if prof is not None:
            prof.enable()
        result = run(overrides=overrides, run_dir=run_dir, hooks=hooks)
        if prof is not None:
            prof.disable()
        total = time.perf_counter() - start
    finally:
        for name, fn in saved.items():
            setattr(runner, name, fn)
        VectorIndex.build = saved_build
    if prof is not None:
        print_profile(prof, "a whole run, time outside the engine only")
        return total, {}
    engine = clock.s["engine"]
    load = clock.s["engine load/close"]
    outside = total - engine - load
    print(f"\n== whole run: {args.model}, GSM8K limit={args.limit}, strategies "
          f"{', '.join(result.summary['strategies'])}; engines loaded {len(result.engine_loads)}x", flush=True)
    print(f"{'part':34}{'seconds':>9}{'share':>8}")
    rows = [("total wall", total), ("engine generate/loglikelihood", engine), ("engine load + close", load),
            ("outside the engine", outside)]
    for label, s in rows:
        print(f"{label:34}{s:9.2f}{s / total:8.1%}")
    print("outside the engine, by what it did:")
    io_like = {name: stage_wall[name] - stage_engine[name] for name in STAGES if stage_wall[name]}
    explained = {"embedding model load": clock.s["embedder load"], "embedding (encode)": clock.s["embedding"],
                 "FAISS index build": clock.s["faiss"], "tokenizer (chat template, budgets)": clock.s["tokenizer"]}
    for label, s in explained.items():
        print(f"  {label:32}{s:9.2f}{s / total:8.1%}")
    print("  per stage, engine excluded (includes the lines above; the rest is records I/O, checking, retrieval):")
    for name, s in io_like.items():
        print(f"    {name:30}{s:9.2f}{s / total:8.1%}")
    rest = (total - sum(stage_wall.values())) - (engine + load - sum(stage_engine.values()))
    print(f"  {'outside any stage, engine excluded':32}{rest:9.2f}{rest / total:8.1%}   (problem load, config, "
          "embedder load, report)")
    share = outside / total
    share_with_load = (outside + load) / total
    print(f"share outside the engine {share:.1%} (target <= {TARGET_SHARE:.0%}: "
          f"{'met' if share <= TARGET_SHARE else 'MISSED'}); counting the engine's own start-up as outside too: "
          f"{share_with_load:.1%}", flush=True)
    return total, {"share": share, "share_with_load": share_with_load}


def print_profile(prof: cProfile.Profile, what: str, top: int = 25) -> None:
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats(top)
    print(f"\n-- cProfile of {what}: top {top} by cumulative time --")
    lines = out.getvalue().splitlines()
    start = next((i for i, line in enumerate(lines) if "ncalls" in line), 0)
    print("\n".join(line[:160] for line in lines[max(start - 3, 0):] if line.strip()))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="smollm2-135m", help="packaged alias or local path (default smollm2-135m)")
    ap.add_argument("--problems", type=int, default=24, help="GSM8K prompts for part 1")
    ap.add_argument("--max-tokens", type=int, default=256, help="answer tokens for part 1")
    ap.add_argument("--repeats", type=int, default=3, help="interleaved timed repeats per side in part 1")
    ap.add_argument("--limit", type=int, default=5, help="GSM8K problems for the whole run (part 2)")
    ap.add_argument("--max-model-len", type=int, default=4096)
    ap.add_argument("--skip-solve", action="store_true", help="only part 2")
    ap.add_argument("--skip-run", action="store_true", help="only part 1")
    ap.add_argument("--profile", action="store_true", help="profile even when the targets are met")
    args = ap.parse_args()
    ratio = share = float("nan")
    with tempfile.TemporaryDirectory(prefix="saicot-bench-") as tmp:
        work = Path(tmp)
        if not args.skip_solve:
            ratio = solve_vs_raw(args, work / "solve")
        if not args.skip_run:
            _, figures = whole_run(args, work)
            share = figures["share"]
            if share > TARGET_SHARE or args.profile:
                whole_run(args, work, profile=True)
    ok = (ratio != ratio or ratio <= TARGET_RATIO) and (share != share or share <= TARGET_SHARE)
    print(f"SUMMARY engine_overhead ratio={ratio:.3f} target<=1.05 outside_engine_share={share:.1%} target<=5% "
          f"model={args.model} {'PASS' if ok else 'FAIL'}")


if __name__ == "__main__":
    main()
