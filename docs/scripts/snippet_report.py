"""A pytest plugin for the snippet tests: a failed shell snippet reports its output.

pytest-codeblocks runs shell fences with ``subprocess.run(check=True, capture_output=True)``,
so a failure reports only the exit code; this adds the snippet's stdout and stderr.
Loaded with ``-p snippet_report`` (see .ci/stacks/docs.sh).
"""

from __future__ import annotations

import subprocess
from collections.abc import Generator
from typing import Any

import pytest


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[Any]) -> Generator[None, Any, None]:
    outcome = yield
    error = call.excinfo.value if call.excinfo is not None else None
    if isinstance(error, subprocess.CalledProcessError):
        report = outcome.get_result()
        out = (error.stdout or b"").decode(errors="replace")[-4000:]
        err = (error.stderr or b"").decode(errors="replace")[-4000:]
        report.longrepr = f"{item.nodeid}: exit {error.returncode}\n--- stdout\n{out}\n--- stderr\n{err}"
