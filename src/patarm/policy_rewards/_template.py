"""Read a rendered chat conversation back into turns, knowing how the policy's chat template marks them.

RL stacks hand a reward the policy's text as the model saw it: the chat template applied,
special tokens included (OpenRLHF decodes prompt + response with ``skip_special_tokens=False``).
A judge wants the conversation and the response as plain text. A :class:`ChatTemplate` says
how one template family marks a turn (a header naming the role, a turn-end token), which is
enough to recover them. Presets cover ChatML (Qwen, many others), Llama 3 and Gemma;
:func:`detect_chat_template` picks the preset that reads a tokenizer's own rendering back.

>>> CHATML.turns("<|im_start|>user\\nHi!<|im_end|>\\n<|im_start|>assistant\\nHello.<|im_end|>")
[Turn(role='user', content='Hi!', closed=True), Turn(role='assistant', content='Hello.', closed=True)]
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from patarm.errors import InputError

__all__ = ["CHATML", "CHAT_TEMPLATES", "GEMMA", "LLAMA3", "PLAIN", "ChatTemplate", "Turn", "detect_chat_template"]


@dataclass(frozen=True)
class Turn:
    """One turn read from rendered text; ``closed`` is False when the text ends inside it."""

    role: str
    content: str
    closed: bool


@dataclass(frozen=True)
class ChatTemplate:
    """How a chat template marks turns.

    - ``header``: a regular expression matching the start of a turn, its group 1 the role name
      ("" for :data:`PLAIN`: text without turn markers, read as one user message);
    - ``turn_end``: the text that closes a turn (the response ends there);
    - ``special``: special tokens removed wherever they appear in a turn (BOS, EOS, padding);
    - ``aliases``: template role names mapped to chat roles, e.g. Gemma's ``model`` -> ``assistant``.

    Picklable and hashable, so it travels inside reward functions and settings.
    """

    name: str
    header: str
    turn_end: str
    special: tuple[str, ...] = ()
    aliases: tuple[tuple[str, str], ...] = ()

    @cached_property
    def _pattern(self) -> re.Pattern[str]:
        return re.compile(self.header)

    def clean(self, text: str) -> str:
        """``text`` without the template's special tokens and turn-end markers."""
        for token in (*self.special, self.turn_end):
            if token:
                text = text.replace(token, "")
        return text

    def preamble(self, text: str) -> str:
        """The text before the first turn header, cleaned (a left-truncated turn, say; usually empty)."""
        if not self.header:
            return ""
        first = self._pattern.search(text)
        return self.clean(text[: first.start()] if first else text).strip()

    def turns(self, text: str) -> list[Turn]:
        """Every turn of ``text``, in order; text before the first header (a BOS, say) is ignored."""
        if not self.header:
            return [Turn("user", self.clean(text).strip(), True)] if text.strip() else []
        names = dict(self.aliases)
        matches = list(self._pattern.finditer(text))
        out = []
        for k, match in enumerate(matches):
            stop = matches[k + 1].start() if k + 1 < len(matches) else len(text)
            body = text[match.end() : stop]
            cut = body.find(self.turn_end) if self.turn_end else -1
            if cut >= 0:
                body = body[:cut]
            role = names.get(match.group(1), match.group(1))
            out.append(Turn(role, self.clean(body), cut >= 0))
        return out


CHATML = ChatTemplate("chatml", r"<\|im_start\|>(\w+)\n", "<|im_end|>", ("<|endoftext|>",))
LLAMA3 = ChatTemplate(
    "llama3",
    r"<\|start_header_id\|>(\w+)<\|end_header_id\|>\n\n",
    "<|eot_id|>",
    ("<|begin_of_text|>", "<|end_of_text|>", "<|eom_id|>"),
)
GEMMA = ChatTemplate(
    "gemma", r"<start_of_turn>(\w+)\n", "<end_of_turn>", ("<bos>", "<eos>", "<pad>"), (("model", "assistant"),)
)
PLAIN = ChatTemplate("none", "", "")

CHAT_TEMPLATES: Mapping[str, ChatTemplate] = {t.name: t for t in (CHATML, LLAMA3, GEMMA, PLAIN)}

_PROBE: list[dict[str, str]] = [
    {"role": "user", "content": "patarm-probe-user-1"},
    {"role": "assistant", "content": "patarm-probe-assistant"},
    {"role": "user", "content": "patarm-probe-user-2"},
]


def _reads_back(template: ChatTemplate, text: str) -> bool:
    turns = template.turns(text)
    wanted = [(m["role"], m["content"]) for m in _PROBE]
    found = [(t.role, t.content.strip()) for t in turns if t.role != "system"]
    if len(found) != len(wanted) + 1:
        return False
    last = turns[-1]
    return all(
        role == want_role and want in content for (role, content), (want_role, want) in zip(found, wanted, strict=False)
    ) and (last.role, last.content.strip(), last.closed) == ("assistant", "", False)


def detect_chat_template(tokenizer: Any, candidates: Sequence[ChatTemplate] = (CHATML, LLAMA3, GEMMA)) -> ChatTemplate:
    """The preset that reads the tokenizer's own rendering of a probe conversation back.

    Renders a short user / assistant / user conversation with the generation prompt through
    ``tokenizer.apply_chat_template`` and returns the first candidate whose :meth:`ChatTemplate.turns`
    recovers every message and ends in an open assistant turn; a ``ValueError`` when none does.

    >>> from patarm.testing import build_tiny_tokenizer
    >>> detect_chat_template(build_tiny_tokenizer()).name
    'chatml'
    """
    if getattr(tokenizer, "chat_template", None) is None:
        raise InputError("the tokenizer has no chat template; pass a ChatTemplate preset (or 'none' for plain text)")
    text = str(tokenizer.apply_chat_template(_PROBE, tokenize=False, add_generation_prompt=True))
    for template in candidates:
        if _reads_back(template, text):
            return template
    names = ", ".join(t.name for t in candidates)
    raise InputError(
        f"no chat template preset ({names}) reads this tokenizer's rendering back: {text[:200]!r}; "
        "build a ChatTemplate(name, header=..., turn_end=...) for it"
    )
