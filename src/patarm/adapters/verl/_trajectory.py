"""What both verl reward managers read from one trajectory: its pair key and side, and
the score of its judgment."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from patarm.adapters.verl._settings import VerlSettings
from patarm.parsing import parse_judgment

__all__ = ["judged_score", "pair_key"]


def pair_key(fields: Mapping[str, Any], settings: VerlSettings, where: str = "this row") -> tuple[tuple[Any, Any], Any]:
    """``((data_source, pair_id), role)`` from a row's non-tensor fields (``extra_info`` first).

    Pairs are keyed by source and id, as in the paper's PairRewardManager.
    """
    extra = fields.get("extra_info") or {}
    pair_id = extra.get(settings.pair_id_key, fields.get(settings.pair_id_key))
    role = extra.get(settings.role_key, fields.get(settings.role_key))
    if pair_id is None or role is None:
        raise KeyError(
            f"{where}: PAR needs extra_info.{settings.pair_id_key} and extra_info.{settings.role_key} on every row "
            f"(build the parquet with `patarm data build-verl`); extra_info keys: {sorted(extra)}"
        )
    source = fields.get("data_source")
    return (None if source is None else str(source), pair_id), role


def judged_score(tokenizer: Any, response_ids: Any, valid_length: int, settings: VerlSettings) -> float | None:
    """The score of the judgment in the first ``valid_length`` response tokens (None: malformed)."""
    text = tokenizer.decode(response_ids[:valid_length], skip_special_tokens=True)
    return parse_judgment(text, settings.scale, integer=settings.integer_scores).score
