"""Options generated from the settings models: each option's default is its field's, every
field the CLI sets has its flag under the one naming rule, and the former spellings still
set the same field."""

from __future__ import annotations

import argparse
import re

import pytest
from pydantic import BaseModel

from patarm.audit import AuditSettings
from patarm.cli import build_parser
from patarm.cli._audit import AUDIT_FIELDS
from patarm.cli._common import JUDGE_FIELDS
from patarm.cli._demo import DEMO_FIELDS
from patarm.cli._eval import RUN_FIELDS
from patarm.cli._fields import field_values, flag_name
from patarm.cli._hackcheck import TRAINING_FIELDS
from patarm.cli._serve import REWARD_FIELDS, SERVE_FIELDS
from patarm.demo import DemoConfig
from patarm.eval import JudgeRunSettings
from patarm.hackcheck import HackcheckSettings
from patarm.judges import JudgeConfig
from patarm.serve import ServeSettings

JUDGING_COMMANDS = [("judge",), ("eval",), ("audit",), ("serve",), ("hackcheck",), ("data", "build-sft")]


def subparser(*path: str) -> argparse.ArgumentParser:
    parser = build_parser()
    for name in path:
        action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        parser = action.choices[name]
    return parser


def options(parser: argparse.ArgumentParser) -> dict[str, argparse.Action]:
    return {flag: action for action in parser._actions for flag in action.option_strings}


def expected(value: object) -> object:
    return tuple(value) if isinstance(value, list) else value


@pytest.mark.parametrize("path", JUDGING_COMMANDS, ids=" ".join)
def test_judge_options_take_their_defaults_from_judge_config(path: tuple[str, ...]) -> None:
    parser = subparser(*path)
    flags = options(parser)
    for name in JUDGE_FIELDS:
        action = flags[flag_name(name)]
        assert action.dest == name
        assert expected(action.default) == getattr(JudgeConfig(), name), name
    assert flags["-k"] is flags["--samples"]
    assert [a for a in parser._actions if "--seed" in a.option_strings].__len__() == 1


def test_serve_options_take_their_defaults_from_serve_settings() -> None:
    flags = options(subparser("serve"))
    for name in SERVE_FIELDS + REWARD_FIELDS:
        action = flags[flag_name(name)]
        assert action.dest == name
        assert action.default == getattr(ServeSettings(), name), name
        if action.default not in (None, False):
            text = str(action.default if not isinstance(action.default, float) else f"{action.default:g}")
            assert f"(default {text})" in (action.help or ""), name


def test_the_help_shows_each_default_once() -> None:
    text = subparser("serve").format_help()
    assert "--request-timeout" in text and "(default 170)" in text
    assert text.count("(default 1024)") == 3  # --max-items-per-request, --max-connections, --max-new-tokens


# The run settings of each command, the fields its options set, and the options it requires.
RUN_SETTINGS: list[tuple[str, type[BaseModel], tuple[str, ...], list[str]]] = [
    ("audit", AuditSettings, AUDIT_FIELDS, ["-o", "out"]),
    ("eval", JudgeRunSettings, RUN_FIELDS, []),
    ("hackcheck", HackcheckSettings, (*TRAINING_FIELDS, "chat_template"), ["-o", "out"]),
    ("demo", DemoConfig, DEMO_FIELDS, []),
]
REQUIRED = {command: required for command, _, _, required in RUN_SETTINGS}


def help_default(action: argparse.Action) -> str | None:
    """The default an option's help shows: ``(default X)``, ``(default: none)``, or none shown."""
    found = re.search(r"\(default:? ([^()]*)\)$", action.help or "")
    return found.group(1) if found else None


def shown(value: object) -> str | None:
    if value is None:
        return "none"
    if value is False:
        return None
    return f"{value:g}" if isinstance(value, float) else str(value)


@pytest.mark.parametrize(("command", "model", "names", "required"), RUN_SETTINGS, ids=[r[0] for r in RUN_SETTINGS])
def test_run_options_take_their_defaults_from_their_settings(
    command: str, model: type[BaseModel], names: tuple[str, ...], required: list[str]
) -> None:
    parser = subparser(command)
    flags = options(parser)
    for name in names:
        action = flags[flag_name(name)]
        default = model.model_fields[name].get_default(call_default_factory=True)
        assert action.dest == name
        assert expected(action.default) == default, name
        assert help_default(action) == shown(default), (name, action.help)
        assert model.model_fields[name].description, f"{model.__name__}.{name} has no help"
    # no option given: the settings the command builds are the model's defaults
    built = model(**field_values(parser.parse_args(required), names))
    assert built == model()


@pytest.mark.parametrize(
    ("command", "old", "new", "field"),
    [
        ("serve", ["--timeout", "5"], ["--request-timeout", "5"], "request_timeout_s"),
        ("serve", ["--max-items", "7"], ["--max-items-per-request", "7"], "max_items_per_request"),
        ("serve", ["--keep-thinking"], ["--no-strip-thinking"], "strip_thinking"),
        ("serve", ["--one-order"], ["--no-both-orders"], "both_orders"),
        ("audit", ["--chunk-items", "7"], ["--chunk", "7"], "chunk"),
        ("eval", ["--chunk-items", "7"], ["--chunk", "7"], "chunk"),
        ("hackcheck", ["--quiet"], ["--no-progress"], "progress"),
        ("demo", ["--quiet"], ["--no-progress"], "progress"),
    ],
)
def test_former_spellings_set_the_same_field(command: str, old: list[str], new: list[str], field: str) -> None:
    parser = subparser(command)
    required = REQUIRED.get(command, [])
    before, after, default = (parser.parse_args([*given, *required]) for given in (old, new, []))
    assert getattr(before, field) == getattr(after, field) != getattr(default, field)
    deprecated = options(parser)[old[0]]
    assert "deprecated" in (deprecated.help or "")


def test_quick_alone_takes_its_sample_and_no_pairwise_is_the_pair() -> None:
    parser = subparser("audit")
    parse = lambda *given: parser.parse_args([*given, "-o", "out"])  # noqa: E731
    assert parse().quick is None and parse("--quick").quick == 300 and parse("--quick", "12").quick == 12
    assert parse().pairwise is True and parse("--no-pairwise").pairwise is False
    assert parse("--no-pairwise", "--pairwise").pairwise is True
    with pytest.raises(SystemExit):
        parse("--quick", "0")  # AuditSettings: ge=1
    with pytest.raises(SystemExit):
        parse("--chunk-items", "0")


def test_the_run_settings_judge_defaults_are_the_judge_configs() -> None:
    """A setting two objects hold (the judge's seed, scale, samples, voting) has one default."""
    judge = JudgeConfig()
    audit, run, check, demo = AuditSettings(), JudgeRunSettings(), HackcheckSettings(), DemoConfig()
    assert audit.seed == check.seed == demo.seed == judge.seed
    assert audit.scale == check.reward_scale == judge.scale
    assert audit.samples_per_judgment == judge.samples
    assert run.voting == judge.voting


def test_booleans_are_pairs_and_none_inverts_its_field() -> None:
    parser = subparser("judge")
    for name in ("expected_score", "both_orders"):
        on = parser.parse_args(["-i", "x", "-o", "y", flag_name(name)])
        off = parser.parse_args(["-i", "x", "-o", "y", "--no-" + flag_name(name)[2:]])
        assert getattr(on, name) is True and getattr(off, name) is False


def test_bounds_come_from_the_fields() -> None:
    parser = subparser("serve")
    with pytest.raises(SystemExit):
        parser.parse_args(["--max-body-bytes", "10"])  # ServeSettings: ge=1024
    with pytest.raises(SystemExit):
        parser.parse_args(["--top-p", "0"])  # JudgeConfig: gt=0
    assert parser.parse_args(["--top-p", "1"]).top_p == 1.0
