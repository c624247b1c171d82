"""PARSettings: one settings object behind every entry point. The defaults are the same
everywhere; a user's delta named by a dotted path reaches the reward from Python, TRL,
verl's YAML, OpenRLHF's environment and the command line."""

from __future__ import annotations

import inspect
import pickle
import threading
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from custom_deltas import Capped, linear
from patarm.adapters.openrlhf import OpenRLHFSettings, PARRewardFunc, pack_label
from patarm.adapters.trl import PARReward
from patarm.adapters.verl import VerlSettings
from patarm.cli import build_parser
from patarm.cli._par import par_settings
from patarm.parsing import format_judgment
from patarm.rendezvous import PairRendezvous, clear_shared, shared_rendezvous
from patarm.rewards import (
    ConstantDelta,
    FormatReward,
    GradedDelta,
    PARSettings,
    delta_from_spec,
    par_batch,
    par_rewards,
    total_rewards,
)

SPEC = "custom_deltas:capped(max=2)"
# chosen 9 vs rejected 3: margin 6, capped at 2 (the graded default would give 1.0)
CAPPED_REWARDS = ([2.0], [2.0])


def test_every_entry_point_has_the_same_default_settings() -> None:
    default = PARSettings()
    assert default.delta == GradedDelta() and default.format_reward == FormatReward()  # the paper's delta
    found = {
        "from_mapping": PARSettings.from_mapping({}),
        "from_env": PARSettings.from_env("PATARM_", {}),
        "TRL PARReward": PARReward().settings,
        "verl": VerlSettings.from_mapping({}).par,
        "verl trainer config": VerlSettings.from_verl_config({}).par.replace(rollouts_per_side=None),
        "OpenRLHF": OpenRLHFSettings.from_env({}).par,
        "CLI": par_settings(build_parser().parse_args(["demo", "--delta", "graded"])),
    }
    for where, settings in found.items():
        assert settings == default, where
    assert VerlSettings.from_verl_config({}).par == PARSettings(rollouts_per_side=1)  # rollout.n's default
    for function in (par_batch, par_rewards, total_rewards):
        assert inspect.signature(function).parameters["delta"].default == default.delta, function.__name__
    assert inspect.signature(total_rewards).parameters["format_reward"].default == default.format_reward
    book = PairRendezvous(PARSettings(rollouts_per_side=1))._book
    assert (book.delta, book.format_reward, book.fallback_par) == (default.delta, default.format_reward, 0.0)


def test_the_demo_chooses_the_constant_delta_and_says_why() -> None:
    args = build_parser().parse_args(["demo"])
    assert par_settings(args).delta == ConstantDelta()
    demo = build_parser()._subparsers._group_actions[0].choices["demo"]  # type: ignore[union-attr]
    text = " ".join(demo.format_help().split())
    assert "The demo chooses constant" in text and "(default constant)" in text
    assert " ".join(PARSettings.help("delta").split()) in text  # the field's own help


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("graded", GradedDelta()),
        ("constant", ConstantDelta()),
        ("graded(threshold=1.5, low=0.25)", GradedDelta(1.5, 0.25)),
        (" constant( value = 2 ) ", ConstantDelta(2.0)),
        ("custom_deltas:capped(max=2)", Capped(2)),
        ("custom_deltas.capped(3)", Capped(3)),
        ("custom_deltas:linear", linear),
        ("patarm.rewards:GradedDelta()", GradedDelta()),
        ("custom_deltas:Family.linear", linear),
        ("custom_deltas:Family.capped(max=2)", Capped(2)),
    ],
)
def test_specs_name_builtins_and_dotted_paths(spec: str, expected: Any) -> None:
    assert delta_from_spec(spec) == expected
    assert PARSettings(delta=spec).delta == expected


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("linear", r"expected one of \['constant', 'graded'\] or a dotted path"),
        ("no_such_module:capped", r"cannot import module 'no_such_module'"),
        ("custom_deltas:missing", r"module 'custom_deltas' has no attribute 'missing'"),
        ("custom_deltas:capped", r"calling it on the margin 1.0 failed \(TypeError: .* write its arguments"),
        ("custom_deltas:capped(max=__import__('os'))", r"arguments must be literals"),
        ("graded(threshold=-1)", r"threshold must be >= 0"),
        ("graded(colour=1)", r"unexpected keyword argument 'colour'"),
        ("graded(", r"expected a name or dotted path .* such as graded, graded\(threshold=1.5\)"),
        ("graded(**{'threshold': 1})", r"arguments must be literals .*\(\*\*kwargs\)"),
        ("custom_deltas:empty_text()", r"'custom_deltas:empty_text\(\)': names '', which is not callable"),
        ("builtins:str()", r"'builtins:str\(\)': builtins is a standard-library module"),
        ("custom_deltas:Family.missing", r"module 'custom_deltas' has no attribute 'Family.missing'"),
    ],
)
def test_bad_specs_are_errors_naming_the_spec(spec: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        PARSettings(delta=spec)


@given(st.text(max_size=40))
def test_any_text_is_a_delta_or_a_value_error(spec: str) -> None:
    try:
        delta = delta_from_spec(spec)
    except ValueError:
        return
    assert callable(delta)


def test_default_text_writes_each_default_as_a_user_would() -> None:
    assert PARSettings.default_text("delta") == "graded"
    assert PARSettings.default_text("malformed") == "-1.0"
    assert PARSettings.default_text("well_formed") == "0.0"
    assert PARSettings.default_text("rollouts_per_side") == "unset"
    for name in PARSettings.names():  # each text reads back as the default it names
        text = PARSettings.default_text(name)
        assert PARSettings.from_mapping({} if text == "unset" else {name: text}) == PARSettings()


def test_each_setting_has_its_own_help() -> None:
    helps = [PARSettings.help(name) for name in PARSettings.names()]
    assert len(set(helps)) == len(helps) and all(len(h.split()) >= 3 for h in helps)
    assert PARSettings.help("delta").startswith("margin -> reward")


@pytest.mark.parametrize("bad", [42, "not callable".split, ConstantDelta.vectorized])
def test_a_delta_object_is_checked_like_a_spec(bad: Any) -> None:
    # A delta object given to the constructor gets the same check as a spec string or a
    # mapping value: it must map the margin 1.0 to a finite number; the error names the setting.
    with pytest.raises(ValueError, match=r"^delta: "):
        PARSettings(delta=bad)
    with pytest.raises(ValueError, match=r"^delta: "):
        PARSettings.from_mapping({"delta": bad})


def test_from_env_reads_the_process_environment_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATARM_MALFORMED", "-2")
    monkeypatch.setenv("PATARM_DELTA", "constant")
    assert PARSettings.from_env() == PARSettings(delta="constant", malformed=-2.0)


def test_from_mapping_errors_name_the_key_and_its_place() -> None:
    with pytest.raises(ValueError, match=r"^colour: unknown PAR setting"):
        PARSettings.from_mapping({"colour": 1})
    with pytest.raises(ValueError, match=r"^rollouts_per_side: expected a number, got 'x'"):
        PARSettings.from_mapping({"rollouts_per_side": "x"})
    with pytest.raises(ValueError, match=r"^reward\.patarm\.malformed: expected a number"):
        PARSettings.from_mapping({"malformed": "x"}, "reward.patarm")


def test_with_rollouts_fills_only_an_unset_count() -> None:
    assert PARSettings().with_rollouts(8).rollouts_per_side == 8
    assert PARSettings(rollouts_per_side=4).with_rollouts(8).rollouts_per_side == 4
    assert PARSettings().with_rollouts(None) == PARSettings()


def test_readers_name_the_bad_value() -> None:
    with pytest.raises(ValueError, match=r"PATARM_FALLBACK_PAR: expected a number, got 'x'"):
        PARSettings.from_env("PATARM_", {"PATARM_FALLBACK_PAR": "x"})
    with pytest.raises(ValueError, match=r"reward\.rollouts_per_side: expected an integer >= 1, got 0"):
        PARSettings.from_mapping({"rollouts_per_side": 0}, "reward")
    with pytest.raises(ValueError, match=r"reward\.timeout: unknown PAR setting"):
        PARSettings.from_mapping({"timeout": 3}, "reward")
    with pytest.raises(ValueError, match=r"timeout_s: expected > 0"):
        PARSettings(timeout_s=0)
    with pytest.raises(ValueError, match=r"PATARM_THRESHOLD: no longer read.*PATARM_DELTA='graded\(threshold"):
        OpenRLHFSettings.from_env({"PATARM_THRESHOLD": "1.5"})


def test_openrlhf_reads_every_par_setting_from_its_environment() -> None:
    env = {"PATARM_DELTA": "constant(value=0.5)", "PATARM_MALFORMED": "-2", "PATARM_WELL_FORMED": "0.25",
           "PATARM_FALLBACK_PAR": "0.1", "PATARM_TIMEOUT_S": "30", "PATARM_ROLLOUTS_PER_SIDE": "4"}  # fmt: skip
    assert OpenRLHFSettings.from_env(env).par == PARSettings(
        delta=ConstantDelta(0.5), malformed=-2.0, well_formed=0.25, fallback_par=0.1, timeout_s=30.0,
        rollouts_per_side=4,
    )  # fmt: skip


def test_settings_pickle_and_hash() -> None:
    settings = PARSettings(delta=SPEC, malformed=-0.5, rollouts_per_side=2)
    clone = pickle.loads(pickle.dumps(settings))
    assert clone == settings and hash(clone) == hash(settings) and clone.format_reward == FormatReward(-0.5)


# -- a user's delta through every entry point ---------------------------------------------
def test_custom_delta_from_python() -> None:
    delta = PARSettings(delta=SPEC).delta
    assert par_rewards([9.0], [3.0], delta) == CAPPED_REWARDS
    assert par_batch([9.0, 3.0], ["p", "p"], ["chosen", "rejected"], delta).par.tolist() == [2.0, 2.0]


def test_custom_delta_from_trl() -> None:
    reward = PARReward(settings=PARSettings(delta=SPEC))
    got = reward(completions=[format_judgment(9), format_judgment(3)], pair_id=["p", "p"], role=["chosen", "rejected"])
    assert got == [2.0, 2.0]
    assert pickle.loads(pickle.dumps(reward)).settings.delta == Capped(2)


def _meet(submit: Any) -> list[float]:
    """Submit the chosen side in a thread and the rejected side here; both rewards."""
    out: dict[str, float] = {}
    thread = threading.Thread(target=lambda: out.update(chosen=submit("chosen", 9.0)))
    thread.start()
    rejected = submit("rejected", 3.0)
    thread.join()
    return [out["chosen"], rejected]


def test_custom_delta_from_verl_yaml() -> None:
    config = yaml.safe_load(
        f"""
        actor_rollout_ref: {{rollout: {{n: 1}}}}
        reward:
          patarm:
            delta: "{SPEC}"
            timeout_s: 30
            rendezvous: local
        """
    )
    settings = VerlSettings.from_verl_config(config)
    assert settings.par.delta == Capped(2) and settings.par.rollouts_per_side == 1
    clear_shared()
    try:  # the reward-loop manager's rendezvous, built as PARRewardLoopManager builds it
        rv = shared_rendezvous(settings.par, mode=settings.rendezvous, actor_name=settings.actor_name)
        assert _meet(lambda role, score: rv.submit("p", role, score).reward) == [2.0, 2.0]
    finally:
        clear_shared()


def test_custom_delta_from_openrlhf_env() -> None:
    pytest.importorskip("torch")
    env = {"PATARM_DELTA": SPEC, "PATARM_ROLLOUTS_PER_SIDE": "1", "PATARM_TIMEOUT_S": "30"}
    func = PARRewardFunc(OpenRLHFSettings.from_env(env))

    def submit(role: str, score: float) -> float:
        out = func([f"judge {role}" + format_judgment(score)], [f"judge {role}"], [pack_label("p", role)])
        return float(out["rewards"][0])

    clear_shared()
    try:
        assert _meet(submit) == [2.0, 2.0]
    finally:
        clear_shared()


def test_custom_delta_from_the_command_line() -> None:
    args = build_parser().parse_args(["demo", "--delta", SPEC])
    assert par_settings(args).delta == Capped(2)
    assert args.par_delta == SPEC  # what DemoConfig.delta receives


def test_a_bad_delta_on_the_command_line_is_a_clean_error(capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("trl")
    pytest.importorskip("matplotlib")
    from patarm.cli import main

    assert main(["demo", "--delta", "custom_deltas:nothing", "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert "patarm demo: error: delta: 'custom_deltas:nothing': module 'custom_deltas' has no attribute" in err
