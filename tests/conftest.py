"""Hypothesis profiles: ``ci`` (the default: derandomised, 300 examples per property) and
``explore`` (random seeds, more examples) for hunting new counterexamples locally, and
``mutation`` (fewer examples, for tools/mutation.py)."""

from __future__ import annotations

import os

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
