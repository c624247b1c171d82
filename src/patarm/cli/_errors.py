"""How a command's failure reaches the user: one line on stderr and an exit code, never a
traceback (unless ``--debug``).

- Expected failures (bad input files, rows, options, paths; a missing extra; a port in use)
  exit 2 with ``patarm COMMAND: error: FILE line N: field F: ...``. A row error raised by
  the library names the row by its index; the message is given the input file and the
  row's line there.
- Anything else is a bug: exit 1 with a one-line message that says where to report it.

Either way the message is passed through :func:`patarm._secrets.redact`: an exception's text can
quote a URL with a password in it (``--base-url http://user:pass@host``) or an API key.
"""

from __future__ import annotations

import argparse
import sys
import traceback
from typing import Any

from pydantic import ValidationError

from patarm._secrets import redact
from patarm.errors import PatarmError, RowError, UnknownDomainError

__all__ = ["EXPECTED", "INPUT_ERROR", "BUG", "describe", "report"]

INPUT_ERROR = 2
BUG = 1
# Failures that come from what the user gave (files, rows, options) or their environment: every
# error patarm raises on purpose (settings, specs, rows, a missing extra, a server that stayed
# down after the retries), a file that cannot be read or written, text that is not UTF-8, a
# value argparse or pydantic refused. Any other exception (a bare ValueError included) is a bug.
EXPECTED: tuple[type[BaseException], ...] = (PatarmError, OSError, UnicodeError, ValidationError)
_LONGEST = 600  # characters of a message shown (a library's message can quote a whole input)


def describe(exc: BaseException, args: argparse.Namespace) -> str:
    """The message for an expected failure, naming the file and line where it can."""
    source = getattr(args, "input", None)
    if isinstance(exc, RowError) and isinstance(exc.row, int) and isinstance(source, str):
        return _located(exc, source, getattr(args, "split", None))
    if isinstance(exc, UnknownDomainError) and isinstance(source, str):
        return _domain_row(exc, source, args) or str(exc)
    if isinstance(exc, OSError) and exc.filename is not None and exc.strerror:
        return f"{exc.filename}: {exc.strerror}"
    if isinstance(exc, ValidationError):  # a settings object refused a value: name the setting
        return "; ".join(f"{'.'.join(map(str, e['loc'])) or e['type']}: {_reason(e['msg'])}" for e in exc.errors())
    return str(exc) or type(exc).__name__


def _domain_row(exc: Any, path: str, args: argparse.Namespace) -> str | None:
    """The first row of ``path`` that names the unknown domain, as ``FILE line N: field F: ...``."""
    from patarm._stream import located_rows

    column = getattr(args, "domain_col", None) or "domain"
    try:
        for where, row in located_rows(path, split=getattr(args, "split", None), skip_unreadable=True):
            if isinstance(row, dict) and row.get(column) == exc.domain:
                known = ", ".join(exc.known)
                return f"{path} {where}: field {column!r}: expected a known domain ({known}), got {exc.domain!r}"
    except (OSError, ValueError):
        return None
    return None


def _reason(message: str) -> str:
    return message.removeprefix("Value error, ")


def _located(exc: RowError, path: str, split: str | None) -> str:
    from patarm._stream import row_location

    message = str(exc)
    prefix = f"row {exc.row}"
    place = row_location(path, int(exc.row or 0), split=split) or prefix
    if message.startswith(prefix):
        message = message[len(prefix) :]
    return f"{path} {place}{message}"


def report(exc: BaseException, args: argparse.Namespace, *, debug: bool) -> int:
    """Print ``exc`` as the one-line message for ``args.command`` and return the exit code."""
    command = " ".join(str(c) for c in (getattr(args, "command", None), _subcommand(args)) if c)
    if debug:
        print(redact("".join(traceback.format_exception(exc))), end="", file=sys.stderr)
    if isinstance(exc, EXPECTED):
        print(f"patarm {command}: error: {_short(describe(exc, args))}", file=sys.stderr)
        return INPUT_ERROR
    where = _tracker()
    hint = f"please report it at {where} with the output of --debug" if where else "report it with --debug output"
    detail = _short(f"{type(exc).__name__}: {exc}")
    print(f"patarm {command}: internal error ({detail}); this is a bug in patarm: {hint}", file=sys.stderr)
    return BUG


def _subcommand(args: argparse.Namespace) -> Any:
    return getattr(args, "data_command", None) or getattr(args, "rubrics_command", None)


def _short(text: str) -> str:
    text = redact(" ".join(text.split()))  # one line, credentials masked
    return text if len(text) <= _LONGEST else text[: _LONGEST - 3] + "..."


def _tracker() -> str | None:
    """The issue tracker named in the installed package's metadata (``Project-URL``), if any."""
    from importlib import metadata

    try:
        urls = metadata.metadata("patarm").get_all("Project-URL") or []
    except metadata.PackageNotFoundError:
        return None
    for entry in urls:
        label, _, url = str(entry).partition(",")
        if label.strip().lower() in ("issues", "bug tracker", "tracker", "bugs", "issue tracker"):
            return url.strip()
    return None
