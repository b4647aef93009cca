from pipeline.config import SampleConfig
from pipeline.stages.index import PoolFilter, select_demos
from pipeline.stages.sample import summarize_samples


def record(gen_id: str, answers: list[str | None]) -> dict:
    majority, agreement = summarize_samples(answers)
    return {"gen_id": gen_id, "problem_id": "p", "question": f"q {gen_id}", "majority": majority,
            "agreement": agreement,
            "samples": [{"sample_id": i, "text": f"... The answer is {a}.", "answer": a}
                        for i, a in enumerate(answers)]}


def test_default_filter_needs_two_agreeing_samples_of_two() -> None:
    flt = PoolFilter(True, SampleConfig().min_agreement)
    recs = [record("agree", ["12", "12.0"]), record("split", ["12", "13"]), record("none", [None, None])]
    assert [it.pool_id for it in select_demos(recs, flt)] == ["agree/s0"]


def test_majority_of_three_keeps_an_agreeing_sample() -> None:
    recs = [record("g", ["7", "8", "7"])]
    (item,) = select_demos(recs, PoolFilter(True, 0.6))
    assert item.answer == "7" and item.pool_id == "g/s0"


def test_filter_off_keeps_first_answered_sample() -> None:
    recs = [record("split", [None, "13"])]
    (item,) = select_demos(recs, PoolFilter(False, 0.6))
    assert item.pool_id == "split/s1"
