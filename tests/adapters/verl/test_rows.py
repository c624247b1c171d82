"""Pure pieces of the verl adapter: the rows it writes and the ``reward.patarm`` options."""

from __future__ import annotations

import pytest

from patarm.adapters.verl import PairConfigError, VerlSettings, verl_rows
from patarm.data import judge_rows
from patarm.rewards import ConstantDelta, GradedDelta
from patarm.types import PreferencePair

PAIRS = [
    PreferencePair(pair_id="a", prompt="Solve x^2 = 9.", chosen="x = 3 or -3", rejected="x = 3"),
    PreferencePair(pair_id="b", prompt="Say hi.", chosen="Hello!", rejected="no", domain="chat"),
]


def test_rows_carry_the_judge_rows() -> None:
    rows = verl_rows(PAIRS)
    for index, (row, judged) in enumerate(zip(rows, judge_rows(PAIRS), strict=True)):
        assert row["prompt"] == judged["prompt"] and row["ability"] == judged["domain"]
        assert row["extra_info"] == {
            "pair_id": judged["pair_id"], "role": judged["role"], "domain": judged["domain"], "index": index
        }  # fmt: skip


def test_settings_reject_unknown_options() -> None:
    with pytest.raises(PairConfigError, match=r"unknown option\(s\) \['timeout'\]"):
        VerlSettings.from_mapping({"timeout": 3}, 8)
    with pytest.raises(
        PairConfigError, match=r"reward\.patarm\.delta: 'linear': expected one of \['constant', 'graded'\]"
    ):
        VerlSettings.from_mapping({"delta": "linear"}, 8)
    with pytest.raises(PairConfigError, match=r"delta: graded\(threshold=1\.5\)"):
        VerlSettings.from_mapping({"delta": "graded", "threshold": 1.5}, 8)
    with pytest.raises(PairConfigError, match=r"reward\.patarm\.fallback_par: expected a number"):
        VerlSettings.from_mapping({"fallback_par": "much"}, 8)


def test_settings_read_every_par_option() -> None:
    options = {"rollouts_per_side": 4, "delta": "constant(value=0.5)", "malformed": -2, "well_formed": 0.25,
               "fallback_par": 0.1, "timeout_s": 30}  # fmt: skip
    par = VerlSettings.from_mapping(options, 8).par
    assert par.rollouts_per_side == 4 and par.delta == ConstantDelta(0.5)
    assert (par.malformed, par.well_formed, par.fallback_par, par.timeout_s) == (-2.0, 0.25, 0.1, 30.0)
    assert VerlSettings.from_mapping({"delta": "graded(threshold=1)"}, 8).par.delta == GradedDelta(threshold=1.0)
    assert VerlSettings.from_mapping({}, 8).par.rollouts_per_side == 8  # rollout.n when not given
