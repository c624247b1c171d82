"""``patarm rubrics list|show``: the domains a judge knows and their primary criteria."""

from __future__ import annotations

import argparse

from patarm.cli._numbers import finite_float

__all__ = ["add_parser"]


def _rubric_set(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from patarm.rubrics import RubricSet

    # --rubric-dir is read before the subcommand (``rubrics --rubric-dir D list``) and after it
    # (``rubrics list --rubric-dir D``); folders given in both places all count, in that order.
    return RubricSet([*(args.rubric_dir or ()), *(getattr(args, "sub_rubric_dir", None) or ())])


def run_list(args: argparse.Namespace) -> int:
    rubrics = _rubric_set(args)
    rows = [(d, rubrics.get(d)) for d in rubrics.domains()]
    width = max(len(d) for d, _ in rows)
    print(f"{'domain':<{width}}  {'criteria':<40}  source")
    for domain, rubric in rows:
        names = ", ".join(line.split(":")[0] for line in rubric.criteria.splitlines() if line.strip())
        source = "built-in" if "/patarm/rubrics/domains/" in rubric.source.replace("\\", "/") else rubric.source
        print(f"{domain:<{width}}  {names:<40}  {source}")
        if rubric.description:
            print(f"{'':<{width}}  {rubric.description}")
    return 0


def run_show(args: argparse.Namespace) -> int:
    rubrics = _rubric_set(args)
    rubric = rubrics.get(args.domain, scale=(args.scale_low, args.scale_high))
    print(f"# {rubric.domain}" + (f": {rubric.description}" if rubric.description else ""))
    print(f"# source: {rubric.source}")
    print(rubric.criteria)
    return 0


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "rubrics",
        help="list the rubric domains, or show one domain's primary criteria",
        description=(
            "Rubrics are Jinja templates, one per domain. Add a domain, or replace a built-in one, "
            "by putting DOMAIN.j2 in a folder and passing --rubric-dir FOLDER."
        ),
    )
    parser.add_argument("--rubric-dir", action="append", metavar="DIR", help="extra rubric folder (repeatable)")
    sub = parser.add_subparsers(dest="rubrics_command", metavar="COMMAND", required=True)
    listing = sub.add_parser("list", help="every known domain, its criteria names and source")
    _rubric_dir_option(listing)
    listing.set_defaults(func=run_list)
    show = sub.add_parser("show", help="the rendered primary criteria of one domain")
    show.add_argument("domain")
    _rubric_dir_option(show)
    show.add_argument(
        "--scale-low", type=finite_float(), default=1, help="scale the template is rendered for (default 1)"
    )
    show.add_argument("--scale-high", type=finite_float(), default=10, help="(default 10)")
    show.set_defaults(func=run_show)


def _rubric_dir_option(parser: argparse.ArgumentParser) -> None:
    """``--rubric-dir`` after the subcommand too, where users write it."""
    parser.add_argument(
        "--rubric-dir",
        dest="sub_rubric_dir",
        action="append",
        metavar="DIR",
        help="extra rubric folder (repeatable; also accepted before the subcommand)",
    )
