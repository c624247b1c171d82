"""Pairwise preference rows -> :class:`~patarm.types.PreferencePair`, whatever their shape.

Three shapes are read, with column names as options (:class:`PairColumns`):

- strings: ``prompt``, ``chosen``, ``rejected`` are texts (RewardBench rows, with ``id`` and
  ``subset``, are this shape: ``subset`` becomes the pair's ``source``);
- messages: ``chosen`` and ``rejected`` are chat-message lists ending in the assistant's
  response, their shared prefix being the prompt (Skywork-Reward-Preference,
  UltraFeedback-binarized); a prefix of one user message becomes a text prompt;
- either of those with an id column, or none: the id is then derived from the content
  (:func:`derived_pair_id`), so reruns give the same ids.

A reference answer is read only from a column the user names (``PairColumns.reference``,
``--reference-col``): null there is a pair without one, and a row without the column is a
:class:`~patarm.types.RowError` even when malformed rows are skipped (a misspelt column
would otherwise skip every row).

A malformed row is a :class:`MalformedRowError` (a :class:`~patarm.types.RowError` naming the
row, the field and the expected form, plus a stable ``reason``), or, with ``skip=True``, it
is counted per reason in a :class:`LoadReport` and left out. Nothing is dropped silently.

Rows of an excluded source (``exclude_sources``: names matched exactly against the source
column, e.g. :data:`PAPER_EXCLUDED_SOURCES`) are left out before they are parsed and counted per
source name in the report (``excluded``); rows without a source are kept, and counted
(``unsourced``) so that a filter on a missing column is seen.

>>> rows = [{"prompt": "2+2?", "chosen": "4", "rejected": "5"}, {"prompt": "hi", "chosen": "x", "rejected": "x"}]
>>> report = LoadReport()
>>> [p.pair_id for p in load_pairs(rows, skip=True, report=report)]
['541b15c1d8e4527c']
>>> dict(report.skipped)
{'identical': 1}
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from patarm._stream import UnreadableLine
from patarm.data._references import row_reference
from patarm.errors import MalformedRowError
from patarm.types import ChatMessage, PreferencePair, Prompt

__all__ = [
    "PAPER_EXCLUDED_SOURCES",
    "LoadReport",
    "LoadedPair",
    "MALFORMED_REASONS",
    "MalformedRowError",
    "PairColumns",
    "derived_pair_id",
    "iter_loaded",
    "load_pairs",
    "pair_from_row",
]

MALFORMED_REASONS = (
    "missing_field",
    "not_text",
    "empty_text",
    "identical",
    "bad_messages",
    "prompt_mismatch",
    "bad_id",
    "duplicate_id",
    "unreadable",
)

PAPER_EXCLUDED_SOURCES = ("magpie_ultra",)
"""Sources the paper drops from Skywork-style preference data (spurious correlations)."""


@dataclass(frozen=True)
class PairColumns:
    """Which columns hold each part of a pair; the first present name of a tuple wins."""

    prompt: str = "prompt"
    chosen: str = "chosen"
    rejected: str = "rejected"
    ids: tuple[str, ...] = ("pair_id", "id")
    domain: str | None = "domain"
    sources: tuple[str, ...] = ("source", "subset")
    reference: str | None = None


@dataclass
class LoadReport:
    """Rows read, pairs kept, rows skipped per reason, and rows excluded per source name.

    ``rows == kept + sum(skipped.values()) + sum(excluded.values())``; ``exclude_sources`` is
    the source filter the rows were read under, ``unsourced`` the rows that had no source."""

    rows: int = 0
    kept: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    excluded: Counter[str] = field(default_factory=Counter)
    exclude_sources: tuple[str, ...] = ()
    unsourced: int = 0

    def lines(self, *, zero_exclusions: bool = True) -> list[str]:
        """The summary the CLI prints, always, even when nothing was skipped; with a source
        filter, the rows it excluded, per name (a name that matched nothing shows 0; with
        ``zero_exclusions`` off, a filter that excluded nothing is not shown)."""
        out = [f"rows read: {self.rows}", f"pairs loaded: {self.kept}", f"rows skipped: {sum(self.skipped.values())}"]
        out += [f"  skipped ({reason}): {count}" for reason, count in sorted(self.skipped.items())]
        if self.excluded or (self.exclude_sources and zero_exclusions):
            out.append(f"rows excluded by source: {sum(self.excluded.values())}")
            names = sorted(set(self.exclude_sources) | set(self.excluded))
            out += [f"  excluded (source {name}): {self.excluded.get(name, 0)}" for name in names]
        return out


@dataclass(frozen=True)
class LoadedPair:
    """A pair and the raw row it came from (extra columns such as ``correct_fraction`` live there)."""

    index: int
    pair: PreferencePair
    row: Mapping[str, Any]


def derived_pair_id(prompt: Prompt, chosen: str, rejected: str) -> str:
    """A stable id from the content: 16 hex digits of SHA-256 over (prompt, chosen, rejected).

    >>> derived_pair_id("2+2?", "4", "5")
    '541b15c1d8e4527c'
    """
    shown: Any = prompt if isinstance(prompt, str) else [[m.role, m.content] for m in prompt]
    payload = json.dumps([shown, chosen, rejected], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]


def _bad(index: int, name: str, expected: str, got: object, reason: str) -> MalformedRowError:
    return MalformedRowError(index, name, expected, got, reason)


def _blank(text: str) -> bool:
    """Empty or only whitespace (what ``not text.strip()`` says), without copying the text."""
    return not text or text.isspace()


def _text(row: Mapping[str, Any], name: str, index: int) -> str:
    if name not in row or row[name] is None:
        raise _bad(index, name, "a non-empty string (the field is missing)", None, "missing_field")
    value = row[name]
    if not isinstance(value, str):
        raise _bad(index, name, "a non-empty string", value, "not_text")
    if _blank(value):
        raise _bad(index, name, "a non-empty string", value, "empty_text")
    return value


def _turns(value: Sequence[Any], name: str, index: int) -> list[ChatMessage]:
    messages: list[ChatMessage] = []
    for turn in value:
        if not isinstance(turn, Mapping) or not isinstance(turn.get("content"), str):
            raise _bad(index, name, "chat messages {role, content} with text content", turn, "bad_messages")
        role = turn.get("role")
        if role not in ("system", "user", "assistant", "tool"):
            raise _bad(index, name, "a role of system, user, assistant or tool", role, "bad_messages")
        messages.append(ChatMessage(role=role, content=turn["content"]))
    return messages


def _messages(value: Sequence[Any], name: str, index: int) -> list[ChatMessage]:
    messages = _turns(value, name, index)
    if len(messages) < 2 or messages[-1].role != "assistant":
        expected = "a chat-message list: the prompt turns, then the assistant's response last"
        raise _bad(index, name, expected, value, "bad_messages")
    if _blank(messages[-1].content):
        raise _bad(index, name, "a non-empty assistant response", messages[-1].content, "empty_text")
    return messages


def _sides(row: Mapping[str, Any], cols: PairColumns, index: int) -> tuple[Prompt, str, str]:
    for name in (cols.chosen, cols.rejected):
        if name not in row or row[name] is None:
            raise _bad(index, name, "a string or a chat-message list (the field is missing)", None, "missing_field")
    chosen, rejected = row[cols.chosen], row[cols.rejected]
    as_lists = [isinstance(v, list) for v in (chosen, rejected)]
    if all(as_lists):
        left, right = _messages(chosen, cols.chosen, index), _messages(rejected, cols.rejected, index)
        if left[:-1] != right[:-1]:
            expected = f"the same prompt turns as {cols.chosen!r} (only the last assistant message may differ)"
            raise _bad(index, cols.rejected, expected, [m.content for m in right[:-1]], "prompt_mismatch")
        prefix = left[:-1]
        prompt: Prompt = prefix[0].content if len(prefix) == 1 and prefix[0].role == "user" else prefix
        return prompt, left[-1].content, right[-1].content
    if any(as_lists):
        name = cols.rejected if as_lists[0] else cols.chosen
        expected = "the same form as the other side (both texts or both message lists)"
        raise _bad(index, name, expected, row[name], "not_text")
    prompt_value = _prompt(row, cols, index)
    return prompt_value, _text(row, cols.chosen, index), _text(row, cols.rejected, index)


def _prompt(row: Mapping[str, Any], cols: PairColumns, index: int) -> Prompt:
    value = row.get(cols.prompt)
    if isinstance(value, list):
        if not value:
            raise _bad(index, cols.prompt, "a non-empty string or message list", value, "empty_text")
        return _turns(value, cols.prompt, index)
    return _text(row, cols.prompt, index)


def _optional(row: Mapping[str, Any], names: Iterable[str | None]) -> str | None:
    for name in names:
        if name is not None and row.get(name) not in (None, ""):
            return str(row[name])
    return None


def pair_from_row(row: Mapping[str, Any], index: int, columns: PairColumns | None = None) -> PreferencePair:
    """One row -> a pair, or a :class:`MalformedRowError` naming the row, field and expected form."""
    cols = columns or PairColumns()
    if isinstance(row, UnreadableLine):
        raise _bad(index, "<line>", "one JSON object per line", row.problem, "unreadable")
    if not isinstance(row, Mapping):
        raise _bad(index, "<row>", "a mapping of column names to values", row, "missing_field")
    prompt, chosen, rejected = _sides(row, cols, index)
    if chosen == rejected:
        raise _bad(index, cols.rejected, f"a response different from {cols.chosen!r}", rejected, "identical")
    given = next((row[n] for n in cols.ids if row.get(n) not in (None, "")), None)
    if given is not None and (isinstance(given, bool) or not isinstance(given, (str, int)) or _blank(str(given))):
        raise _bad(index, cols.ids[0], "a non-empty string or integer id", given, "bad_id")
    pair_id = str(given) if given is not None else derived_pair_id(prompt, chosen, rejected)
    domain, source = _optional(row, [cols.domain]), _optional(row, cols.sources)
    reference = row_reference(row, cols.reference, index)
    return PreferencePair(
        pair_id=pair_id, prompt=prompt, chosen=chosen, rejected=rejected, domain=domain, source=source,
        reference=reference,
    )  # fmt: skip


def iter_loaded(
    rows: Iterable[Mapping[str, Any]],
    columns: PairColumns | None = None,
    *,
    skip: bool = False,
    report: LoadReport | None = None,
    unique_ids: bool = True,
    exclude_sources: Collection[str] = (),
) -> Iterator[LoadedPair]:
    """Pairs with their raw rows, lazily. ``skip`` counts malformed rows in ``report`` instead of
    raising; ``unique_ids`` treats a repeated pair id as malformed (``duplicate_id``); a row
    whose source (the first present of ``columns.sources``) is one of ``exclude_sources`` is
    left out unparsed and counted per source in ``report.excluded``."""
    tally = report if report is not None else LoadReport()
    cols = columns or PairColumns()
    excluded = frozenset(exclude_sources)
    tally.exclude_sources = tuple(sorted(set(tally.exclude_sources) | excluded))
    seen: set[str] = set()
    for index, row in enumerate(rows):
        tally.rows += 1
        source = _optional(row, cols.sources) if isinstance(row, Mapping) else None
        if source is None:
            tally.unsourced += 1
        elif source in excluded:
            tally.excluded[source] += 1
            continue
        try:
            pair = pair_from_row(row, index, columns)
            if unique_ids:
                if pair.pair_id in seen:
                    raise _bad(index, "pair_id", "an id not used by an earlier row", pair.pair_id, "duplicate_id")
                seen.add(pair.pair_id)
        except MalformedRowError as exc:
            if not skip:
                raise
            tally.skipped[exc.reason] += 1
            continue
        tally.kept += 1
        yield LoadedPair(index, pair, row)


def load_pairs(
    rows: Iterable[Mapping[str, Any]],
    columns: PairColumns | None = None,
    *,
    skip: bool = False,
    report: LoadReport | None = None,
    exclude_sources: Collection[str] = (),
) -> list[PreferencePair]:
    """All pairs of ``rows`` (see :func:`iter_loaded`)."""
    loaded = iter_loaded(rows, columns, skip=skip, report=report, exclude_sources=exclude_sources)
    return [item.pair for item in loaded]
