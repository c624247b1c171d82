"""Which code a delta spec string may name: the user's own, never the standard library.

A delta spec comes from configuration (verl YAML, every OpenRLHF worker's environment, the
command line), so ``os:system("...")`` or ``subprocess:getoutput("...")`` must not run even
though their arguments are literals. Before anything is called, the target a dotted path
names (and, after a factory call, what the factory returned) is checked:

- a module of the standard library or a built-in module is refused before it is imported
  (``os``, ``subprocess``, ``builtins``, ``shutil``, ...);
- an object defined in such a module is refused wherever it was found (``my_pkg:system``
  after ``from os import system`` in my_pkg), as is any built-in function or method
  (``print``, ``eval``, a bound ``str.format``) and an instance of a standard-library class
  (``functools.partial``);
- inside patarm, only the delta classes and factories may be named.

A dotted path imports the user's module, like any plugin; the module itself is trusted as
the user's code.

>>> check_module("os", "os:system('id')")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
patarm.errors.ConfigError: delta "os:system('id')": os is a standard-library module; a delta spec names a built-in ...
"""

from __future__ import annotations

import builtins
import sys
import types
from typing import Any

from patarm.errors import ConfigError

__all__ = ["check_module", "check_target"]

# patarm's own names a spec may reach (the built-ins' classes and factories).
_PATARM_DELTAS = frozenset(
    {
        "patarm.rewards._delta.GradedDelta",
        "patarm.rewards._delta.ConstantDelta",
        "patarm.rewards._delta.graded_delta",
        "patarm.rewards._delta.constant_delta",
    }
)
_BUILTIN_CALLABLES = (
    types.BuiltinFunctionType,
    types.BuiltinMethodType,
    types.MethodWrapperType,
    types.WrapperDescriptorType,
    types.MethodDescriptorType,
    types.ClassMethodDescriptorType,
)
_HINT = "a delta spec names a built-in (graded, constant) or your own module's delta"


def _standard(module: str) -> bool:
    top = module.split(".", 1)[0]
    return top in sys.stdlib_module_names or top in sys.builtin_module_names


def check_module(module: str, spec: str) -> None:
    """Refuse, before it is imported, a module a delta spec may not name."""
    if _standard(module):
        raise ConfigError(f"delta {spec!r}: {module.split('.', 1)[0]} is a standard-library module; {_HINT}")


def _home(obj: Any) -> tuple[str, str]:
    """The module and qualified name that define ``obj`` (its class's, for an instance).

    A class made by code run without a module name (``exec``) says ``builtins`` too; only the
    objects that really are in :mod:`builtins` count as built-in.
    """
    defining = obj if isinstance(obj, (type, types.FunctionType, types.MethodType)) else type(obj)
    module = str(getattr(defining, "__module__", None) or "")
    name = str(getattr(defining, "__qualname__", ""))
    if module == "builtins" and vars(builtins).get(name) is not defining:
        return "", name
    return module, name


def check_target(obj: Any, spec: str) -> None:
    """Refuse an object a delta spec may not call (see the module docstring); an object that
    cannot be called is left to the caller's "not callable" error."""
    if not callable(obj):
        return
    if isinstance(obj, _BUILTIN_CALLABLES):
        raise ConfigError(f"delta {spec!r}: names the built-in {getattr(obj, '__name__', obj)!r}; {_HINT}")
    module, name = _home(obj)
    if _standard(module):
        raise ConfigError(f"delta {spec!r}: names {module}.{name}, from the standard library; {_HINT}")
    if (module == "patarm" or module.startswith("patarm.")) and f"{module}.{name}" not in _PATARM_DELTAS:
        raise ConfigError(f"delta {spec!r}: names {module}.{name}, which is not a delta; {_HINT}")
