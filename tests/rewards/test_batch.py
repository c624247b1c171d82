from __future__ import annotations

import random
from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from patarm.rewards import FormatReward, graded_delta, par_batch, par_rewards, par_rewards_batch, total_rewards

from strategies import linear, maybe_score, positive_deltas, reference_mean

Delta = Callable[[float], float]
Pair = tuple[list[float | None], list[float | None]]

pairs_strategy = st.lists(
    st.tuples(st.lists(maybe_score, min_size=1, max_size=6), st.lists(maybe_score, min_size=1, max_size=6)),
    min_size=1,
    max_size=12,
)


def flatten(pairs: list[Pair], order: list[int]) -> tuple[list[float | None], list[str], list[str], list[tuple]]:
    """Flatten pairs to rollouts, then shuffle the rollouts with ``order``."""
    rows = [
        (score, f"pair-{p}", role, (p, role, i))
        for p, (chosen, rejected) in enumerate(pairs)
        for role, scores in (("chosen", chosen), ("rejected", rejected))
        for i, score in enumerate(scores)
    ]
    rows = [rows[k] for k in order]
    return [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows], [r[3] for r in rows]


@given(st.data(), pairs_strategy, positive_deltas)
def test_batch_equals_per_pair(data: st.DataObject, pairs: list[Pair], delta: Delta) -> None:
    n = sum(len(c) + len(r) for c, r in pairs)
    order = data.draw(st.permutations(range(n)))
    scores, ids, roles, where = flatten(pairs, order)
    out = par_batch(scores, ids, roles, delta)
    expected_par = {}
    expected_total = {}
    for p, (chosen, rejected) in enumerate(pairs):
        pc, pr = par_rewards(chosen, rejected, delta)
        tc, tr = total_rewards(chosen, rejected, delta)
        for role, par, tot in (("chosen", pc, tc), ("rejected", pr, tr)):
            for i, (a, b) in enumerate(zip(par, tot, strict=True)):
                expected_par[(p, role, i)] = a
                expected_total[(p, role, i)] = b
    assert out.par.tolist() == [expected_par[w] for w in where]  # exact, not approximate
    assert out.total.tolist() == [expected_total[w] for w in where]


@given(pairs_strategy)
def test_statistics_match_their_definitions(pairs: list[Pair]) -> None:
    scores, ids, roles, _ = flatten(pairs, list(range(sum(len(c) + len(r) for c, r in pairs))))
    stats = par_batch(scores, ids, roles).stats
    assert stats.num_pairs == len(pairs)
    assert stats.num_rollouts == len(scores)
    assert stats.malformed == sum(s is None for s in scores)
    means = [(reference_mean(c), reference_mean(r)) for c, r in pairs]
    complete = [(mc, mr) for mc, mr in means if mc is not None and mr is not None]
    assert stats.incomplete_pairs == len(pairs) - len(complete)
    if complete:
        assert stats.pair_accuracy == pytest.approx(sum(mc > mr for mc, mr in complete) / len(complete))
        assert stats.pair_ties == sum(mc == mr for mc, mr in complete)
        assert stats.mean_margin == pytest.approx(np.mean([mc - mr for mc, mr in complete]), rel=1e-9, abs=1e-6)
    else:
        assert stats.pair_accuracy is None and stats.mean_margin is None
    metrics = stats.to_metrics()
    assert metrics["par/malformed"] == stats.malformed
    assert ("par/pair_accuracy" in metrics) == bool(complete)


def test_accepts_numpy_inputs_and_bool_roles() -> None:
    scores = np.array([8.0, np.nan, 3.0, 7.0])
    ids = np.array([10, 10, 10, 10])
    roles = np.array([True, True, False, False])
    out = par_batch(scores, ids, roles)
    assert out.par.tolist() == [1.0, 0.0, 1.0, 0.5]
    assert out.format.tolist() == [0.0, -1.0, 0.0, 0.0]
    assert out.stats.malformed == 1 and out.stats.malformed_rate == 0.25
    assert par_rewards_batch(scores, ids, roles, graded_delta(1.0, 0.1, 0.2)).tolist() == [0.2, 0.0, 0.2, 0.1]


def test_int_and_text_ids_are_different_pairs() -> None:
    out = par_batch([9.0, 2.0, 9.0, 2.0], [1, 1, "1", "1"], ["chosen", "rejected"] * 2)
    assert out.stats.num_pairs == 2


def test_split_pair_is_an_error_naming_it() -> None:
    with pytest.raises(ValueError, match=r"pair 'q' has no rejected rollout in this batch"):
        par_batch([9.0, 2.0, 5.0], ["p", "p", "q"], ["chosen", "rejected", "chosen"])
    out = par_batch([9.0, 2.0, 5.0], ["p", "p", "q"], ["chosen", "rejected", "chosen"], allow_missing_side=True)
    assert out.par.tolist() == [1.0, 1.0, 0.0]
    assert out.stats.incomplete_pairs == 1


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"roles": ["chosen", "winner"]}, r"roles\[1\]: expected 'chosen' or 'rejected'"),
        ({"roles": ["chosen"]}, r"roles: expected 2 entries"),
        ({"pair_ids": ["p"]}, r"pair_ids: expected 2 entries"),
        ({"scores": [1.0, float("-inf")]}, r"scores\[1\]: expected a finite number"),
        ({"scores": np.array([1.0, np.inf])}, r"scores\[1\]: expected a finite number"),
    ],
)
def test_bad_batches_are_clear_errors(kwargs: dict[str, object], message: str) -> None:
    args: dict[str, object] = {"scores": [9.0, 2.0], "pair_ids": ["p", "p"], "roles": ["chosen", "rejected"]}
    args.update(kwargs)
    with pytest.raises(ValueError, match=message):
        par_batch(**args)  # type: ignore[arg-type]


def test_custom_delta_without_vectorised_form() -> None:
    out = par_batch([9.0, 2.0, 4.0], ["p"] * 3, ["chosen", "rejected", "rejected"], linear)
    assert out.par.tolist() == [6.0, 7.0, 5.0]


def test_broken_vectorised_delta_is_caught() -> None:
    class Bad:
        def __call__(self, margin: float) -> float:
            return 1.0

        def vectorized(self, margins: np.ndarray) -> np.ndarray:
            return np.ones(len(margins) + 1)

    with pytest.raises(ValueError, match="returned shape"):
        par_batch([9.0, 2.0], ["p", "p"], ["chosen", "rejected"], Bad())


def test_empty_batch() -> None:
    out = par_batch([], [], np.array([], dtype=bool), format_reward=FormatReward())
    assert out.par.size == 0 and out.stats.num_pairs == 0 and out.stats.pair_accuracy is None


@given(st.integers(0, 2**32), st.integers(300, 600))
def test_very_uneven_sides_take_the_general_path(seed: int, size: int) -> None:
    # One side with hundreds of rollouts beside 200 pairs of one rollout each: the padded
    # table would be too big, so the batch form sorts everything; results must still match.
    rnd = random.Random(seed)
    big_side = [rnd.choice([rnd.uniform(1, 10), None]) for _ in range(size)]
    small = [(f"s{k}", rnd.uniform(1, 10), rnd.uniform(1, 10)) for k in range(200)]
    scores = [*big_side, 3.3]
    ids = ["big"] * (size + 1)
    roles = ["chosen"] * size + ["rejected"]
    for pid, c, r in small:
        scores += [c, r]
        ids += [pid, pid]
        roles += ["chosen", "rejected"]
    out = par_batch(scores, ids, roles)
    big_c, big_r = par_rewards(big_side, [3.3])
    assert out.par[: size + 1].tolist() == big_c + big_r
    for k, (_, c, r) in enumerate(small):
        start = size + 1 + 2 * k
        chosen, rejected = par_rewards([c], [r])
        assert out.par[start : start + 2].tolist() == chosen + rejected


@given(
    st.lists(st.lists(st.none() | st.floats(-1e9, 1e9, allow_nan=False), max_size=12), min_size=1, max_size=8),
    st.integers(0, 400),
    st.integers(0, 2**32),
)
def test_side_sums_add_in_ascending_order(sides: list[list[float | None]], padding: int, seed: int) -> None:
    # The exactness contract behind "batch == per pair", checked on every path: integral
    # scores, the padded table and, with many one-rollout sides beside a long one, the sort.
    from patarm.rewards._batch import _side_sums

    sides = sides + [[1.5]] * padding + ([[0.1] * 300] if padding else [])
    rows = [(k, s) for k, side in enumerate(sides) for s in side]
    random.Random(seed).shuffle(rows)
    values = np.array([np.nan if s is None else s for _, s in rows])
    key = np.array([k for k, _ in rows], dtype=np.int64)
    sums = _side_sums(values, ~np.isnan(values), key, len(sides))
    expected = []
    for side in sides:
        total = 0.0
        for s in sorted(s for s in side if s is not None):
            total += s
        expected.append(total)
    assert sums.tolist() == expected
