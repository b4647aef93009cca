"""Progress in logs and pipes: plain lines at each tenth, never carriage-return redraws."""

from __future__ import annotations

import pytest

from pipeline.engines.progress import progress


def test_non_terminal_progress_prints_a_line_per_tenth(capsys: pytest.CaptureFixture[str]) -> None:
    bar = progress(20, "solve", True)  # pytest's captured stderr is not a terminal
    for _ in range(20):
        bar.update(1)
    bar.close()
    lines = capsys.readouterr().err.splitlines()
    assert "\r" not in "".join(lines)
    assert lines[0].strip() == "solve: 2/20 requests done" and lines[-1].strip() == "solve: 20/20 requests done"
    assert len(lines) == 10


def test_disabled_progress_prints_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    bar = progress(5, "solve", False)
    for _ in range(5):
        bar.update(1)
    bar.close()
    assert capsys.readouterr().err == ""
