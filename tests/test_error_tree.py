"""``except PatarmError`` catches every error patarm raises for a bad setting, spec or input row:
each public entry point is probed with a bad value. Configuration errors are also ``ValueError``
(the builtin callers already catch), and every exception class lives in ``patarm.errors``."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import pytest

import patarm.errors as errors
from patarm.errors import ConfigError, PatarmError


def _verl(options: dict[str, Any]) -> Any:
    from patarm.adapters.verl._settings import VerlSettings

    return VerlSettings.from_mapping(options)


def _openrlhf(env: dict[str, str]) -> Any:
    from patarm.adapters.openrlhf import OpenRLHFSettings

    return OpenRLHFSettings.from_env(env)


def _judge_config(**kw: Any) -> Any:
    from patarm.judges import JudgeConfig

    return JudgeConfig(**kw)


def _serve_settings(**kw: Any) -> Any:
    from patarm.serve import ServeSettings

    return ServeSettings(**kw)


def _par(**kw: Any) -> Any:
    from patarm.rewards import PARSettings

    return PARSettings(**kw)


def _par_env(env: dict[str, str]) -> Any:
    from patarm.rewards import PARSettings

    return PARSettings.from_env(env=env)


def _delta(spec: str) -> Any:
    from patarm.rewards import delta_from_spec

    return delta_from_spec(spec)


def _parse(scale: Any) -> Any:
    from patarm import parse_judgment

    return parse_judgment("<answer>3</answer>", scale)


def _pair_row(row: dict[str, Any]) -> Any:
    from patarm.data import pair_from_row

    return pair_from_row(row, 0)


def _thresholds(**kw: Any) -> Any:
    from patarm.audit import Thresholds

    return Thresholds(**kw)


def _audit_settings(**kw: Any) -> Any:
    from patarm.audit import AuditSettings

    return AuditSettings(**kw)


def _judge_run_settings(**kw: Any) -> Any:
    from patarm.eval import JudgeRunSettings

    return JudgeRunSettings(**kw)


def _hackcheck_settings(**kw: Any) -> Any:
    from patarm.hackcheck import HackcheckSettings

    return HackcheckSettings(**kw)


def _demo_config(**kw: Any) -> Any:
    from patarm.demo import DemoConfig

    return DemoConfig(**kw)


def _trl_reward(**kw: Any) -> Any:
    from patarm.adapters.trl import PARReward

    return PARReward(**kw)


def _pair_settings(**kw: Any) -> Any:
    from patarm.rendezvous import PairRewardSettings

    return PairRewardSettings(**kw)


PROBES: dict[str, Callable[[], Any]] = {
    "bad delta spec": lambda: _delta("no_such_delta(1)"),
    "delta spec naming the standard library": lambda: _delta("os:getcwd()"),
    "non-number malformed": lambda: _par(malformed="x"),
    "non-finite malformed": lambda: _par(malformed=float("nan")),
    "negative timeout from the environment": lambda: _par_env({"PATARM_TIMEOUT_S": "-1"}),
    "JudgeConfig samples=0": lambda: _judge_config(samples=0),
    "JudgeConfig unknown field": lambda: _judge_config(sample=3),
    "JudgeConfig reversed scale": lambda: _judge_config(scale=(10, 1)),
    "ServeSettings max_items_per_request=0": lambda: _serve_settings(max_items_per_request=0),
    "unknown verl key": lambda: _verl({"no_such_key": 1}),
    "bad verl rendezvous": lambda: _verl({"rendezvous": "carrier-pigeon"}),
    "bad OpenRLHF delta": lambda: _openrlhf({"PATARM_DELTA": "nope("}),
    "bad OpenRLHF scale": lambda: _openrlhf({"PATARM_SCALE": "10,1"}),
    "bad OpenRLHF centring": lambda: _openrlhf({"PATARM_CENTER_BY_SIDE": "maybe"}),
    "bad parse_judgment scale": lambda: _parse((10, 1)),
    "malformed preference row": lambda: _pair_row({"prompt": "p", "chosen": 3, "rejected": "r"}),
    "audit thresholds": lambda: _thresholds(accuracy_min=float("nan")),
    "AuditSettings chunk=0": lambda: _audit_settings(chunk=0),
    "AuditSettings quick=0": lambda: _audit_settings(quick=0),
    "AuditSettings non-finite threshold": lambda: _audit_settings(thresholds={"accuracy_min": float("inf")}),
    "JudgeRunSettings pairwise by expected score": lambda: _judge_run_settings(mode="pairwise", compare_by="expected"),
    "JudgeRunSettings chunk=0": lambda: _judge_run_settings(chunk=0),
    "HackcheckSettings generations=1": lambda: _hackcheck_settings(generations=1),
    "HackcheckSettings negative margin": lambda: _hackcheck_settings(margin=-0.1),
    "DemoConfig eval_pairs=0": lambda: _demo_config(eval_pairs=0),
    "DemoConfig label_noise=2": lambda: _demo_config(label_noise=2.0),
    "PARSettings unknown field": lambda: _par(threshold=1.5),
    "PARSettings timeout_s=0": lambda: _par(timeout_s=0),
    "TRL PARReward reversed scale": lambda: _trl_reward(scale=(10, 1)),
    "TRL PARReward bad settings": lambda: _trl_reward(settings="graded"),
    "PairRewardSettings empty role key": lambda: _pair_settings(role_key=""),
    "PairRewardSettings integer_scores=maybe": lambda: _pair_settings(integer_scores="maybe"),
}


@pytest.mark.parametrize("name", list(PROBES))
def test_every_bad_setting_spec_or_row_is_a_patarm_error(name: str) -> None:
    with pytest.raises(PatarmError) as caught:
        PROBES[name]()
    assert isinstance(caught.value, ValueError), f"{name}: {type(caught.value)} is not a ValueError"
    assert str(caught.value)


@pytest.mark.parametrize(
    "name",
    [
        n
        for n in PROBES
        if n.startswith(
            (
                "bad",
                "non",
                "negative",
                "Judge",
                "Serve",
                "Audit",
                "Hackcheck",
                "Demo",
                "unknown",
                "delta",
                "PAR",
                "TRL",
                "Pair",
            )
        )
    ],
)
def test_settings_and_spec_errors_are_config_errors(name: str) -> None:
    with pytest.raises(ConfigError):
        PROBES[name]()


def test_config_error_is_both_a_patarm_error_and_a_value_error() -> None:
    assert issubclass(ConfigError, PatarmError) and issubclass(ConfigError, ValueError)


def test_every_exception_class_lives_in_patarm_errors() -> None:
    """The tree is in one module; other modules import (and may re-export) its classes."""
    import importlib
    import pkgutil

    import patarm

    skip = ("patarm.adapters.verl._", "patarm.adapters.openrlhf.pair_agent", "patarm.adapters.openrlhf.__main__")
    elsewhere = []
    for info in pkgutil.walk_packages(patarm.__path__, "patarm."):
        if info.name.startswith(skip) or info.name == "patarm.__main__":
            continue
        try:
            module = importlib.import_module(info.name)
        except ImportError:  # an optional extra's module
            continue
        for name, obj in vars(module).items():
            if not (inspect.isclass(obj) and issubclass(obj, BaseException) and obj.__module__ == info.name):
                continue
            # Private control flow that never leaves its module (the retry loop's signals, the
            # template guard's jinja-level refusal, turned into TemplateError) may stay there.
            private = info.name.rsplit(".", 1)[-1].startswith("_") and not issubclass(obj, errors.PatarmError)
            if info.name != "patarm.errors" and not private:
                elsewhere.append(f"{info.name}.{name}")
    assert elsewhere == []


def test_the_tree_in_the_docstring_names_every_class() -> None:
    classes = [n for n, o in vars(errors).items() if inspect.isclass(o) and issubclass(o, PatarmError)]
    doc = errors.__doc__ or ""
    assert [c for c in classes if c not in doc] == []
