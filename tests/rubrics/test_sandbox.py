"""Rubric and prompt templates render in Jinja's sandbox: a hostile template fails with its file named."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from patarm.prompts import JudgePrompts
from patarm.rubrics import RubricSet

HOSTILE = {
    "globals": "{{ cycler.__init__.__globals__.os.popen('echo PWNED').read() }}",
    "class_walk": "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "os": "{{ os.popen('echo PWNED').read() }}",
    "import": "{{ __import__('os').popen('echo PWNED').read() }}",
    "self_globals": "{{ self._TemplateReference__context }}",
    "include_file": "{% include '/etc/passwd' %}",
    "environ": "{{ scale_low.__class__.__init__.__globals__ }}",
    "mutate": "{% set x = [] %}{{ x.append(1) }}",
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_rubric_fails_with_the_file_named(tmp_path: Path, name: str) -> None:
    file = tmp_path / "evil.j2"
    file.write_text("Usefulness: " + HOSTILE[name] + "\n", encoding="utf-8")
    rubrics = RubricSet([tmp_path])
    with pytest.raises(ValueError, match=r"evil\.j2: the rubric template does not render") as caught:
        rubrics.get("evil")
    assert "PWNED" not in str(caught.value) and "root:" not in str(caught.value)


@pytest.mark.parametrize("name", ["globals", "os", "import", "include_file"])
def test_hostile_rubric_through_the_cli_is_one_clean_error(tmp_path: Path, name: str) -> None:
    (tmp_path / "evil.j2").write_text("Usefulness: " + HOSTILE[name] + "\n", encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "patarm", "rubrics", "--rubric-dir", str(tmp_path), "show", "evil"],
        capture_output=True,
        text=True,
        env=os.environ.copy(),
        timeout=120,
    )
    assert run.returncode != 0
    assert "Traceback" not in run.stderr
    assert "evil.j2" in run.stderr
    assert "PWNED" not in run.stdout + run.stderr


@pytest.mark.parametrize("name", ["globals", "os", "import", "include_file"])
def test_hostile_prompt_template_fails_with_the_file_named(tmp_path: Path, name: str) -> None:
    (tmp_path / "pointwise.j2").write_text(HOSTILE[name] + "\n", encoding="utf-8")
    prompts = JudgePrompts(template_dir=tmp_path)
    with pytest.raises(ValueError, match=r"pointwise\.j2: the judge template does not render") as caught:
        prompts.pointwise("Say hi.", "Hi!", domain="chat")
    assert "PWNED" not in str(caught.value)


def test_the_variables_we_pass_still_render(tmp_path: Path) -> None:
    (tmp_path / "fine.j2").write_text("Usefulness: rate {{ scale_low }} to {{ scale_high }}.\n", encoding="utf-8")
    assert RubricSet([tmp_path]).get("fine").criteria == "Usefulness: rate 1 to 10."
