"""Command-line options for the PAR settings, built from :class:`patarm.rewards.PARSettings`'s
fields: each option's help is the field's description and its flag follows the one rule of
:func:`patarm.cli._fields.flag_name`, so the command line, YAML and environment variables
describe a setting in the same words. (The delta is given as its spec text, which
:class:`PARSettings` reads, so these options are built here rather than by ``add_fields``.)"""

from __future__ import annotations

import argparse
from collections.abc import Mapping, Sequence

from patarm.cli._fields import flag_name
from patarm.cli._numbers import finite_float
from patarm.rewards import PARSettings

__all__ = ["add_par_arguments", "par_settings"]

_METAVARS = {"delta": "SPEC", "rollouts_per_side": "N", "timeout_s": "SECONDS"}
# The real-valued settings are refused at parse time when not finite (PARSettings checks them again).
_TYPES = {
    "malformed": finite_float(),
    "well_formed": finite_float(),
    "fallback_par": finite_float(),
    "timeout_s": finite_float(0, low_open=True),
}


def add_par_arguments(
    parser: argparse.ArgumentParser,
    names: Sequence[str],
    *,
    defaults: Mapping[str, str] | None = None,
    notes: Mapping[str, str] | None = None,
) -> None:
    """One ``--name`` option per PAR setting in ``names``; ``defaults`` overrides a
    setting's default for this command (say why in ``notes``, which is added to the help)."""
    chosen = dict(defaults or {})
    for name in names:
        default = chosen.get(name)
        shown = default if default is not None else PARSettings.default_text(name)
        note = f" {notes[name]}" if notes and name in notes else ""
        parser.add_argument(
            flag_name(name),
            dest=f"par_{name}",
            type=_TYPES.get(name, str),
            default=default,
            metavar=_METAVARS.get(name, "VALUE"),
            help=f"{PARSettings.help(name)}.{note} (default {shown})".replace("%", "%%"),
        )


def par_settings(args: argparse.Namespace) -> PARSettings:
    """The PAR settings the options name (an option left unset takes the field's default)."""
    given = {key[len("par_") :]: value for key, value in vars(args).items() if key.startswith("par_")}
    return PARSettings.from_mapping({k: v for k, v in given.items() if v is not None})
