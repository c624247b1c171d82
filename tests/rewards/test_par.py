from __future__ import annotations

import pickle
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from patarm.rewards import (
    FormatReward,
    constant_delta,
    format_reward,
    graded_delta,
    par_batch,
    par_rewards,
    total_rewards,
)

from strategies import int_side, linear, positive_deltas, reference_mean, side

Delta = Callable[[float], float]


def test_worked_example() -> None:
    # m_r = 4.5, m_c = 8.5: chosen 8 (margin 3.5 -> high), 9 (4.5 -> high); rejected 3 (5.5), 6 (2.5)
    assert par_rewards([8, 9, None], [3, 6]) == ([1.0, 1.0, 0.0], [1.0, 1.0])
    # m_r = 5, m_c = 5.5: small margins get the low value, a tie with the mean nothing
    assert par_rewards([5, 6], [4, 6]) == ([0.0, 0.5], [0.5, 0.0])
    assert par_rewards([5], [5]) == ([0.0], [0.0])


def test_partner_without_well_formed_rollouts_gives_zeros() -> None:
    assert par_rewards([9, 8], [None, None]) == ([0.0, 0.0], [0.0, 0.0])
    assert par_rewards([], [3]) == ([], [0.0])


def test_total_adds_format_reward() -> None:
    assert total_rewards([9, None], [2, None]) == ([1.0, -1.0], [1.0, -1.0])
    assert total_rewards([9], [2], format_reward=FormatReward(-2.0, 0.25)) == ([1.25], [1.25])
    assert format_reward(None) == -1.0 and format_reward(3.0) == 0.0 and format_reward(float("nan")) == -1.0


@pytest.mark.parametrize("bad", [float("inf"), "7", True, [7]])
def test_bad_scores_name_their_position(bad: object) -> None:
    with pytest.raises(ValueError, match=r"rejected_scores\[1\]: expected a finite number or None"):
        par_rewards([5.0], [3.0, bad])  # type: ignore[list-item]


@pytest.mark.parametrize("bad", [float("inf"), "7", True])
def test_total_rewards_name_the_side_of_a_bad_score(bad: object) -> None:
    with pytest.raises(ValueError, match=r"chosen_scores\[1\]: expected a finite number or None"):
        total_rewards([5.0, bad], [3.0])  # type: ignore[list-item]
    with pytest.raises(ValueError, match=r"rejected_scores\[0\]: expected a finite number or None"):
        total_rewards([5.0], [bad])  # type: ignore[list-item]


def flat(margin: float) -> float:
    """A custom delta that pays at any margin: PAR must still call it on positive margins only."""
    return 1.0


@pytest.mark.parametrize("delta", [graded_delta(), constant_delta(), graded_delta(0.0, 0.3, 0.6), flat])
def test_a_tie_pays_nothing(delta: Delta) -> None:
    assert par_rewards([5.0, 5.0], [5.0], delta) == ([0.0, 0.0], [0.0])
    assert par_rewards([5.0, None], [None, 5.0], delta) == ([0.0, 0.0], [0.0, 0.0])
    assert par_batch([5.0, 5.0, 5.0], [0, 0, 0], ["chosen", "chosen", "rejected"], delta).par.tolist() == [0.0] * 3


@pytest.mark.parametrize("field", ["malformed", "well_formed"])
def test_a_non_finite_format_reward_is_an_error_naming_its_field(field: str) -> None:
    with pytest.raises(ValueError, match=rf"^{field}\b"):
        FormatReward(**{field: float("inf")})


def test_nan_is_malformed() -> None:
    assert par_rewards([float("nan"), 9.0], [2.0]) == ([0.0, 1.0], [1.0])


def test_graded_delta_values() -> None:
    d = graded_delta()
    assert [d(m) for m in (-1.0, 0.0, 1e-9, 2.0, 2.0000001, 50.0)] == [0.0, 0.0, 0.5, 0.5, 1.0, 1.0]
    assert [constant_delta(2.0)(m) for m in (-1.0, 0.0, 0.1)] == [0.0, 0.0, 2.0]
    with pytest.raises(ValueError, match="threshold"):
        graded_delta(threshold=-1)
    with pytest.raises(ValueError, match="finite"):
        constant_delta(float("nan"))


def test_non_finite_custom_delta_is_an_error() -> None:
    with pytest.raises(ValueError, match="returned inf"):
        par_rewards([9.0], [1.0], delta=lambda m: float("inf"))


@pytest.mark.parametrize("obj", [graded_delta(1.5, 0.1, 2.0), constant_delta(3.0), FormatReward(-0.5, 0.1)])
def test_parameterised_rewards_pickle(obj: object) -> None:
    clone = pickle.loads(pickle.dumps(obj))
    assert clone == obj
    assert clone(2.5) == obj(2.5)  # type: ignore[operator]


# ---- properties ----------------------------------------------------------------------------


@given(side, side, positive_deltas)
def test_rewards_follow_the_formula(chosen: list[float | None], rejected: list[float | None], delta: Delta) -> None:
    rc, rr = par_rewards(chosen, rejected, delta)
    assert len(rc) == len(chosen) and len(rr) == len(rejected)
    m_c, m_r = reference_mean(chosen), reference_mean(rejected)
    complete = m_c is not None and m_r is not None
    for s, r in zip(chosen, rc, strict=True):
        wins = complete and s is not None and s > m_r  # type: ignore[operator]
        assert r == (delta(s - m_r) if wins else 0.0)  # type: ignore[operator]
        assert (r != 0.0) == wins  # every delta here is positive on positive margins
    for s, r in zip(rejected, rr, strict=True):
        wins = complete and s is not None and s < m_c  # type: ignore[operator]
        assert r == (delta(m_c - s) if wins else 0.0)  # type: ignore[operator]
        assert (r != 0.0) == wins


@given(side, side)
def test_graded_rewards_take_only_three_values(chosen: list[float | None], rejected: list[float | None]) -> None:
    rc, rr = par_rewards(chosen, rejected, graded_delta(2.0, 0.5, 1.0))
    assert set(rc + rr) <= {0.0, 0.5, 1.0}


@given(st.data(), side, side, positive_deltas)
def test_permuting_rollouts_permutes_rewards(
    data: st.DataObject, chosen: list[float | None], rejected: list[float | None], delta: Delta
) -> None:
    pc = data.draw(st.permutations(range(len(chosen))))
    pr = data.draw(st.permutations(range(len(rejected))))
    rc, rr = par_rewards(chosen, rejected, delta)
    qc, qr = par_rewards([chosen[i] for i in pc], [rejected[i] for i in pr], delta)
    assert qc == [rc[i] for i in pc]
    assert qr == [rr[i] for i in pr]


@given(st.data(), side, side, st.sampled_from([graded_delta(), constant_delta(), linear]))
def test_raising_a_score_never_lowers_its_reward(
    data: st.DataObject, chosen: list[float | None], rejected: list[float | None], delta: Delta
) -> None:
    bump = data.draw(st.floats(0, 100))
    rc, rr = par_rewards(chosen, rejected, delta)
    for i, s in enumerate(chosen):
        if s is not None:
            raised = [*chosen[:i], s + bump, *chosen[i + 1 :]]
            assert par_rewards(raised, rejected, delta)[0][i] >= rc[i]
    for j, s in enumerate(rejected):  # mirror: lowering a rejected score never lowers its reward
        if s is not None:
            lowered = [*rejected[:j], s - bump, *rejected[j + 1 :]]
            assert par_rewards(chosen, lowered, delta)[1][j] >= rr[j]


@given(int_side, int_side, st.sampled_from([graded_delta(), constant_delta(), graded_delta(1.0, 0.3, 0.6)]))
def test_mirror_symmetry(chosen: list[float | None], rejected: list[float | None], delta: Delta) -> None:
    lo, hi = 1.0, 10.0

    def mirror(xs: list[float | None]) -> list[float | None]:
        return [None if s is None else lo + hi - s for s in xs]

    rc, rr = par_rewards(chosen, rejected, delta)
    mc, mr = par_rewards(mirror(rejected), mirror(chosen), delta)
    assert (mc, mr) == (rr, rc)


@given(st.data(), side, side, positive_deltas)
def test_malformed_rollouts_never_move_a_mean(
    data: st.DataObject, chosen: list[float | None], rejected: list[float | None], delta: Delta
) -> None:
    def with_nones(xs: list[float | None]) -> tuple[list[float | None], list[int]]:
        out = list(xs)
        where = []
        for _ in range(data.draw(st.integers(0, 4))):
            k = data.draw(st.integers(0, len(out)))
            out.insert(k, None)
            where = [w + (w >= k) for w in where] + [k]
        original = [i for i in range(len(out)) if i not in where]
        return out, original

    rc, rr = par_rewards(chosen, rejected, delta)
    c2, keep_c = with_nones(chosen)
    r2, keep_r = with_nones(rejected)
    qc, qr = par_rewards(c2, r2, delta)
    assert [qc[i] for i in keep_c] == rc
    assert [qr[i] for i in keep_r] == rr
    assert all(qc[i] == 0.0 for i in range(len(c2)) if i not in keep_c)


@given(side, side)
def test_total_is_par_plus_format(chosen: list[float | None], rejected: list[float | None]) -> None:
    fmt = FormatReward(-1.0, 0.0)
    tc, tr = total_rewards(chosen, rejected, format_reward=fmt)
    pc, pr = par_rewards(chosen, rejected)
    assert tc == [p + fmt(s) for p, s in zip(pc, chosen, strict=True)]
    assert tr == [p + fmt(s) for p, s in zip(pr, rejected, strict=True)]
