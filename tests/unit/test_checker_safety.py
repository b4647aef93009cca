"""Untrusted model output: injection payloads execute nothing, pathological inputs stay within budget."""

from __future__ import annotations

import concurrent.futures
import time
from pathlib import Path

import pytest

from eval.checker import budget
from eval.checker.grade import grade, is_equiv
from eval.checker.safe_parse import parse
from eval.checker.safe_tokens import ParseError


def _payloads(marker: Path) -> list[str]:
    p = str(marker)
    return [
        f"__import__('os').system('touch {p}')",
        f"__import__(\"os\").system(\"touch {p}\")",
        f"(lambda: __import__('os').system('touch {p}'))()",
        f"().__class__.__bases__[0].__subclasses__()[0]('touch {p}')",
        f"open('{p}', 'w').write('x')",
        f"exec(\"open('{p}','w')\")",
        f"eval(\"open('{p}','w')\")",
        f"\\boxed{{__import__('os').system('touch {p}')}}",
        f"The answer is __import__('os').system('touch {p}')",
        f"x = Symbol('x'); __import__('pathlib').Path('{p}').touch()",
        f"$\\text{{__import__('os').system('touch {p}')}}$",
        f"Integer(1).__class__.__mro__[-1].__subclasses__() and open('{p}','w')",
    ]


def test_injection_payloads_execute_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sympy
    import sympy.parsing.sympy_parser as sp_parser

    def forbidden(*_a: object, **_k: object) -> None:
        raise AssertionError("untrusted text reached a string evaluator")

    monkeypatch.setattr(sympy, "sympify", forbidden)
    monkeypatch.setattr(sp_parser, "parse_expr", forbidden)
    marker = tmp_path / "pwned"
    for payload in _payloads(marker):
        for gold in ("0", "1", payload):
            assert isinstance(is_equiv(payload, gold, timeout=1.0), bool)
            assert isinstance(is_equiv(gold, payload, timeout=1.0), bool)
            assert isinstance(grade(payload, gold, "math", timeout=1.0).correct, bool)
    assert not marker.exists()


@pytest.mark.parametrize(
    "text",
    ["__import__('os')", "lambda: 1", "x.__class__", "a.b", "f'x'", "\\input{x}", "\\def\\x{1}", "1 if 1 else 2",
     "os.system", "x; y", "\\newcommand{\\a}{b}", "\\write18{ls}"],
)
def test_parser_rejects_code(text: str) -> None:
    with pytest.raises(ParseError):
        parse(text)


PATHOLOGICAL = [
    ("10^{10^{10^{10}}}", "1"),
    ("10^{10^{10^{10}}}", "10^{10^{10^{10}}}+1"),
    ("\\frac{" * 500 + "1" + "}{2}" * 500, "1"),
    ("(" * 2000 + "1" + ")" * 2000, "1"),
    ("x" * 1_000_000, "1"),
    ("1" * 1_000_000, "1"),
    ("\\boxed{" * 3000 + "1" + "}" * 3000, "2"),
    ("99999999!", "1"),
    ("9^{9^{9^{9}}}", "0"),
    ("e^{e^{e^{e^{10}}}}", "e^{e^{e^{e^{11}}}}"),
    ("(x+1)^{1000000}", "x"),
    ("2^{2^{100}}", "2^{2^{100}}+1"),
    ("\\sqrt{" * 400 + "2" + "}" * 400, "2"),
    ("1e400", "1"),
    ("x^{x^{x^{x^{x}}}}", "y"),
]


@pytest.mark.parametrize(("pred", "gold"), PATHOLOGICAL, ids=range(len(PATHOLOGICAL)))
def test_pathological_inputs_return_within_budget(pred: str, gold: str) -> None:
    start = time.monotonic()
    assert is_equiv(pred, gold, timeout=1.0) is False
    assert time.monotonic() - start < 10.0  # generous: the budget is 1 s; this only catches a hang


def test_symbolic_worker_is_killed_on_timeout() -> None:
    worker = budget.SympyWorker()
    try:
        # (x+1)^60 expanded and simplified against itself plus 1 takes sympy far longer than 0.3 s.
        big = ["^", ["+", ["v", "x"], ["n", 1, 1]], ["n", 1999, 1]]
        other = ["+", ["^", ["+", ["v", "y"], ["n", 1, 1]], ["n", 1999, 1]], ["n", 1, 1]]
        assert worker.check(["n", 1, 2], ["/", ["n", 1, 1], ["n", 2, 1]], timeout=60.0) is True
        assert worker.check(big, other, timeout=0.3) is None
        assert worker.kills == 1
        assert worker.check(["v", "x"], ["v", "x"], timeout=60.0) is True  # restarted and usable
    finally:
        worker.close()


def test_a_cold_worker_is_not_charged_its_start_to_the_request() -> None:
    # starting the worker imports sympy and Math-Verify (~0.4 s idle, more on a busy machine): a budget below
    # that used to give a cold worker's first request no verdict, so a grade depended on a warm worker
    worker = budget.SympyWorker()
    try:
        assert worker.check(["n", 1, 2], ["/", ["n", 1, 1], ["n", 2, 1]], timeout=0.25) is True
        assert worker.check("Since $g>0$, then $g=26$.", "26", timeout=0.25, mode="mv-response") is True
        assert worker.kills == 0
    finally:
        worker.close()


def test_budget_holds_off_the_main_thread() -> None:
    pairs = [("99999999!", "1"), ("\\frac{1}{2}", "0.5"), ("e^{1000}", "e^{999} e"), ("(1,2)", "(2,1)")] * 3
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda pg: is_equiv(pg[0], pg[1], timeout=30.0), pairs))
    assert results == [False, True, True, False] * 3


def test_budget_holds_in_a_worker_process() -> None:
    import multiprocessing

    preds = ["e^{1000}", "2^{2^{100}}", "\\frac{1}{2}"]
    golds = ["e^{999} e", "2^{2^{100}}+1", "0.5"]
    ctx = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(max_workers=1, mp_context=ctx) as pool:
        results = list(pool.map(is_equiv, preds, golds, [30.0, 0.5, 1.0]))
    assert results == [True, False, True]
