#!/usr/bin/env bash
# How the reference study is run: the grid of configs/reference-gsm8k.yaml in phases, the cells that answer the
# method's main claims first (claim 1's, claim 3's filter variants, then the self-consistency question), then
# the whole grid for the report (all cached by then except the arms of claims 2 and 4, the 1.5b's, run there).
# Every phase is an ordinary `saicot study` on a subset of the strategies; they share one study directory, so
# stage keys are the ones the whole grid uses and nothing is computed twice. Resumable: run it again after an
# interruption.
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
$PY - "$PHASES" <<'PYEOF'
import sys
from pathlib import Path

import yaml

cfg = yaml.safe_load(Path("configs/reference-gsm8k.yaml").read_text())
variants = [a for a in cfg.get("arms", []) if a.get("variant")]  # claim 3's filter variants: index + knn only
phases = [(["zero-shot"], []), (["knn", "random"], []), (["knn"], variants), (["long", "mmr"], []), (["ensemble"], []),
          (["self-consistency"], []), (["knn-gated", "manual-8shot"], []), (["analogical", "self-icl"], [])]
for i, (strategies, arms) in enumerate(phases, 1):
    names = {a["variant"] for a in arms}
    claims = [c for c in cfg.get("claims", []) if {c["a"]["strategy"], c["b"]["strategy"]} <= set(strategies)
              and {c["a"].get("variant"), c["b"].get("variant")} - {None} <= names]
    phase = {**cfg, "grid": {**cfg["grid"], "strategy": strategies}, "arms": arms, "claims": claims}
    (Path(sys.argv[1]) / f"phase{i}.yaml").write_text(yaml.safe_dump(phase, sort_keys=False))
PYEOF
for i in 1 2 3 4 5 6 7 8; do
  echo "== phase $i $(date -u +%H:%M:%S)"
  nice -n 10 $PY -m pipeline.cli study --config "$PHASES/phase$i.yaml" --study-dir "$STUDY"
done
echo "== the whole grid, arms included $(date -u +%H:%M:%S)"
nice -n 10 $PY -m pipeline.cli study --config configs/reference-gsm8k.yaml --study-dir "$STUDY"
