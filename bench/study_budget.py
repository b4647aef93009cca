"""Project a study's hours from a small pilot of it: tokens and wall time per stage, scaled to the full n.

Run the study config on a few problems first (``base.benchmark.limit: 20``), then::

    python bench/study_budget.py ~/saicot-runs/reference-pilot --problems 300

Per stage directory it reads the records' token counts (prompt + generated) and the stage's recorded wall
time (``timing.json``, written by the sessions that did the work); the solve stage's time is split over
strategies by their share of its tokens. Each is scaled linearly by ``problems / pilot problems`` (the
engine's batch throughput at 20 problems is lower than at 300, so this overestimates: treat it as an upper
bound). Stages already complete for the full run cost nothing and can be excluded with ``--done DIR``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from eval.report.pool import read_jsonl  # noqa: E402

FILES = {"generate": "generated.jsonl", "sample": "solutions.jsonl", "solve": "predictions.jsonl"}


def _tokens(record: dict) -> int:
    samples = record.get("samples")
    out = sum(s["n_tokens"] for s in samples) if samples else record.get("n_tokens", 0)
    return record.get("n_prompt_tokens", 0) + out


def stage_costs(study: Path) -> tuple[int, list[tuple[str, int, float]]]:
    """(pilot problems, [(label, tokens, wall seconds)]) for every LLM stage of the pilot."""
    n = max(len(read_jsonl(p)) for p in study.glob("load/*/problems.jsonl"))
    rows = []
    for stage, name in FILES.items():
        for path in sorted(study.glob(f"{stage}/*/{name}")):
            timing = path.parent / "timing.json"
            wall = json.loads(timing.read_text())["wall_s"] if timing.exists() else float("nan")
            records = read_jsonl(path)
            if stage != "solve":
                rows.append((f"{stage} {path.parent.name}", sum(map(_tokens, records)), wall))
                continue
            by_strategy: dict[str, int] = defaultdict(int)
            for r in records:
                by_strategy[r["strategy"]] += _tokens(r)
            total = sum(by_strategy.values()) or 1
            rows += [(f"solve {s}", t, wall * t / total) for s, t in sorted(by_strategy.items())]
    return n, rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("pilot", type=Path)
    parser.add_argument("--problems", type=int, default=300)
    parser.add_argument("--skip", nargs="*", default=[], help="labels already computed for the full run")
    args = parser.parse_args()
    n, rows = stage_costs(args.pilot)
    scale = args.problems / n
    print(f"pilot: {n} problems; projection for {args.problems} (x{scale:.1f})")
    print(f"{'stage / strategy':<36} {'pilot tok':>10} {'pilot s':>8} {'projected h':>12}")
    total = 0.0
    for label, tokens, wall in rows:
        skipped = any(s in label for s in args.skip)
        hours = 0.0 if skipped else wall * scale / 3600
        total += hours
        print(f"{label:<36} {tokens:>10} {wall:>8.0f} {hours:>12.2f}{'  (done)' if skipped else ''}")
    print(f"SUMMARY projected {total:.1f} h for {args.problems} problems")


if __name__ == "__main__":
    main()
