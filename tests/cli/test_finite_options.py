"""Every real-valued option of every command refuses nan and infinities at parse time (exit 2, one line).

The options are found by walking the parsers, so an option added later is covered without a
change here: any option whose type turns "0.5" into a float is checked.
"""

from __future__ import annotations

import argparse
import subprocess
import sys

import pytest

from patarm.cli import build_parser, main


def _float_options() -> list[tuple[tuple[str, ...], str, int]]:
    """(subcommand path, option, number of values) for each float-typed option."""
    found: list[tuple[tuple[str, ...], str, int]] = []

    def walk(parser: argparse.ArgumentParser, path: tuple[str, ...]) -> None:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    walk(sub, (*path, name))
            elif action.option_strings and callable(action.type):
                try:
                    value = action.type("0.5")
                except (argparse.ArgumentTypeError, ValueError, TypeError):
                    continue
                if isinstance(value, float):
                    nargs = action.nargs if isinstance(action.nargs, int) else 1
                    found.append((path, action.option_strings[-1], nargs))

    walk(build_parser(), ())
    return found


FLOAT_OPTIONS = _float_options()


def test_the_walk_finds_the_float_options() -> None:
    names = {(" ".join(path), option) for path, option, _ in FLOAT_OPTIONS}
    assert {("serve", "--fallback-reward"), ("serve", "--timeout"), ("judge", "--temperature")} <= names
    assert ("data build-rl", "--keep-range") in names and ("rubrics show", "--scale-low") in names
    assert len(FLOAT_OPTIONS) >= 25


# A two-value option cannot take "-inf" at all (argparse reads it as an option name).
CASES = [
    (path, option, nargs, value)
    for path, option, nargs in FLOAT_OPTIONS
    for value in ("nan", "inf", "-inf", "NaN", "Infinity")
    if nargs == 1 or not value.startswith("-")
]


@pytest.mark.parametrize(("path", "option", "nargs", "value"), CASES, ids=lambda v: str(v))
def test_non_finite_values_are_refused(
    path: tuple[str, ...], option: str, nargs: int, value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # "--x=-inf": a bare "-inf" would read as an option
    argv = [*path, f"{option}={value}"] if nargs == 1 else [*path, option, value, "1"]
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 2
    err = capsys.readouterr().err
    last = err.strip().splitlines()[-1]
    assert last.startswith(f"patarm {' '.join(path)}: error: argument {option}")
    assert "expected a finite number" in last and repr(value) in last
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["serve", "--fallback-reward", "nan"], "argument --fallback-reward: expected a finite number, got 'nan'"),
        (["serve", "--timeout", "inf"], "argument --timeout: expected a finite number > 0, got 'inf'"),
        (["judge", "--top-p", "1.5"], "argument --top-p: expected a finite number > 0 and <= 1, got '1.5'"),
        (
            ["data", "add-noise", "--flip", "-0.1"],
            "argument --flip: expected a finite number >= 0 and <= 1, got '-0.1'",
        ),
    ],
)
def test_the_real_command_line_says_it_in_one_line(argv: list[str], message: str) -> None:
    run = subprocess.run([sys.executable, "-m", "patarm", *argv], capture_output=True, text=True, timeout=120)
    assert run.returncode == 2
    assert run.stderr.strip().splitlines()[-1].endswith(message)
    assert "Traceback" not in run.stderr


def test_settings_objects_refuse_non_finite_values() -> None:
    from patarm.audit import Thresholds
    from patarm.judges import JudgeConfig
    from patarm.policy_rewards import JudgeClient
    from patarm.rewards import PARSettings
    from patarm.serve import ServeSettings

    for bad in (float("nan"), float("inf"), float("-inf")):
        with pytest.raises(ValueError):
            ServeSettings(fallback_reward=bad)
        with pytest.raises(ValueError):
            ServeSettings(request_timeout_s=bad)
        with pytest.raises(ValueError):
            JudgeConfig(temperature=bad)
        with pytest.raises(ValueError, match="timeout_s"):
            PARSettings(timeout_s=bad)
        with pytest.raises(ValueError, match="PATARM_FALLBACK_PAR"):
            PARSettings.from_env("PATARM_", {"PATARM_FALLBACK_PAR": str(bad)})
        with pytest.raises(ValueError, match="accuracy_min"):
            Thresholds(accuracy_min=bad)
        with pytest.raises(ValueError, match="timeout_s"):
            JudgeClient("http://127.0.0.1:1", timeout_s=bad)
