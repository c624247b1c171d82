"""The row shapes ``patarm data build-sft --format`` writes, one per RL stack's SFT trainer.

- ``trl``: ``{prompt, completion, ...}``, TRL's prompt-completion rows (``SFTTrainer`` trains
  on the completion only);
- ``openrlhf``: the same rows; OpenRLHF's ``train_sft`` reads them with
  ``--data.input_key prompt --data.output_key completion --data.apply_chat_template``;
- ``verl``: ``{messages, ...}``, the prompt's chat messages followed by the completion's, the
  column verl 0.9's ``MultiTurnSFTDataset`` reads (``data.messages_key``; Parquet only).

The other columns (``domain``, ``pair_id``, ``role``, ``score``) travel unchanged.

>>> row = {"prompt": [{"role": "user", "content": "Judge."}],
...        "completion": [{"role": "assistant", "content": "<answer>9</answer>"}], "pair_id": "p"}
>>> [m["role"] for m in as_format(row, "verl")["messages"]], as_format(row, "trl") == row
(['user', 'assistant'], True)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from patarm.errors import ConfigError

__all__ = ["SFT_FORMATS", "as_format", "format_problem"]

SFT_FORMATS = ("trl", "openrlhf", "verl")


def format_problem(fmt: str, output: str, *, text_prompts: bool) -> str | None:
    """Why ``fmt`` cannot be written to ``output`` (None: it can), said before any judging."""
    if fmt != "verl":
        return None
    if text_prompts:
        return "--format verl writes chat messages (verl's MultiTurnSFTDataset); drop --text-prompts"
    if not output.lower().endswith(".parquet"):
        return f"--format verl: verl's SFT trainer reads Parquet; give an --output ending in .parquet, not {output!r}"
    return None


def as_format(row: Mapping[str, Any], fmt: str) -> dict[str, Any]:
    """``row`` (a conversational prompt-completion row of build-sft) in the shape of ``fmt``."""
    if fmt not in SFT_FORMATS:
        raise ConfigError(f"unknown SFT format {fmt!r}; expected one of {', '.join(SFT_FORMATS)}")
    if fmt != "verl":
        return dict(row)
    prompt, completion = row["prompt"], row["completion"]
    if not isinstance(prompt, list) or not isinstance(completion, list):
        raise ConfigError(f"pair {row.get('pair_id')!r}: --format verl needs chat messages, got text")
    rest = {key: value for key, value in row.items() if key not in ("prompt", "completion")}
    return {"messages": [*prompt, *completion], **rest}
