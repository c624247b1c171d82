"""The settings every pair-reward adapter shares: where the pair fields are, the score
scale, integer scores and the rendezvous placement, with one default each.

Each adapter (TRL, verl, OpenRLHF) subclasses :class:`PairRewardSettings`, adds only its
own fields and reads them from its own source (keyword arguments, a YAML mapping,
environment variables) through :meth:`PairRewardSettings.read_shared`, so the shared
fields are parsed, checked and defaulted in one place.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from typing import Any

from patarm.errors import ConfigError
from patarm.parsing import DEFAULT_SCALE, Scale, check_scale, parse_scale
from patarm.rendezvous._shared import RENDEZVOUS_MODES

__all__ = ["DEFAULT_RENDEZVOUS", "PairRewardSettings"]

DEFAULT_RENDEZVOUS = "auto"
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


def _read_bool(value: object, where: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ConfigError(f"{where}={value!r}: expected true or false (1/0, yes/no)")


@dataclass(frozen=True)
class PairRewardSettings:
    """The pair-reward settings shared by the adapters.

    ``pair_id_key`` / ``role_key`` name the row fields holding the pair id and the side
    (``chosen`` / ``rejected``); ``scale`` is the judge's score scale; ``integer_scores``
    makes a non-integer score malformed; ``rendezvous`` is where the two sides of a pair
    meet: ``auto`` (a named Ray actor when running inside Ray, else this process),
    ``local`` or ``ray``. An adapter that sees whole batches (TRL) never waits at a
    rendezvous and ignores it.

    >>> PairRewardSettings(scale=(0, 5)).scale
    (0.0, 5.0)
    """

    pair_id_key: str = "pair_id"
    role_key: str = "role"
    scale: Scale = DEFAULT_SCALE
    integer_scores: bool = False
    rendezvous: str = DEFAULT_RENDEZVOUS

    def __post_init__(self) -> None:
        object.__setattr__(self, "scale", check_scale(self.scale))
        if self.rendezvous not in RENDEZVOUS_MODES:
            raise ConfigError(f"rendezvous: expected one of {RENDEZVOUS_MODES}, got {self.rendezvous!r}")

    @classmethod
    def shared_names(cls) -> tuple[str, ...]:
        """The names of the shared fields (this base's), in order."""
        return tuple(f.name for f in fields(PairRewardSettings))

    @classmethod
    def read_shared(cls, values: Mapping[str, Any], where: Callable[[str], str] = str) -> dict[str, Any]:
        """The shared fields present in ``values`` (plain values or their text, as read
        from YAML or the environment), converted and checked; an error names
        ``where(field)``. Fields absent from ``values`` are left out (their defaults apply).
        """
        out: dict[str, Any] = {}
        for name in cls.shared_names():
            if name not in values or values[name] is None or values[name] == "":
                continue
            value = values[name]
            try:
                if name == "scale":
                    out[name] = parse_scale(value) if isinstance(value, str) else check_scale(tuple(value))
                elif name == "integer_scores":
                    out[name] = _read_bool(value, where(name))
                elif name == "rendezvous":
                    mode = str(value)
                    if mode not in RENDEZVOUS_MODES:
                        raise ConfigError(f"expected one of {RENDEZVOUS_MODES}, got {mode!r}")
                    out[name] = mode
                else:
                    out[name] = str(value)
            except (ConfigError, TypeError) as exc:
                message = str(exc)
                raise ConfigError(message if message.startswith(where(name)) else f"{where(name)}: {message}") from None
        return out
