"""``patarm data build-sft``: a teacher judge scores both sides; pairs with a clear margin
become SFT rows. Teacher judgments are cached as they come (resumable)."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from patarm.cli._common import (
    add_backend_args,
    add_judge_args,
    add_progress_arg,
    backend_from_args,
    config_from_args,
    print_replicas,
    template_dir,
)
from patarm.cli._data._sft_formats import SFT_FORMATS, as_format, format_problem
from patarm.cli._data._shared import cache_settings, labeler, load_lines, print_lines, shared_args, source
from patarm.cli._numbers import finite_float
from patarm.data import LoadReport
from patarm.errors import ConfigError

__all__ = ["add_parser"]


def run(args: argparse.Namespace) -> int:
    from tqdm.auto import tqdm

    from patarm.rubrics import RubricSet

    pairwise = args.mode == "pairwise"
    if pairwise and args.format != "trl":
        raise ConfigError(f"--mode pairwise writes {{prompt, completion}} rows: drop --format {args.format}")
    problem = format_problem(args.format, args.output, text_prompts=args.text_prompts)
    if problem:
        raise ConfigError(problem)
    config = config_from_args(args)
    if pairwise and not config.both_orders:
        raise ConfigError("--mode pairwise judges both orders (one row per order): drop --one-order")
    build_corpus, judge_cls, keep, sft = _corpus(pairwise, args.margin)
    output = Path(args.output)
    # verl's rows are written from the prompt-completion rows in a second pass (see _reshape)
    rows_file = output if args.format in ("trl", "openrlhf") else output.with_name(f".{output.name}.rows.jsonl")
    cache = Path(args.teacher_cache) if args.teacher_cache else output.with_suffix(".teacher.jsonl")
    histogram = Path(args.histogram) if args.histogram else output.with_suffix(".margins.png")
    report = LoadReport()
    rubrics = RubricSet(args.rubric_dir or ())
    backend = backend_from_args(args)
    # The teacher's own settings go to the store with these; the domain is part of what is judged.
    settings = {k: v for k, v in cache_settings(args, config).items() if k not in ("config", "router")}
    with tqdm(desc="teacher", unit="pair", disable=not args.progress) as bar:
        build = build_corpus(
            source(args),
            rows_file,
            judge=judge_cls(backend, config, rubrics=rubrics, template_dir=template_dir(args)),
            teacher_cache=cache,
            settings=settings,
            labeler=labeler(args, rubrics, backend),
            report=report,
            sft=sft,
            keep=keep,
            histogram=histogram,
            domain=args.domain,
            chunk_pairs=max(1, args.chunk_pairs),
            conversational=not args.text_prompts,
            progress=bar.update,
        )
    if rows_file != output:
        _reshape(rows_file, output, args.format)
    print_lines(load_lines(args, report))
    if build.note:
        print(f"note: {build.note}")
    if build.torn_cache_lines:
        print(f"note: the last record of {cache} was cut short (an interrupted write): dropped, redone")
    which = " (pairwise, both orders)" if pairwise else ""
    print(f"teacher judgments{which}: {build.judged_now} made now, {build.from_cache} reused from {cache}")
    if build.failed:
        print(f"teacher judgments that failed: {build.failed}")
    if build.changed:
        print(f"pair ids judged before with other content: {build.changed} (judged again)")
    print_lines(sft.lines())
    mean = " (mean over both orders)" if pairwise else ""
    print(f"margin threshold: keep chosen - rejected{mean} > {args.margin:g}")
    print_replicas(backend)
    shown = build.histogram if build.histogram is not None else "(not written)"
    print(f"output: {output} ({args.format} rows)\nteacher judgments: {cache}\nmargin histogram: {shown}")
    return 0


def _corpus(pairwise: bool, margin: float) -> tuple[Any, Any, Any, Any]:
    """The corpus builder, the teacher judge's class, the keep rule and the report of a mode:
    pointwise (one row per side) or pairwise (one row per order)."""
    from patarm import data, judges

    if pairwise:
        return data.build_pairwise_sft, judges.PairwiseJudge, data.PairwiseSFTFilter(margin), data.PairwiseSFTReport()
    return data.build_sft, judges.PointwiseJudge, data.SFTFilter(margin), data.SFTReport()


def _reshape(rows_file: Path, output: Path, fmt: str) -> None:
    """Rewrite the prompt-completion rows of ``rows_file`` as ``fmt`` rows in ``output`` (atomic), then
    remove ``rows_file``."""
    import json

    from patarm.data import write_rows

    def rows() -> Iterator[dict[str, Any]]:
        with rows_file.open(encoding="utf-8") as lines:
            for line in lines:
                yield as_format(json.loads(line), fmt)

    write_rows(output, rows())
    rows_file.unlink()


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sft = sub.add_parser(
        "build-sft",
        help="SFT rows: a teacher judge scores both sides; keep pairs whose margin is larger than --margin",
        description=(
            "The teacher's judgments are appended to --teacher-cache as they come, keyed by what was judged: a "
            "rerun judges only the responses not there yet (an edited pair is judged again), and a cache made by "
            "a teacher with other settings is refused, naming them. Pairs are "
            "dropped for malformed teacher output, wrong order (rejected scored higher) or a margin <= --margin."
        ),
    )
    shared_args(sft, "SFT rows {prompt, completion, ...}: .jsonl or .parquet", routed=False, reference=True)
    sft.add_argument(
        "--margin", type=finite_float(), default=2.0, help="keep pairs with chosen - rejected > MARGIN (default 2)"
    )
    sft.add_argument(
        "--mode",
        choices=["pointwise", "pairwise"],
        default="pointwise",
        help="pointwise: one row per side, the judge scores one response (default); pairwise: one row per "
        "order, the judge scores both responses (<score_a>/<score_b>); pairs kept when the teacher prefers "
        "chosen in both orders and the mean margin is > --margin",
    )
    sft.add_argument("--teacher-cache", help="JSONL of teacher judgments (default: OUTPUT with .teacher.jsonl)")
    sft.add_argument("--histogram", help="margin histogram PNG (default: OUTPUT with .margins.png)")
    sft.add_argument(
        "--chunk-pairs",
        type=int,
        default=16,
        help="pairs judged and cached per step (default 16; may change between runs)",
    )
    sft.add_argument("--text-prompts", action="store_true", help="prompt and completion as plain text")
    add_progress_arg(sft)
    sft.add_argument(
        "--format",
        choices=SFT_FORMATS,
        default="trl",
        help="rows for this stack's SFT trainer: trl and openrlhf {prompt, completion, ...}; "
        "verl {messages, ...} in .parquet (default trl)",
    )
    sft.add_argument(
        "--router", choices=["heuristic", "llm"], default="heuristic", help="domain routing (llm: the teacher)"
    )
    add_backend_args(sft)
    add_judge_args(sft)
    sft.set_defaults(func=run)
