#!/usr/bin/env bash
# How round two of the reference study runs (issue 33): configs/reference-gsm8k-r2.yaml in phases, whole cells
# first. Round one's cells come from the stage cache (re-scored, no engine); then the zero-shot probe at a cap no
# answer needs, from which docs/reference-study/choose_cap.py chose the cap; then, at that cap, the 0.5b's cells
# (zero-shot, knn, random, knn-gated), the 1.5b's (claim 4, grown from round one's answers), SVAMP's (its own pool), and the sampled cells
# (self-consistency, knn-sc: hours each); then UDR (issue 34): `saicot udr train` on the 0.5b's pool with
# docs/reference-study/udr.yaml (about 5 h) and the udr cell; then the whole grid for the report (all cached by then).
# Every phase is an ordinary `saicot study` on a subset of the arms; they share one study directory.
# Resumable: run it again after an interruption.
#
#   bash docs/reference-study/run_round_two.sh [STUDY_DIR]          (default ~/saicot-runs/reference-gsm8k-r2)
#
# On a new machine, first restore the committed stage cache:
#   python docs/reference-study/stage_cache.py unpack docs/reference-study/stage-cache ~/saicot-runs/reference-gsm8k-r2
set -euo pipefail
cd "$(dirname "$0")/../.."
STUDY=${1:-$HOME/saicot-runs/reference-gsm8k-r2}
PY=${PYTHON:-.venv/bin/python}
PHASES=$(mktemp -d)
trap 'rm -rf "$PHASES"' EXIT
N=$($PY - "$PHASES" <<'PYEOF'
import sys
from pathlib import Path

import yaml

cfg = yaml.safe_load(Path("configs/reference-gsm8k-r2.yaml").read_text())
arms = cfg["arms"]


def pick(variant_prefix, strategies, solver=None):
    """The arms of one variant (and solver), cut to `strategies`."""
    out = []
    for a in arms:
        if (a.get("variant") or "").startswith(variant_prefix) and (solver is None) == ("solver" not in a) \
                and (solver is None or solver in a["solver"]):
            keep = [s for s in a["strategy"] if s in strategies]
            if keep:
                out.append({**a, "strategy": keep})
    return out


phases = [pick("cap1024", ["zero-shot"]),
          pick("cap-", ["zero-shot", "knn", "random", "knn-gated"]),
          # the 1.5b before SVAMP: grown from round one's answers (solver.extend_shorter), about an hour
          pick("cap-", ["zero-shot", "knn"], solver="qwen2.5-coder-1.5b"),
          pick("svamp-", ["zero-shot", "knn", "random"]),
          pick("cap-", ["self-consistency"]) + pick("svamp-", ["self-consistency"]),
          pick("cap-", ["knn-sc"]),
          pick("cap-", ["udr"])]
for i, phase_arms in enumerate(phases, 1):
    # the main grid is round one's, all cached: a phase runs only its arms (grid cut to a cached cell)
    phase = {**cfg, "grid": {**cfg["grid"], "strategy": ["zero-shot"]}, "arms": phase_arms}
    (Path(sys.argv[1]) / f"phase{i}.yaml").write_text(yaml.safe_dump(phase, sort_keys=False))
print(len(phases))
PYEOF
)
RUN=qwen2.5-coder-0.5b--qwen2.5-coder-0.5b--k2--global--cap-512  # the 0.5b's cells at the chosen cap
for i in $(seq 1 "$N"); do
  if [ "$i" = "$N" ]; then  # the udr cell needs the encoder trained on the pool this run's knn cells use
    INDEX=$($PY -c 'import json, sys; print(json.load(open(sys.argv[1]))["stages"]["index"])' \
      "$STUDY/runs/$RUN/summary.json")
    echo "== UDR training on pool $INDEX $(date -u +%H:%M:%S)"
    nice -n 10 $PY -m pipeline.cli udr train --config docs/reference-study/udr.yaml --run "$STUDY/runs/$RUN" \
      --index "$INDEX" --score-chunk 64 --scorer-dtype bfloat16  # same rankings, ~2x faster: udr.yaml
  fi
  echo "== phase $i $(date -u +%H:%M:%S)"
  nice -n 10 $PY -m pipeline.cli study --config "$PHASES/phase$i.yaml" --study-dir "$STUDY"
done
echo "== the whole grid $(date -u +%H:%M:%S)"
nice -n 10 $PY -m pipeline.cli study --config configs/reference-gsm8k-r2.yaml --study-dir "$STUDY"
