"""Choose the study's answer cap from its records: the smallest cap that cuts fewer than 3% of zero-shot answers
for a reason other than a loop (issue 33).

Reads the answers of a cell run with a cap no answer needs (round two's ``cap1024`` zero-shot probe) and, for
each candidate cap c, counts what c would have done to each answer: an answer that stopped within c tokens
stops; one that stopped later, or was cut at the probe's cap while still writing, is *cut* at c; one cut while
looping is a *loop* at c when its loop began within c tokens, else cut (`eval.checker.finish.loop_start`;
the loop's start in tokens is read in proportion to its start in characters). Greedy decoding makes the answer
at cap c the first c tokens of the probe's answer, so these counts need no new run.

Usage (from the repository root): ``python docs/reference-study/choose_cap.py STUDY_DIR RUN [STRATEGY]``, e.g.
``python docs/reference-study/choose_cap.py ~/saicot-runs/reference-gsm8k-r2
qwen2.5-coder-0.5b--qwen2.5-coder-0.5b--k2--global--cap1024``. Prints a table and the chosen cap.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from eval.checker.finish import loop_start  # noqa: E402
from eval.report.pool import read_jsonl  # noqa: E402

CANDIDATES = (320, 384, 448, 512, 576, 640, 768, 896, 1024)
LIMIT = 0.03


def fates(answers: list[dict], cap: int) -> tuple[float, float]:
    """Shares of answers cut (still writing) and looping at ``cap``."""
    cut = loop = 0
    for a in answers:
        n, text = a["n_tokens"], a["text"]
        if a["finish_reason"] != "length":
            cut += n > cap
            continue
        start = loop_start(text)
        if start is not None and n * start / max(len(text), 1) <= cap:
            loop += 1
        else:
            cut += 1
    return cut / len(answers), loop / len(answers)


def main() -> None:
    study, run = Path(sys.argv[1]).expanduser(), sys.argv[2]
    strategy = sys.argv[3] if len(sys.argv) > 3 else "zero-shot"
    summary = json.loads((study / "runs" / run / "summary.json").read_text())
    probe_cap = yaml.safe_load((study / "runs" / run / "config.yaml").read_text())["solver"]["max_tokens"]
    preds = read_jsonl(study / "solve" / summary["stages"]["solve"] / "predictions.jsonl")
    answers = [s for p in preds if p["strategy"] == strategy for s in p["samples"]]
    print(f"{len(answers)} {strategy} answers of {run} (cap {probe_cap})\n")
    print("| cap | cut (still writing) | looping | stopped |\n|---:|---:|---:|---:|")
    chosen = None
    for cap in [c for c in CANDIDATES if c <= probe_cap]:
        cut, loop = fates(answers, cap)
        print(f"| {cap} | {cut:.3f} | {loop:.3f} | {1 - cut - loop:.3f} |")
        if chosen is None and cut < LIMIT:
            chosen = cap
    print(f"\nchosen cap: {chosen}" if chosen else f"\nno candidate cuts fewer than {LIMIT:.0%}: raise the probe's cap")


if __name__ == "__main__":
    main()
