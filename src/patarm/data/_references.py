"""The reference answer of a data row: the value of the column the user named
(``--reference-col``), as the text the judge's ``<reference>`` block shows.

A row without that column is an error naming the row (a misspelt column would otherwise judge
every row without its reference, in silence); a null value, or one of only whitespace, is a row
without a reference; a number is shown in decimal, other values as
:func:`~patarm.policy_rewards.reference_text` shows them.

>>> row_reference({"prompt": "2+2?", "answer": 4}, "answer", 0)
'4'
>>> row_reference({"prompt": "2+2?", "answer": None}, "answer", 0) is None
True
>>> row_reference({"prompt": "2+2?"}, "answer", 3)  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
patarm.errors.RowError: row 3: field 'answer': expected the reference answer named by --reference-col (the ...
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from patarm.policy_rewards import reference_text
from patarm.types import RowError

__all__ = ["row_reference"]


def row_reference(row: Mapping[str, Any], column: str | None, index: int | str | None) -> str | None:
    """Row ``index``'s reference answer from ``column``; None when no column is named."""
    if column is None:
        return None
    if column not in row:
        raise RowError(index, column, "the reference answer named by --reference-col (the field is missing)", None)
    value = row[column]
    if isinstance(value, float) and value != value:  # NaN: a missing cell of a Parquet/pandas column
        return None
    return reference_text(value)
