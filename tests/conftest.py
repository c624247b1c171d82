"""Hypothesis profiles: ``ci`` (the default: derandomised, 300 examples per property) and
``explore`` (random seeds, more examples) for hunting new counterexamples locally, and
``mutation`` (fewer examples, for tools/mutation.py).

``PATARM_STACK=<stack>`` (set by .ci/stacks/<stack>.sh inside that stack's environment) turns
every skip into a failure: there, the stack's tests must run, not skip for a missing package."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    max_examples=300,
    derandomize=True,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
# Mutation testing reruns the covering properties for every mutant: fewer examples, same seeds.
settings.register_profile(
    "mutation", max_examples=40, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("explore", max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    outcome = yield
    report = outcome.get_result()
    stack = os.environ.get("PATARM_STACK")
    if stack and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"skipped inside the {stack!r} stack environment, where it must run: {reason}"
