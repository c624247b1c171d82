"""TRL's prompt and completion shapes as plain text or messages: one reader for every TRL reward.

TRL hands a reward function text prompts and completions, or conversational ones (lists of
``{"role", "content"}`` messages).

>>> completion_text([{"role": "assistant", "content": "a"}, {"role": "assistant", "content": "b"}])
'ab'
>>> prompt_messages("Say hi.")
'Say hi.'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from patarm.errors import InputError

__all__ = ["completion_text", "prompt_messages"]


def completion_text(completion: Any) -> str:
    """A TRL completion as text: a string, or the contents of its assistant messages."""
    if isinstance(completion, str):
        return completion
    if isinstance(completion, Sequence) and all(isinstance(m, Mapping) for m in completion):
        return "".join(str(m.get("content", "")) for m in completion if m.get("role", "assistant") == "assistant")
    raise InputError(f"cannot read a completion of type {type(completion).__name__}: {completion!r:.80}")


def prompt_messages(prompt: Any) -> str | list[dict[str, str]]:
    """A TRL prompt for the judge: text as is, conversational prompts as plain {role, content} messages."""
    if isinstance(prompt, str):
        return prompt
    if isinstance(prompt, Sequence) and all(isinstance(m, Mapping) for m in prompt):
        return [{"role": str(m["role"]), "content": str(m.get("content", ""))} for m in prompt]
    raise InputError(f"cannot read a prompt of type {type(prompt).__name__}: {prompt!r:.80}")
