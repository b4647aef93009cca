"""Exploratory, for claim 2: how do the two question generators' questions differ, before any solving?

For every generate stage of a study directory (one per question generator), prints the measures of
`bench/generator_prompts.py` on the study's own records: share of test problems with >= 1 and with all k
questions kept, the kept share, topicality (mean MiniLM cosine of a kept question to its own test question minus
that to the other test questions), questions like the template's worked example, the share that ask something,
the share that begin with a digit, generator tokens per problem and the share of replies cut. All generators are
measured on the same test problems: those every stage has records for (a stage still running cuts n for all).
No engine. Not one of the study's claims: a more topical question is not known to make a better demo.

    python docs/reference-study/generator_quality.py ~/saicot-runs/reference-gsm8k
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.generator_prompts import measure  # noqa: E402
from eval.benchmarks import load  # noqa: E402
from eval.report.pool import read_jsonl  # noqa: E402


def main(root: Path) -> None:
    from pipeline.models import resolve
    from retriever.embed import Embedder

    embedder = Embedder(resolve("minilm-l6"))
    problems = {p.id: p for p in load("gsm8k", split="test")}
    print(f"{'generator':<20} {'n':>4} {'>=1':>5} {'=k':>5} {'kept':>5} {'own':>5} {'other':>5} {'topic':>6} "
          f"{'ex-like':>7} {'asks':>5} {'digit1':>6} {'tok/prob':>8} {'cut':>5}")
    stages = {}
    for stage in sorted((root / "generate").iterdir()):
        path = stage / "generated.jsonl"
        if path.exists():
            inputs = json.loads((stage / "inputs.json").read_text())["inputs"]
            stages[inputs["model"].split("@")[0]] = (inputs["k"], read_jsonl(path))
    common = set.intersection(*({r["problem_id"] for r in recs} for _, recs in stages.values()))
    for model, (k, records) in stages.items():
        m = measure([r for r in records if r["problem_id"] in common], [problems[i] for i in sorted(common)], k,
                    embedder)
        print(f"{model:<20} {m['n']:>4} {m['at_least_one']:5.2f} {m['all_k']:5.2f} "
              f"{m['kept']:5.2f} {m['own']:5.2f} {m['other']:5.2f} {m['topicality']:6.3f} {m['example_like']:7d} "
              f"{m['asks']:5.2f} {m['digit_first']:6.2f} {m['tokens_per_problem']:8.0f} {m['cut']:5.2f}")


if __name__ == "__main__":
    main(Path(sys.argv[1]).expanduser())
