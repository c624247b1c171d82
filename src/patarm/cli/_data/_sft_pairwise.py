"""``patarm data build-sft --mode pairwise``: a teacher pairwise judge scores both responses
of each pair in both orders; pairs it prefers as labelled, by more than ``--margin``, become two
pairwise SFT rows (one per order). Teacher judgments are cached as they come (resumable)."""

from __future__ import annotations

import argparse
from pathlib import Path

from patarm.cli._common import backend_from_args, config_from_args, print_replicas, template_dir
from patarm.cli._data._shared import cache_settings, labeler, load_lines, print_lines, source
from patarm.errors import ConfigError

__all__ = ["add_format_arg", "run"]


def add_format_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--mode",
        choices=["pointwise", "pairwise"],
        default="pointwise",
        help="pointwise: one row per side, the judge scores one response (default); pairwise: one row per "
        "order, the judge scores both responses (<score_a>/<score_b>); pairs kept when the teacher prefers "
        "chosen in both orders and the mean margin is > --margin",
    )


def run(args: argparse.Namespace) -> int:
    from tqdm.auto import tqdm

    from patarm.data import LoadReport, PairwiseSFTFilter, PairwiseSFTReport, build_pairwise_sft
    from patarm.judges import PairwiseJudge
    from patarm.rubrics import RubricSet

    output = Path(args.output)
    cache = Path(args.teacher_cache) if args.teacher_cache else output.with_suffix(".teacher.jsonl")
    histogram = Path(args.histogram) if args.histogram else output.with_suffix(".margins.png")
    report, sft = LoadReport(), PairwiseSFTReport()
    rubrics = RubricSet(args.rubric_dir or ())
    config = config_from_args(args)
    if not config.both_orders:
        raise ConfigError("--mode pairwise judges both orders (one row per order): drop --one-order")
    backend = backend_from_args(args)
    settings = {k: v for k, v in cache_settings(args, config).items() if k not in ("config", "router")}
    with tqdm(desc="teacher", unit="pair", disable=args.quiet) as bar:
        build = build_pairwise_sft(
            source(args),
            output,
            judge=PairwiseJudge(backend, config, rubrics=rubrics, template_dir=template_dir(args)),
            teacher_cache=cache,
            settings=settings,
            labeler=labeler(args, rubrics, backend),
            report=report,
            sft=sft,
            keep=PairwiseSFTFilter(args.margin),
            histogram=histogram,
            domain=args.domain,
            chunk_pairs=max(1, args.chunk_pairs),
            conversational=not args.text_prompts,
            progress=bar.update,
        )
    print_lines(load_lines(args, report))
    if build.note:
        print(f"note: {build.note}")
    if build.torn_cache_lines:
        print(f"note: the last record of {cache} was cut short (an interrupted write): dropped, redone")
    made = f"{build.judged_now} made now, {build.from_cache} reused from {cache}"
    print(f"teacher judgments (pairwise, both orders): {made}")
    if build.failed:
        print(f"teacher judgments that failed: {build.failed}")
    if build.changed:
        print(f"pair ids judged before with other content: {build.changed} (judged again)")
    print_lines(sft.lines())
    print(f"margin threshold: keep chosen - rejected (mean over both orders) > {args.margin:g}")
    print_replicas(backend)
    shown = build.histogram if build.histogram is not None else "(not written)"
    print(f"output: {output}\nteacher judgments: {cache}\nmargin histogram: {shown}")
    return 0
