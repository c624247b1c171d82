"""``patarm data stats``: counts by domain and source, chosen vs rejected lengths, duplicates."""

from __future__ import annotations

import argparse
import json

from patarm.cli._data._shared import labeler, load_lines, print_lines, shared_args, source

__all__ = ["add_parser"]


def run(args: argparse.Namespace) -> int:
    from patarm.data import LoadReport, PairStats
    from patarm.rubrics import RubricSet

    report, stats = LoadReport(), PairStats()
    label = labeler(args, RubricSet(args.rubric_dir or ()))
    for item in source(args).iter(report):
        domain, domain_source = label.label(item.pair)
        stats.add(item.pair, domain, item.row.get("domain_source") or domain_source)
    print_lines(load_lines(args, report))
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


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    stats = sub.add_parser("stats", help="counts by domain and source, chosen vs rejected lengths, duplicates")
    shared_args(stats, None)
    stats.add_argument("--json", action="store_true", help="print the summary as JSON")
    stats.set_defaults(func=run)
