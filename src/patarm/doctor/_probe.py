"""What ``patarm doctor`` reads from the running interpreter: installed distributions, their
declared requirements, entry points, importable modules, CUDA. One object, so tests can plant
a problem (a fake distribution on ``sys.path``, a patched lookup) and see it reported."""

from __future__ import annotations

import importlib.util
from importlib import metadata

__all__ = ["EnvironmentProbe"]


class EnvironmentProbe:
    """Looks things up in the current environment; every method is a seam for tests."""

    def version(self, dist: str) -> str | None:
        """The installed version of ``dist``, or None when it is not installed."""
        try:
            return metadata.version(dist)
        except metadata.PackageNotFoundError:
            return None

    def requires(self, dist: str) -> list[str]:
        """The requirement strings ``dist`` declares (extras markers included)."""
        try:
            return list(metadata.requires(dist) or [])
        except metadata.PackageNotFoundError:
            return []

    def entry_point(self, group: str, name: str) -> metadata.EntryPoint | None:
        """The entry point ``name`` in ``group``, or None when no installed package declares it."""
        found = [ep for ep in metadata.entry_points(group=group) if ep.name == name]
        return found[0] if found else None

    def has_module(self, module: str) -> bool:
        """Whether ``module`` can be imported (found on the path; not imported)."""
        try:
            return importlib.util.find_spec(module) is not None
        except (ImportError, ValueError):
            return False

    def cuda_devices(self) -> int:
        """How many CUDA devices torch sees (0 without a GPU or without a CUDA build)."""
        import torch

        return int(torch.cuda.device_count()) if torch.cuda.is_available() else 0
