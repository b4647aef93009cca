#!/usr/bin/env bash
# Publish round two's interim report while its study still runs: copy the study directory (the running study
# keeps its own locked), report round two's config minus the strategies still being computed with
# `saicot study --cached-only` (no LLM engine loads; a cell with work left stops it with the run's name), then
# publish.sh on the copy (report.md, report.html, cells.csv, summary.json, plots, stage cache).
#
#   bash docs/reference-study/interim.sh STUDY_DIR [STRATEGY_STILL_RUNNING ...]
#   e.g. bash docs/reference-study/interim.sh ~/saicot-runs/reference-gsm8k-r2 udr
#
# Claims on a dropped strategy show *pending*. Light: a minute or two on 2 cores (MiniLM loads to embed).
set -euo pipefail
cd "$(dirname "$0")/../.."
STUDY=${1:?usage: interim.sh STUDY_DIR [STRATEGY_STILL_RUNNING ...]}
shift
PY=${PYTHON:-.venv/bin/python}
COPY=$(mktemp -d)
trap 'rm -rf "$COPY"' EXIT
cp -a "$STUDY/." "$COPY/"
$PY - "$COPY/interim.yaml" "$@" <<'PYEOF'
import sys
from pathlib import Path

import yaml

out, drop = Path(sys.argv[1]), set(sys.argv[2:])
cfg = yaml.safe_load(Path("configs/reference-gsm8k-r2.yaml").read_text())
cfg["grid"]["strategy"] = [s for s in cfg["grid"]["strategy"] if s not in drop]
arms = [{**a, "strategy": [s for s in a["strategy"] if s not in drop]} if "strategy" in a else a
        for a in cfg["arms"]]  # an arm without strategies takes the grid's (already cut)
cfg["arms"] = [a for a in arms if a.get("strategy", True)]
out.write_text(yaml.safe_dump(cfg, sort_keys=False))
PYEOF
nice -n 10 $PY -m pipeline.cli study --config "$COPY/interim.yaml" --study-dir "$COPY" --cached-only
rm "$COPY/interim.yaml"
bash docs/reference-study/publish.sh "$COPY"
