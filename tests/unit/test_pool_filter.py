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


def test_questions_only_drops_statements_and_equations() -> None:
    recs = [record("stmt", ["50", "50"]), record("eq", ["19", "19"]), record("ask", ["6", "6"]),
            record("calc", ["24", "24"])]
    texts = {"stmt": "She works 50 weeks a year.", "eq": "10 + 6 + 3 = 19",
             "ask": "A box holds 6 eggs. How many eggs are in 1 box?",
             "calc": "Each box holds 6 eggs. Calculate the number of eggs in 4 boxes."}
    recs = [{**r, "question": texts[r["gen_id"]]} for r in recs]
    kept = [it.pool_id for it in select_demos(recs, PoolFilter(True, 0.6, questions_only=True))]
    assert kept == ["ask/s0", "calc/s0"]
    assert len(select_demos(recs, PoolFilter(True, 0.6))) == 4  # off by default: the pool as generated


def test_the_index_key_names_questions_only_only_when_it_is_on() -> None:
    # pools built before the option existed keep their stage keys (the frozen run's index key holds no such field)
    assert PoolFilter(True, 0.6).key() == {"self_consistency": True, "min_agreement": 0.6}
    assert PoolFilter(True, 0.6, questions_only=True).key()["questions_only"] is True
