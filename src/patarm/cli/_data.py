"""``patarm data``: pairwise preference datasets -> PaTaRM's pair files, SFT and RL corpora.

Subcommands: ``convert`` (any supported shape -> normalised pairs with domains), ``add-noise``
(seeded label flips), ``build-rl`` (one judge-prompt row per side, reject-sampling filter),
``build-sft`` (teacher judge, margin filter, resumable), ``stats``. Every command prints how
many rows it read, kept and skipped per reason.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from patarm.cli._common import add_backend_args, add_judge_args, backend_from_args, config_from_args

__all__ = ["add_parser"]


def _columns(args: argparse.Namespace) -> Any:
    from patarm.data import PairColumns

    defaults = PairColumns()
    return PairColumns(
        prompt=args.prompt_col,
        chosen=args.chosen_col,
        rejected=args.rejected_col,
        ids=(args.id_col,) if args.id_col else defaults.ids,
        domain=args.domain_col or None,
        sources=(args.source_col,) if args.source_col else defaults.sources,
    )


def _loaded(args: argparse.Namespace, report: Any) -> Iterator[Any]:
    from itertools import islice

    from patarm.data import iter_loaded, iter_rows

    rows = iter_rows(args.input, split=args.split)
    if args.limit is not None:
        rows = islice(rows, args.limit)
    return iter_loaded(rows, _columns(args), skip=args.skip_malformed, report=report)


def _print(lines: list[str]) -> None:
    for line in lines:
        print(line)


def _labeler(args: argparse.Namespace, rubrics: Any, backend: Any = None) -> Any:
    from patarm.data import DomainLabeler
    from patarm.rubrics import HeuristicRouter, LLMRouter

    if args.router == "llm":
        model = backend if backend is not None else backend_from_args(args)
        return DomainLabeler(LLMRouter(model, rubrics.domains()), "llm", rubrics)
    return DomainLabeler(HeuristicRouter(), "heuristic", rubrics)


def _pair_row(pair: Any, domain: str | None, source: str | None) -> dict[str, Any]:
    row: dict[str, Any] = pair.model_dump(mode="json")
    row["domain"], row["domain_source"] = domain, source
    return row


def _jsonl_output(path: str) -> None:
    if Path(path).suffix.lower() not in (".jsonl", ".ndjson"):
        raise ValueError(f"{path}: pair files are written as JSON lines; name the output .jsonl")


def run_convert(args: argparse.Namespace) -> int:
    from patarm.data import LoadReport, write_rows
    from patarm.rubrics import RubricSet

    _jsonl_output(args.output)
    report = LoadReport()
    labeler = _labeler(args, RubricSet(args.rubric_dir or ()))

    def rows() -> Iterator[dict[str, Any]]:
        for item in _loaded(args, report):
            yield _pair_row(item.pair, *labeler.label(item.pair))

    write_rows(args.output, rows())
    _print(report.lines())
    _print([f"domain {d} ({s}): {n}" for (d, s), n in sorted(labeler.counts.items())])
    print(f"output: {args.output}")
    return 0


def run_add_noise(args: argparse.Namespace) -> int:
    from patarm.data import LoadReport, add_noise, apply_flips, write_rows

    _jsonl_output(args.output)
    report = LoadReport()
    loaded = list(_loaded(args, report))
    pairs = [item.pair for item in loaded]
    if args.undo:
        flipped = [item.pair.pair_id for item in loaded if item.row.get("flipped") is True]
        pairs = apply_flips(pairs, flipped)
        marks = [False] * len(pairs)
    else:
        pairs, flipped = add_noise(pairs, args.flip, seed=args.seed)
        chosen = set(flipped)
        marks = [p.pair_id in chosen for p in pairs]
    rows = []
    for item, pair, mark in zip(loaded, pairs, marks, strict=True):
        row = _pair_row(pair, pair.domain, item.row.get("domain_source"))
        row["flipped"] = mark
        rows.append(row)
    write_rows(args.output, rows)
    _print(report.lines())
    print(f"pairs {'restored' if args.undo else 'flipped'}: {len(flipped)} of {len(pairs)}")
    print(f"output: {args.output}")
    return 0


def _prompts(args: argparse.Namespace, rubrics: Any) -> Any:
    from patarm.prompts import JudgePrompts

    return JudgePrompts(rubrics, scale=tuple(args.scale), tiers=args.tiers)


def run_build_rl(args: argparse.Namespace) -> int:
    from tqdm.auto import tqdm

    from patarm.data import LoadReport, RejectSampling, RLReport, rl_rows, write_rows
    from patarm.rubrics import RubricSet

    rubrics = RubricSet(args.rubric_dir or ())
    report, rl = LoadReport(), RLReport()
    low, high = args.keep_range
    if not 0.0 <= low <= high <= 1.0:
        raise ValueError(f"--keep-range {low} {high}: expected 0 <= LOW <= HIGH <= 1")
    sampling = RejectSampling(low, high, args.correct_column) if args.correct_column else None
    labeler = _labeler(args, rubrics)
    loaded = tqdm(_loaded(args, report), desc="pairs", unit="pair", disable=args.quiet)
    rows = rl_rows(
        loaded,
        prompts=_prompts(args, rubrics),
        labeler=labeler,
        reject_sampling=sampling,
        report=rl,
        conversational=not args.text_prompts,
    )
    write_rows(args.output, rows)
    _print(report.lines())
    if sampling is not None:
        print(f"reject sampling on {sampling.column!r}: keep {low:g} <= correct fraction <= {high:g}")
    print(f"pairs kept: {rl.kept}, dropped (correct fraction out of range): {rl.dropped.get('out_of_range', 0)}")
    _print([f"domain {d} ({s}): {n}" for (d, s), n in sorted(labeler.counts.items())])
    print(f"rows written: {rl.rows}")
    print(f"output: {args.output}")
    return 0


def _read_cache(path: Path, wanted: set[str]) -> dict[str, tuple[Any, Any]]:
    from patarm.judges import PointwiseResult

    found: dict[str, tuple[Any, Any]] = {}
    if not path.exists():
        return found
    with path.open(encoding="utf-8") as f:
        for line in f:
            try:
                record = json.loads(line)
                if str(record["id"]) in wanted:
                    pair = (PointwiseResult(**record["chosen"]), PointwiseResult(**record["rejected"]))
                    found[str(record["id"])] = pair
            except (json.JSONDecodeError, KeyError, TypeError, ValueError):
                continue  # a line cut short by an interrupted run: that pair is judged again
    return found


def run_build_sft(args: argparse.Namespace) -> int:
    from tqdm.auto import tqdm

    from patarm.data import (
        JsonlWriter,
        LoadReport,
        SFTFilter,
        SFTReport,
        margin_histogram,
        read_jsonl_ids,
        sft_pair_rows,
        write_rows,
    )
    from patarm.judges import PointwiseItem, PointwiseJudge
    from patarm.rubrics import RubricSet

    output = Path(args.output)
    cache = Path(args.teacher_cache) if args.teacher_cache else output.with_suffix(".teacher.jsonl")
    histogram = Path(args.histogram) if args.histogram else output.with_suffix(".margins.png")
    report = LoadReport()
    loaded = list(_loaded(args, report))
    _print(report.lines())
    rubrics = RubricSet(args.rubric_dir or ())
    backend = backend_from_args(args)
    labeler = _labeler(args, rubrics, backend)
    domains = [args.domain or labeler.label(item.pair)[0] for item in loaded]
    done, broken = read_jsonl_ids(cache)
    if broken:
        print(f"note: {broken} unreadable line(s) in {cache} (an interrupted write); those pairs are judged again")
    todo = [i for i, item in enumerate(loaded) if item.pair.pair_id not in done]
    judge = PointwiseJudge(backend, config_from_args(args), rubrics=rubrics)
    chunk = max(1, args.chunk_pairs)
    with JsonlWriter(cache) as out, tqdm(total=len(todo), desc="teacher", unit="pair", disable=args.quiet) as bar:
        for start in range(0, len(todo), chunk):
            part = todo[start : start + chunk]
            items = [
                PointwiseItem(loaded[i].pair.prompt, loaded[i].pair.response(role), domains[i])
                for i in part
                for role in ("chosen", "rejected")
            ]
            results = iter(judge.judge_many(items))
            for i in part:
                chosen, rejected = next(results), next(results)
                record = {"id": loaded[i].pair.pair_id, "chosen": chosen.model_dump(mode="json")}
                record["rejected"] = rejected.model_dump(mode="json")
                out.write(record)
            bar.update(len(part))
    judged = _read_cache(cache, {item.pair.pair_id for item in loaded})
    sft, keep = SFTReport(), SFTFilter(args.margin)
    rows: list[dict[str, Any]] = []
    for item, domain in zip(loaded, domains, strict=True):
        chosen, rejected = judged[item.pair.pair_id]
        margin, reason = keep.verdict(chosen, rejected)
        sft.add(margin, reason)
        if reason is None:
            rows += sft_pair_rows(
                item.pair, domain, chosen, rejected, judge.prompts, conversational=not args.text_prompts
            )
    write_rows(output, rows)
    try:
        margin_histogram(sft.margins, histogram, threshold=args.margin)
    except ImportError as exc:  # matplotlib missing: the corpus is written, the picture is not
        print(f"note: no margin histogram: {exc}")
        histogram = Path("(not written)")
    print(f"teacher judged: {len(todo)} pair(s) now, {len(loaded) - len(todo)} from {cache}")
    _print(sft.lines())
    print(f"margin threshold: keep chosen - rejected > {args.margin:g}")
    print(f"output: {output}\nteacher judgments: {cache}\nmargin histogram: {histogram}")
    return 0


def run_stats(args: argparse.Namespace) -> int:
    from patarm.data import LoadReport, PairStats
    from patarm.rubrics import RubricSet

    report, stats = LoadReport(), PairStats()
    labeler = _labeler(args, RubricSet(args.rubric_dir or ()))
    for item in _loaded(args, report):
        domain, source = labeler.label(item.pair)
        stats.add(item.pair, domain, item.row.get("domain_source") or source)
    _print(report.lines())
    summary = stats.summary()
    if args.json:
        print(json.dumps(summary, indent=2))
        return 0
    print(f"pairs: {summary['pairs']}")
    for key in ("domains", "domain_sources", "sources"):
        print(f"{key}: " + (", ".join(f"{k} {v}" for k, v in summary[key].items()) or "-"))
    for side in ("chosen", "rejected"):
        dist = summary[f"{side}_chars"]
        print(f"{side} length (chars): mean {dist['mean']:.1f}, median {dist['median']:.1f}")
    print(f"chosen longer than rejected: {summary['chosen_longer_share']:.1%} of pairs")
    print(f"duplicate pairs: {summary['duplicate_pairs']}, repeated prompts: {summary['repeated_prompts']}")
    return 0


def _input_args(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("input (JSONL, JSON, CSV, Parquet, or a datasets folder saved to disk)")
    group.add_argument("--input", "-i", required=True, help="pairwise preference rows")
    group.add_argument("--split", help="split of a saved DatasetDict")
    group.add_argument("--limit", type=int, help="read only the first N rows")
    group.add_argument("--prompt-col", default="prompt", help="prompt column (text rows; default prompt)")
    group.add_argument("--chosen-col", default="chosen", help="text or chat-message list (default chosen)")
    group.add_argument("--rejected-col", default="rejected", help="text or chat-message list (default rejected)")
    group.add_argument("--id-col", help="id column (default: pair_id, else id, else a hash of the content)")
    group.add_argument("--domain-col", default="domain", help="domain column; '' to ignore (default domain)")
    group.add_argument("--source-col", help="source column (default: source, else subset)")
    group.add_argument(
        "--skip-malformed",
        action="store_true",
        help="skip malformed rows and count them per reason (default: stop at the first, naming row and field)",
    )


def _router_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--router",
        choices=["heuristic", "llm"],
        default="heuristic",
        help="domain of a pair without one: keyword rules, or a model through --backend (default heuristic)",
    )
    parser.add_argument("--rubric-dir", action="append", metavar="DIR", help="extra rubric folder (repeatable)")


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "data",
        help="turn pairwise preference datasets into PaTaRM's SFT and RL corpora",
        description=(
            "Load pairs from prompt/chosen/rejected texts, chat-message lists (Skywork, UltraFeedback-binarized) "
            "or RewardBench rows; label domains; add label noise; build the RL and SFT corpora; report statistics."
        ),
    )
    sub = parser.add_subparsers(dest="data_command", metavar="SUBCOMMAND", required=True)

    convert = sub.add_parser("convert", help="normalise pairs to JSONL with domains and their sources")
    _input_args(convert)
    convert.add_argument("--output", "-o", required=True, help="JSONL of pairs")
    _router_args(convert)
    add_backend_args(convert)
    convert.set_defaults(func=run_convert)

    noise = sub.add_parser(
        "add-noise",
        help="swap chosen and rejected on a seeded share of pairs (field 'flipped' records which)",
        description="Flip exactly round(FRACTION x n) pairs chosen by SEED; --undo swaps back pairs marked flipped.",
    )
    _input_args(noise)
    noise.add_argument("--output", "-o", required=True, help="JSONL of pairs with a boolean 'flipped' field")
    noise.add_argument("--flip", type=float, default=0.0, metavar="FRACTION", help="share of pairs to flip, 0..1")
    noise.add_argument("--seed", type=int, default=0)
    noise.add_argument("--undo", action="store_true", help="swap back the pairs whose 'flipped' field is true")
    noise.set_defaults(func=run_add_noise)

    rl = sub.add_parser(
        "build-rl",
        help="RL rows: one judge prompt per (pair, side), with the reject-sampling filter",
        description=(
            "Write one row per side {prompt, pair_id, role, domain, domain_source}, chosen then rejected, as "
            "Parquet or JSONL. With --correct-column, keep only pairs whose share of correct sampler rollouts "
            "(a fraction or a list of booleans in that column) lies in --keep-range. Rollouts are not computed here."
        ),
    )
    _input_args(rl)
    rl.add_argument("--output", "-o", required=True, help=".parquet or .jsonl")
    rl.add_argument("--correct-column", help="per-pair correctness of sampler rollouts (enables the filter)")
    rl.add_argument(
        "--keep-range", type=float, nargs=2, default=(1 / 8, 6 / 8), metavar=("LOW", "HIGH"), help="default 1/8 6/8"
    )
    rl.add_argument("--tiers", choices=["primary", "generated", "both"], default="both")
    rl.add_argument("--scale", type=float, nargs=2, default=(1, 10), metavar=("LOW", "HIGH"))
    rl.add_argument("--text-prompts", action="store_true", help="prompts as plain text instead of chat messages")
    rl.add_argument("--quiet", action="store_true", help="no progress bar")
    _router_args(rl)
    add_backend_args(rl)
    rl.set_defaults(func=run_build_rl)

    sft = sub.add_parser(
        "build-sft",
        help="SFT rows: a teacher judge scores both sides; keep pairs whose margin is larger than --margin",
        description=(
            "The teacher's judgments are appended to --teacher-cache as they come; a rerun judges only the pairs "
            "not there yet (delete the cache after changing the teacher or its settings). Pairs are dropped for "
            "malformed teacher output, wrong order (rejected scored higher) or a margin <= --margin."
        ),
    )
    _input_args(sft)
    sft.add_argument("--output", "-o", required=True, help="SFT rows {prompt, completion, ...}: .jsonl or .parquet")
    sft.add_argument("--margin", type=float, default=2.0, help="keep pairs with chosen - rejected > MARGIN (default 2)")
    sft.add_argument("--teacher-cache", help="JSONL of teacher judgments (default: OUTPUT with .teacher.jsonl)")
    sft.add_argument("--histogram", help="margin histogram PNG (default: OUTPUT with .margins.png)")
    sft.add_argument("--chunk-pairs", type=int, default=16, help="pairs judged and cached per step (default 16)")
    sft.add_argument("--text-prompts", action="store_true", help="prompt and completion as plain text")
    sft.add_argument("--quiet", action="store_true", help="no progress bar")
    sft.add_argument(
        "--router", choices=["heuristic", "llm"], default="heuristic", help="domain routing (llm: the teacher)"
    )
    add_backend_args(sft)
    add_judge_args(sft)
    sft.set_defaults(func=run_build_sft)

    stats = sub.add_parser("stats", help="counts by domain and source, chosen vs rejected lengths, duplicates")
    _input_args(stats)
    _router_args(stats)
    add_backend_args(stats)
    stats.add_argument("--json", action="store_true", help="print the summary as JSON")
    stats.set_defaults(func=run_stats)
