"""Write the command-line reference, ``docs/reference/cli.md``, from patarm's argparse parsers
(no copied help text): every command and nested subcommand with its ``--help``.

The page is committed, so its links work where the markdown is read on a code host too; a test
(``tests/test_cli_reference.py``) fails when it differs from what the parsers print, and
``python docs/scripts/gen_cli_ref.py`` writes it anew. Help is wrapped at 80 columns so that no
line is wider than the site's code blocks.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

PAGE = Path(__file__).resolve().parent.parent / "reference" / "cli.md"
WIDTH = 80


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


def render() -> str:
    """The page, as the installed parsers print it at :data:`WIDTH` columns."""
    os.environ["COLUMNS"] = str(WIDTH + 2)  # argparse wraps to COLUMNS - 2
    from patarm.cli import build_parser

    parser = build_parser()
    parser.prog = "patarm"
    intro = (
        "# Command line\n\n"
        "Every command and subcommand of `patarm`, with the help text its parser prints "
        "(`patarm COMMAND --help`). This page is generated from the parsers "
        "(`python docs/scripts/gen_cli_ref.py`); a test keeps it in step with them.\n\n"
    )
    return intro + "\n".join(walk(parser, "patarm", 2))


if __name__ == "__main__":
    PAGE.write_text(render(), encoding="utf-8")
    print(f"wrote {PAGE}")
