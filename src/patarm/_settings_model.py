"""The base of patarm's pydantic settings objects: a refused value is a
:class:`~patarm.errors.ConfigError` naming the object and the field, never pydantic's own
``ValidationError`` (so ``except PatarmError`` and ``except ValueError`` both catch it).

>>> from pydantic import Field
>>> class Demo(SettingsModel):
...     samples: int = Field(1, ge=1)
>>> try:
...     Demo(samples=0)
... except ConfigError as exc:
...     print(exc)
Demo.samples: Input should be greater than or equal to 1 (got 0)
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError
from typing_extensions import Self

from patarm.errors import ConfigError

__all__ = ["SettingsModel", "config_error"]


def config_error(owner: str, exc: ValidationError) -> ConfigError:
    """One :class:`ConfigError` for every problem pydantic found, each as ``OWNER.FIELD: why (got X)``."""
    errors = exc.errors()
    inner = errors[0].get("ctx", {}).get("error") if len(errors) == 1 and not errors[0].get("loc") else None
    if isinstance(inner, ConfigError):  # our own __init__'s error, met again under model_validate
        return inner
    problems = []
    for error in errors:
        where = ".".join(str(part) for part in error.get("loc", ())) or error.get("type", "value")
        why = str(error.get("msg", "")).removeprefix("Value error, ")
        got = error.get("input")
        # pydantic's own constraint messages do not show the value; our validators' (value_error) do
        plain = error.get("type") not in ("value_error", "missing") and not isinstance(got, dict)
        shown = f" (got {got!r:.80})" if plain else ""
        problems.append(f"{owner}.{where}: {why}{shown}")
    return ConfigError("; ".join(problems))


class SettingsModel(BaseModel):
    """A pydantic model whose refused values raise :class:`~patarm.errors.ConfigError`."""

    def __init__(self, **data: Any) -> None:
        try:
            super().__init__(**data)
        except ValidationError as exc:
            raise config_error(type(self).__name__, exc) from None

    @classmethod
    def model_validate(cls, obj: Any, *args: Any, **kwargs: Any) -> Self:
        """As pydantic's, with a refused value raised as :class:`~patarm.errors.ConfigError`."""
        try:
            return super().model_validate(obj, *args, **kwargs)
        except ValidationError as exc:
            raise config_error(cls.__name__, exc) from None

    def replace(self, **changes: Any) -> Self:
        """A copy with ``changes`` applied, each checked as on creation (pydantic's
        ``model_copy(update=...)`` checks nothing)."""
        return type(self)(**{**{name: getattr(self, name) for name in type(self).model_fields}, **changes})
