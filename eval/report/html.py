"""``report.html``: a page to browse a run or a study problem by problem (no server, no CDN), with its data in
``report-data.js`` beside it.

The data (`eval.report.html_data`: every problem, answer, demo and generated question; 15 MB of JSON for the
reference study) travels gzip-compressed and base64-encoded in one JavaScript string in ``report-data.js``
(2.5 MB there), which the page loads with a ``<script src>`` (allowed from ``file://``, where a fetch is not)
and inflates with the browser's ``DecompressionStream``. The page's script builds the DOM with ``textContent``
only: model output is shown as text and can never run as script or markup. Views, chosen by the URL hash so a
view can be linked:

* ``#list`` (default): the summary table, the plots, and the problem list with a mark per strategy, filtered
  by strategy and status (correct, wrong, won or lost vs zero-shot, cut at max_tokens, no answer found), e.g.
  ``#list&strategy=knn&status=won``;
* ``#p=<run>/<problem id>``: the question and gold, then per strategy side by side the demos it saw (question,
  solution, the demo's self-consistency agreement and its similarity to the question), the solver's output with
  the extracted answer marked (for a per-sample strategy such as knn-sc, which demos each output was shown),
  the verdict and the checker's reason; then the problem's generated questions
  with their sampled solutions.
"""

from __future__ import annotations

import base64
import gzip
import json
from pathlib import Path

from eval.report.html_data import report_data

STYLE = """
body{font:14px/1.45 system-ui,sans-serif;margin:1.5em;color:#222}table{border-collapse:collapse;margin:.5em 0}
td,th{border:1px solid #ccc;padding:3px 7px;text-align:left;vertical-align:top}th{background:#f3f3f3}
.ok{color:#080;font-weight:bold}.bad{color:#b00;font-weight:bold}.cols{display:flex;gap:12px;overflow-x:auto}
.col{flex:0 0 420px;border:1px solid #ddd;padding:8px;border-radius:6px}pre{white-space:pre-wrap;margin:.3em 0;
background:#fafafa;padding:6px;border:1px solid #eee}mark{background:#ffe27a}.demo{border-left:3px solid #9bd;
padding-left:6px;margin:6px 0}.muted{color:#777}img{max-width:640px;margin:4px}a{color:#06c}
"""

SCRIPT = r"""
let DATA = null;
const app = document.getElementById('app');
function el(tag, text, cls) { const e = document.createElement(tag); if (text !== undefined && text !== null)
  e.textContent = String(text); if (cls) e.className = cls; return e; }
function row(cells, head) { const tr = el('tr'); for (const c of cells) { const td = el(head ? 'th' : 'td');
  if (c instanceof Node) td.appendChild(c); else td.textContent = c; tr.appendChild(td); } return tr; }
function params() { const out = {}; for (const part of location.hash.slice(1).split('&')) {
  const [k, v] = part.split('='); if (k) out[decodeURIComponent(k)] = v === undefined ? '' : decodeURIComponent(v); }
  return out; }
function status(a, zero) { const s = [a.correct ? 'correct' : 'wrong'];
  if (zero && a.correct && !zero.correct) s.push('won'); if (zero && !a.correct && zero.correct) s.push('lost');
  if (a.truncated > 0) s.push('truncated'); if (a.answer === null) s.push('no-answer'); return s; }
function mark(ok) { return el('span', ok ? '\u2713' : '\u2717', ok ? 'ok' : 'bad'); }
function listView(p) {
  app.appendChild(el('h1', 'saicot: ' + (DATA.runs[0] ? DATA.runs[0].benchmark : 'no finished run')));
  for (const img of DATA.plots) { const i = el('img'); i.src = img.src; i.alt = img.name; app.appendChild(i); }
  const form = el('div'); const strat = el('select'); strat.id = 'strategy'; const stat = el('select');
  stat.id = 'status'; const names = new Set();
  DATA.runs.forEach(r => Object.keys(r.strategies).forEach(s => names.add(s)));
  for (const s of ['', ...names]) { const o = el('option', s || 'any strategy'); o.value = s; strat.appendChild(o); }
  for (const s of ['', 'correct', 'wrong', 'won', 'lost', 'truncated', 'no-answer']) {
    const o = el('option', s || 'any status'); o.value = s; stat.appendChild(o); }
  strat.value = p.strategy || ''; stat.value = p.status || '';
  const go = () => { location.hash = 'list&strategy=' + encodeURIComponent(strat.value) + '&status=' +
    encodeURIComponent(stat.value); };
  strat.onchange = go; stat.onchange = go; form.append('Filter: ', strat, ' ', stat); app.appendChild(form);
  let shown = 0;
  for (const run of DATA.runs) {
    app.appendChild(el('h2', run.name + ' \u2014 solver ' + run.solver));
    const sum = el('table'); sum.appendChild(row(['strategy', 'n', 'accuracy', '95% CI', 'demos', 'cut'], true));
    for (const [s, m] of Object.entries(run.strategies)) sum.appendChild(row([s, m.n, m.accuracy.toFixed(3),
      '[' + m.ci_low.toFixed(3) + ', ' + m.ci_high.toFixed(3) + ']', m.mean_demos.toFixed(1),
      (m.truncated || 0).toFixed(2)]));
    app.appendChild(sum);
    const strategies = Object.keys(run.strategies); const t = el('table'); t.className = 'problems';
    t.appendChild(row(['problem', 'question', ...strategies], true));
    for (const prob of run.problems) {
      const ans = run.answers[prob.id] || {}; const zero = ans['zero-shot'];
      const pick = p.strategy ? [p.strategy] : strategies;
      if (p.status && !pick.some(s => ans[s] && status(ans[s], zero).includes(p.status))) continue;
      const link = el('a', prob.id); link.href = '#p=' + encodeURIComponent(run.name + '/' + prob.id);
      const marks = strategies.map(s => ans[s] ? mark(ans[s].correct) : '-');
      t.appendChild(row([link, prob.question.slice(0, 110), ...marks]));
      shown++;
    }
    app.appendChild(t);
  }
  app.appendChild(el('p', shown + ' problems shown', 'muted')).id = 'shown';
}
function highlight(text, answer) { const pre = el('pre'); const i = answer ? text.lastIndexOf(answer) : -1;
  if (i < 0) { pre.textContent = text; return pre; }
  pre.append(text.slice(0, i), el('mark', answer), text.slice(i + answer.length)); return pre; }
function problemView(key) {
  const cut = key.indexOf('/'); const run = DATA.runs.find(r => r.name === key.slice(0, cut));
  const prob = run && run.problems.find(x => x.id === key.slice(cut + 1));
  const back = el('a', '\u2190 all problems'); back.href = '#list'; app.appendChild(back);
  if (!prob) { app.appendChild(el('p', 'no such problem: ' + key)); return; }
  app.appendChild(el('h1', prob.id)); app.appendChild(el('pre', prob.question));
  app.appendChild(el('p', 'gold: ' + prob.gold));
  const cols = el('div', null, 'cols'); const ans = run.answers[prob.id] || {};
  for (const [s, a] of Object.entries(ans)) {
    const c = el('div', null, 'col strategy'); c.dataset.strategy = s; c.appendChild(el('h3', s));
    c.append(mark(a.correct), ' answer: ', el('code', a.answer === null ? '(none)' : a.answer));
    c.appendChild(el('div', 'checker: ' + (a.reason || ''), 'muted'));
    if (a.answers.length > 1) c.appendChild(el('div', 'votes: ' +
      a.answers.map(x => x === null ? '(none)' : x).join(', '), 'muted votes'));
    c.appendChild(el('h4', a.demos.length + ' demos'));
    for (const ref of a.demos) { const d = run.demos[ref.id] || {}; const box = el('div', null, 'demo');
      const agree = d.agreement === null || d.agreement === undefined ? '-' : d.agreement.toFixed(2);
      box.appendChild(el('div', ref.id + '  agreement ' + agree + '  similarity ' +
        (ref.similarity === null || ref.similarity === undefined ? '-' : ref.similarity.toFixed(3)), 'muted'));
      box.appendChild(el('pre', d.question)); box.appendChild(el('pre', d.solution)); c.appendChild(box); }
    if (a.outputs.length) c.appendChild(el('h4', a.outputs.length > 1 ? a.outputs.length + ' outputs' : 'output'));
    a.outputs.forEach((o, i) => {
      if (a.output_demos) c.appendChild(el('div', 'sample ' + (i + 1) + ' was shown: ' +
        (a.output_demos[i].join(', ') || 'no demo'), 'muted sample-demos'));
      c.appendChild(highlight(o, a.answers[i])); });
    cols.appendChild(c);
  }
  app.appendChild(cols);
  const gen = (DATA.generated[run.generated_key] || {})[prob.id] || [];
  const h = el('h2', 'generated questions (' + gen.length + ')'); h.id = 'generated'; app.appendChild(h);
  for (const g of gen) { app.appendChild(el('pre', g.question));
    app.appendChild(el('div', 'majority ' + (g.majority ?? '(none)') + ', agreement ' + g.agreement.toFixed(2) +
      (g.in_pool ? ', in the pool' : ', not in the pool'), 'muted'));
    for (const x of g.samples) app.appendChild(highlight(x.text, x.answer)); }
}
function render() { app.textContent = ''; const p = params();
  if (p.p !== undefined) problemView(p.p); else listView(p); window.scrollTo(0, 0); }
async function load() {
  const bin = atob(window.SAICOT_REPORT_DATA); const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  const inflated = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
  DATA = JSON.parse(await new Response(inflated).text());
  window.addEventListener('hashchange', render); render(); }
if (window.SAICOT_REPORT_DATA === undefined) app.textContent = 'report-data.js, the data of this page, is ' +
  'missing: keep it in the same directory as report.html.';
else load().catch(e => { app.textContent = 'report-data.js could not be read: ' + e; });
"""

DATA_FILE = "report-data.js"


def _data_script(data: object) -> str:
    """``report-data.js``: the data as gzip in base64 in one string (deterministic: no timestamp in the gzip)."""
    raw = json.dumps(data, ensure_ascii=False, sort_keys=True).encode()
    packed = base64.b64encode(gzip.compress(raw, compresslevel=9, mtime=0)).decode()
    return f'window.SAICOT_REPORT_DATA = "{packed}";\n'


def _write(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def write_html(root: Path, plots: list[Path] | None = None) -> Path:
    """Write ``root/report.html`` and ``root/report-data.js`` from the saved records (`plots` go into the data as
    data URLs); returns the page's path."""
    data = report_data(root)
    data["plots"] = [{"name": p.stem, "src": "data:image/png;base64," + base64.b64encode(p.read_bytes()).decode()}
                     for p in plots or []]
    page = ("<!doctype html><html><head><meta charset='utf-8'><title>saicot report</title>"
            "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; img-src data:; "
            "style-src 'unsafe-inline'; script-src 'unsafe-inline' 'self' file:\">"
            f"<style>{STYLE}</style></head><body><div id='app'>loading {DATA_FILE} ...</div>"
            f"<script src='{DATA_FILE}'></script><script>{SCRIPT}</script></body></html>\n")
    _write(root / DATA_FILE, _data_script(data))  # the data first: a page never points at a stale one
    out = root / "report.html"
    _write(out, page)
    return out
