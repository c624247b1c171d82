"""The reference answer a policy sample carries in its data: verl's ``ground_truth``, an
OpenRLHF or slime ``label``, a dataset column.

:func:`reference_text` turns one such value into the text shown to the judge in its
``<reference>`` block; :func:`label_reference` finds it among an OpenRLHF / slime label's fields.
Nothing is dropped in silence: a value that is not text is shown as compact JSON.

>>> reference_text(42)
'42'
>>> reference_text({"ground_truth": "x = 5", "style": "rule"})
'x = 5'
>>> label_reference({"label": "math"}, known={"math", "chat"}) is None   # a domain name, not a reference
True
>>> from patarm.policy_rewards._domain import label_fields
>>> label_reference(label_fields('{"domain": "math", "reference": "4"}'))
'4'
"""

from __future__ import annotations

import json
from collections.abc import Container, Mapping, Sequence
from typing import Any

__all__ = ["REFERENCE_KEYS", "label_reference", "reference_text"]

# Fields of a label or of a ground-truth mapping that hold the reference answer, in this order.
REFERENCE_KEYS = ("reference", "ground_truth", "answer", "solution")


def reference_text(value: object) -> str | None:
    """One reference value as text: a string as is; a number in decimal; a mapping's first
    :data:`REFERENCE_KEYS` field (else the whole mapping); a list of strings one per line;
    anything else as compact JSON. None, or only whitespace, is no reference."""
    if value is None or isinstance(value, bool):
        return None if value is None else str(value).lower()
    if isinstance(value, str):
        return value if value.strip() else None
    if isinstance(value, int | float):
        return repr(value) if isinstance(value, float) else str(value)
    if isinstance(value, Mapping):
        for key in REFERENCE_KEYS:
            if value.get(key) is not None:
                return reference_text(value[key])
    elif isinstance(value, Sequence) and all(isinstance(v, str) for v in value):
        return "\n".join(str(v) for v in value) or None
    text = json.dumps(value, ensure_ascii=False, default=str, separators=(",", ":"))
    return text if text.strip() else None


def label_reference(fields: Mapping[str, Any], *, known: Container[str] = ()) -> str | None:
    """The reference answer in a label's fields (see :func:`label_fields`): the first of
    :data:`REFERENCE_KEYS`; else a plain label (``{"label": ...}``) unless it names a known
    domain (a label that is a domain name picks the rubric, see :func:`data_domain`)."""
    for key in REFERENCE_KEYS:
        if fields.get(key) is not None:
            return reference_text(fields[key])
    label = fields.get("label")
    if isinstance(label, str) and label in known:
        return None
    return reference_text(label)
