"""Command-line options generated from a settings model's fields, so a flag's default, type,
choices, bounds and help are the field's and are written once.

The rule from field to flag: ``--`` + the field's name with ``_`` as ``-``, less a trailing
``_s`` (seconds, said in the help): ``max_items_per_request`` is ``--max-items-per-request``,
``request_timeout_s`` is ``--request-timeout``. A boolean field is a pair,
``--strip-thinking`` / ``--no-strip-thinking``, so no flag inverts its field. The option's
``dest`` is the field's name. Former spellings stay as deprecated aliases that set the same
field (an alias may set a boolean field to a fixed value: ``--one-order`` is
``--no-both-orders``). A field whose flag may also be given alone (``--quick`` for
``--quick 300``) names that value in ``bare``.

>>> import argparse
>>> from pydantic import BaseModel, Field
>>> class Demo(BaseModel):
...     request_timeout_s: float = Field(170.0, gt=0, description="seconds per request")
>>> parser = argparse.ArgumentParser()
>>> add_fields(parser, Demo, ["request_timeout_s"], aliases={"request_timeout_s": ["--timeout"]})
>>> parser.parse_args(["--timeout", "5"]).request_timeout_s
5.0
"""

from __future__ import annotations

import argparse
import types
import typing
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal, Union

import annotated_types
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from patarm.cli._common import int_at_least
from patarm.cli._numbers import finite_float

__all__ = ["Alias", "add_fields", "field_values", "flag_name"]

# (spelling, fixed value): a deprecated flag for a field; a fixed value makes it a switch.
Alias = str | tuple[str, object]
_Group = argparse.ArgumentParser | argparse._ArgumentGroup


def flag_name(field: str) -> str:
    """The flag of a settings field: ``request_timeout_s`` -> ``--request-timeout``."""
    return "--" + field.removesuffix("_s").replace("_", "-")


def _plain_type(annotation: object) -> tuple[object, bool]:
    """The field's type without ``| None``, and whether None was allowed."""
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) in (Union, types.UnionType) and type(None) in args:
        rest = [a for a in args if a is not type(None)]
        return (rest[0] if len(rest) == 1 else annotation), True
    return annotation, False


def _bounds(info: FieldInfo) -> dict[str, float | bool]:
    out: dict[str, float | bool] = {}
    for item in info.metadata:
        if isinstance(item, annotated_types.Ge):
            out["low"] = float(item.ge)  # type: ignore[arg-type]
        elif isinstance(item, annotated_types.Gt):
            out["low"], out["low_open"] = float(item.gt), True  # type: ignore[arg-type]
        elif isinstance(item, annotated_types.Le):
            out["high"] = float(item.le)  # type: ignore[arg-type]
        elif isinstance(item, annotated_types.Lt):
            out["high"], out["high_open"] = float(item.lt), True  # type: ignore[arg-type]
    return out


def _shown(value: object) -> str:
    if isinstance(value, tuple):
        return " ".join(f"{v:g}" if isinstance(v, float) else str(v) for v in value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _option(name: str, info: FieldInfo, help_text: str | None) -> dict[str, object]:
    """argparse keyword arguments for one field."""
    kind, optional = _plain_type(info.annotation)
    default = info.get_default(call_default_factory=True)
    text = help_text if help_text is not None else (info.description or "")
    kwargs: dict[str, object] = {"dest": name, "default": default}
    if kind is bool:
        kwargs["action"] = argparse.BooleanOptionalAction
    elif typing.get_origin(kind) is Literal:
        kwargs["choices"] = list(typing.get_args(kind))
    elif typing.get_origin(kind) is tuple:
        parts = typing.get_args(kind)
        kwargs.update(nargs=len(parts), type=finite_float(), metavar=("LOW", "HIGH") if len(parts) == 2 else None)
    elif kind is float:
        kwargs["type"] = finite_float(**_bounds(info))  # type: ignore[arg-type]
    elif kind is int:
        low = _bounds(info).get("low")
        kwargs["type"] = int_at_least(int(low)) if low is not None else int
    elif kind is not str:
        raise TypeError(f"{name}: no command-line form for a field of type {kind!r}")
    if ("type" in kwargs and "nargs" not in kwargs) or kind is str:
        # a field may name its value's placeholder (``json_schema_extra={"metavar": "DIR"}``)
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        kwargs["metavar"] = str(extra.get("metavar") or flag_name(name)[2:].upper().replace("-", "_"))
    if default is not None and not (kind is bool and default is False):
        text = f"{text} (default {_shown(default)})".strip()
    elif optional and default is None and "default" not in text:
        text = f"{text} (default: none)".strip()
    kwargs["help"] = text
    return kwargs


def add_fields(
    group: _Group,
    model: type[BaseModel],
    names: Iterable[str],
    *,
    aliases: Mapping[str, Sequence[Alias]] | None = None,
    short: Mapping[str, str] | None = None,
    helps: Mapping[str, str] | None = None,
    defaults: Mapping[str, object] | None = None,
    bare: Mapping[str, object] | None = None,
) -> None:
    """Add one option per named field of ``model`` to ``group`` (see the module's rule).

    ``aliases``: former spellings per field, kept working with a deprecation note in their
    help; ``short``: a one-letter flag per field (``-k``); ``helps``: a help text where the
    field's ``description`` does not suit a command; ``defaults``: a command's own default
    for a field (shown in the help); ``bare``: the value a field's flag takes when given
    without one (``nargs="?"``; said in the help).
    """
    for name in names:
        info = model.model_fields[name]
        kwargs = _option(name, info, (helps or {}).get(name))
        if defaults and name in defaults:
            base = str(kwargs["help"]).split(" (default ")[0]
            kwargs.update(default=defaults[name], help=f"{base} (default {_shown(defaults[name])})")
        if bare and name in bare:
            base, sep, tail = str(kwargs["help"]).partition(" (default")
            alone = f"{flag_name(name)} alone: {_shown(bare[name])}"
            kwargs.update(nargs="?", const=bare[name], help=f"{base}; {alone}{sep}{tail}")
        flags = [flag_name(name)] + ([short[name]] if short and name in short else [])
        group.add_argument(*flags, **kwargs)  # type: ignore[arg-type]
        for alias in (aliases or {}).get(name, ()):
            _add_alias(group, name, alias, kwargs)


def _add_alias(group: _Group, name: str, alias: Alias, kwargs: Mapping[str, object]) -> None:
    if isinstance(alias, tuple):
        spelling, value = alias
        shown = flag_name(name) if value is True else "--no-" + flag_name(name)[2:]
        group.add_argument(
            spelling,
            dest=name,
            action="store_const",
            const=value,
            default=argparse.SUPPRESS,
            help=f"deprecated: use {shown}",
        )
        return
    keep: dict[str, Any] = {k: v for k, v in kwargs.items() if k in ("type", "choices", "nargs", "const", "metavar")}
    group.add_argument(
        alias, dest=name, default=argparse.SUPPRESS, help=f"deprecated spelling of {flag_name(name)}", **keep
    )


def field_values(args: argparse.Namespace, names: Iterable[str]) -> dict[str, object]:
    """The parsed values of the named fields, ready for the model (a tuple stays a tuple)."""
    out: dict[str, object] = {}
    for name in names:
        value = getattr(args, name)
        out[name] = tuple(value) if isinstance(value, list) else value
    return out
