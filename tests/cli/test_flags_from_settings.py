"""Options generated from the settings models: each option's default is its field's, every
field the CLI sets has its flag under the one naming rule, and the former spellings still
set the same field."""

from __future__ import annotations

import argparse

import pytest

from patarm.cli import build_parser
from patarm.cli._common import JUDGE_FIELDS
from patarm.cli._fields import flag_name
from patarm.cli._serve import REWARD_FIELDS, SERVE_FIELDS
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


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        (["--timeout", "5"], ["--request-timeout", "5"], "request_timeout_s"),
        (["--max-items", "7"], ["--max-items-per-request", "7"], "max_items_per_request"),
        (["--keep-thinking"], ["--no-strip-thinking"], "strip_thinking"),
        (["--one-order"], ["--no-both-orders"], "both_orders"),
    ],
)
def test_former_spellings_set_the_same_field(old: list[str], new: list[str], field: str) -> None:
    parser = subparser("serve")
    before, after, default = parser.parse_args(old), parser.parse_args(new), parser.parse_args([])
    assert getattr(before, field) == getattr(after, field) != getattr(default, field)
    deprecated = options(parser)[old[0]]
    assert "deprecated" in (deprecated.help or "")


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
