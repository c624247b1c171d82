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
import itertools
import math
import re
from dataclasses import dataclass

from patarm._escaping import escape_tags
from patarm.errors import ConfigError
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
    "parse_scale",
    "parse_score",
]

Scale = tuple[float, float]
DEFAULT_SCALE: Scale = (1, 10)
_DEFAULT_BOUNDS = (1.0, 10.0)  # DEFAULT_SCALE as check_scale returns it

# ASCII only: ``\\d`` would also take other scripts' digits, which ``float()`` accepts.
_NUMBER = re.compile(r"[+-]?(?=\.?[0-9])(?P<int>[0-9]*)(?:\.(?P<frac>[0-9]*))?(?:[eE](?P<exp>[+-]?[0-9]+))?")
_ASCII_SPACE = " \t\n\r\f\v"
_EXPONENT_DIGITS = 18


def check_scale(scale: Scale) -> tuple[float, float]:
    """Validate a ``(low, high)`` scale and return it as floats."""
    if scale is DEFAULT_SCALE:  # the common case, checked once here
        return _DEFAULT_BOUNDS
    try:
        lo, hi = (float(v) for v in scale)
    except (TypeError, ValueError):
        raise ConfigError(f"scale must be a pair of numbers (low, high), got {scale!r}") from None
    if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
        raise ConfigError(f"scale must be finite with low < high, got {scale!r}")
    return lo, hi


def parse_scale(text: str) -> tuple[float, float]:
    """A scale written as text, ``"low,high"`` (``"1,10"``), checked by :func:`check_scale`.

    The one reader for scales given as strings (environment variables, flags).

    >>> parse_scale("1, 10")
    (1.0, 10.0)
    """
    parts = str(text).split(",")
    try:
        if len(parts) != 2:
            raise ValueError
        return check_scale((float(parts[0]), float(parts[1])))
    except (ValueError, ConfigError):
        raise ConfigError(f"scale {text!r}: expected low,high with low < high, such as 1,10") from None


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
    return _read_score(content, lo, hi, integer)


def _read_score(content: str, lo: float, hi: float, integer: bool) -> tuple[float | None, MalformedReason | None]:
    """:func:`parse_score` on a scale already checked."""
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


# Each tag as one character: the think tag T / t, the other three A / a, B / b, C / c.
_OPEN_CODES, _CLOSE_CODES = "ABC", "abc"
# A tag sequence of closed blocks side by side, none holding another tag: the common shape,
# read without a Python step per tag.
_FLAT = re.compile("(?:Tt|Aa|Bb|Cc)*")


@dataclass(frozen=True)
class _Tags:
    """One setting of the four tag names and all that :func:`_scan` derives from it.

    Built once per setting (:func:`_tags` caches it), so a parse does no per-call set-up:
    the tag texts, the pattern that splits a text on its tags, and the one-character code
    of each tag."""

    think_open: str
    think_close: str
    literal: bool  # no name holds ``<`` or ``>`` or starts with ``/``: each tag text is that tag
    pattern: re.Pattern[str]  # the whole tag captured: ``split`` gives text, tag, text, ...
    code_of: dict[str, str]  # tag text -> code
    name_of: dict[str, str]  # code -> name, for the three tags other than think
    pairs: tuple[tuple[str, str], ...]  # (``Aa`` and the like, name) of the three other tags


@functools.lru_cache(maxsize=64)
def _tags(think_tag: str, answer_tag: str, criteria_tag: str, rationale_tag: str) -> _Tags:
    """:func:`_derive_tags`, once per setting."""
    return _derive_tags(think_tag, answer_tag, criteria_tag, rationale_tag)


def _derive_tags(think_tag: str, answer_tag: str, criteria_tag: str, rationale_tag: str) -> _Tags:
    """Check the four names (distinct, non-empty) and derive the scanner's tables from them."""
    names = (think_tag, answer_tag, criteria_tag, rationale_tag)
    if len(set(names)) != 4 or not all(names):
        raise ConfigError(f"tag names must be four distinct non-empty strings, got {names!r}")
    others = (answer_tag, criteria_tag, rationale_tag)  # codes A / a, B / b, C / c
    think_open, think_close = f"<{think_tag}>", f"</{think_tag}>"
    # Closing tags last: ``</x>`` is the close of ``x`` even when ``/x`` is also a name.
    code_of = {think_open: "T"} | {f"<{n}>": c for n, c in zip(others, _OPEN_CODES, strict=True)}
    code_of |= {think_close: "t"} | {f"</{n}>": c for n, c in zip(others, _CLOSE_CODES, strict=True)}
    alternatives = "|".join(re.escape(n) for n in names)
    return _Tags(
        think_open=think_open,
        think_close=think_close,
        literal=not any("<" in n or ">" in n or n.startswith("/") for n in names),
        pattern=re.compile(rf"(</?(?:{alternatives})>)"),
        code_of=code_of,
        name_of=dict(zip(_OPEN_CODES + _CLOSE_CODES, others + others, strict=True)),
        pairs=tuple((o + c, n) for o, c, n in zip(_OPEN_CODES, _CLOSE_CODES, others, strict=True)),
    )


# What one scan finds: the think depth left open at the end, the thinking pieces, the free
# text pieces (outside every block), the open position of each block still open, and the
# content span of each tag's last closed block.
_Found = tuple[int, list[str], list[str], dict[str, int], dict[str, tuple[int, int]]]


def _scan(text: str, tags: _Tags) -> _Found:
    """One pass over the tags of ``text``, applying the rules of the module docstring.

    Linear in ``len(text)``, and mostly in C: :func:`_tagged` splits the text on its tags
    and writes them as a code string; a code string of closed blocks side by side
    (:data:`_FLAT`, the common shape) is read by :func:`_read_flat` with list slices, any
    other by :func:`_walk`, a few operations per tag. Both give the same result on a flat
    sequence (a property test holds them to it)."""
    thinking, parts, codes, base = _tagged(text, tags)
    if _FLAT.fullmatch(codes) is not None:
        return _read_flat(text, thinking, parts, codes, tags)
    return _walk(text, thinking, parts, codes, base, tags)


def _tagged(text: str, tags: _Tags) -> tuple[list[str], list[str], str, int]:
    """The thinking before the stray closes that ``str.rfind`` finds (a list of one piece, or
    empty), and the text after them split on its tags: ``parts`` (text, tag, text, ...,
    text), ``codes`` (one character a tag) and ``base``, where ``parts[0]`` starts.

    A stray ``</think>`` makes all text before it reasoning, so only the last one counts.
    When no name holds ``<`` or ``>`` or starts with ``/``, every copy of a tag's text is
    that tag, so every ``</think>`` before the first ``<think>`` is stray and the last of
    them is found with ``str.rfind``; :func:`_walk` takes any other stray close."""
    thinking: list[str] = []
    base = 0  # where the region split below starts: after the last stray close found here
    if tags.literal:
        first_open = text.find(tags.think_open)
        stray = text.rfind(tags.think_close, 0, len(text) if first_open < 0 else first_open)
        if stray >= 0:
            thinking = [text[:stray]]
            base = stray + len(tags.think_close)
    parts = tags.pattern.split(text[base:] if base else text)
    codes = "".join(map(tags.code_of.__getitem__, parts[1::2]))
    return thinking, parts, codes, base


def _read_flat(text: str, thinking: list[str], parts: list[str], codes: str, tags: _Tags) -> _Found:
    """:func:`_scan`'s result for flat codes (no stray close there: each close follows its
    opening), by slices: ``parts`` is text, open, content, close, text, open, ..., text. A
    block's place is the text's length less the parts after its start, counted from the end
    (a last block is most often near it)."""
    thinking += itertools.compress(parts[2::4], map("T".__eq__, codes[0::2]))
    blocks: dict[str, tuple[int, int]] = {}
    for pair, name in tags.pairs:
        k = codes.rfind(pair)  # the code of the opening tag of that tag's last block
        if k >= 0:
            start = len(text) - sum(map(len, parts[2 * k + 2 :]))
            blocks[name] = (start, start + len(parts[2 * k + 2]))
    return 0, thinking, parts[0::4], {}, blocks


def _walk(text: str, thinking: list[str], parts: list[str], codes: str, base: int, tags: _Tags) -> _Found:
    """:func:`_scan`'s result for any codes, one step a tag. A stray close empties what was
    found so far (each piece is dropped once: linear) and only the last one's prefix is
    copied, at the end."""
    ends = list(itertools.accumulate(map(len, parts), initial=base))  # parts[i] is text[ends[i]:ends[i + 1]]
    name_of = tags.name_of
    free: list[str] = []
    open_at: dict[str, int] = {}
    blocks: dict[str, tuple[int, int]] = {}
    depth = 0
    think_start = 0
    stray = -1  # where the last stray close seen here starts
    for k, code in enumerate(codes):
        start, end = ends[2 * k + 1], ends[2 * k + 2]
        if depth == 0 and not open_at:
            free.append(parts[2 * k])
        if code == "T":
            if depth == 0:
                think_start = end
            depth += 1
        elif code == "t":
            if depth == 0:  # stray: the template opened the think block; all so far was reasoning
                stray = start
                thinking.clear()
                free.clear()
                open_at.clear()
                blocks.clear()
            else:
                depth -= 1
                if depth == 0:
                    thinking.append(text[think_start:start])
        elif depth == 0:
            name = name_of[code]
            if code in _OPEN_CODES:
                open_at[name] = end
            elif name in open_at:
                blocks[name] = (open_at.pop(name), start)
    if depth == 0 and not open_at:
        free.append(parts[-1])
    if stray >= 0:
        thinking.insert(0, text[:stray])
    return depth, thinking, free, open_at, blocks


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
    lo, hi = check_scale(scale)
    tags = _tags(think_tag, answer_tag, criteria_tag, rationale_tag)
    if not isinstance(text, str):
        return Judgment(score=None, malformed_reason=MalformedReason.NOT_TEXT)  # raw keeps its default ""
    depth, thinking, free, open_at, blocks = _scan(text, tags)
    span = blocks.get(rationale_tag)
    rationale = _joined(free) if span is None else _cleaned(text[span[0] : span[1]])
    reason: MalformedReason | None
    score: float | None = None
    if depth > 0:
        reason = MalformedReason.UNCLOSED_THINK
    elif answer_tag in open_at:
        reason = MalformedReason.UNCLOSED_ANSWER
    elif (span := blocks.get(answer_tag)) is None:
        reason = MalformedReason.NO_ANSWER_TAG
    else:
        score, reason = _read_score(text[span[0] : span[1]], lo, hi, integer)
    span = blocks.get(criteria_tag)
    return Judgment(
        score=score,
        criteria=None if span is None else _cleaned(text[span[0] : span[1]]),
        rationale=rationale,
        thinking=_joined(thinking),
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
    depth, _, _, open_at, blocks = _scan(text, _tags(think_tag, answer_tag, criteria_tag, rationale_tag))
    if depth > 0 or answer_tag in open_at:
        return None
    return blocks.get(answer_tag)


def _cleaned(text: str | None) -> str | None:
    if text is None:
        return None
    text = text.strip()
    return text or None


def _joined(pieces: list[str]) -> str | None:
    if len(pieces) == 1:  # the common case, without the join
        return _cleaned(pieces[0])
    return _cleaned("\n\n".join(filter(None, map(str.strip, pieces))))


def format_score(score: float) -> str:
    """Write a score the parser reads back exactly: a whole number below 1e15 in size
    without a point (``7`` for 7.0), any other as its ``repr`` (``7.5``, ``1e+16``)."""
    value = float(score)
    if not math.isfinite(value):
        raise ConfigError(f"score must be finite, got {score!r}")
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
