"""`report.md` of a study (or a single run) from the summary built by `eval.report.study`."""

from __future__ import annotations

from typing import Any

from eval.report.claims import SELECTOR_AXES
from eval.report.study import cell_name, display_model


def _pct(x: float) -> str:
    return f"{x:.3f}"


def _share(x: float | None) -> str:
    return "?" if x is None else f"{x:.2f}"


def _signed(x: float) -> str:
    return f"{x:+.3f}"


def _table(head: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    return lines + ["| " + " | ".join(r) + " |" for r in rows]


def _cell_label(c: dict[str, Any]) -> list[str]:
    return [display_model(c["solver"]), display_model(c["generator"]), cell_name(c),
            "-" if c["k"] is None else str(c["k"]), c["scope"] or "-"]


def _interval(d: dict[str, Any] | None) -> str:
    return "-" if d is None else f"{_signed(d['diff'])} [{_signed(d['low'])}, {_signed(d['high'])}]"


def _accuracy_rows(cells: list[dict[str, Any]]) -> list[list[str]]:
    rows = []
    for c in cells:
        vs = c["vs_zero_shot"]
        if vs is None:
            diff = p_boot = p_mc = wl = "-"
        else:
            diff = _interval(vs)
            p_boot, p_mc, wl = f"{vs['bootstrap_p']:.2f}", f"{vs['mcnemar_p']:.2f}", f"{vs['wins']}/{vs['losses']}"
        rows.append([*_cell_label(c), str(c["n"]), _pct(c["accuracy"]), f"[{_pct(c['ci_low'])}, {_pct(c['ci_high'])}]",
                     diff, p_boot, p_mc, wl, f"{c['answered']:.2f}", f"{c['mean_demos']:.1f}",
                     f"{c['mean_prompt_tokens']:.0f}", f"{c['mean_completion_tokens']:.0f}",
                     f"{c['tokens_per_question']:.0f}",
                     "?" if c.get("total_tokens") is None else f"{c['total_tokens']:.0f}",
                     "-" if c.get("cap") is None else str(c["cap"]),
                     f"{c.get('truncated', 0.0) - c.get('looping', 0.0):.2f}", f"{c.get('looping', 0.0):.2f}"])
    return rows


def _against_self_consistency(cells: list[dict[str, Any]]) -> list[str]:
    """Every cell against its solver's self-consistency cell (the ``votes`` role, paired in `build_summary`):
    what the same tokens buy as plain votes."""
    rows = []
    for c in cells:
        vs = c.get("vs_self_consistency")
        if vs is None:
            continue
        cost = c.get("total_tokens") or c["tokens_per_question"]
        rows.append([*_cell_label(c), str(vs["n"]), _pct(c["accuracy"]), f"{cost:.0f}",
                     f"{vs['ref_tokens_per_question']:.0f}", _interval(vs), f"{vs['wins']}/{vs['losses']}"])
    if not rows:
        return []
    intro = ("Each cell against its solver's self-consistency cell (zero-shot samples at temperature "
             "`retrieve.sc_temperature`, majority vote): is a gain more than what the same tokens buy as plain "
             "votes? `retrieve.sc_samples` sets its cost; compare the two token columns.")
    return ["## Against self-consistency", "", intro, ""] + _table(
        ["solver", "generator", "strategy", "k", "scope", "n", "accuracy", "tok/question (pool included)",
         "self-consistency tok/question", "Δ vs self-consistency [95% CI]", "wins/losses"], rows) + [
        "", "Paired bootstrap over the problems both cells answered (2000 resamples, seed 0); *wins/losses* count "
        "problems only this cell / only self-consistency got right.", ""]


def _selector(sel: dict[str, Any]) -> str:
    return ", ".join(f"{k}={display_model(sel[k]) if k in ('generator', 'solver') else sel[k]}"
                     for k in SELECTOR_AXES if k in sel)


def _claim_rows(claims: list[dict[str, Any]]) -> tuple[list[str], list[list[str]]]:
    """The claims table; a column for the earlier verdicts when a claim re-judges another."""
    head = ["claim", "comparison (a vs b)", "n", "Δ accuracy a − b [95% CI]", "wins/losses", "verdict"]
    with_earlier = any("earlier" in c for c in claims)
    rows = []
    for c in claims:
        d = c["comparison"]
        row = [c["claim"], f"{_selector(c['a'])} vs {_selector(c['b'])}", "-" if d is None else str(d["n"]),
               _interval(d), "-" if d is None else f"{d['wins']}/{d['losses']}", f"**{c['verdict']}**"]
        if with_earlier:
            e = c.get("earlier")
            row.append("" if e is None else f"{e['claim']}: {_interval(e['comparison'])}, **{e['verdict']}**")
        rows.append(row)
    return head + (["verdict before (the claim it re-judges)"] if with_earlier else []), rows


def render(summary: dict[str, Any], plots: list[str]) -> str:
    """The whole markdown report (deterministic: no paths outside the directory, no times)."""
    baseline = summary.get("roles", {}).get("baseline")
    cells = sorted(summary["cells"], key=lambda c: (display_model(c["solver"]), c["strategy"] != baseline,
                                                     display_model(c["generator"]), cell_name(c), c["k"] or 0,
                                                     c["scope"] or ""))
    lines = _head(summary) + _accuracy_section(cells)
    lines += _against_self_consistency(cells)
    lines += _samples_section(cells) + _pool_section(summary) + _tail(summary, cells, plots)
    return "\n".join(lines)


def _head(summary: dict[str, Any]) -> list[str]:
    """Title, setup, claims and the cells left out."""
    kind = "study" if summary["kind"] == "study" else "run"
    s = summary["settings"]
    lines = [f"# saicot {kind}: {summary['benchmark']} ({summary['n_problems']} problems)", "",
             "Regenerate this report, its plots, `cells.csv` and the JSON summary from the saved records with "
             "`saicot report <this directory>` (no engine needed).", ""]
    if summary.get("pending_cells"):
        lines += [f"**Incomplete:** {summary['pending_cells']} planned cells have no results yet (the study was "
                  "stopped or is still running; re-run `saicot study` to resume).", ""]
    if s:
        budget = f"{s['prompt_budget']} tokens" if s["prompt_budget"] else "the context length minus those"
        lines += ["## Setup", "",
                  f"- problems: the first {summary['n_problems']} of {s['benchmark']['name']} "
                  f"({s['benchmark']['split']}), seed {s['seed']}",
                  f"- pool: {s['generator_k']} generated questions per test problem, {s['sample_n']} sampled "
                  f"solutions each, self-consistency filter {'on' if s['self_consistency'] else 'off'}; "
                  f"embedder `{s['embedder']}`",
                  f"- solver: {s['solver_n']} sample(s) at temperature {s['solver_temperature']}, at most "
                  f"{s['solver_max_tokens']} output tokens, prompt budget {budget}"]
        lines += [f"- variant `{name}` (its cells are marked `[{name}]`): {sets or 'the settings above'}"
                  for name, sets in summary.get("variants", {}).items()] + [""]
    if summary.get("claims"):
        lines += ["## Claims", ""] + _table(*_claim_rows(summary["claims"])) + [
            "", "- Paired over the problems both cells answered (bootstrap, 2000 resamples, seed 0; when the cells "
            "agree on every problem, the rule-of-three interval ±3/n). *holds*: the interval is above 0; "
            f"*refuted*: its upper end is below +{summary.get('claim_margin', 0.02):.2f}, so a gain that large is "
            "ruled out at 95%; *inconclusive*: neither; *pending*: a cell has no results yet.", ""]
    if summary.get("left_out"):
        rows = [[x["cell"].replace("|", "\\|"), x["why"].replace("|", "\\|")] for x in summary["left_out"]]
        lines += ["## Left out", "", "Cells the study's question calls for that this grid does not run:", ""] + _table(
            ["cell", "why"], rows) + [""]
    return lines


def _accuracy_section(cells: list[dict[str, Any]]) -> list[str]:
    head = ["solver", "generator", "strategy", "k", "scope", "n", "accuracy", "95% CI", "Δ vs zero-shot [95% CI]",
            "p (boot)", "p (McNemar)", "wins/losses", "answered", "demos", "prompt tok", "output tok", "tok/question",
            "total tok", "cap", "cut", "loop"]
    return ["## Accuracy per cell", ""] + _table(head, _accuracy_rows(cells)) + [
        "",
        "- *95% CI*: bootstrap interval of the accuracy over problems (BCa, 2000 resamples, seed 0).",
        "- *Δ vs zero-shot*: accuracy minus the same solver's zero-shot accuracy on the same problems, with a "
        "paired bootstrap interval (2000 resamples, seed 0) and its two-sided p; *p (McNemar)* is the exact "
        "McNemar test; *wins/losses* count problems only this cell / only zero-shot got right.",
        "- A `-` axis does not change that strategy's predictions (e.g. zero-shot ignores the generator), so "
        "the cell is shared by every value of it.",
        "- *tok/question*: the solver's prompt plus output tokens per test question; *total tok* adds, for the "
        "strategies that use the generated pool, the pool's generation and sampling tokens per test question "
        "(? for pools made before token counts were recorded). Auto-CoT also needs the zero-shot pass once.",
        "- *cap*: `solver.max_tokens`; *cut*: share of answers stopped by the cap while still writing (a cut "
        "answer counts only with a marked final answer); *loop*: share stopped by the cap while repeating "
        "themselves (the end of the answer repeats one unit, `eval/checker/finish.py`): a longer cap would not "
        "have finished them.", ""]


def _samples_section(cells: list[dict[str, Any]]) -> list[str]:
    sampled = [c for c in cells if c["samples"]]
    lines = ["## Samples: maj@n and pass@k", ""]
    if sampled:
        rows = [[*_cell_label(c), str(c["samples"]["samples"]), _pct(c["samples"]["first_sample"]),
                 _pct(c["samples"]["maj_at_n"]), _pct(c["samples"]["pass_at_1"]), _pct(c["samples"]["pass_at_n"]),
                 " ".join(f"{v:.2f}" for v in c["samples"].get("maj_curve", []))]
                for c in sampled]
        lines += _table(["solver", "generator", "strategy", "k", "scope", "n samples", "first sample", "maj@n",
                         "pass@1", "pass@n", "maj@j, j = 1..n"], rows)
        lines += ["", "pass@k is the unbiased estimator of Chen et al. (2021); maj@n votes over the n samples, "
                  "maj@j over each question's first j (what fewer samples would have scored).", ""]
    else:
        lines += ["The solver drew one sample per question (`solver.n = 1`): maj@n and pass@k need `solver.n > 1`.",
                  ""]
    return lines


def _pool_section(summary: dict[str, Any]) -> list[str]:
    lines = ["## The generated pool", ""]
    if summary["pools"]:
        rows = [[display_model(p["generator"]), display_model(p["pool_solver"]),
                 (f"agreement ≥ {p['min_agreement']:g}" if p["self_consistency_filter"] else "off")
                 + (", questions only" if p.get("questions_only") else ""),
                 f"{p['generated_questions']} of {p['requested_questions']}",
                 str(p["near_copies_dropped"]), str(p["samples_per_question"]),
                 f"{p['answered']:.2f}", f"{p['self_consistent']:.2f}", f"{p['unanimous']:.2f}",
                 f"{p['mean_agreement']:.2f}",
                 str(p["pool_size"]), f"{p['sampling_tokens_per_problem']:.0f}",
                 _share(p.get("generation_cut")), _share(p.get("samples_cut"))] for p in summary["pools"]]
        lines += _table(["generator", "pool solver", "filter", "generated questions", "near-copies dropped",
                         "samples/question", "answered", "passes filter", "unanimous", "mean agreement", "pool size",
                         "sampling tok/problem", "generations cut", "samples cut"], rows)
        lines += ["", "*generated questions*: parsed and kept, of those requested (a short list, an unparsable "
                  "reply or a near-copy of the test question or of the prompt's example loses some). "
                  "What this measures: generated questions have no gold answer, so the pool's accuracy "
                  "against gold cannot be computed here. *passes filter* is the share of generated questions "
                  "whose sampled solutions agree with their majority answer at least as often as the pool filter "
                  "requires (`sample.min_agreement`; with 2 samples and 0.5 any answered question passes); "
                  "*unanimous* is the share whose samples all give the same answer (the label-free "
                  "self-consistency rate); *answered* is the share with any extractable answer; *mean agreement* "
                  "is the average share of samples agreeing with the majority. Agreement is necessary, not "
                  "sufficient, for correct demos. *cut*: share of the generator's replies and of the sampled "
                  "solutions stopped by their `max_tokens` (a cut solution never enters the pool; ? for records "
                  "made before finish reasons were kept).", ""]
    else:
        lines += ["No strategy in this directory used a generated pool.", ""]
    return lines


def _tail(summary: dict[str, Any], cells: list[dict[str, Any]], plots: list[str]) -> list[str]:
    """Branches of gated strategies, warnings, wall times, plots."""
    lines: list[str] = []
    branched = [c for c in cells if c.get("branches")]
    if branched:
        rows = [[*_cell_label(c), f"{b['demos']['share']:.2f} (n={b['demos']['n']})", _pct(b["demos"]["accuracy"]),
                 f"{b['none']['share']:.2f} (n={b['none']['n']})", _pct(b["none"]["accuracy"])]
                for c in branched for b in [c["branches"]]]
        lines += ["## With and without demos", "", "Strategies that gave some questions no demos (knn-gated below "
                  "its gate, or no pool rows in scope): how often each branch fired and the accuracy on it.", ""]
        lines += _table(["solver", "generator", "strategy", "k", "scope", "with demos: share", "accuracy",
                         "no demos: share", "accuracy"], rows) + [""]
    if summary.get("warnings"):
        lines += ["## Warnings", "", *[f"- {w}" for w in summary["warnings"]], ""]
    times = [t for t in summary.get("stage_times", []) if t["stage"] != "retrieve"]
    if times:
        rows = [[t["stage"], f"`{t['key']}`", f"{t['wall_s'] / 60:.1f}"] for t in times]
        lines += ["## Wall time per stage", ""] + _table(["stage", "key", "minutes"], rows) + [
            "", "Summed over the sessions that did the stage's work (a session killed mid-stage loses its share); "
            "the solve stage holds every strategy of one solver; engine start-up counts in the first stage that "
            "needed the engine.", ""]
    if plots:
        lines += ["## Plots", ""] + [f"![{p.rsplit('/', 1)[-1][:-4].replace('_', ' ')}]({p})" for p in plots] + [""]
    return lines
