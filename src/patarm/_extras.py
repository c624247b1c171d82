"""Import an optional dependency, or fail with the pip extra that provides it."""

from __future__ import annotations

import importlib
from types import ModuleType

from patarm.errors import (
    MissingExtraError,
)

__all__ = ["MissingExtraError", "require"]


def require(module: str, extra: str) -> ModuleType:
    """Import ``module`` or raise :class:`MissingExtraError` naming ``patarm[extra]``.

    >>> require("json", "dev").__name__
    'json'
    """
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise MissingExtraError(
            f"{module!r} is not installed; it comes with the {extra!r} extra: pip install -e '.[{extra}]' "
            f"in a patarm checkout (or pip install 'patarm[{extra}] @ git+URL' from its repository)"
        ) from exc
