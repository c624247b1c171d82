"""``patarm judge``: judge pairs or single responses from a file, pointwise or pairwise.

A thin layer over :func:`patarm.judges.judge_items`: each judgment goes to a cache (a
:class:`~patarm.store.JsonlStore` beside the output) as soon as its chunk is judged, keyed by
what was judged (prompt, response, domain, settings), so a rerun reuses a judgment only for the
same content, whatever the rows' order or ids; the output, one JSON line per input row in input
order, is written atomically when every row is judged. A cache made with other settings is
refused, naming each setting that differs; a run that fails before its first chunk is judged
writes nothing.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from patarm.cli._common import (
    add_backend_args,
    add_judge_args,
    add_reference_arg,
    backend_from_args,
    config_from_args,
    int_at_least,
    print_replicas,
    template_dir,
)
from patarm.errors import ConfigError
from patarm.store import atomic_write
from patarm.types import RowError

__all__ = ["add_parser"]


def _row_kind(row: dict[str, Any], index: int) -> str:
    if "chosen" in row and "rejected" in row:
        return "pair"
    if "response" in row:
        return "single"
    missing = (
        "response" if "chosen" not in row and "rejected" not in row else ("rejected" if "chosen" in row else "chosen")
    )
    raise RowError(index, missing, "'prompt' plus 'chosen' and 'rejected' (a pair) or 'response'", None)


def _row_id(row: dict[str, Any], index: int) -> str:
    for key in ("pair_id", "id"):
        if row.get(key) is not None:
            return str(row[key])
    return str(index)


def _check_text(row: dict[str, Any], index: int, field: str) -> None:
    if not isinstance(row.get(field), str):
        raise RowError(index, field, "a string" + ("" if field in row else " (the field is missing)"), row.get(field))


def _check_prompt(row: dict[str, Any], index: int) -> None:
    value = row.get("prompt")
    if isinstance(value, str):
        return
    expected = "a string or a list of chat messages {role, content}"
    if not isinstance(value, list) or not value:
        raise RowError(index, "prompt", expected + ("" if "prompt" in row else " (the field is missing)"), value)
    for message in value:
        if not (isinstance(message, dict) and isinstance(message.get("role"), str)):
            raise RowError(index, "prompt", expected, message)
        if not isinstance(message.get("content"), str):
            raise RowError(index, "prompt", expected + " with text content", message)


def _check_domain(row: dict[str, Any], index: int, rubrics: Any) -> None:
    value = row.get("domain")
    if value is None or value == "":
        return
    if not isinstance(value, str) or value not in rubrics:
        raise RowError(index, "domain", f"a known domain ({', '.join(rubrics.domains())}) or null", value)


def _items(
    rows: Sequence[dict[str, Any]],
    ids: Sequence[str],
    mode: str,
    domain: str | None,
    references: Sequence[str | None],
) -> tuple[list[Any], list[str]]:
    """What the judge sees, one item per response (pointwise) or per pair (pairwise), and each
    item's id: the row's id, with ``/chosen`` or ``/rejected`` for a pair's response. A row's
    reference answer is part of what the judge sees (and so of the judgment's key)."""
    from patarm.judges import PairwiseItem, PointwiseItem

    items: list[Any] = []
    names: list[str] = []
    for row, row_id, ref in zip(rows, ids, references, strict=True):
        where = domain or row.get("domain") or None
        if mode == "pairwise":
            items.append(PairwiseItem(row["prompt"], row["chosen"], row["rejected"], where, ref))
            names.append(row_id)
        elif "chosen" in row:
            items += [PointwiseItem(row["prompt"], row[side], where, ref) for side in ("chosen", "rejected")]
            names += [f"{row_id}/chosen", f"{row_id}/rejected"]
        else:
            items.append(PointwiseItem(row["prompt"], row["response"], where, ref))
            names.append(row_id)
    return items, names


def _output(
    rows: Sequence[dict[str, Any]], ids: Sequence[str], mode: str, results: Sequence[Any]
) -> Iterator[dict[str, Any]]:
    """One output record per row, in input order."""
    given = iter(results)
    for row, row_id in zip(rows, ids, strict=True):
        if mode == "pairwise":
            result = next(given)
            yield {"id": row_id, "domain": result.domain, "a": "chosen", "result": result.model_dump(mode="json")}
        elif "chosen" in row:
            chosen, rejected = next(given), next(given)
            sides = {"chosen": chosen.model_dump(mode="json"), "rejected": rejected.model_dump(mode="json")}
            yield {"id": row_id, "domain": chosen.domain, **sides}
        else:
            result = next(given)
            yield {"id": row_id, "domain": result.domain, "result": result.model_dump(mode="json")}


def _summary(records: Sequence[dict[str, Any]], mode: str, counts: Any) -> list[tuple[str, str]]:
    """The figures printed after a run: what was judged now or reused, and what the judgments say."""
    results = [r["result"] for r in records if "result" in r] + [
        r[side] for r in records if "chosen" in r for side in ("chosen", "rejected")
    ]
    lines = [("rows", str(len(records))), ("judged now", str(counts.judged))]
    lines += [("reused from the cache", str(counts.reused)), ("failed judgments", str(counts.failed))]
    if counts.changed:
        lines.append(("ids judged before with other content", str(counts.changed)))
    if mode == "pairwise":
        rollouts = sum(len(o["samples"]) for r in results for o in r["orders"])
    else:
        rollouts = sum(len(r["samples"]) for r in results)
    lines += [("judge rollouts", str(rollouts)), ("malformed rollouts", str(sum(r["malformed"] for r in results)))]
    pairs = [r for r in records if "chosen" in r or r.get("a") == "chosen"]
    if pairs:
        wins = ties = 0
        for r in pairs:
            if "chosen" in r:
                a, b = r["chosen"]["score"], r["rejected"]["score"]
            else:
                a, b = r["result"]["score_a"], r["result"]["score_b"]
            ties += a is None or b is None or a == b
            wins += a is not None and b is not None and a > b
        n = len(pairs)
        lines.append(("pairs: chosen wins", f"{wins}/{n} ({wins / n:.1%})"))
        lines.append(("pairs: ties or failures", f"{ties}/{n} ({ties / n:.1%})"))
    compared = [r["result"]["agreement"] for r in pairs if mode == "pairwise" and r["result"]["agreement"] is not None]
    if compared:
        agree = sum(compared)
        lines.append(("position agreement", f"{agree}/{len(compared)} ({agree / len(compared):.1%})"))
    return lines


def run(args: argparse.Namespace) -> int:
    from patarm.data import read_rows, row_reference
    from patarm.judges import Judge, PairwiseJudge, PointwiseJudge, judge_items
    from patarm.rubrics import CriteriaCache, RubricSet
    from patarm.store import check_distinct

    cache_path = Path(args.cache) if args.cache else Path(args.output).with_suffix(".cache.jsonl")
    check_distinct(
        {"--input": args.input},
        {"--output": args.output, "--cache": cache_path, "--criteria-cache": args.criteria_cache},
    )

    rubrics = RubricSet(args.rubric_dir or ())
    if args.domain is not None:
        rubrics.check(args.domain)
    rows = read_rows(args.input, split=args.split)
    if args.limit is not None:
        rows = rows[: args.limit]
    kinds = [_row_kind(row, i) for i, row in enumerate(rows)]
    for i, (row, kind) in enumerate(zip(rows, kinds, strict=True)):
        _check_prompt(row, i)
        for field in ("chosen", "rejected") if kind == "pair" else ("response",):
            _check_text(row, i, field)
        if args.domain is None:
            _check_domain(row, i, rubrics)
    references = [row_reference(row, args.reference_col, i) for i, row in enumerate(rows)]
    if args.mode == "pairwise" and "single" in kinds:
        raise ConfigError("pairwise mode needs pair rows (prompt, chosen, rejected)")
    ids = [_row_id(row, i) for i, row in enumerate(rows)]
    seen: dict[str, int] = {}
    for i, row_id in enumerate(ids):
        if row_id in seen:
            field = "pair_id" if rows[i].get("pair_id") is not None else "id"
            raise RowError(i, field, "an id no earlier row has (ids name the output's lines)", row_id)
        seen[row_id] = i
    # Everything that can fail before judging does, before any file is written.
    config = config_from_args(args)
    backend = backend_from_args(args)
    criteria = CriteriaCache(args.criteria_cache) if args.criteria_cache else None
    judge_cls = PairwiseJudge if args.mode == "pairwise" else PointwiseJudge
    judge: Judge[Any, Any] = judge_cls(
        backend, config, rubrics=rubrics, criteria_cache=criteria, template_dir=template_dir(args)
    )
    items, names = _items(rows, ids, args.mode, args.domain, references)
    settings = {"backend": args.backend, "model": args.model, "rubric_dir": list(args.rubric_dir or ())}
    per_row = 1 if args.mode == "pairwise" else 2
    run = judge_items(
        judge, items, ids=names, store=cache_path, settings=settings, chunk=args.chunk_rows * per_row,
        progress=f"judging ({args.mode})",
    )  # fmt: skip
    if run.counts.torn:
        print(f"note: the last record of {cache_path} was cut short (an interrupted write): dropped, redone")
    records = list(_output(rows, ids, args.mode, run.results))
    with atomic_write(args.output) as out:  # every row judged: the output appears whole
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    table = _summary(records, args.mode, run.counts)
    width = max(len(k) for k, _ in table)
    print()
    for key, value in table:
        print(f"{key:<{width}}  {value}")
    print_replicas(backend)
    print(f"output: {args.output}\njudgment cache: {cache_path}")
    return 0


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "judge",
        help="judge pairs or single responses from a file (pointwise or pairwise), writing JSONL",
        description=(
            "Judge every row of INPUT (JSONL, JSON, Parquet, or a datasets folder saved to disk). A row is a "
            "pair (prompt, chosen, rejected) or a single response (prompt, response); prompt is text or a list "
            "of chat messages; optional fields: id or pair_id, domain. Pointwise mode scores each response on "
            "its own; pairwise mode shows chosen and rejected together, in both orders unless --no-both-orders. "
            "Each judgment goes to --cache as soon as its chunk is judged, keyed by what was judged: a rerun "
            "reuses a judgment only for the same prompt, response and domain, whatever the rows' order or ids "
            "(an edited row is judged again). OUTPUT (one JSON line per row, in input order) is written whole "
            "when every row is judged. A cache made with other settings is refused, naming each difference."
        ),
    )
    parser.add_argument("--input", "-i", required=True, help="rows to judge")
    parser.add_argument("--output", "-o", required=True, help="JSONL file of judgments (written when complete)")
    parser.add_argument(
        "--cache", metavar="FILE", help="judgments kept as they come, for resuming (default: OUTPUT with .cache.jsonl)"
    )
    parser.add_argument("--mode", choices=["pointwise", "pairwise"], default="pointwise")
    parser.add_argument("--split", help="split of a saved DatasetDict")
    add_reference_arg(parser)
    parser.add_argument("--limit", type=int_at_least(0), help="judge only the first N rows")
    parser.add_argument(
        "--chunk-rows",
        type=int_at_least(1),
        default=32,
        help="rows judged and written per step (default 32; may change between runs)",
    )
    add_backend_args(parser)
    add_judge_args(parser)
    parser.set_defaults(func=run)
