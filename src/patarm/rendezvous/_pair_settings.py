"""The settings every pair-reward adapter shares: where the pair fields are, the score
scale, integer scores and the rendezvous placement, with one default each.

Each adapter (TRL, verl, OpenRLHF) subclasses :class:`PairRewardSettings`, adds only its
own fields and reads them from its own source (keyword arguments, a YAML mapping,
environment variables) through :meth:`PairRewardSettings.read_shared`, so the shared
fields are parsed, checked and defaulted in one place: the readers below, which the model
itself also applies to every value it is given.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from pydantic import ConfigDict, Field, model_validator

from patarm._settings_model import SettingsModel
from patarm.errors import ConfigError
from patarm.parsing import DEFAULT_SCALE, Scale, check_scale, parse_scale
from patarm.rendezvous._shared import RENDEZVOUS_MODES

__all__ = ["DEFAULT_RENDEZVOUS", "PairRewardSettings"]

DEFAULT_RENDEZVOUS = "auto"
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


def read_bool(value: object) -> bool:
    """A boolean as YAML or an environment variable gives it (``1``/``0``, ``yes``/``no``, ...)."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ConfigError(f"expected true or false (1/0, yes/no), got {value!r}")


def _read_scale(value: object) -> tuple[float, float]:
    if isinstance(value, str):
        return parse_scale(value)
    try:
        pair: tuple[Any, ...] = tuple(value)  # type: ignore[arg-type]
    except TypeError:
        raise ConfigError(f"scale must be a pair of numbers (low, high), got {value!r}") from None
    return check_scale(pair)


def _read_mode(value: object) -> str:
    mode = str(value)
    if mode not in RENDEZVOUS_MODES:
        raise ConfigError(f"expected one of {RENDEZVOUS_MODES}, got {mode!r}")
    return mode


def _read_key(value: object) -> str:
    if not isinstance(value, str) or not value:
        raise ConfigError(f"expected a field name, got {value!r}")
    return value


# How a raw value (a Python value, YAML scalar or environment string) becomes each shared field.
_READERS: dict[str, Callable[[object], Any]] = {
    "pair_id_key": _read_key,
    "role_key": _read_key,
    "scale": _read_scale,
    "integer_scores": read_bool,
    "rendezvous": _read_mode,
}


class PairRewardSettings(SettingsModel):
    """The pair-reward settings shared by the adapters (a frozen pydantic model, like every
    patarm settings object).

    ``pair_id_key`` / ``role_key`` name the row fields holding the pair id and the side
    (``chosen`` / ``rejected``); ``scale`` is the judge's score scale; ``integer_scores``
    makes a non-integer score malformed; ``rendezvous`` is where the two sides of a pair
    meet: ``auto`` (a named Ray actor when running inside Ray, else this process),
    ``local`` or ``ray``. An adapter that sees whole batches (TRL) never waits at a
    rendezvous and ignores it.

    >>> PairRewardSettings(scale=(0, 5)).scale
    (0.0, 5.0)
    >>> PairRewardSettings(scale="0,5", integer_scores="yes").integer_scores
    True
    """

    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)

    pair_id_key: str = Field("pair_id", description="the row field holding the pair id")
    role_key: str = Field("role", description="the row field holding the side, chosen or rejected")
    scale: Scale = Field(DEFAULT_SCALE, description="the judge's score scale, low and high")
    integer_scores: bool = Field(False, description="a non-integer score is malformed")
    rendezvous: str = Field(
        DEFAULT_RENDEZVOUS,
        description="where a pair's two sides meet: auto (a named Ray actor inside Ray, else this process), "
        f"local or ray; one of {RENDEZVOUS_MODES}",
    )

    @model_validator(mode="before")
    @classmethod
    def _read(cls, data: Any) -> Any:
        """Every shared value through its reader; an error names the class and the field."""
        if not isinstance(data, Mapping):
            return data
        values = dict(data)
        for name, reader in _READERS.items():
            if name in values:
                try:
                    values[name] = reader(values[name])
                except ConfigError as exc:
                    raise ConfigError(f"{cls.__name__}.{name}: {exc}") from None
        return values

    @classmethod
    def shared_names(cls) -> tuple[str, ...]:
        """The names of the shared fields (this base's), in order."""
        return tuple(PairRewardSettings.model_fields)

    @classmethod
    def read_shared(
        cls, values: Mapping[str, Any], where: Callable[[str], str] = str, names: Sequence[str] | None = None
    ) -> dict[str, Any]:
        """The fields ``names`` (default: the shared ones) present in ``values`` (plain values or
        their text, as read from YAML or the environment), converted and checked by the field's
        reader (a subclass's boolean fields by the same boolean reader); an error names
        ``where(field)``. Fields absent from ``values`` are left out (their defaults apply).
        """
        out: dict[str, Any] = {}
        for name in cls.shared_names() if names is None else names:
            if name not in values or values[name] is None or values[name] == "":
                continue
            reader = _READERS.get(name) or (read_bool if cls.model_fields[name].annotation is bool else str)
            try:
                out[name] = reader(values[name])
            except ConfigError as exc:
                raise ConfigError(f"{where(name)}: {exc}") from None
        return out
