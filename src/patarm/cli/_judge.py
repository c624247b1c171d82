"""``patarm judge``: judge pairs or single responses from a file, pointwise or pairwise.

Each row's judgment goes to a cache (a :class:`~patarm.store.JsonlStore` beside the output)
as soon as its chunk is judged; the output, one JSON line per input row in input order, is
written atomically when every row is judged. A rerun resumes from the cache, and refuses a
cache made with other settings, naming them.
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
    backend_from_args,
    config_from_args,
    int_at_least,
    print_replicas,
)
from patarm.store import atomic_write
from patarm.types import RowError

__all__ = ["add_parser"]

JUDGE_STORE_KIND = "judge-judgments"


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


class _Tally:
    def __init__(self) -> None:
        self.rows = self.judgments = self.malformed = self.ties = self.correct = self.pairs = 0
        self.agree = self.orders_compared = 0

    def table(self, skipped: int, mode: str) -> list[tuple[str, str]]:
        rows = [("rows judged", str(self.rows)), ("rows skipped (judged in a cache)", str(skipped))]
        rows += [("judge rollouts", str(self.judgments)), ("malformed rollouts", str(self.malformed))]
        if self.pairs:
            rows.append(("pairs: chosen wins", f"{self.correct}/{self.pairs} ({self.correct / self.pairs:.1%})"))
            rows.append(("pairs: ties or failures", f"{self.ties}/{self.pairs} ({self.ties / self.pairs:.1%})"))
        if mode == "pairwise" and self.orders_compared:
            rate = self.agree / self.orders_compared
            rows.append(("position agreement", f"{self.agree}/{self.orders_compared} ({rate:.1%})"))
        return rows


def run(args: argparse.Namespace) -> int:
    from tqdm.auto import tqdm

    from patarm.data import read_rows
    from patarm.judges import PairwiseJudge, PointwiseJudge
    from patarm.rubrics import CriteriaCache, RubricSet
    from patarm.store import JsonlStore, check_distinct

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
    if args.mode == "pairwise" and "single" in kinds:
        raise ValueError("pairwise mode needs pair rows (prompt, chosen, rejected)")
    ids = [_row_id(row, i) for i, row in enumerate(rows)]
    seen: dict[str, int] = {}
    for i, row_id in enumerate(ids):
        if row_id in seen:
            field = "pair_id" if rows[i].get("pair_id") is not None else "id"
            raise RowError(i, field, "an id no earlier row has (a run resumes by id)", row_id)
        seen[row_id] = i
    config = config_from_args(args)
    settings = {
        "mode": args.mode,
        "backend": args.backend,
        "model": args.model,
        "rubric_dir": list(args.rubric_dir or ()),
        "domain": args.domain,
        "config": config.model_dump(mode="json"),
    }
    tally = _Tally()
    with JsonlStore(cache_path, JUDGE_STORE_KIND, settings) as store:
        todo = [i for i, row_id in enumerate(ids) if row_id not in store]
        if store.torn:
            print(f"note: the last record of {cache_path} was cut short (an interrupted write): dropped, redone")
        backend = backend_from_args(args)
        criteria = CriteriaCache(args.criteria_cache) if args.criteria_cache else None
        judge_cls = PairwiseJudge if args.mode == "pairwise" else PointwiseJudge
        judge = judge_cls(backend, config, rubrics=rubrics, criteria_cache=criteria)
        chunk = max(1, args.chunk_rows)
        with tqdm(total=len(todo), desc=f"judging ({args.mode})", unit="row") as bar:
            for start in range(0, len(todo), chunk):
                part = todo[start : start + chunk]
                domain = [args.domain or rows[i].get("domain") or None for i in part]
                records = (_pairwise if args.mode == "pairwise" else _pointwise)(judge, rows, part, domain, tally)
                for i, record in records:
                    store.put({"id": ids[i], **record})
                bar.update(len(part))
        with atomic_write(args.output) as out:  # every row judged: the output appears whole
            for row_id in ids:
                out.write(json.dumps(store.get(row_id), ensure_ascii=False) + "\n")
    width = max(len(k) for k, _ in tally.table(0, args.mode))
    print()
    for key, value in tally.table(len(rows) - len(todo), args.mode):
        print(f"{key:<{width}}  {value}")
    print_replicas(backend)
    print(f"output: {args.output}\njudgment cache: {cache_path}")
    return 0


def _pointwise(
    judge: Any, rows: Sequence[dict[str, Any]], part: Sequence[int], domain: Sequence[str | None], tally: _Tally
) -> Iterator[tuple[int, dict[str, Any]]]:
    """Judge each response of the rows in ``part`` on its own; yield (row, record)."""
    from patarm.judges import PointwiseItem

    pairs = {i for i in part if "chosen" in rows[i]}
    responses = {i: [rows[i]["chosen"], rows[i]["rejected"]] if i in pairs else [rows[i]["response"]] for i in part}
    items = [PointwiseItem(rows[i]["prompt"], r, d) for i, d in zip(part, domain, strict=True) for r in responses[i]]
    results = iter(judge.judge_many(items))
    for i in part:
        judged = [next(results) for _ in responses[i]]
        tally.rows += 1
        tally.judgments += sum(len(r.samples) for r in judged)
        tally.malformed += sum(r.malformed for r in judged)
        if i in pairs:
            chosen, rejected = judged
            tally.pairs += 1
            if chosen.score is None or rejected.score is None or chosen.score == rejected.score:
                tally.ties += 1
            else:
                tally.correct += chosen.score > rejected.score
            sides = {"chosen": chosen.model_dump(mode="json"), "rejected": rejected.model_dump(mode="json")}
            yield i, {"domain": chosen.domain, **sides}
        else:
            yield i, {"domain": judged[0].domain, "result": judged[0].model_dump(mode="json")}


def _pairwise(
    judge: Any, rows: Sequence[dict[str, Any]], part: Sequence[int], domain: Sequence[str | None], tally: _Tally
) -> Iterator[tuple[int, dict[str, Any]]]:
    """Judge chosen against rejected (shown as A and B) for the rows in ``part``; yield (row, record)."""
    from patarm.judges import PairwiseItem

    items = [
        PairwiseItem(rows[i]["prompt"], rows[i]["chosen"], rows[i]["rejected"], d)
        for i, d in zip(part, domain, strict=True)
    ]
    for i, result in zip(part, judge.judge_many(items), strict=True):
        tally.rows += 1
        tally.pairs += 1
        tally.correct += result.winner == "a"
        tally.ties += result.winner is None
        tally.judgments += sum(len(o.samples) for o in result.orders)
        tally.malformed += result.malformed
        if result.agreement is not None:
            tally.orders_compared += 1
            tally.agree += result.agreement
        yield i, {"domain": result.domain, "a": "chosen", "result": result.model_dump(mode="json")}


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "judge",
        help="judge pairs or single responses from a file (pointwise or pairwise), writing JSONL",
        description=(
            "Judge every row of INPUT (JSONL, JSON, Parquet, or a datasets folder saved to disk). A row is a "
            "pair (prompt, chosen, rejected) or a single response (prompt, response); prompt is text or a list "
            "of chat messages; optional fields: id or pair_id, domain. Pointwise mode scores each response on "
            "its own; pairwise mode shows chosen and rejected together, in both orders unless --one-order. "
            "Each row's judgment goes to --cache as soon as its chunk is judged; OUTPUT (one JSON line per row, "
            "in input order) is written whole when every row is judged. Rerunning the same command resumes from "
            "the cache; a cache made with other settings is refused, naming them."
        ),
    )
    parser.add_argument("--input", "-i", required=True, help="rows to judge")
    parser.add_argument("--output", "-o", required=True, help="JSONL file of judgments (written when complete)")
    parser.add_argument(
        "--cache", metavar="FILE", help="judgments kept as they come, for resuming (default: OUTPUT with .cache.jsonl)"
    )
    parser.add_argument("--mode", choices=["pointwise", "pairwise"], default="pointwise")
    parser.add_argument("--split", help="split of a saved DatasetDict")
    parser.add_argument("--limit", type=int_at_least(0), help="judge only the first N rows")
    parser.add_argument(
        "--chunk-rows", type=int_at_least(1), default=32, help="rows judged and written per step (default 32)"
    )
    add_backend_args(parser)
    add_judge_args(parser)
    parser.set_defaults(func=run)
