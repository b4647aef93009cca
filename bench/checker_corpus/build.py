"""Build the checker corpus: (prediction, gold) pairs nobody wrote beside the checker.

Sources, all from this repository's bundled data or saicot's own runs:

* ``model``: real responses of the packaged models from zero-shot ``saicot run``s on MATH-500, MATH,
  OlympiadBench, AQuA and GSM8K (``bench/checker_corpus/collect.sh``), against their gold answers. No label
  by construction: a label comes from the two checkers agreeing, or from a hand review (``reviews.jsonl``).
* ``dataset``: the bundled datasets' own worked solutions against their answer fields (MATH-500 solution vs
  ``answer``, AQuA rationale vs ``correct``, GSM8K answer text vs its number). Correct by construction; the
  same solution against another problem's answer is a negative.
* ``variant``: gold answers rewritten in a form that keeps (or, for perturbations, changes) their value:
  delimiters, ``\\dfrac``/``\\frac``, spacing, ``\\left``/``\\right``, set order, thousands separators,
  ``x = `` prefixes, units dropped, rounded decimals; negatives change a digit, a sign, an interval bracket, a
  tuple's order or drop an element, or use another problem's gold.

Every case gets a ``split``: ``heldout`` for one third of the source problems (by a hash of the problem id, so
the variants of one answer never straddle the split), ``tune`` for the rest. Never tune on ``heldout``.

Usage (from the repository root): ``python bench/checker_corpus/build.py [RUNS_ROOT]``; writes
``bench/checker_corpus/corpus.jsonl``. Labels are resolved by ``bench/checker.py`` (see ``labels.py``).
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from eval.benchmarks import load  # noqa: E402

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus.jsonl"
Case = dict


def split_of(problem_id: str) -> str:
    """``heldout`` for a third of the problems, stable across rebuilds."""
    return "heldout" if int(hashlib.sha256(problem_id.encode()).hexdigest(), 16) % 3 == 0 else "tune"


def case(source: str, kind: str, problem_id: str, pred: str, gold: str, label: bool | None,
         benchmark: str | None) -> Case:
    cid = hashlib.sha256(json.dumps([source, kind, problem_id, pred, gold]).encode()).hexdigest()[:12]
    return {"id": cid, "source": source, "kind": kind, "problem_id": problem_id, "split": split_of(problem_id),
            "benchmark": benchmark, "pred": pred, "gold": gold, "label": label}


# -- real model outputs -------------------------------------------------------------------------------------

def model_cases(runs_root: Path) -> Iterator[Case]:
    """Every sampled response in ``RUNS_ROOT/<model>/<benchmark>/solve/*/predictions.jsonl``."""
    for pred_file in sorted(runs_root.glob("*/*/solve/*/predictions.jsonl")):
        model, bench = pred_file.parts[-5], pred_file.parts[-4]
        golds = {p.id: p.gold for p in load(bench)}
        for line in pred_file.read_text().splitlines():
            try:
                rec = json.loads(line)
            except ValueError:
                continue
            for sample in rec.get("samples", []):
                yield case("model", model, rec["problem_id"], sample["text"], golds[rec["problem_id"]], None, bench)


# -- the datasets' own solutions ----------------------------------------------------------------------------

def dataset_cases(rng: random.Random) -> Iterator[Case]:
    """Worked solutions against their own answer (positive) and another problem's answer (negative)."""
    for bench, n in (("math500", 500), ("aqua", 254), ("gsm8k", 300)):
        problems = load(bench, limit=n)
        for i, p in enumerate(problems):
            sol = p.meta.get("solution") or p.meta.get("rationale")
            if bench == "gsm8k":
                sol = _gsm8k_solution(i)
            if not sol:
                continue
            yield case("dataset", "own-answer", p.id, sol, p.gold, True, bench)
            other = problems[rng.randrange(len(problems))].gold
            if other.strip() != p.gold.strip():
                yield case("dataset", "other-answer", p.id, sol, other, None, bench)


def _gsm8k_solution(index: int) -> str:
    from eval.benchmarks import data_dir

    global _GSM
    if _GSM is None:
        _GSM = [json.loads(x)["answer"] for x in (data_dir() / "gsm8k/test.jsonl").read_text().splitlines()]
    return _GSM[index]


_GSM: list[str] | None = None

# -- variants of gold answers --------------------------------------------------------------------------------

_NUM = re.compile(r"\d+")


def positives(g: str) -> Iterator[tuple[str, str]]:
    """Rewrites of ``g`` that keep its value: ``(kind, text)``."""
    yield "dollars", f"${g}$"
    yield "boxed-sentence", f"So the final answer is $\\boxed{{{g}}}$."
    if "\\frac" in g:
        yield "dfrac", g.replace("\\frac", "\\dfrac")
        m = re.fullmatch(r"(-?)\\frac\{(\d+)\}\{(\d+)\}", g)
        if m:
            yield "slash", f"{m.group(1)}{m.group(2)}/{m.group(3)}"
            num, den = int(m.group(2)), int(m.group(3))
            if den not in (1, 2, 4, 5, 8, 10, 16, 20, 25, 50, 100) and num / den >= 0.1:
                yield "rounded", f"{m.group(1)}{num / den:.4f}"
    thousands = bool(re.search(r"\d,(?:\\!)?\s*\d{3}", g))
    if ", " in g:
        yield "no-spaces", g.replace(", ", ",")
    elif "," in g and not thousands:
        yield "spaces", g.replace(",", ", ")
    if "\\left" in g:
        yield "no-left-right", g.replace("\\left", "").replace("\\right", "")
    elif g[:1] in "([" and g[-1:] in ")]":
        yield "left-right", f"\\left{g[0]}{g[1:-1]}\\right{g[-1]}"
    m = re.fullmatch(r"\\\{(.*)\\\}", g)
    if m and "," in m.group(1):
        items = [x.strip() for x in m.group(1).split(",")]
        yield "set-order", "\\{" + ", ".join(reversed(items)) + "\\}"
    if re.fullmatch(r"\d{4,}", g):
        yield "thousands", f"{int(g):,}"
        yield "thousands-brace", f"{int(g):,}".replace(",", "{,}")
    if re.fullmatch(r"-?\d+(\.\d+)?|-?\\frac\{\d+\}\{\d+\}|\d*\\sqrt\{\d+\}", g):
        yield "x-equals", f"x = {g}"
    m = re.fullmatch(r"(.+?)\s*\\(?:text|mbox|mathrm)\{\s*[a-z ]+\}", g)
    if m and re.search(r"\d", m.group(1)):
        yield "unit-dropped", m.group(1)
    if re.search(r"\\sqrt\{(\d)\}", g):
        yield "sqrt-nobrace", re.sub(r"\\sqrt\{(\d)\}", r"\\sqrt\1", g)
    yield "answer-display", f"Answer:\n\\[ {g} \\]"
    yield "final-answer-chat", (f"Final Answer: The final answer is ${g}$. I hope it is correct.<|im_end|>\n"
                                "<|im_start|>user\nWhat is 17 + 25?<|im_end|>\n<|im_start|>assistant\n42")
    rel = {"\\le": "<=", "\\ge": ">=", "\\leq": "<=", "\\geq": ">=", "\\neq": "!=", "<": "\\lt ", ">": "\\gt "}
    if any(k in g for k in rel):
        yield "relation-spelling", re.sub(r"\\leq?(?![a-z])|\\geq?(?![a-z])|\\neq(?![a-z])|<|>",
                                          lambda m: rel[m.group()], g)
    m = re.fullmatch(r"([\[(])\s*([^,\[\]()]+?)\s*,\s*([^,\[\]()]+?)\s*([\])])", g)
    if m and "infty" not in m.group(2) + m.group(3):
        lo = "\\le" if m.group(1) == "[" else "<"
        hi = "\\le" if m.group(4) == "]" else "<"
        yield "interval-as-inequality", f"{m.group(2)} {lo} x {hi} {m.group(3)}"
    if "\\begin{pmatrix}" in g:
        body = g.replace("\\begin{pmatrix}", "").replace("\\end{pmatrix}", "")
        cols = body.split("\\\\")[0].count("&") + 1
        yield "matrix-array", f"\\left[\\begin{{array}}{{{'c' * cols}}}{body}\\end{{array}}\\right]"
        yield "matrix-bmatrix", g.replace("pmatrix", "bmatrix")
    if re.fullmatch(r"\d+(\.\d+)?", g):
        yield "unit-textnormal", f"{g} \\textnormal{{ units}}"
    if re.fullmatch(r"\d+\.\d+", g):
        yield "decimal-comma", g.replace(".", ",")
    if re.fullmatch(r"\d{4,6}", g):
        yield "thousands-thinspace", f"{int(g):,}".replace(",", ",\\! ")
    items = [x.strip() for x in re.sub(r"^\\\{|\\\}$", "", g).split(",")]
    if 2 <= len(items) <= 4 and "(" not in g and "[" not in g and all(items) and not thousands:
        yield "several-boxed", ", ".join(f"\\boxed{{{x}}}" for x in items)
    pm = re.fullmatch(r"(?:\\\{)?\s*-\s*([\w\\{}]+)\s*,\s*\1\s*(?:\\\})?", g)
    if pm:
        yield "plus-minus", f"\\pm {pm.group(1)}"
    val = _value(g) if not re.search(r"(?<!\\)\b[a-zA-Z]|\\(?:text|mbox|mathrm)", g) else None
    if val is not None and not re.fullmatch(r"-?[\d.]+", g):
        yield "exact-approx", f"{g} \\approx {val:.3f}"


def _value(g: str) -> float | None:
    """The numeric value of a constant gold (through saicot's whitelisting parser), else None."""
    from eval.checker.equiv_struct import read
    from eval.checker.latex_norm import clean
    from eval.checker.safe_eval import Evaluator
    from eval.checker.safe_tokens import free_vars

    s = read(clean(g).text)
    if s.kind != "scalar" or s.node is None or free_vars(s.node):
        return None
    try:
        v = complex(Evaluator({}, None)(s.node))
    except Exception:  # noqa: BLE001
        return None
    return v.real if abs(v.imag) < 1e-12 and abs(v.real) < 1e6 else None


def negatives(g: str) -> Iterator[tuple[str, str]]:
    """Rewrites of ``g`` that change its value."""
    nums = list(_NUM.finditer(g))
    if nums:
        m = nums[0]
        yield "digit-changed", g[:m.start()] + str(int(m.group()) + 1) + g[m.end():]
    if re.fullmatch(r"\d[\d.]*|\\frac\{\d+\}\{\d+\}|\d*\\sqrt\{\d+\}|\\pi|\d+\\pi", g) and g not in ("0",):
        yield "sign-flipped", "-" + g
    if re.fullmatch(r"\(.*\]|\[.*\)|\(.*\)|\[.*\]", g) and "," in g:
        flip = {"(": "[", "[": "(", ")": "]", "]": ")"}
        yield "bracket-flipped", flip[g[0]] + g[1:]
    m = re.fullmatch(r"\((-?[\w\\{}]+),\s*(-?[\w\\{}]+)\)", g)
    if m and m.group(1) != m.group(2):
        yield "tuple-swapped", f"({m.group(2)}, {m.group(1)})"
    parts = [x.strip() for x in g.split(",")]
    if len(parts) >= 3 and "(" not in g and "[" not in g:
        yield "element-dropped", ", ".join(parts[:-1])
    strict = re.sub(r"\\(le|ge)(?:q|qslant)?(?![a-z])", lambda m: "<" if m.group(1) == "le" else ">", g)
    if strict != g:
        yield "relation-strictness", strict
    val = _value(g)
    if val is not None and not re.fullmatch(r"-?[\d.]+", g) and abs(val) > 0.01 and val != int(val):
        yield "approx-wrong", f"{val * 1.1 + 0.1:.3f}"
        yield "rounded-off", f"{val:.4f}"[:-1] + str((int(f"{val:.4f}"[-1]) + 3) % 10)
    if re.fullmatch(r"[\w\\{}]+", g) and g not in ("0",):
        yield "plus-minus-extra", f"\\pm {g}"
    if re.fullmatch(r"\d+\.\d\d+", g):
        yield "decimal-comma-shifted", g.replace(".", "") [:-1] + "," + g.replace(".", "")[-1:]


def variant_cases(rng: random.Random) -> Iterator[Case]:
    """Rewritten gold answers of MATH-500, MATH (first 600) and OlympiadBench."""
    for bench, n in (("math500", 500), ("math", 600), ("olympiadbench", 675)):
        problems = load(bench, limit=n)
        for p in problems:
            g = p.gold.strip()
            g = g.replace("$", "").strip()  # OlympiadBench writes "$a$,$b$"
            if len(g) > 120:
                continue
            for kind, text in positives(g):
                yield case("variant", kind, p.id, text, g, True, None)
            for kind, text in negatives(g):
                yield case("variant", kind, p.id, text, g, False, None)
            other = problems[rng.randrange(len(problems))].gold.strip()
            if other != g:
                yield case("variant", "other-gold", p.id, other, g, None, None)


PER_KIND = 300
MODELS = ("qwen2.5-coder-0.5b", "smollm2-135m", "qwen2.5-coder-1.5b")


def main() -> None:
    runs_root = Path(sys.argv[1]).expanduser() if len(sys.argv) > 1 else Path.home() / "saicot-runs/checker-corpus"
    rng = random.Random(0)
    seen: set[str] = set()
    kinds: dict[str, list[Case]] = {}
    for c in [*model_cases(runs_root), *dataset_cases(rng), *variant_cases(rng)]:
        if c["id"] not in seen:
            seen.add(c["id"])
            kinds.setdefault(c["kind"], []).append(c)
    out = []  # at most PER_KIND rewrites of one kind, so the easy kinds do not drown the rest
    for kind, cs in kinds.items():
        keep = cs if kind in MODELS or len(cs) <= PER_KIND else random.Random(kind).sample(cs, PER_KIND)
        out.extend(keep)
    write_cases(out, CORPUS, "split")


def write_cases(cases: list[Case], path: Path, group: str) -> None:
    """Write `cases` as JSONL and say how many of each source and `group` value."""
    path.write_text("".join(json.dumps(c, ensure_ascii=False) + "\n" for c in cases))
    by: dict[str, int] = {}
    for c in cases:
        by[f"{c['source']}/{c[group]}"] = by.get(f"{c['source']}/{c[group]}", 0) + 1
    print(f"{len(cases)} cases -> {path.relative_to(ROOT)}: " + ", ".join(f"{k} {v}" for k, v in sorted(by.items())))


if __name__ == "__main__":
    main()
