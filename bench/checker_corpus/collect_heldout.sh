#!/usr/bin/env bash
# Real responses for the checker corpus's held-out part, unlike the tuning part's (collect.sh) on purpose:
# other problems (MATH-500 150-249, OlympiadBench 80-159; collect.sh took the first 150 and 80), another prompt
# (Qwen2.5's own math prompt, `solver.instruction=qwen-math`, where collect.sh used saicot's) and a longer answer
# cap (1024 tokens, not 400). Each run is cached and resumable.
# Usage: bash bench/checker_corpus/collect_heldout.sh [RUNS_ROOT]   (default ~/saicot-runs/checker-heldout)
set -euo pipefail
ROOT="${1:-$HOME/saicot-runs/checker-heldout}"
SAICOT="${SAICOT:-.venv/bin/saicot}"
PY="${PYTHON:-.venv/bin/python}"
mkdir -p "$ROOT/data"
"$PY" - "$ROOT/data" <<'PYEOF'
import json, sys
from eval.benchmarks import load
for bench, lo, hi in (("math500", 150, 250), ("olympiadbench", 80, 160)):
    with open(f"{sys.argv[1]}/{bench}.jsonl", "w") as f:
        for p in load(bench)[lo:hi]:
            f.write(json.dumps({"id": p.id, "question": p.question, "gold": p.gold}) + "\n")
PYEOF
for model in ${MODELS:-qwen2.5-coder-0.5b}; do
  for bench in math500 olympiadbench; do
    echo "== $model on $bench (held-out slice)"
    "$SAICOT" run --run-dir "$ROOT/$model/$bench" \
      --set benchmark.name="$ROOT/data/$bench.jsonl" --set benchmark.limit=null --set "benchmark.fields={question: question, gold: gold, id: id}" \
      --set solver.model="$model" --set generator.model="$model" --set solver.instruction=qwen-math \
      --set solver.max_tokens=1024 --set 'retrieve.strategies=[zero-shot]'
  done
done
