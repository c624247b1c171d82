"""OpenRLHF carries extra fields only in the ``label`` column (``--data.label_key``): pack
pair id, side and domain (and, for pair rows, both judge prompts) into it as JSON."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from patarm.data import judge_rows
from patarm.errors import InputError
from patarm.prompts import JudgePrompts
from patarm.rubrics import Router
from patarm.sampling import normalize_role
from patarm.types import PreferencePair

__all__ = ["openrlhf_rows", "pack_label", "unpack_label"]

MODES = ("pair-row", "side-row")


def pack_label(pair_id: str, role: str | None = None, domain: str | None = None, **fields: Any) -> str:
    """A JSON label; ``role`` is left out for pair rows (they hold both sides)."""
    body: dict[str, Any] = {"pair_id": pair_id, "domain": domain, **fields}
    if role is not None:
        body["role"] = normalize_role(role, f"pair {pair_id!r}")
    return json.dumps(body, ensure_ascii=False)


def unpack_label(label: Any, *, need: Sequence[str] = ("pair_id", "role")) -> dict[str, Any]:
    """The label's fields, or an error naming what is wrong and the expected form."""
    if isinstance(label, dict):
        body = label
    else:
        try:
            body = json.loads(label)
        except (TypeError, ValueError):
            raise InputError(
                f"label: expected a JSON object with {list(need)} (write the data with `patarm data build-openrlhf`), "
                f"got {label!r:.120}"
            ) from None
    if not isinstance(body, dict):
        raise InputError(f"label: expected a JSON object, got {type(body).__name__}: {label!r:.120}")
    missing = [k for k in need if body.get(k) is None]
    if missing:
        raise InputError(f"label: missing {missing}; expected a JSON object with {list(need)}, got {label!r:.120}")
    if "role" in body and body["role"] is not None:
        body = {**body, "role": normalize_role(body["role"], f"pair {body.get('pair_id')!r}")}
    return body


def openrlhf_rows(
    pairs: Sequence[PreferencePair],
    prompts: JudgePrompts | None = None,
    *,
    mode: str = "pair-row",
    router: Router | None = None,
) -> list[dict[str, Any]]:
    """Rows ``{input, label}`` for OpenRLHF's prompt dataset.

    ``input`` is chat messages: pass ``--data.apply_chat_template``.

    - ``pair-row``: one row per pair; ``label`` holds both judge prompts as chat messages
      (``chosen_messages``, ``rejected_messages``); use with the pair agent, which
      guarantees both sides in one rollout step.
    - ``side-row``: two rows per pair (``input`` = the judge prompt as chat messages, label with role);
      use with ``reward_func.py`` (pairing then depends on OpenRLHF's row shuffle).

    >>> rows = openrlhf_rows([PreferencePair(pair_id="p", prompt="2+2?", chosen="4", rejected="5")], mode="side-row")
    >>> [unpack_label(r["label"])["role"] for r in rows]
    ['chosen', 'rejected']
    """
    if mode not in MODES:
        raise InputError(f"mode: expected one of {MODES}, got {mode!r}")
    sides = list(judge_rows(pairs, prompts, router=router))
    out: list[dict[str, Any]] = []
    if mode == "side-row":
        for row in sides:
            out.append({"input": row["prompt"], "label": pack_label(row["pair_id"], row["role"], row["domain"])})
        return out
    for chosen, rejected in zip(sides[::2], sides[1::2], strict=True):
        label = pack_label(
            chosen["pair_id"],
            domain=chosen["domain"],
            chosen_messages=chosen["prompt"],
            rejected_messages=rejected["prompt"],
        )
        out.append({"input": chosen["prompt"], "label": label})
    return out
