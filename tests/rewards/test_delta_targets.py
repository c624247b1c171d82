"""A delta spec names the user's delta, never a standard-library function: nothing runs before the check."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from custom_deltas import Capped, linear
from patarm.rewards import PARSettings
from patarm.rewards._settings import delta_from_spec


def _specs(marker: Path) -> list[str]:
    quoted = repr(str(marker))
    return [
        f"os:system({'touch ' + str(marker)!r})",
        f"os.system({'touch ' + str(marker)!r})",
        f"subprocess:getoutput({'touch ' + str(marker)!r})",
        f"subprocess:run([{'touch'!r}, {quoted}])",
        f"builtins:eval({f'open({quoted}, chr(119))'!r})",
        f"builtins:exec({f'open({quoted}, chr(119))'!r})",
        f"shutil:copyfile({__file__!r}, {quoted})",
        f"pathlib:Path({quoted})",
        f"posix:system({'touch ' + str(marker)!r})",
        "sys:exit",  # without parentheses a delta is tried on 1.0: sys.exit(1.0) would end the process
        "os:_exit",
        f"user_mod:system({'touch ' + str(marker)!r})",  # re-exported from os by the user's module
        f"user_mod:subprocess.getoutput({'touch ' + str(marker)!r})",
        f"user_mod:partial_system({str(marker)!r})",
        "user_mod:make_system()",  # a factory that returns a standard-library callable
        "user_mod:make_builtin_class()",  # a factory that returns a built-in class (float(margin) is finite)
        "patarm.cli:main(['doctor'])",
    ]


@pytest.fixture
def user_mod(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    marker = tmp_path / "ran"
    (tmp_path / "user_mod.py").write_text(
        textwrap.dedent(
            """
            import functools
            import subprocess
            from os import system

            partial_system = functools.partial(system)

            def make_system():
                return system

            def make_builtin_class():
                return float
            """
        ),
        encoding="utf-8",
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    return marker


@pytest.mark.parametrize("index", range(17))
def test_a_spec_naming_the_standard_library_never_runs(user_mod: Path, index: int) -> None:
    spec = _specs(user_mod)[index]
    with pytest.raises(ValueError, match=r"^delta .*: (.* standard-library module|names |module |arguments must be)"):
        delta_from_spec(spec)
    with pytest.raises(ValueError, match=r"^reward\.patarm\.delta: "):
        PARSettings.from_mapping({"delta": spec}, "reward.patarm")
    with pytest.raises(ValueError, match=r"^PATARM_DELTA: "):
        PARSettings.from_env("PATARM_", {"PATARM_DELTA": spec})
    assert not user_mod.exists()


def test_the_message_says_what_a_spec_may_name() -> None:
    with pytest.raises(ValueError, match=r"os is a standard-library module; a delta spec names a built-in"):
        delta_from_spec("os:system('true')")
    with pytest.raises(ValueError, match=r"names patarm\.cli\.main, which is not a delta"):
        delta_from_spec("patarm.cli:main(['doctor'])")


def test_user_deltas_and_patarm_factories_still_resolve() -> None:
    assert delta_from_spec("custom_deltas:capped(max=2)") == Capped(2)
    assert delta_from_spec("custom_deltas:linear") is linear
    assert delta_from_spec("custom_deltas:Family.capped(max=2)") == Capped(2)
    assert delta_from_spec("patarm.rewards:graded_delta(threshold=1)")(1.5) == 1.0
    assert delta_from_spec("patarm.rewards._delta:ConstantDelta(value=0.5)")(3.0) == 0.5


def test_the_command_line_refuses_it_without_running_it(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    run = subprocess.run(
        [sys.executable, "-m", "patarm", "demo", "--delta", f"os:system('touch {marker}')", "--no-progress"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 2, run.stderr
    assert "standard-library module" in run.stderr and "Traceback" not in run.stderr
    assert not marker.exists()
