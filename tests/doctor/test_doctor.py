"""``patarm doctor``: each check sees the problem planted for it (a fake distribution on
``sys.path``, a patched lookup) and reports it with its fix; the ranges are pyproject's."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

from patarm.doctor import STACKS, EnvironmentProbe, Finding, check_stack, run_doctor
from patarm.doctor._checks import VERL_PLUGIN

ROOT = Path(__file__).parents[2]
MISSING = "patarm-doctor-planted-missing"  # a distribution no environment has


def plant(root: Path, name: str, version: str, requires: tuple[str, ...] = (), entry_points: str = "") -> None:
    """A fake installed distribution: ``NAME-VERSION.dist-info`` under ``root``."""
    info = root / f"{name.replace('-', '_')}-{version}.dist-info"
    info.mkdir(parents=True)
    lines = ["Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}"]
    lines += [f"Requires-Dist: {r}" for r in requires]
    (info / "METADATA").write_text("\n".join(lines) + "\n")
    if entry_points:
        (info / "entry_points.txt").write_text(entry_points)


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder first on ``sys.path``: distributions planted there shadow the real ones."""
    root = tmp_path / "site"
    root.mkdir()
    monkeypatch.syspath_prepend(str(root))
    return root


class NoGpu(EnvironmentProbe):
    """This machine's environment, minus any GPU module and CUDA device."""

    def has_module(self, module: str) -> bool:
        return False

    def cuda_devices(self) -> int:
        return 0


def failed(findings: list[Finding], check: str) -> list[Finding]:
    return [f for f in findings if f.check == check and not f.ok]


def test_stack_not_installed_names_its_install_command(site: Path) -> None:
    class Bare(EnvironmentProbe):
        def version(self, dist: str) -> str | None:
            return None

    for stack in STACKS.values():
        (finding,) = check_stack(stack, Bare(), gpu=False)
        assert not finding.ok and finding.check == "installed"
        assert finding.fix == stack.command and finding.fix.startswith("pip install torch==2.13.0 && ")


def test_transformers_outside_the_verl_range_is_reported_with_the_range(site: Path) -> None:
    plant(site, "verl", "0.9.1")
    plant(site, "transformers", "5.15.0")
    findings = check_stack(STACKS["verl"], EnvironmentProbe(), gpu=False)
    (bad,) = [f for f in failed(findings, "version") if "transformers" in f.message]
    assert "transformers 5.15.0 is installed; this stack needs >=5.9,<5.11" in bad.message
    assert bad.fix == "pip install 'transformers>=5.9,<5.11'"


def test_missing_required_distribution_and_old_framework(site: Path) -> None:
    plant(site, "openrlhf", "0.10.0")
    plant(site, "aiohttp", "3.0")
    problems = failed(check_stack(STACKS["openrlhf"], EnvironmentProbe(), gpu=False), "version")
    fixes = {f.fix for f in problems}
    assert "pip install --no-deps 'openrlhf>=0.11,<0.12'" in fixes  # never pull OpenRLHF's GPU pins
    assert "pip install 'aiohttp>=3.9'" in fixes


@pytest.mark.parametrize(("trl", "conflict"), [("1.16.0", True), ("0.27.0", False), (None, False)])
def test_trl_1_next_to_verl_is_the_known_conflict(site: Path, trl: str | None, conflict: bool) -> None:
    plant(site, "verl", "0.9.1")
    if trl:
        plant(site, "trl", trl)

    class NoTrl(EnvironmentProbe):  # the environment may hold a real TRL: hide it unless planted
        def version(self, dist: str) -> str | None:
            return trl if dist == "trl" else super().version(dist)

    problems = failed(check_stack(STACKS["verl"], NoTrl(), gpu=False), "conflict")
    assert bool(problems) == conflict
    if conflict:
        assert "AutoModelForCausalLMWithValueHead" in problems[0].message and "patarm[dev]" in problems[0].message
        assert problems[0].fix.startswith("pip uninstall -y trl")


def test_combined_environment_reports_the_conflict_on_its_own(site: Path) -> None:
    plant(site, "verl", "0.9.1")
    plant(site, "trl", "1.16.0")
    report = run_doctor(gpu=False)
    assert {"trl", "verl"} <= set(report.stacks) and not report.ok
    assert any(f.check == "conflict" and f.stack == "verl" for f in report.problems)
    assert "fix: pip uninstall -y trl" in report.render()


def test_missing_verl_core_modules(site: Path) -> None:
    plant(
        site,
        "verl",
        "0.9.1",
        requires=(f'{MISSING}>=0.1.10; extra == "verl-core"', 'packaging>=999; extra == "verl-core"', "numpy"),
    )
    (bad,) = failed(check_stack(STACKS["verl"], EnvironmentProbe(), gpu=False), "verl-core")
    assert f"{MISSING} (missing)" in bad.message and "(needs >=999)" in bad.message
    assert "numpy" not in bad.message  # a plain requirement, not the extra's
    assert bad.fix == "pip install 'verl[verl-core]==0.9.1'"


def test_openrlhf_hard_pins_gpu_ones_only_with_gpu_checks(site: Path) -> None:
    pins = ("packaging==0.0.1", f"{MISSING}==1.0", "deepspeed==0.19.6", "aiohttp", 'vllm==0.29.0; extra == "vllm"')
    plant(site, "openrlhf", "0.11.2", requires=pins)
    plant(site, "deepspeed", "0.1.0")

    def pin_fixes(probe: EnvironmentProbe, gpu: bool) -> set[str]:
        return {f.fix for f in failed(check_stack(STACKS["openrlhf"], probe, gpu=gpu), "pin")}

    no_gpu = pin_fixes(EnvironmentProbe(), gpu=False)
    assert no_gpu == {"pip install 'packaging==0.0.1'", f"pip install '{MISSING}==1.0'"}  # not vllm: an extra's
    assert pin_fixes(NoGpu(), gpu=True) == no_gpu | {"pip install 'deepspeed==0.19.6'"}
    report = run_doctor(["openrlhf"], gpu=False)
    assert f"openrlhf 0.11.2 pins {MISSING}==1.0; not installed" in report.render()


def test_verl_plugin_entry_point_missing_or_broken(site: Path) -> None:
    plant(site, "verl", "0.9.1")

    class NoEntryPoint(EnvironmentProbe):
        def entry_point(self, group: str, name: str) -> metadata.EntryPoint | None:
            return None

    (missing,) = failed(check_stack(STACKS["verl"], NoEntryPoint(), gpu=False), "plugin")
    assert "no 'patarm' entry point in group 'verl.plugins'" in missing.message
    assert missing.fix.startswith(STACKS["verl"].install)

    group, name = VERL_PLUGIN
    plant(site, "patarm", "0.0.0", entry_points=f"[{group}]\n{name} = patarm_doctor_no_such_module\n")
    (broken,) = failed(check_stack(STACKS["verl"], EnvironmentProbe(), gpu=False), "plugin")
    assert "ModuleNotFoundError" in broken.message and "patarm_doctor_no_such_module" in broken.message
    assert broken.fix == STACKS["verl"].command


def test_openrlhf_hook_file_missing_or_broken(site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import patarm.adapters.openrlhf as hooks

    plant(site, "openrlhf", "0.11.2")
    broken = tmp_path / "broken_agent.py"
    broken.write_text("import patarm_doctor_no_such_module\n")
    monkeypatch.setattr(hooks, "PAIR_AGENT_PATH", str(broken))
    monkeypatch.setattr(hooks, "REWARD_FUNC_PATH", str(tmp_path / "gone.py"))
    problems = failed(check_stack(STACKS["openrlhf"], EnvironmentProbe(), gpu=False), "hook")
    assert len(problems) == 2
    assert "ModuleNotFoundError" in problems[0].message and str(broken) in problems[0].message
    assert "gone.py fails to load: FileNotFoundError" in problems[1].message
    assert all(f.fix == STACKS["openrlhf"].command for f in problems)


@pytest.mark.parametrize("name", ["trl", "verl", "openrlhf"])
def test_gpu_pieces_and_cuda_are_reported_unless_skipped(site: Path, name: str) -> None:
    stack = STACKS[name]
    plant(site, stack.framework, "0.11.2" if name == "openrlhf" else "1.16.0" if name == "trl" else "0.9.1")
    with_gpu = check_stack(stack, NoGpu(), gpu=True)
    missing = {f.message.split()[0]: f.fix for f in failed(with_gpu, "gpu")}
    assert set(missing) == {p.module for p in stack.gpu}
    assert all(missing.values())
    (cuda,) = failed(with_gpu, "cuda")
    assert "no CUDA device" in cuda.message and "CUDA build of torch" in cuda.fix
    assert not [f for f in check_stack(stack, NoGpu(), gpu=False) if f.check in ("gpu", "cuda")]


def test_gpu_pieces_pass_when_present(site: Path) -> None:
    plant(site, "verl", "0.9.1")

    class Gpu(EnvironmentProbe):
        def has_module(self, module: str) -> bool:
            return True

        def cuda_devices(self) -> int:
            return 8

    findings = check_stack(STACKS["verl"], Gpu(), gpu=True)
    assert [f.ok for f in findings if f.check in ("gpu", "cuda")] == [True, True, True]


def test_ranges_are_the_ones_pyproject_installs() -> None:
    tomllib = pytest.importorskip("tomllib")
    from packaging.requirements import Requirement

    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    for stack in STACKS.values():
        declared = {Requirement(r).name.lower(): Requirement(r) for r in extras[stack.extra]}
        for pin in stack.requires:
            if pin.dist in declared:
                assert str(declared[pin.dist].specifier) == str(Requirement(f"x{pin.spec}").specifier), pin
            else:
                assert pin.dist == stack.framework == "openrlhf", f"{pin.dist} is not in patarm[{stack.extra}]"
        for pin in stack.forbids:
            assert pin.dist not in declared, f"patarm[{stack.extra}] installs {pin.dist}, which breaks it"
    assert "verl-core" in {e for r in extras["verl"] for e in Requirement(r).extras}


def test_readme_shows_each_stacks_one_command() -> None:
    readme = (ROOT / "README.md").read_text()
    for stack in STACKS.values():
        assert stack.command in readme, stack.name


def test_unknown_stack_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown stack nope"):
        run_doctor(["nope"])


def test_cli_json_and_exit_code_with_a_planted_problem(tmp_path: Path) -> None:
    plant(tmp_path, "fastapi", "0.1.0")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), *sys.path])}
    out = subprocess.run(
        [sys.executable, "-m", "patarm", "doctor", "--stack", "serve", "--json", "--no-gpu"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert out.returncode == 1, out.stderr
    report = json.loads(out.stdout)
    assert report["ok"] is False and report["stacks"] == {"serve": False} and report["gpu_checked"] is False
    (problem,) = [p for p in report["problems"] if "fastapi" in p["message"]]
    assert problem["message"].startswith("fastapi 0.1.0 is installed")
    assert problem["fix"] == "pip install 'fastapi>=0.110'"


def test_cli_text_exit_zero_when_ready(site: Path) -> None:
    for dist, version in (("fastapi", "0.120.0"), ("uvicorn", "0.30.0"), ("httpx", "0.28.0")):
        plant(site, dist, version)
    report = run_doctor(["serve"], gpu=False)
    assert report.ok and report.render().endswith("ready")
