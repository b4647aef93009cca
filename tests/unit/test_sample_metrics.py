"""maj@j over a cell's first j samples, voted as the score stage votes (checker equivalence, ties to the first)."""

from __future__ import annotations

from eval.report.study import sample_metrics


def row(answers: list[str | None], gold: str, sample_correct: list[bool], correct: bool) -> dict:
    return {"answers": answers, "gold": gold, "sample_correct": sample_correct, "correct": correct}


def test_maj_curve_votes_over_the_first_j_samples() -> None:
    rows = [
        row(["5", "7", "7", "5"], "7", [False, True, True, False], False),  # ties go to the first answer
        row(["3", "7.0", "7", "3"], "7", [False, True, True, False], False),  # 7.0 and 7 vote together at j = 3
        row([None, "2", "9", "9"], "9", [False, False, True, True], True),  # no answer does not vote
    ]
    m = sample_metrics(rows)
    assert m is not None
    assert m["maj_curve"] == [0.0, 0.0, 2 / 3, 1 / 3]  # more votes need not help
    assert m["maj_curve"][-1] == m["maj_at_n"] and m["maj_curve"][0] == m["first_sample"]
    assert m["pass_at_n"] == 1.0


def test_one_sample_per_question_has_no_sample_metrics() -> None:
    assert sample_metrics([row(["7"], "7", [True], True)]) is None
