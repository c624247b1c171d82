"""PARReward, the TRL reward function: equal to the core per-pair PAR + format reward on the
scores read from the completions, for any batch layout; clear errors; logging; pickling."""

from __future__ import annotations

import pickle
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from patarm.adapters.trl import PARReward, completion_text
from patarm.parsing import format_judgment
from patarm.rewards import FormatReward, PARSettings, constant_delta, graded_delta, par_batch, par_rewards

from strategies import linear

MALFORMED_TEXTS = [
    "no score at all",
    "<answer>eleven</answer>",
    "<answer>11</answer>",  # off the 1-10 scale
    "<answer>0</answer>",
    "<answer>7",  # truncated
    "<think>still thinking <answer>7</answer>",
    "",
]

# A rollout: (score it holds, or None for malformed; its text).
well_formed = st.one_of(
    st.integers(1, 10).map(float),
    st.floats(1, 10, allow_nan=False).map(lambda x: round(x, 3)),
).flatmap(
    lambda s: st.sampled_from(
        [
            (s, format_judgment(s)),
            (s, format_judgment(s, rationale="Clear and right.", criteria="Correctness.")),
            (s, f"<think>maybe <answer>2</answer></think>Looks fine.<answer>{s!r}</answer>"),
        ]
    )
)
malformed = st.sampled_from(MALFORMED_TEXTS).map(lambda text: (None, text))
rollout = st.one_of(well_formed, well_formed, malformed)
Rollout = tuple[float | None, str]

batches = st.lists(
    st.tuples(st.lists(rollout, min_size=1, max_size=5), st.lists(rollout, min_size=1, max_size=5)),
    min_size=1,
    max_size=6,
)
deltas = st.sampled_from([constant_delta(), graded_delta(), graded_delta(1.0, 0.2, 0.7), linear])
format_rewards = st.sampled_from([FormatReward(), FormatReward(-0.5, 0.1)])


def layout(
    pairs: list[tuple[list[Rollout], list[Rollout]]], order: list[int]
) -> tuple[list[tuple[str, str, float | None, str]], dict[tuple[str, str], list[int]]]:
    """Flatten pairs to rows ``(pair_id, role, score, text)`` in ``order``; also where each
    (pair, role) side's rollouts ended up."""
    rows = [
        (f"pair-{p}", role, score, text)
        for p, (chosen, rejected) in enumerate(pairs)
        for role, side in (("chosen", chosen), ("rejected", rejected))
        for score, text in side
    ]
    rows = [rows[k] for k in order]
    where: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, (pid, role, _, _) in enumerate(rows):
        where[(pid, role)].append(i)
    return rows, where


def expected_rewards(
    rows: list[tuple[str, str, float | None, str]],
    where: dict[tuple[str, str], list[int]],
    delta: Callable[[float], float],
    fmt: FormatReward,
) -> list[float]:
    """The core's per-pair PAR (par_rewards) + format reward, placed back at each row."""
    out = [float("nan")] * len(rows)
    for pid in {r[0] for r in rows}:
        chosen_rows, rejected_rows = where[(pid, "chosen")], where[(pid, "rejected")]
        chosen_par, rejected_par = par_rewards(
            [rows[i][2] for i in chosen_rows], [rows[i][2] for i in rejected_rows], delta
        )
        for positions, pars in ((chosen_rows, chosen_par), (rejected_rows, rejected_par)):
            for i, par in zip(positions, pars, strict=True):
                out[i] = par + fmt(rows[i][2])
    return out


@given(st.data(), batches, deltas, format_rewards, st.booleans())
def test_equals_core_par_plus_format_on_parsed_scores(
    data: st.DataObject,
    pairs: list[tuple[list[Rollout], list[Rollout]]],
    delta: Callable[[float], float],
    fmt: FormatReward,
    conversational: bool,
) -> None:
    n = sum(len(c) + len(r) for c, r in pairs)
    rows, where = layout(pairs, data.draw(st.permutations(range(n))))
    texts = [r[3] for r in rows]
    completions: list[Any] = [[{"role": "assistant", "content": t}] for t in texts] if conversational else texts
    settings = PARSettings(delta=delta, malformed=fmt.malformed, well_formed=fmt.well_formed)
    reward = PARReward(settings=settings, record=True)
    got = reward(
        prompts=["judge prompt"] * n,
        completions=completions,
        completion_ids=[[1, 2]] * n,
        pair_id=[r[0] for r in rows],
        role=[r[1] for r in rows],
        trainer_state=None,
        log_extra=lambda *a: None,
    )
    assert got == expected_rewards(rows, where, delta, fmt)  # exact: the batch form is bit-identical
    (call,) = reward.calls
    assert call.scores == [r[2] for r in rows]
    assert call.rewards == got
    assert call.pair_ids == [r[0] for r in rows] and call.roles == [r[1] for r in rows]


def test_conversational_and_text_completions_agree() -> None:
    texts = ["<answer>9</answer>", "<answer>8</answer>", "<answer>3</answer>", "oops"]
    columns = {"pair_id": ["a"] * 4, "role": ["chosen", "chosen", "rejected", "rejected"]}
    reward = PARReward(settings=PARSettings(delta=graded_delta()))
    as_text = reward(completions=texts, **columns)
    as_chat = reward(completions=[[{"role": "assistant", "content": t}] for t in texts], **columns)
    assert as_text == as_chat == [1.0, 1.0, 1.0, -1.0]  # m_r = 3: margins 6, 5; m_c = 8.5: margin 5.5
    assert completion_text([{"role": "assistant", "content": "a"}, {"role": "assistant", "content": "b"}]) == "ab"
    with pytest.raises(ValueError, match="cannot read a completion of type int"):
        completion_text(7)


@pytest.mark.parametrize("missing", ["pair_id", "role"])
def test_missing_column_is_a_clear_error(missing: str) -> None:
    columns: dict[str, Any] = {"pair_id": ["a", "a"], "role": ["chosen", "rejected"], "domain": ["chat"] * 2}
    del columns[missing]
    with pytest.raises(ValueError, match=rf"needs a '{missing}' column in the training dataset") as error:
        PARReward()(completions=["<answer>5</answer>"] * 2, trainer_state=None, **columns)
    assert "domain" in str(error.value) and "trainer_state" not in str(error.value)


def test_custom_column_names() -> None:
    reward = PARReward(pair_id_key="pid", role_key="side")
    got = reward(completions=["<answer>9</answer>", "<answer>2</answer>"], pid=[1, 1], side=["chosen", "rejected"])
    assert got == [1.0, 1.0]
    with pytest.raises(ValueError, match="'pid' column"):
        reward(completions=["<answer>9</answer>"], pair_id=["a"], side=["chosen"])


def test_split_pair_names_the_pair() -> None:
    with pytest.raises(ValueError, match="pair 'q-17' has no rejected rollout in this batch"):
        PARReward()(
            completions=["<answer>5</answer>"] * 4,
            pair_id=["p-1", "p-1", "q-17", "q-17"],
            role=["chosen", "rejected", "chosen", "chosen"],
        )


def test_bad_role_is_an_error() -> None:
    with pytest.raises(ValueError, match="expected 'chosen' or 'rejected'"):
        PARReward()(completions=["<answer>5</answer>"] * 2, pair_id=["a", "a"], role=["chosen", "winner"])


def test_integer_scores_rejects_fractions() -> None:
    columns = {"pair_id": ["a", "a"], "role": ["chosen", "rejected"]}
    completions = ["<answer>7.5</answer>", "<answer>3</answer>"]
    assert PARReward()(completions=completions, **columns) == [1.0, 1.0]
    assert PARReward(integer_scores=True)(completions=completions, **columns) == [-1.0, 0.0]


def test_scale_is_a_parameter() -> None:
    columns = {"pair_id": ["a", "a"], "role": ["chosen", "rejected"]}
    completions = ["<answer>80</answer>", "<answer>30</answer>"]
    assert PARReward()(completions=completions, **columns) == [-1.0, -1.0]
    assert PARReward(scale=(0, 100))(completions=completions, **columns) == [1.0, 1.0]
    with pytest.raises(ValueError, match="low < high"):
        PARReward(scale=(10, 1))


@given(batches)
def test_log_metric_receives_the_batch_statistics(pairs: list[tuple[list[Rollout], list[Rollout]]]) -> None:
    n = sum(len(c) + len(r) for c, r in pairs)
    rows, _ = layout(pairs, list(range(n)))
    logged: dict[str, list[float]] = defaultdict(list)
    PARReward()(
        completions=[r[3] for r in rows],
        pair_id=[r[0] for r in rows],
        role=[r[1] for r in rows],
        log_metric=lambda name, value: logged[name].append(value),
    )
    stats = par_batch([r[2] for r in rows], [r[0] for r in rows], [r[1] for r in rows]).stats  # the same default delta
    assert {k: v[0] for k, v in logged.items()} == stats.to_metrics("par/")
    assert all(len(v) == 1 for v in logged.values())
    assert logged["par/num_pairs"] == [len(pairs)] and logged["par/num_rollouts"] == [n]
    assert ("par/pair_accuracy" in logged) == (stats.pair_accuracy is not None)


def test_pickles_with_its_settings_and_calls() -> None:
    reward = PARReward(settings=PARSettings(delta=graded_delta(1.0, 0.25, 0.75), malformed=-2.0), record=True)
    columns = {"pair_id": ["a", "a", "a"], "role": ["chosen", "rejected", "rejected"]}
    completions = ["<answer>6</answer>", "<answer>5.5</answer>", "bad"]
    first = reward(completions=completions, **columns)
    clone = pickle.loads(pickle.dumps(reward))
    assert clone.settings == reward.settings and clone.settings.format_reward == FormatReward(-2.0)
    assert clone.calls == reward.calls
    assert clone(completions=completions, **columns) == first == [0.25, 0.25, -2.0]
    assert len(clone.calls) == 2 and len(reward.calls) == 1
    plain = PARReward()
    assert pickle.loads(pickle.dumps(plain))(completions=completions, **columns) == plain(
        completions=completions, **columns
    )
    assert plain.calls == []  # record=False keeps nothing
