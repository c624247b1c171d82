"""Generate the command-line reference from patarm's argparse parsers (no copied help text).

Run by mkdocs-gen-files at build time: walks ``patarm.cli.build_parser()`` and every nested
subcommand, and writes each parser's ``--help`` as printed by the installed ``patarm``.
"""

from __future__ import annotations

import argparse
import os

import mkdocs_gen_files

from patarm.cli import build_parser


def subcommands(parser: argparse.ArgumentParser) -> list[tuple[str, argparse.ArgumentParser]]:
    """(name, parser) of each direct subcommand, in the order the parser lists them."""
    found: list[tuple[str, argparse.ArgumentParser]] = []
    for action in parser._actions:  # argparse offers no public accessor for subparsers
        if isinstance(action, argparse._SubParsersAction):
            seen: set[int] = set()
            for name, sub in action.choices.items():
                if id(sub) not in seen:  # aliases map to the same parser
                    seen.add(id(sub))
                    found.append((name, sub))
    return found


def walk(parser: argparse.ArgumentParser, prog: str, level: int) -> list[str]:
    out = [f"{'#' * level} `{prog}`\n", f"```text\n{parser.format_help().rstrip()}\n```\n"]
    for name, sub in subcommands(parser):
        out += walk(sub, f"{prog} {name}", min(level + 1, 4))
    return out


def main() -> None:
    os.environ["COLUMNS"] = "100"  # argparse wraps to the terminal width: fix it for the page
    parser = build_parser()
    intro = (
        "# Command line\n\n"
        "Every command and subcommand of `patarm`, with the help text its parser prints "
        "(`patarm COMMAND --help`). This page is generated from the parsers at build time.\n\n"
    )
    with mkdocs_gen_files.open("reference/cli.md", "w") as fd:
        fd.write(intro + "\n".join(walk(parser, "patarm", 2)))


main()
