#!/usr/bin/env bash
# How the reference study is run: the grid of configs/reference-gsm8k.yaml in phases, the cells that answer the
# method's claims first (claim 1's, claim 3's filter variants, the self-consistency question), then the cheap
# 0.5b baselines (about 2 h, so a session finishes whole cells), then the 1.5b arms of claims 4 and 2 (hours each),
# then the whole grid for the report (all cached by then).
# Every phase is an ordinary `saicot study` on a subset of the strategies and arms; they share one study
# directory, so stage keys are the ones the whole grid uses and nothing is computed twice. A phase's report
# marks the claims whose cells it does not run as pending. Resumable: run it again after an interruption.
#
#   bash docs/reference-study/run_in_phases.sh [STUDY_DIR]          (default ~/saicot-runs/reference-gsm8k)
#
# To resume from the stage cache committed beside this script (a new machine):
#   mkdir -p ~/saicot-runs && cp -r docs/reference-study/stage-cache ~/saicot-runs/reference-gsm8k
set -euo pipefail
cd "$(dirname "$0")/../.."
STUDY=${1:-$HOME/saicot-runs/reference-gsm8k}
PY=${PYTHON:-.venv/bin/python}
PHASES=$(mktemp -d)
trap 'rm -rf "$PHASES"' EXIT
N=$($PY - "$PHASES" <<'PYEOF'
import sys
from pathlib import Path

import yaml

cfg = yaml.safe_load(Path("configs/reference-gsm8k.yaml").read_text())
arms = cfg.get("arms", [])
variants = [a for a in arms if a.get("variant")]  # claim 3's filter variants: index + knn only
solver_arm = [a for a in arms if "solver" in a and not a.get("variant")]  # claim 4: the 1.5b solves
generator_arm = [a for a in arms if "generator" in a and not a.get("variant")]  # claim 2: the 1.5b generates
phases = [(["zero-shot"], []), (["knn", "random"], []), (["knn"], variants), (["long", "mmr"], []),
          (["ensemble"], []), (["self-consistency"], []), (["knn-gated", "manual-8shot"], []),
          (["analogical", "self-icl"], []), (["zero-shot", "knn"], solver_arm), (["knn", "random"], generator_arm)]
for i, (strategies, phase_arms) in enumerate(phases, 1):
    phase = {**cfg, "grid": {**cfg["grid"], "strategy": strategies}, "arms": phase_arms}
    (Path(sys.argv[1]) / f"phase{i}.yaml").write_text(yaml.safe_dump(phase, sort_keys=False))
print(len(phases))
PYEOF
)
for i in $(seq 1 "$N"); do
  echo "== phase $i $(date -u +%H:%M:%S)"
  nice -n 10 $PY -m pipeline.cli study --config "$PHASES/phase$i.yaml" --study-dir "$STUDY"
done
echo "== the whole grid $(date -u +%H:%M:%S)"
nice -n 10 $PY -m pipeline.cli study --config configs/reference-gsm8k.yaml --study-dir "$STUDY"
