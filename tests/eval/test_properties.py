"""Properties of the official formulas, over random scores (failures and ties included).

- permuting rows never changes a report;
- scores where every chosen response beats every rejected one give 1.0 everywhere;
- raising a chosen score never lowers any accuracy (RewardBench 2's Ties score is left out:
  its official formula rewards a narrow spread among correct answers, so it is not monotone);
- a failure (None) never leaves the denominator: it counts as a loss for the failed response,
  exactly as a score below every other would.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from patarm.eval import RowScores, score_rewardbench, score_rewardbench2, score_rmbench
from patarm.eval._rows import Score

LOW = -1e9  # below every generated score
SCORE = st.one_of(st.none(), st.integers(1, 4).map(float), st.floats(-10, 10, allow_nan=False))
POLICY = st.sampled_from(["loses", "wrong"])


@st.composite
def rmbench_rows(draw: st.DrawFn, scores: st.SearchStrategy[Score] = SCORE) -> list[RowScores]:
    n = draw(st.integers(1, 8))
    domains = st.sampled_from(["chat", "code", "math", "safety-refuse", "safety-response"])
    triple = st.tuples(scores, scores, scores)
    return [RowScores(str(k), draw(triple), draw(triple), domain=draw(domains)) for k in range(n)]


@st.composite
def rewardbench_rows(draw: st.DrawFn, scores: st.SearchStrategy[Score] = SCORE) -> list[RowScores]:
    n = draw(st.integers(1, 10))
    subsets = st.sampled_from(
        [
            "alpacaeval-easy",
            "mt-bench-hard",
            "llmbar-natural",
            "donotanswer",
            "math-prm",
            "hep-go",
            "shp",
            "anthropic_helpful",
        ]
    )
    return [RowScores(str(k), (draw(scores),), (draw(scores),), subset=draw(subsets)) for k in range(n)]


@st.composite
def rewardbench2_rows(draw: st.DrawFn, scores: st.SearchStrategy[Score] = SCORE) -> list[RowScores]:
    n = draw(st.integers(1, 8))
    subsets = st.sampled_from(["Factuality", "Precise IF", "Math", "Safety", "Focus"])
    rejected = st.lists(scores, min_size=1, max_size=3).map(tuple)
    return [RowScores(str(k), (draw(scores),), draw(rejected), subset=draw(subsets)) for k in range(n)]


@st.composite
def ties_rows(draw: st.DrawFn) -> list[RowScores]:
    rows = []
    for p in range(draw(st.integers(1, 4))):
        for kind in draw(st.sampled_from([("ref", "tied"), ("ref",), ("tied",)])):
            correct = draw(st.lists(SCORE, min_size=1 if kind == "ref" else 2, max_size=3))
            incorrect = draw(st.lists(SCORE, min_size=1, max_size=3))
            rows.append(RowScores(f"{kind}:{p}", tuple(correct), tuple(incorrect), subset="Ties"))
    return rows


def accuracies(report: Any) -> dict[str, float]:
    """Every accuracy a report holds, flattened (RewardBench 2's Ties score excluded)."""
    data = report.model_dump()
    out: dict[str, float] = {}
    if data["benchmark"] == "rmbench":
        for name, d in data["domains"].items():
            if d is not None:
                out.update({f"{name}.{k}": d[k] for k in ("easy", "normal", "hard", "score")})
                out.update({f"{name}.m{i}{j}": v for i, line in enumerate(d["matrix"]) for j, v in enumerate(line)})
        out.update({k: data[k] for k in ("overall", "easy", "normal", "hard")})
    else:
        out.update({f"subset {k}": v for k, v in data["subsets"].items() if k != "Ties"})
        out.update({f"section {k}": v for k, v in data.get("sections", {}).items()})
        if "Ties" not in data["subsets"]:
            out["overall"] = data["overall"]
    return {k: v for k, v in out.items() if v is not None}  # None: nothing to score (only prior-set rows)


SCORERS: dict[str, Callable[..., Any]] = {
    "rmbench": score_rmbench,
    "rewardbench": score_rewardbench,
    "rewardbench2": score_rewardbench2,
}
ROWS = {"rmbench": rmbench_rows, "rewardbench": rewardbench_rows, "rewardbench2": rewardbench2_rows}
ANY_ROWS = st.sampled_from(sorted(SCORERS)).flatmap(lambda name: st.tuples(st.just(name), ROWS[name]()))


@given(ANY_ROWS, POLICY, st.randoms(use_true_random=False))
def test_permuting_rows_never_changes_a_report(case: tuple[str, list[RowScores]], policy: str, rnd: Any) -> None:
    name, rows = case
    shuffled = list(rows)
    rnd.shuffle(shuffled)
    assert SCORERS[name](shuffled, failures=policy) == SCORERS[name](rows, failures=policy)


@given(ties_rows(), POLICY, st.randoms(use_true_random=False))
def test_permuting_ties_rows_never_changes_the_ties_score(rows: list[RowScores], policy: str, rnd: Any) -> None:
    shuffled = list(rows)
    rnd.shuffle(shuffled)
    assert score_rewardbench2(shuffled, failures=policy).ties == score_rewardbench2(rows, failures=policy).ties


def _all_correct(rows: Sequence[RowScores]) -> list[RowScores]:
    """The same rows with every chosen score above every rejected one."""
    return [
        replace(r, chosen=tuple(10.0 + i for i in range(len(r.chosen))), rejected=(0.0,) * len(r.rejected))
        for r in rows
    ]


@given(ANY_ROWS, POLICY)
def test_all_correct_scores_give_one(case: tuple[str, list[RowScores]], policy: str) -> None:
    name, rows = case
    values = accuracies(SCORERS[name](_all_correct(rows), failures=policy))
    assert values and all(v == 1.0 for v in values.values()), values


@st.composite
def raised(draw: st.DrawFn) -> tuple[str, list[RowScores], list[RowScores]]:
    """Rows, and the same rows with one chosen score raised (a failure may become a score)."""
    name, rows = draw(ANY_ROWS)
    k = draw(st.integers(0, len(rows) - 1))
    i = draw(st.integers(0, len(rows[k].chosen) - 1))
    old = rows[k].chosen[i]
    new = draw(st.floats(-10, 10, allow_nan=False)) if old is None else old + draw(st.floats(0.0, 5.0))
    chosen = list(rows[k].chosen)
    chosen[i] = new
    higher = [*rows[:k], replace(rows[k], chosen=tuple(chosen)), *rows[k + 1 :]]
    return name, rows, higher


@given(raised(), POLICY)
def test_raising_a_chosen_score_never_lowers_any_accuracy(
    case: tuple[str, list[RowScores], list[RowScores]], policy: str
) -> None:
    name, rows, higher = case
    before = accuracies(SCORERS[name](rows, failures=policy))
    after = accuracies(SCORERS[name](higher, failures=policy))
    assert before.keys() == after.keys()
    for key, value in before.items():
        assert after[key] >= value - 1e-12, key


@st.composite
def failed(draw: st.DrawFn) -> tuple[str, list[RowScores], list[RowScores], list[RowScores]]:
    """Rows without failures; the same with one score failed (None); and with it scored LOW."""
    name, rows = draw(
        st.sampled_from(["rmbench", "rewardbench"]).flatmap(
            lambda n: st.tuples(st.just(n), ROWS[n](st.one_of(st.integers(1, 4).map(float), st.floats(-10, 10))))
        )
    )
    k = draw(st.integers(0, len(rows) - 1))
    side = draw(st.sampled_from(["chosen", "rejected"]))
    i = draw(st.integers(0, len(getattr(rows[k], side)) - 1))

    def with_score(value: Score) -> list[RowScores]:
        scores = list(getattr(rows[k], side))
        scores[i] = value
        return [*rows[:k], replace(rows[k], **{side: tuple(scores)}), *rows[k + 1 :]]

    return name, rows, with_score(None), with_score(LOW)


@given(failed())
def test_a_failure_never_raises_a_score_by_default_and_stays_in_the_denominator(
    case: tuple[str, list[RowScores], list[RowScores], list[RowScores]],
) -> None:
    name, rows, with_none, with_low = case
    clean, strict = SCORERS[name](rows), SCORERS[name](with_none)  # the default policy: "wrong"
    assert strict.failures == "wrong"
    assert strict.counts.rows == clean.counts.rows == len(rows)
    assert strict.counts.comparisons == clean.counts.comparisons
    assert strict.counts.failed_judgments == 1 and clean.counts.failed_judgments == 0
    for key, value in accuracies(strict).items():  # a failed judgment can only lower a score
        assert value <= accuracies(clean)[key] + 1e-12
    loses, low = SCORERS[name](with_none, failures="loses"), SCORERS[name](with_low, failures="loses")
    assert loses.failures == "loses"
    assert accuracies(loses) == accuracies(low)  # "loses": the failed response loses every comparison it is in
    for key, value in accuracies(strict).items():  # "wrong" is the stricter: its comparisons are all wrong
        assert value <= accuracies(loses)[key] + 1e-12


def test_row_counts_are_exact_fractions() -> None:
    rows = [RowScores(str(k), (float(k % 2),), (0.5,), subset="hep-go") for k in range(7)]
    assert math.isclose(score_rewardbench(rows).subsets["hep-go"], 3 / 7)
