"""What the ``patarm data`` subcommands share: input options, the pair source, domain
labelling, judge prompts, and the settings a cache of judgments depends on."""

from __future__ import annotations

import argparse
from typing import Any

from patarm.cli._common import add_backend_args, add_reference_arg, backend_from_args, int_at_least
from patarm.cli._numbers import finite_float

__all__ = [
    "cache_settings",
    "excluded_sources",
    "labeler",
    "load_lines",
    "print_lines",
    "prompts",
    "shared_args",
    "source",
]


def excluded_sources(args: argparse.Namespace) -> tuple[str, ...]:
    """The sources left out: those named by ``--exclude-source``; none with
    ``--keep-all-sources``; else the paper's rule for Skywork-style data (``magpie_ultra``)."""
    from patarm.data import PAPER_EXCLUDED_SOURCES

    if args.keep_all_sources:
        return ()
    if args.exclude_source:
        return tuple(dict.fromkeys(args.exclude_source))
    return PAPER_EXCLUDED_SOURCES


def source(args: argparse.Namespace) -> Any:
    from patarm.data import PairColumns, PairSource

    defaults = PairColumns()
    columns = PairColumns(
        prompt=args.prompt_col,
        chosen=args.chosen_col,
        rejected=args.rejected_col,
        ids=(args.id_col,) if args.id_col else defaults.ids,
        domain=args.domain_col or None,
        sources=(args.source_col,) if args.source_col else defaults.sources,
        reference=getattr(args, "reference_col", None),
    )
    return PairSource(
        args.input,
        columns,
        split=args.split,
        limit=args.limit,
        skip_malformed=args.skip_malformed,
        exclude_sources=excluded_sources(args),
    )


def load_lines(args: argparse.Namespace, report: Any) -> list[str]:
    """The load summary: rows excluded per source when ``--exclude-source`` is given, or when
    the default rule left rows out (with a note saying so); a note when an ``--exclude-source``
    could match nothing because no row had a source."""
    out: list[str] = report.lines(zero_exclusions=bool(args.exclude_source))
    if not args.keep_all_sources and not args.exclude_source and report.excluded:
        names = ", ".join(sorted(report.excluded))
        out.append(
            f"note: rows of source {names} left out: the paper's rule for Skywork-style data "
            "(--keep-all-sources keeps them)"
        )
    if args.exclude_source and report.rows and report.unsourced == report.rows:
        column = args.source_col or "source or subset"
        out.append(f"note: no row has a source ({column}): --exclude-source matched nothing")
    return out


def print_lines(lines: list[str]) -> None:
    for line in lines:
        print(line)


def labeler(args: argparse.Namespace, rubrics: Any, backend: Any = None) -> Any:
    from patarm.data import DomainLabeler
    from patarm.rubrics import HeuristicRouter, LLMRouter

    if args.router == "llm":
        model = backend if backend is not None else backend_from_args(args)
        return DomainLabeler(LLMRouter(model, rubrics.domains()), "llm", rubrics)
    return DomainLabeler(HeuristicRouter(), "heuristic", rubrics)


def prompts(args: argparse.Namespace, rubrics: Any) -> Any:
    from patarm.prompts import JudgePrompts

    return JudgePrompts(rubrics, scale=tuple(args.scale), tiers=args.tiers)


def cache_settings(args: argparse.Namespace, config: Any) -> dict[str, Any]:
    """What cached judgments depend on: the model, the rubrics, routing and the judge config
    (not how the work is chunked). A cache made with other settings is refused."""
    return {
        "backend": args.backend,
        "model": args.model,
        "rubric_dir": list(args.rubric_dir or ()),
        "router": args.router,
        "config": config.model_dump(mode="json"),
    }


def _input_args(parser: argparse.ArgumentParser, *, reference: bool) -> None:
    group = parser.add_argument_group("input (JSONL, JSON, CSV, Parquet, or a datasets folder saved to disk)")
    group.add_argument("--input", "-i", required=True, help="pairwise preference rows")
    group.add_argument("--split", help="split of a saved DatasetDict")
    group.add_argument("--limit", type=int_at_least(0), help="read only the first N rows")
    group.add_argument("--prompt-col", default="prompt", help="prompt column (text rows; default prompt)")
    group.add_argument("--chosen-col", default="chosen", help="text or chat-message list (default chosen)")
    group.add_argument("--rejected-col", default="rejected", help="text or chat-message list (default rejected)")
    group.add_argument("--id-col", help="id column (default: pair_id, else id, else a hash of the content)")
    group.add_argument("--domain-col", default="domain", help="domain column; '' to ignore (default domain)")
    group.add_argument("--source-col", help="source column (default: source, else subset)")
    filters = group.add_mutually_exclusive_group()
    filters.add_argument(
        "--exclude-source",
        action="append",
        metavar="NAME",
        help="leave out rows whose source is NAME, counted per name (repeatable; replaces the default, "
        "which is the paper's rule for Skywork-style data: --exclude-source magpie_ultra)",
    )
    filters.add_argument(
        "--keep-all-sources", action="store_true", help="exclude no source (not even the default magpie_ultra)"
    )
    if reference:
        add_reference_arg(group)
    group.add_argument(
        "--skip-malformed",
        action="store_true",
        help="skip malformed rows and count them per reason (default: stop at the first, naming row and field)",
    )


def shared_args(
    parser: argparse.ArgumentParser,
    output: str | None,
    *,
    with_prompts: bool = False,
    routed: bool = True,
    reference: bool = False,
) -> None:
    """The options the ``patarm data`` commands share: the input (with ``reference``, its
    ``--reference-col``); ``--output`` (its help is ``output``; None: no output); with
    ``with_prompts``, the judge-prompt settings; with ``routed``, domain routing and the backend
    an LLM router runs on."""
    _input_args(parser, reference=reference)
    if output is not None:
        parser.add_argument(
            "--output", "-o", required=True, help=f"{output} (written beside, renamed into place when complete)"
        )
    if with_prompts:
        parser.add_argument("--tiers", choices=["primary", "generated", "both"], default="both")
        parser.add_argument("--scale", type=finite_float(), nargs=2, default=(1, 10), metavar=("LOW", "HIGH"))
    if routed:
        parser.add_argument(
            "--router",
            choices=["heuristic", "llm"],
            default="heuristic",
            help="domain of a pair without one: keyword rules, or a model through --backend (default heuristic)",
        )
        parser.add_argument("--rubric-dir", action="append", metavar="DIR", help="extra rubric folder (repeatable)")
        add_backend_args(parser)
