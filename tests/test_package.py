"""The package as a whole: light import, public API, optional extras, command line."""

from __future__ import annotations

import importlib.metadata
import inspect
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import patarm
from patarm._extras import MissingExtraError, require
from patarm.cli import main

HEAVY = ["torch", "transformers", "datasets", "trl", "verl", "vllm", "openrlhf", "openai", "ray", "deepspeed"]


def _modules_after(statement: str) -> list[str]:
    code = f"import sys, json\n{statement}\nprint(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    return list(json.loads(out.stdout))


def test_import_is_light() -> None:
    assert _modules_after("import patarm, patarm.rewards, patarm.parsing, patarm.voting, patarm.sampling") == []


def test_commands_that_draw_load_matplotlib_only_to_draw() -> None:
    """The CLI's help and the packages with plots, their public ``plots`` modules included, load
    neither matplotlib nor a model stack: a plot imports matplotlib when it is drawn."""
    statement = (
        "import contextlib, io\n"
        "import patarm.audit.plots, patarm.analysis.plots, patarm.demo.plots, patarm.hackcheck.plots\n"
        "from patarm.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    main([])\n"
        "print(json.dumps(sorted(m for m in ('matplotlib', 'torch', 'transformers') if m in sys.modules)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", f"import sys, json\n{statement}"], check=True, capture_output=True, text=True
    )
    assert json.loads(out.stdout) == []


def test_stack_adapters_import_their_stack_lazily() -> None:
    statement = "import patarm.rendezvous, patarm.adapters.verl, patarm.adapters.openrlhf"
    assert not {"verl", "ray", "openrlhf"} & set(_modules_after(statement))


def test_verl_plugin_registers_both_managers_on_import_verl() -> None:
    pytest.importorskip("verl")
    code = (
        "import verl\n"
        "from verl.experimental.reward_loop.reward_manager import get_reward_manager_cls as loop\n"
        "from verl.workers.reward_manager import get_reward_manager_cls as legacy\n"
        "print(loop('patarm_par').__name__, legacy('patarm_pair').__name__)"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    assert out.stdout.split() == ["PARRewardLoopManager", "PairRewardManager"]


def test_openrlhf_paths_command() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "patarm.adapters.openrlhf"], check=True, capture_output=True, text=True
    ).stdout
    assert "pair_agent.py" in out and "reward_func.py" in out and "PATARM_ROLLOUTS_PER_SIDE" in out


def test_heavy_parts_load_on_first_use() -> None:
    assert "torch" in _modules_after("import patarm; patarm.PairSampler")


def test_public_api_is_exported() -> None:
    for name in patarm.__all__:
        assert getattr(patarm, name) is not None, name
    with pytest.raises(AttributeError):
        patarm.no_such_thing  # noqa: B018


def test_top_level_names_document_their_arguments() -> None:
    """Each exported function says what it takes and gives (``Args:``, ``Returns:``), each
    exported class what it is built from (``Args:``): the surface a newcomer reads first."""
    missing = []
    for name in patarm.__all__:
        obj = getattr(patarm, name)
        if inspect.isclass(obj):
            wanted = ["Args:"]
        elif callable(obj):
            wanted = ["Args:", "Returns:"]
        else:  # __version__
            continue
        doc = (inspect.getdoc(obj) or "") if obj.__doc__ else ""  # its own, not a base class's
        lines = {line.strip() for line in doc.splitlines()}
        missing += [f"{name}: {section}" for section in wanted if section not in lines]
    assert missing == []
    assert {"PARSettings", "PatarmError"} <= set(patarm.__all__)


def test_missing_extra_names_the_extra() -> None:
    with pytest.raises(MissingExtraError, match=r"pip install -e '\.\[vllm\]'"):
        require("patarm_no_such_module", "vllm")


def test_cli_selfcheck_passes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["selfcheck"]) == 0
    out = capsys.readouterr().out
    assert "self-check passed" in out
    assert "no_answer_tag" in out and "out_of_range" in out


def test_cli_version_and_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out.strip() == f"patarm {patarm.__version__}"
    assert main([]) == 0
    assert "selfcheck" in capsys.readouterr().out


def test_python_m_patarm_and_the_console_script_agree_on_the_version() -> None:
    want = f"patarm {patarm.__version__}"
    as_module = subprocess.run([sys.executable, "-m", "patarm", "--version"], capture_output=True, text=True)
    assert as_module.returncode == 0 and as_module.stdout.strip() == want
    script = shutil.which("patarm", path=str(Path(sys.executable).parent)) or shutil.which("patarm")
    if script is not None:  # installed (pip install -e .): the console script runs the same main()
        as_script = subprocess.run([script, "--version"], capture_output=True, text=True)
        assert as_script.returncode == 0 and as_script.stdout.strip() == want
        assert importlib.metadata.version("patarm") == patarm.__version__  # the wheel's metadata, too
    assert subprocess.run([sys.executable, "-m", "patarm"], capture_output=True, text=True).stdout.startswith(
        "usage: patarm "
    )


def test_console_script_runs() -> None:
    out = subprocess.run([sys.executable, "-m", "patarm", "selfcheck"], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr


def test_every_data_file_ships_in_the_wheel() -> None:
    """Templates are read at run time: each non-Python file under src/patarm must match package-data."""
    import fnmatch
    from pathlib import Path

    tomllib = pytest.importorskip("tomllib", reason="Python >= 3.11 reads TOML")

    root = Path(__file__).parent.parent
    patterns = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["patarm"]
    package = root / "src" / "patarm"
    data = [
        p.relative_to(package).as_posix() for p in package.rglob("*") if p.is_file() and p.suffix not in (".py", ".pyc")
    ]
    missing = [f for f in data if not any(fnmatch.fnmatch(f, pat) for pat in patterns)]
    assert data and missing == []


def test_readme_commands_share_one_transformers_range() -> None:
    """README's two commands run in one ``.venv``, the demo first: its extra must resolve the
    transformers range the test command's [dev] extra pins, or the second install downgrades
    transformers and strands packages (``kernels``) the newer one pulled in."""
    from pathlib import Path

    from packaging.requirements import Requirement

    tomllib = pytest.importorskip("tomllib", reason="Python >= 3.11 reads TOML")
    root = Path(__file__).parent.parent
    extras = tomllib.loads((root / "pyproject.toml").read_text())["project"]["optional-dependencies"]

    def transformers_specs(extra: str) -> set[str]:
        return {str(r.specifier) for r in map(Requirement, extras[extra]) if r.name == "transformers"}

    assert transformers_specs("demo"), "the demo extra leaves transformers free"
    assert transformers_specs("demo") <= transformers_specs("dev")


def test_ci_runs_readme_commands_in_readme_order() -> None:
    """.ci/run runs README's first command (the main job) before its second (the tests)."""
    from pathlib import Path

    run = (Path(__file__).parent.parent / ".ci" / "run").read_text()
    assert run.index('bash -euo pipefail -c "$main_command"') < run.index('bash -euo pipefail -c "$test_command"')


def test_docs_never_install_patarm_from_a_package_index() -> None:
    """patarm is on no package index: every documented install of it is from a checkout (or a git URL)."""
    import re
    from pathlib import Path

    root = Path(__file__).parent.parent
    pages = [root / "README.md", *(root / "docs").rglob("*.md"), *(root / "examples").rglob("*")]
    bad = re.compile(r"""pip install (?:-U )?['"]?patarm(?:\[[^\]]*\])?['"]?(?!\s*@)""")
    offenders = [
        f"{p.relative_to(root)}: {m.group(0)}"
        for p in pages
        if p.is_file() and p.suffix in (".md", ".py", ".sh", ".yaml")
        for m in bad.finditer(p.read_text(encoding="utf-8"))
    ]
    assert offenders == []
