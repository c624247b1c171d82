"""Numbers as a template shows them: a whole number without its ``.0``.

Shared by the rubric templates (:mod:`patarm.rubrics`) and the judge prompts
(:mod:`patarm.prompts`), so a scale of ``(1.0, 10.0)`` reads "1 to 10" in both.

>>> plain_number(10.0), plain_number(7.5)
(10, 7.5)
"""

from __future__ import annotations

__all__ = ["plain_number"]


def plain_number(value: float) -> int | float:
    """``value`` as an int when it is whole (``10.0`` -> ``10``), else unchanged."""
    return int(value) if value.is_integer() else value
