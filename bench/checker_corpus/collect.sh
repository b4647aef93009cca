#!/usr/bin/env bash
# Real model outputs for the checker corpus: zero-shot saicot runs of the packaged models on the bundled
# benchmarks. Each run is cached and resumable; re-running skips finished work.
# Usage: bash bench/checker_corpus/collect.sh [RUNS_ROOT]   (default ~/saicot-runs/checker-corpus)
set -euo pipefail
ROOT="${1:-$HOME/saicot-runs/checker-corpus}"
SAICOT="${SAICOT:-.venv/bin/saicot}"
# benchmark:limit pairs; MATH's first problems overlap MATH-500 little (MATH-500 is a sample of MATH test)
PLAN="math500:150 olympiadbench:80 aqua:100 gsm8k:120 math:100"
for model in ${MODELS:-qwen2.5-coder-0.5b smollm2-135m}; do
  for item in $PLAN; do
    bench="${item%%:*}"; limit="${item##*:}"
    echo "== $model on $bench (limit $limit)"
    "$SAICOT" run --run-dir "$ROOT/$model/$bench" \
      --set benchmark.name="$bench" --set benchmark.limit="$limit" \
      --set solver.model="$model" --set generator.model="$model" \
      --set solver.max_tokens=400 --set 'retrieve.strategies=[zero-shot]'
  done
done
