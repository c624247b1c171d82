"""Read a judge's output: the final score, the generated criteria and the rationale.

The score is the LAST ``<answer>...</answer>`` block outside every ``<think>...</think>``
block, and it must be a number on the scale. Anything else is a malformed judgment
(score None plus a :class:`~patarm.types.MalformedReason`), never an exception and never
a zero. Tag names and the scale are parameters.

Rules, in the order the scanner applies them:

- ``<think>`` blocks nest by depth; tags inside them are ignored. A think block still open
  at the end makes the output malformed (``unclosed_think``).
- A ``</think>`` with no open block means the block was opened by the chat template (in
  the prompt), so everything before it is reasoning.
- A later ``<answer>`` replaces every earlier one; an ``<answer>`` still open at the end
  (a truncated generation) makes the output malformed (``unclosed_answer``), even when an
  earlier block was closed.
- Criteria and rationale are the last closed ``<criteria>`` / ``<rationale>`` blocks
  outside thinking. With no rationale block, the rationale is the free text outside all
  blocks (what an untagged judge writes before its answer), or None when there is none.

>>> parse_judgment("<think>maybe <answer>2</answer></think>Clear and right.<answer>8</answer>").score
8.0
>>> parse_judgment("<answer>eleven</answer>").malformed_reason.value
'not_a_number'
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from patarm._escaping import escape_tags
from patarm.types import Judgment, MalformedReason

__all__ = [
    "DEFAULT_SCALE",
    "Scale",
    "check_scale",
    "escape_tags",
    "final_answer_span",
    "format_judgment",
    "format_score",
    "parse_judgment",
    "parse_score",
]

Scale = tuple[float, float]
DEFAULT_SCALE: Scale = (1, 10)

# ASCII only: ``\\d`` would also take other scripts' digits, which ``float()`` accepts.
_NUMBER = re.compile(r"[+-]?(?=\.?[0-9])(?P<int>[0-9]*)(?:\.(?P<frac>[0-9]*))?(?:[eE](?P<exp>[+-]?[0-9]+))?")
_ASCII_SPACE = " \t\n\r\f\v"
_EXPONENT_DIGITS = 18


def check_scale(scale: Scale) -> tuple[float, float]:
    """Validate a ``(low, high)`` scale and return it as floats."""
    try:
        lo, hi = (float(v) for v in scale)
    except (TypeError, ValueError):
        raise ValueError(f"scale must be a pair of numbers (low, high), got {scale!r}") from None
    if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
        raise ValueError(f"scale must be finite with low < high, got {scale!r}")
    return lo, hi


def parse_score(
    content: str, scale: Scale = DEFAULT_SCALE, *, integer: bool = False
) -> tuple[float | None, MalformedReason | None]:
    """Read one score from the inside of an answer tag: ``(score, None)`` or ``(None, reason)``.

    A score is an ASCII decimal numeral (``7``, ``+7``, ``7.5``, ``.5``, ``7.``, ``1e1``), with
    ASCII whitespace around it: other digits (full-width, Arabic-Indic, Devanagari ...), other spaces, ``inf``,
    ``nan``, underscores and fractions are ``not_a_number``. ``integer=True`` decides on the
    exact decimal value, not on its float: ``7.0`` and ``0.7e1`` are 7, while
    ``7.00000000000000001`` (a float would round it to 7.0) is ``not_an_integer``. The range
    check compares the float value with the scale.

    Args:
        content: The text inside the answer tags; ASCII whitespace around it is ignored.
        scale: ``(low, high)``, both ends inclusive. Default ``(1, 10)``.
        integer: Also reject a score that is not a whole number (``not_an_integer``).

    Returns:
        ``(score, None)`` with the score as a float on the scale, or ``(None, reason)`` with
        the :class:`~patarm.types.MalformedReason` saying why there is no score.

    Raises:
        ValueError: ``scale`` is not two finite numbers with low < high (a caller's setting,
            never the judge's text).

    >>> parse_score("\\uff17")  # full-width 7
    (None, <MalformedReason.NOT_A_NUMBER: 'not_a_number'>)
    >>> parse_score(" 7.0 ", integer=True)
    (7.0, None)
    """
    lo, hi = check_scale(scale)
    text = content.strip(_ASCII_SPACE)
    if not text:
        return None, MalformedReason.EMPTY_ANSWER
    number = _NUMBER.fullmatch(text)
    if number is None:
        return None, MalformedReason.NOT_A_NUMBER
    if integer and not _is_integral(*number.group("int", "frac", "exp")):
        return None, MalformedReason.NOT_AN_INTEGER
    value = float(text)
    if not lo <= value <= hi:
        return None, MalformedReason.OUT_OF_RANGE
    return value, None


def _is_integral(whole: str | None, fraction: str | None, exponent: str | None) -> bool:
    """Whether ``whole.fraction e exponent`` (as matched by ``_NUMBER``) is exactly an integer."""
    fraction = (fraction or "").rstrip("0")
    digits = ((whole or "") + fraction).lstrip("0")
    if not digits:
        return True  # zero
    sign, magnitude = (exponent or "0")[:1], (exponent or "0").lstrip("+-").lstrip("0") or "0"
    if len(magnitude) > _EXPONENT_DIGITS:  # beyond any text's length: the sign alone decides
        return sign != "-"
    shift = -int(magnitude) if sign == "-" else int(magnitude)
    trailing_zeros = len(digits) - len(digits.rstrip("0"))
    return shift - len(fraction) + trailing_zeros >= 0


@functools.lru_cache(maxsize=64)
def _tag_pattern(names: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(n) for n in names)
    return re.compile(rf"<(/?)({alternatives})>")


@dataclass
class _Scan:
    depth: int = 0
    thinking: list[tuple[int, int]] = field(default_factory=list)  # spans, never copies of the text
    free: list[tuple[int, int]] = field(default_factory=list)
    open_at: dict[str, int] = field(default_factory=dict)
    blocks: dict[str, tuple[int, int]] = field(default_factory=dict)  # tag -> span of its last closed block


def _scan(text: str, think_tag: str, names: tuple[str, ...]) -> _Scan:
    """One pass over the tags of ``text``, applying the rules of the module docstring.

    Linear in ``len(text)``: the state holds spans, so a stray ``</think>`` (which makes all
    text before it reasoning) resets a list instead of copying the prefix."""
    state = _Scan()
    think_start = 0
    prev = 0
    for match in _tag_pattern(names).finditer(text):
        start, end = match.span()
        if state.depth == 0 and not state.open_at:
            state.free.append((prev, start))
        closing, name = match.group(1) == "/", match.group(2)
        if name == think_tag:
            if not closing:
                if state.depth == 0:
                    think_start = end
                state.depth += 1
            elif state.depth > 0:
                state.depth -= 1
                if state.depth == 0:
                    state.thinking.append((think_start, start))
            else:  # stray close: the template opened the think block; all so far was reasoning
                state.thinking = [(0, start)]
                state.free.clear()
                state.open_at.clear()
                state.blocks.clear()
        elif state.depth == 0:
            if not closing:
                state.open_at[name] = end
            elif name in state.open_at:
                state.blocks[name] = (state.open_at.pop(name), start)
        prev = end
    if state.depth == 0 and not state.open_at:
        state.free.append((prev, len(text)))
    return state


def _tag_names(think_tag: str, answer_tag: str, criteria_tag: str, rationale_tag: str) -> tuple[str, ...]:
    names = (think_tag, answer_tag, criteria_tag, rationale_tag)
    if len(set(names)) != 4 or not all(names):
        raise ValueError(f"tag names must be four distinct non-empty strings, got {names!r}")
    return names


def parse_judgment(
    text: object,
    scale: Scale = DEFAULT_SCALE,
    *,
    integer: bool = False,
    answer_tag: str = "answer",
    think_tag: str = "think",
    criteria_tag: str = "criteria",
    rationale_tag: str = "rationale",
) -> Judgment:
    """Parse one judge output into a :class:`Judgment`; never raises on any input text.

    ``integer=True`` also rejects non-integral scores. See the module docstring for the rules.

    Args:
        text: The judge's generated text. Anything that is not a ``str`` (None from a failed
            request, bytes) gives a malformed judgment, reason ``not_text``.
        scale: ``(low, high)`` score range, both ends inclusive. Default ``(1, 10)``.
        integer: Also reject non-integral scores (``not_an_integer``).
        answer_tag: Name (without brackets) of the tag that holds the final score.
        think_tag: Name of the reasoning tag; tags inside its blocks are ignored.
        criteria_tag: Name of the tag that holds the generated rubric.
        rationale_tag: Name of the tag that holds the rationale.

    Returns:
        The :class:`~patarm.types.Judgment`: a float ``score`` on the scale, or None with
        ``malformed_reason`` set; ``raw`` keeps ``text``.

    Raises:
        ValueError: ``scale`` is invalid, or the four tag names are not distinct non-empty
            strings (settings errors, never the text's fault).
    """
    check_scale(scale)
    names = _tag_names(think_tag, answer_tag, criteria_tag, rationale_tag)
    if not isinstance(text, str):
        return Judgment(score=None, raw="", malformed_reason=MalformedReason.NOT_TEXT)
    state = _scan(text, think_tag, names)

    def block(tag: str) -> str | None:
        span = state.blocks.get(tag)
        return None if span is None else text[span[0] : span[1]]

    rationale = _cleaned(block(rationale_tag)) if rationale_tag in state.blocks else _joined(text, state.free)
    reason: MalformedReason | None
    score: float | None = None
    if state.depth > 0:
        reason = MalformedReason.UNCLOSED_THINK
    elif answer_tag in state.open_at:
        reason = MalformedReason.UNCLOSED_ANSWER
    elif answer_tag not in state.blocks:
        reason = MalformedReason.NO_ANSWER_TAG
    else:
        score, reason = parse_score(block(answer_tag) or "", scale, integer=integer)
    return Judgment(
        score=score,
        criteria=_cleaned(block(criteria_tag)),
        rationale=rationale,
        thinking=_joined(text, state.thinking),
        raw=text,
        malformed_reason=reason,
    )


def final_answer_span(
    text: str,
    *,
    answer_tag: str = "answer",
    think_tag: str = "think",
    criteria_tag: str = "criteria",
    rationale_tag: str = "rationale",
) -> tuple[int, int] | None:
    """Character span of the content of the answer block that :func:`parse_judgment` reads,
    or None when the output has no such block (used to find the score's tokens).

    >>> text = "<answer>3</answer> <answer> 8</answer>"
    >>> start, end = final_answer_span(text)
    >>> text[start:end]
    ' 8'
    """
    state = _scan(text, think_tag, _tag_names(think_tag, answer_tag, criteria_tag, rationale_tag))
    if state.depth > 0 or answer_tag in state.open_at:
        return None
    return state.blocks.get(answer_tag)


def _cleaned(text: str | None) -> str | None:
    if text is None:
        return None
    text = text.strip()
    return text or None


def _joined(text: str, spans: Iterable[tuple[int, int]]) -> str | None:
    parts = (text[start:end].strip() for start, end in spans)
    return _cleaned("\n\n".join(p for p in parts if p))


def format_score(score: float) -> str:
    """Write a score the parser reads back exactly (``7`` for 7.0, repr otherwise)."""
    value = float(score)
    if not math.isfinite(value):
        raise ValueError(f"score must be finite, got {score!r}")
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def format_judgment(
    score: float,
    *,
    criteria: str | None = None,
    rationale: str | None = None,
    thinking: str | None = None,
    answer_tag: str = "answer",
    think_tag: str = "think",
    criteria_tag: str = "criteria",
    rationale_tag: str = "rationale",
) -> str:
    """Write a judgment in the output format that :func:`parse_judgment` reads.

    Free text is passed through :func:`escape_tags`, so what it holds can never change the
    parsed score. Used for SFT targets and for tests.

    Args:
        score: The final score; written as ``7`` for 7.0 (``repr`` otherwise) so that the
            parser reads back the same float. Not checked against a scale.
        criteria: Text of the criteria block; None leaves the block out.
        rationale: Text of the rationale block; None leaves the block out.
        thinking: Text of the think block; None leaves the block out.
        answer_tag: Name (without brackets) of the tag for the score.
        think_tag: Name of the think tag.
        criteria_tag: Name of the criteria tag.
        rationale_tag: Name of the rationale tag. Give :func:`parse_judgment` the same four
            names to read the output back.

    Returns:
        The blocks that are present, in the order think, criteria, rationale, answer,
        separated by newlines.

    Raises:
        ValueError: ``score`` is not finite.

    >>> parse_judgment(format_judgment(7, rationale="Correct.")).score
    7.0
    """
    names = (think_tag, answer_tag, criteria_tag, rationale_tag)
    parts: list[str] = []
    if thinking is not None:
        parts.append(f"<{think_tag}>\n{escape_tags(thinking, names)}\n</{think_tag}>")
    if criteria is not None:
        parts.append(f"<{criteria_tag}>\n{escape_tags(criteria, names)}\n</{criteria_tag}>")
    if rationale is not None:
        parts.append(f"<{rationale_tag}>\n{escape_tags(rationale, names)}\n</{rationale_tag}>")
    parts.append(f"<{answer_tag}>{format_score(score)}</{answer_tag}>")
    return "\n".join(parts)
