"""Recover the conversation and the response from a policy's decoded text (OpenRLHF's ``query``).

OpenRLHF sends its reward server ``query`` = the decoded prompt + response tokens, chat template
and special tokens included, and ``prompts`` = the prompt text it fed the policy. Two ways back:

- ``"prefix"``: the query starts with its prompt, so the response is what follows it;
- ``"marker"``: the response is the last assistant turn of the query, found by the template's
  turn headers (works when the prompt is not sent, or was truncated on the left: text before
  the first header becomes a user message);
- ``"auto"`` (the default): prefix when the query starts with the prompt, else marker.

Either way the response is cut at the template's turn end, its special tokens dropped and, with
``strip_thinking``, a leading ``<think>...</think>`` block removed (the judge scores the answer).
The conversation before the response comes back as chat messages, read with the same template.

>>> query = "<|im_start|>user\\nSay hi.<|im_end|>\\n<|im_start|>assistant\\nHi!<|im_end|>"
>>> split = split_query(query, "<|im_start|>user\\nSay hi.<|im_end|>\\n<|im_start|>assistant\\n")
>>> split.prompt, split.response, split.method
([{'role': 'user', 'content': 'Say hi.'}], 'Hi!', 'prefix')
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from patarm.errors import (
    InputError,
    QuerySplitError,
)
from patarm.policy_rewards._template import CHATML, ChatTemplate, Turn

__all__ = ["QuerySplit", "QuerySplitError", "SplitMode", "clean_response", "split_query"]

SplitMode = Literal["auto", "prefix", "marker"]
_THINK = re.compile(r"^\s*<think>.*?</think>", re.DOTALL)


@dataclass(frozen=True)
class QuerySplit:
    """A conversation (chat messages before the response) and the response text."""

    prompt: list[dict[str, str]]
    response: str
    method: Literal["prefix", "marker"]


def _messages(turns: list[Turn]) -> list[dict[str, str]]:
    return [{"role": t.role, "content": t.content.strip()} for t in turns]


def clean_response(raw: str, template: ChatTemplate = CHATML, strip_thinking: bool = True) -> str:
    """A policy's response as the judge reads it: cut at the template's turn end, its special
    tokens dropped and, with ``strip_thinking``, a leading ``<think>...</think>`` block removed.

    >>> clean_response("<think>hmm</think> Hi!<|im_end|>")
    'Hi!'
    """
    return _response(raw, template, strip_thinking)


def _response(raw: str, template: ChatTemplate, strip_thinking: bool) -> str:
    if template.turn_end:
        cut = raw.find(template.turn_end)
        if cut >= 0:
            raw = raw[:cut]
    text = template.clean(raw)
    if strip_thinking:
        text = _THINK.sub("", text, count=1)
    return text.strip()


def _prompt_messages(prompt: str, template: ChatTemplate) -> list[dict[str, str]]:
    turns = template.turns(prompt)
    if turns and turns[-1].role == "assistant" and not turns[-1].closed and not turns[-1].content.strip():
        turns = turns[:-1]  # the generation prompt: the assistant turn the response fills
    if not turns:
        text = template.clean(prompt).strip()
        if not text:
            raise QuerySplitError(f"the prompt holds no text once the {template.name!r} template's markers are removed")
        return [{"role": "user", "content": text}]
    return _messages(turns)


def split_query(
    query: str,
    prompt: str | None = None,
    *,
    template: ChatTemplate = CHATML,
    mode: SplitMode = "auto",
    strip_thinking: bool = True,
) -> QuerySplit:
    """Split a decoded prompt + response into the conversation and the response.

    Raises :class:`QuerySplitError` when ``mode`` cannot apply: "prefix" without a prompt that
    the query starts with, "marker" without an assistant turn (or nothing before it).
    """
    if mode not in ("auto", "prefix", "marker"):
        raise InputError(f"mode must be 'auto', 'prefix' or 'marker', got {mode!r}")
    if mode != "marker" and prompt and query.startswith(prompt):
        return QuerySplit(
            _prompt_messages(prompt, template), _response(query[len(prompt) :], template, strip_thinking), "prefix"
        )
    if mode == "prefix":
        why = "no prompt was given" if not prompt else "the query does not start with its prompt"
        raise QuerySplitError(f"cannot split by prefix: {why} (try mode 'marker' or 'auto')")
    if not template.header:
        raise QuerySplitError(
            "cannot split by marker without a chat template: the query does not start with its prompt, and "
            "template 'none' has no assistant-turn marker to split on"
        )
    turns = template.turns(query)
    last = max((k for k, t in enumerate(turns) if t.role == "assistant"), default=None)
    if last is None:
        raise QuerySplitError(
            f"no assistant turn in the query for the {template.name!r} chat template: {query[:120]!r}"
        )
    before = _messages(turns[:last])
    preamble = template.preamble(query)
    if preamble:  # the rest of a turn whose header was cut off (OpenRLHF truncates long prompts on the left)
        before.insert(0, {"role": "user", "content": preamble})
    if not before:
        raise QuerySplitError("the query has an assistant turn but no conversation before it")
    return QuerySplit(before, _response(turns[last].content, template, strip_thinking), "marker")
