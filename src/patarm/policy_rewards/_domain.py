"""Which rubric domain a policy sample is judged in, and which number becomes its reward.

The domain comes from the data when it says so, in this order:

1. an explicit ``domain`` field (a TRL dataset column, an OpenRLHF label, verl's ``extra_info``);
2. an OpenRLHF label that is itself a known domain name (``--data.label_key`` pointing at a domain column);
3. instruction data (a row with IFEval's ``instruction_id_list``, or a verl ``data_source`` naming
   IFEval) gets ``instruction_domain`` (default ``"instruction_following"``; None turns this off);
4. else ``default_domain``; None leaves the choice to the judge's router.

>>> data_domain({"instruction_id_list": ["punctuation:no_comma"]})
'instruction_following'
>>> data_domain(label_fields('{"domain": "math"}'))
'math'
>>> data_domain({}, default_domain=None) is None
True
"""

from __future__ import annotations

import json
from collections.abc import Container, Mapping
from typing import Any

from patarm.judges import PointwiseResult
from patarm.policy_rewards._client import RemoteScore

__all__ = ["INSTRUCTION_DOMAIN", "INSTRUCTION_FIELDS", "data_domain", "label_fields", "reward_value"]

INSTRUCTION_DOMAIN = "instruction_following"
# Fields that mark a row as IFEval-style instruction data.
INSTRUCTION_FIELDS = ("instruction_id_list",)


def label_fields(label: object) -> dict[str, Any]:
    """An OpenRLHF label as fields: a mapping as is, a JSON object string decoded, else ``{"label": label}``."""
    if isinstance(label, Mapping):
        return {str(k): v for k, v in label.items()}
    if isinstance(label, str) and label.lstrip().startswith("{"):
        try:
            decoded = json.loads(label)
        except (json.JSONDecodeError, RecursionError):  # not JSON, or nested past the parser's limit
            return {"label": label}
        if isinstance(decoded, dict):
            return decoded
    return {} if label is None else {"label": label}


def data_domain(
    fields: Mapping[str, Any] | None,
    *,
    data_source: str | None = None,
    default_domain: str | None = None,
    instruction_domain: str | None = INSTRUCTION_DOMAIN,
    known: Container[str] = (),
) -> str | None:
    """The domain the data asks for (see the module docstring), or None to route."""
    fields = fields or {}
    domain = fields.get("domain")
    if isinstance(domain, str) and domain.strip():
        return domain.strip()
    label = fields.get("label")
    if isinstance(label, str) and label in known:
        return label
    if instruction_domain and (
        any(fields.get(key) is not None for key in INSTRUCTION_FIELDS)
        or (data_source is not None and "ifeval" in data_source.lower())
    ):
        return instruction_domain
    return default_domain


def reward_value(result: PointwiseResult | RemoteScore, *, use_expected_score: bool = False) -> float | None:
    """The judge's number for one response (judged in process, or by a server): the voted score,
    or the expected score when asked for and available; None when no sample parsed (never 0)."""
    if use_expected_score and result.expected_score is not None:
        return result.expected_score
    return result.score
