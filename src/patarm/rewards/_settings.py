"""The PAR settings: one typed object behind every entry point (Python, TRL, verl YAML,
OpenRLHF environment variables, the command line).

Each setting is one field of a pydantic model whose ``description`` documents it; the readers
(:meth:`PARSettings.from_mapping` for verl YAML, :meth:`PARSettings.from_env` for
OpenRLHF's environment) and the command line take their defaults and help from the fields,
so a default is written once, here.

A delta is named by a spec string: a built-in (``graded``, ``constant``), or a dotted
path to the user's own (``my_pkg.deltas:capped`` or ``my_pkg.deltas.capped``), each
optionally called with literal arguments (``graded(threshold=1.5)``,
``my_pkg.deltas:capped(max=2)``). A built-in name is always called (``graded`` is
``GradedDelta()``); a dotted path without parentheses names the delta itself, with
parentheses a factory that returns it. A dotted path imports the user's module, like any
plugin, and may not name the standard library or a built-in function (``os:system(...)``
is refused before anything runs; see :mod:`patarm.rewards._delta_targets`).

>>> PARSettings().delta
GradedDelta(threshold=2.0, low=0.5, high=1.0)
>>> PARSettings.from_mapping({"delta": "constant(value=0.5)", "fallback_par": 0.1}).delta
ConstantDelta(value=0.5)
>>> PARSettings.from_env("PATARM_", {"PATARM_MALFORMED": "-2"}).format_reward
FormatReward(malformed=-2.0, well_formed=0.0)
"""

from __future__ import annotations

import ast
import importlib
import math
import os
import re
from collections.abc import Callable, Mapping
from functools import cached_property
from typing import Any

from pydantic import ConfigDict, Field, model_validator

from patarm._settings_model import SettingsModel
from patarm.errors import ConfigError
from patarm.rewards._delta import ConstantDelta, Delta, GradedDelta
from patarm.rewards._delta_targets import check_module, check_target
from patarm.rewards._format import FormatReward

__all__ = ["BUILTIN_DELTAS", "PARSettings", "delta_from_spec"]

BUILTIN_DELTAS: dict[str, Callable[..., Delta]] = {"graded": GradedDelta, "constant": ConstantDelta}

# name, then optional "(arguments)"; names are identifiers joined by "." with at most one ":".
_SPEC = re.compile(r"\s*([A-Za-z_][\w.]*(?::[A-Za-z_][\w.]*)?)\s*(?:\((.*)\))?\s*", re.DOTALL)


def _spec_arguments(text: str, spec: str) -> tuple[list[Any], dict[str, Any]]:
    """Literal positional and keyword arguments (``ast.literal_eval``: no code runs)."""
    try:
        call = ast.parse(f"_({text})", mode="eval").body
        assert isinstance(call, ast.Call)
        args = [ast.literal_eval(a) for a in call.args]
        kwargs = {str(k.arg): ast.literal_eval(k.value) for k in call.keywords if k.arg is not None}
        if len(kwargs) != len(call.keywords):
            raise ConfigError("**kwargs")
    except (SyntaxError, ValueError, TypeError, AssertionError) as exc:
        raise ConfigError(f"delta {spec!r}: arguments must be literals such as (max=2, low=0.5) ({exc})") from None
    return args, kwargs


def _import_path(path: str, spec: str) -> Any:
    """The object at ``pkg.module:attr`` or ``pkg.module.attr``."""
    if ":" in path:
        module_name, attr = path.split(":", 1)
    else:
        module_name, _, attr = path.rpartition(".")
    if not module_name or not attr:
        raise ConfigError(
            f"delta {spec!r}: expected one of {sorted(BUILTIN_DELTAS)} or a dotted path such as my_pkg.deltas:capped"
        )
    check_module(module_name, spec)
    try:
        obj: Any = importlib.import_module(module_name)
    except ImportError as exc:
        raise ConfigError(f"delta {spec!r}: cannot import module {module_name!r} ({exc})") from None
    for name in attr.split("."):
        if not hasattr(obj, name):
            raise ConfigError(f"delta {spec!r}: module {module_name!r} has no attribute {attr!r}")
        obj = getattr(obj, name)
    check_target(obj, spec)
    return obj


def delta_from_spec(spec: str) -> Delta:
    """The delta a spec string names (see the module docstring for the forms).

    >>> delta_from_spec("graded(threshold=1.0)")(1.5), delta_from_spec("constant")(0.1)
    (1.0, 1.0)
    """
    match = _SPEC.fullmatch(spec)
    if match is None:
        raise ConfigError(
            f"delta {spec!r}: expected a name or dotted path with optional literal arguments, "
            "such as graded, graded(threshold=1.5) or my_pkg.deltas:capped(max=2)"
        )
    name, arguments = match.group(1), match.group(2)
    args, kwargs = _spec_arguments(arguments, spec) if arguments is not None else ([], {})
    builtin = BUILTIN_DELTAS.get(name)
    target = builtin if builtin is not None else _import_path(name, spec)
    if builtin is None and arguments is None:
        return _checked(target, spec)
    if not callable(target):
        raise ConfigError(f"delta {spec!r}: {name} is not callable")
    try:
        made = target(*args, **kwargs)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"delta {spec!r}: {exc}") from None
    if builtin is None:
        check_target(made, spec)
    return _checked(made, spec)


def _checked(delta: Any, spec: str) -> Delta:
    """A delta must map a positive margin to a finite number; try it once on 1.0."""
    if not callable(delta):
        raise ConfigError(f"delta {spec!r}: names {delta!r}, which is not callable (margin -> reward)")
    try:
        value = float(delta(1.0))
    except Exception as exc:
        raise ConfigError(
            f"delta {spec!r}: calling it on the margin 1.0 failed ({type(exc).__name__}: {exc}); "
            "to call a factory that returns the delta, write its arguments: name() or name(k=v)"
        ) from None
    if not math.isfinite(value):
        raise ConfigError(f"delta {spec!r}: returned {value!r} for the margin 1.0 (a reward must be finite)")
    return delta  # type: ignore[no-any-return]


def _number(raw: Any, where: str) -> float:
    if isinstance(raw, bool):
        raise ConfigError(f"{where}: expected a number, got {raw!r}")
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise ConfigError(f"{where}: expected a number, got {raw!r}") from None
    if not math.isfinite(value):
        raise ConfigError(f"{where}: expected a finite number, got {raw!r}")
    return value


def _count(raw: Any, where: str) -> int | None:
    if raw is None or raw == "":
        return None
    number = _number(raw, where)
    if number != int(number) or number < 1:
        raise ConfigError(f"{where}: expected an integer >= 1, got {raw!r}")
    return int(number)


def _delta(raw: Any, where: str) -> Delta:
    """A spec string or a delta object, checked alike; the error names where the value came from."""
    try:
        return delta_from_spec(raw) if isinstance(raw, str) else _checked(raw, repr(raw))
    except ValueError as exc:
        raise ConfigError(f"{where}: {str(exc).removeprefix('delta ')}") from None


# How a raw value (YAML scalar, environment string) becomes each field's type.
_READERS: dict[str, Callable[[Any, str], Any]] = {
    "delta": _delta,
    "malformed": _number,
    "well_formed": _number,
    "fallback_par": _number,
    "timeout_s": _number,
    "rollouts_per_side": _count,
}


class PARSettings(SettingsModel):
    """How the Preference-Aware Reward turns a pair's judged scores into rewards.

    A frozen pydantic model (the idiom of every patarm settings object), hashable and
    picklable (Ray and multiprocessing pickle it; the delta must be picklable too: the
    built-ins and module-level functions are).

    Each field's default and help text are written once, on the field (:meth:`help`,
    :meth:`default_text`); a string value is read as verl YAML or an environment variable
    would give it. ``format_reward`` is derived from ``malformed`` and ``well_formed``.

    Args:
        delta: Margin (score points) -> reward magnitude: a callable, or a spec string
            (``graded``, ``constant(value=0.5)``, ``my_pkg.deltas:capped(max=2)``). Default:
            the paper's graded delta.
        malformed: Format reward of a rollout with no parsable score on the scale.
        well_formed: Format reward of a rollout with a parsable score.
        fallback_par: PAR given to a well-formed rollout whose partner side did not arrive
            within ``timeout_s`` (the rendezvous counts it as a timeout).
        timeout_s: Seconds a rollout waits at the rendezvous for its pair's other side; > 0.
        rollouts_per_side: Rollouts of each side the rendezvous waits for (verl
            ``rollout.n``); None where the whole batch is seen at once (TRL).

    Raises:
        ConfigError: A value cannot be read (a bad delta spec, a non-finite number, a
            ``rollouts_per_side`` below 1), ``timeout_s`` is not positive, or a name is not
            a setting; the message names the setting. It is a ``ValueError`` too.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)

    delta: Delta = Field(
        default_factory=GradedDelta,
        description="margin -> reward magnitude: graded (the paper's choice: 0.5 up to a margin of 2, 1.0 above), "
        "constant (1.0 for every positive margin; the paper reports it collapses late in training for "
        "large models), graded(threshold=1.5, low=0.5, high=1.0), or your own as a dotted path with "
        "literal arguments, e.g. my_pkg.deltas:capped(max=2)",
    )
    malformed: float = Field(
        FormatReward.malformed, description="format reward of a rollout with no parsable score on the scale"
    )
    well_formed: float = Field(FormatReward.well_formed, description="format reward of a rollout with a parsable score")
    fallback_par: float = Field(
        0.0,
        description="PAR given to a well-formed rollout whose partner side never arrived within timeout_s "
        "(added to its format reward; the rollout is counted as a timeout)",
    )
    timeout_s: float = Field(
        900.0, description="seconds a rollout waits at the rendezvous for its pair's other side (verl, OpenRLHF)"
    )
    rollouts_per_side: int | None = Field(
        None,
        description="rollouts of each side of a pair that the rendezvous waits for (verl: rollout.n; OpenRLHF "
        "side rows: n_samples_per_prompt); unset where the whole batch is seen at once (TRL)",
    )

    @model_validator(mode="before")
    @classmethod
    def _read(cls, data: Any) -> Any:
        """Every given value through its field's reader (a delta object too: it gets the
        check a spec string gets), so Python, YAML and environment values are read alike."""
        if not isinstance(data, Mapping):
            return data
        values = {name: _READERS[name](value, name) if name in _READERS else value for name, value in data.items()}
        timeout = values.get("timeout_s", 1.0)
        if not timeout > 0:
            raise ConfigError(f"timeout_s: expected > 0, got {timeout}")
        return values

    @cached_property
    def format_reward(self) -> FormatReward:
        """The format reward these settings give: ``malformed`` / ``well_formed``."""
        return FormatReward(self.malformed, self.well_formed)

    @classmethod
    def names(cls) -> tuple[str, ...]:
        """The settings' names, in declaration order (the keys of YAML and, upper-cased, of env)."""
        return tuple(cls.model_fields)

    @classmethod
    def help(cls, name: str) -> str:
        """The documentation of one setting (drives the command line's ``--help``)."""
        return str(cls.model_fields[name].description)

    @classmethod
    def default(cls, name: str) -> Any:
        """The default of one setting, as the field declares it."""
        return cls.model_fields[name].get_default(call_default_factory=True)

    @classmethod
    def default_text(cls, name: str) -> str:
        """The default of one setting as a user would write it (``graded``, ``-1.0``, ``unset``)."""
        value = cls.default(name)
        for spec, factory in BUILTIN_DELTAS.items():
            if value == factory():  # a dataclass equals only an instance of its own class
                return spec
        return "unset" if value is None else str(value)

    @classmethod
    def from_mapping(cls, options: Mapping[str, Any], where: str = "") -> PARSettings:
        """From a mapping of field names (verl's ``reward.patarm`` YAML); a missing key takes
        the field's default, an unknown key or a bad value is an error naming it."""
        prefix = f"{where}." if where else ""
        unknown = sorted(set(options) - set(cls.names()))
        if unknown:
            raise ConfigError(f"{prefix}{unknown[0]}: unknown PAR setting; known: {list(cls.names())}")
        values = {k: _READERS[k](v, prefix + k) for k, v in options.items()}
        return cls(**values)

    @classmethod
    def from_env(cls, prefix: str = "PATARM_", env: Mapping[str, str] | None = None) -> PARSettings:
        """From ``{prefix}{FIELD}`` environment variables (OpenRLHF), e.g. ``PATARM_DELTA``,
        ``PATARM_FALLBACK_PAR``; an unset or empty variable takes the field's default."""
        source = os.environ if env is None else env
        values = {}
        for name in cls.names():
            key = prefix + name.upper()
            raw = source.get(key)
            if raw is not None and raw != "":
                values[name] = _READERS[name](raw, key)
        return cls(**values)

    def with_rollouts(self, rollouts_per_side: int | None) -> PARSettings:
        """The same settings with ``rollouts_per_side`` filled in where it is unset."""
        if self.rollouts_per_side is not None or rollouts_per_side is None:
            return self
        return self.replace(rollouts_per_side=rollouts_per_side)

    def require_rollouts(self, hint: str) -> int:
        """``rollouts_per_side``, or an error saying how to set it."""
        if self.rollouts_per_side is None:
            raise ConfigError(f"rollouts_per_side is not set: {hint}")
        return self.rollouts_per_side
