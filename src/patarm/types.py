"""Plain typed records shared by every layer: preference pairs and judgments.

Records are pydantic models so that bad input fails loudly, naming the field, and so that
they serialise to JSON lines without glue. Nothing here imports a model or a framework.

>>> pair = PreferencePair(pair_id="p1", prompt="2+2?", chosen="4", rejected="5")
>>> pair.role_of("4")
'chosen'
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator

from patarm.errors import (
    InputError,
    RowError,
)

__all__ = [
    "ChatMessage",
    "Judgment",
    "MalformedReason",
    "Prompt",
    "PreferencePair",
    "RowError",
    "Role",
    "ROLES",
]

Role = Literal["chosen", "rejected"]
ROLES: tuple[Role, Role] = ("chosen", "rejected")


class ChatMessage(BaseModel):
    """One chat turn, as the chat templates of transformers and the OpenAI API take it.

    Frozen; unknown fields are an error.

    Args:
        role: Who speaks: ``"system"``, ``"user"``, ``"assistant"`` or ``"tool"``.
        content: The text of the turn.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    role: Literal["system", "user", "assistant", "tool"]
    content: str


Prompt = str | list[ChatMessage]


class PreferencePair(BaseModel):
    """A prompt with one preferred (chosen) and one dispreferred (rejected) response.

    ``pair_id`` is what keeps the two sides together through sampling and rewards; an
    integer id is accepted and kept as its decimal string.

    Frozen; unknown fields are an error. Bad fields raise pydantic's ``ValidationError``;
    :meth:`from_row` turns it into a :class:`RowError` naming the row.

    Args:
        pair_id: Non-empty id shared by the pair's two sides (an int becomes its decimal string).
        prompt: The user's request: plain text, or a non-empty list of chat messages.
        chosen: The preferred response.
        rejected: The dispreferred response.
        domain: Task domain that picks the rubric (``chat``, ``math``, ``code``, ``safety``
            ...); None lets the rubric router decide.
        source: Where the pair comes from (a dataset or file name); None when unknown.
            Carried through for reporting (data statistics count pairs per source).
        reference: A reference answer (a ground truth, a solution) the judge compares both
            responses against; None: no reference block. Read from a column only when the
            user names one (``--reference-col``).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    pair_id: str
    prompt: Prompt
    chosen: str
    rejected: str
    domain: str | None = None
    source: str | None = None
    reference: str | None = None

    @field_validator("pair_id", mode="before")
    @classmethod
    def _id_as_text(cls, value: object) -> object:
        if isinstance(value, bool):
            return value  # rejected below: a bool is never an id
        if isinstance(value, int):
            return str(value)
        return value

    @field_validator("pair_id")
    @classmethod
    def _id_not_empty(cls, value: str) -> str:
        if not value.strip():
            raise InputError("pair_id must be a non-empty string")
        return value

    @field_validator("prompt")
    @classmethod
    def _prompt_not_empty(cls, value: Prompt) -> Prompt:
        if isinstance(value, list) and not value:
            raise InputError("a chat prompt needs at least one message")
        return value

    def response(self, role: Role) -> str:
        """The response text on one side of the pair."""
        return self.chosen if role == "chosen" else self.rejected

    def role_of(self, response: str) -> Role:
        """Which side a response text is; an error if it is neither (or both)."""
        if self.chosen == self.rejected:
            raise InputError(f"pair {self.pair_id!r}: chosen and rejected are identical")
        if response == self.chosen:
            return "chosen"
        if response == self.rejected:
            return "rejected"
        raise InputError(f"pair {self.pair_id!r}: response is neither side of the pair")

    @classmethod
    def from_row(cls, row: Mapping[str, Any], row_index: int | str | None = None) -> PreferencePair:
        """Build a pair from a loose mapping (a JSONL line, a dataset row).

        Errors are :class:`RowError`, naming ``row_index``, the field and the expected form.
        """
        if not isinstance(row, Mapping):
            raise RowError(row_index, "<row>", "a mapping of field names to values", row)
        try:
            return cls.model_validate(dict(row))
        except ValidationError as exc:
            err = exc.errors()[0]
            field = ".".join(str(p) for p in err.get("loc", ())) or "<row>"
            top = field.split(".")[0]
            expected = _EXPECTED.get(top, err.get("msg", "a valid value"))
            if err.get("type") == "extra_forbidden":
                expected = f"no such field (known: {', '.join(cls.model_fields)})"
            elif err.get("type") == "missing":
                expected = f"{expected} (the field is missing)"
            raise RowError(row_index, field, expected, err.get("input")) from None


_EXPECTED = {
    "pair_id": "a non-empty string or integer",
    "prompt": "a string or a non-empty list of {role, content} messages",
    "chosen": "a string",
    "rejected": "a string",
    "domain": "a string or null",
    "source": "a string or null",
    "reference": "a string or null",
}


class MalformedReason(str, enum.Enum):
    """Why a judge output carries no score. Stable strings, safe to count and log.

    Args:
        value: The stable string, e.g. ``MalformedReason("no_answer_tag")``.

    Attributes:
        NOT_TEXT: The output was not a string (None from a failed request, bytes, ...).
        NO_ANSWER_TAG: No closed answer block outside thinking.
        UNCLOSED_THINK: A think block still open at the end (a truncated generation).
        UNCLOSED_ANSWER: The last answer block was never closed (a truncated generation).
        EMPTY_ANSWER: The answer block holds only whitespace.
        NOT_A_NUMBER: The answer is not an ASCII decimal numeral.
        NOT_AN_INTEGER: A fractional score where integers were required.
        OUT_OF_RANGE: A number outside the scale.
    """

    NOT_TEXT = "not_text"
    NO_ANSWER_TAG = "no_answer_tag"
    UNCLOSED_THINK = "unclosed_think"
    UNCLOSED_ANSWER = "unclosed_answer"
    EMPTY_ANSWER = "empty_answer"
    NOT_A_NUMBER = "not_a_number"
    NOT_AN_INTEGER = "not_an_integer"
    OUT_OF_RANGE = "out_of_range"


class Judgment(BaseModel):
    """What a judge said about one response.

    ``score`` is None exactly when the output is malformed, and then ``malformed_reason``
    says why. A malformed judgment is never a zero: voting and rewards skip or count it.

    Frozen; unknown fields are an error. :func:`patarm.parse_judgment` builds it from a
    judge's text.

    Args:
        score: The final score, a float on the judge's scale (default 1 to 10); None when
            the output is malformed.
        criteria: The rubric the judge generated (its criteria block); None when absent.
        rationale: The judge's explanation (its rationale block, or its free text outside
            all blocks); None when absent.
        thinking: The reasoning inside think blocks, joined; None when there is none.
        raw: The judge's output exactly as received ("" when it was not text).
        malformed_reason: Why there is no score; None exactly when ``score`` is set.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    score: float | None
    criteria: str | None = None
    rationale: str | None = None
    thinking: str | None = None
    raw: str = ""
    malformed_reason: MalformedReason | None = None

    @model_validator(mode="after")
    def _score_xor_reason(self) -> Judgment:
        if (self.score is None) == (self.malformed_reason is None):
            raise InputError("a judgment has either a score or a malformed_reason, not both or neither")
        return self

    @property
    def well_formed(self) -> bool:
        return self.score is not None
