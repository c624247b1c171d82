"""The exceptions patarm raises, all under one base and all defined here, so ``except
PatarmError`` catches ours and nothing else. Each class also keeps the builtin base its callers
already catch (``ValueError`` for a bad value or input, ``ImportError`` for a missing extra,
``RuntimeError`` for a failed service, ``TimeoutError`` for a deadline).

.. code-block:: text

    PatarmError
    ├── ConfigError (ValueError)              a setting, option or spec that cannot be used; names it
    │   ├── PairConfigError                   a verl/OpenRLHF setting that would split pairs
    │   └── StoreSettingsError                a resumable store written with other settings
    ├── InputError (ValueError)               input data that cannot be used (a file, a text, a value)
    │   ├── RowError                          bad input row: file/row, field, expected form
    │   │   └── MalformedRowError             a preference row that cannot become a pair
    │   ├── UnknownDomainError                a rubric domain that no template or object serves
    │   ├── TemplateError                     a rubric/prompt template that fails in the sandbox
    │   ├── QuerySplitError                   a policy query that no chat template splits
    │   └── BadBody                           a reward-server request body that is not the API's JSON
    │       └── OverLimit                     a body over a count or length limit (413), found before decoding
    ├── MissingExtraError (ImportError)       an optional package is missing; names the extra
    ├── BackendError (RuntimeError)           a generation server failed for good
    ├── JudgeServerError (RuntimeError)       a ``patarm serve`` answered with an error
    ├── ServerUnavailable (RuntimeError)      a local test server could not be started here
    └── inside the reward server
        ├── ServeError                        an error answer: status, code, message
        ├── ClientGone                        the client left before its answer was ready
        ├── QueueFullError (RuntimeError)     the server's queue is full; retry later
        ├── BatcherClosedError (RuntimeError) the micro-batcher is shut down
        ├── BatchFailedError (RuntimeError)   the backend call for a batch raised
        └── JudgeTimeoutError (TimeoutError)  a request was not answered in time

Settings objects (``PARSettings``, ``JudgeConfig``, ``ServeSettings``, the adapters' settings,
``Thresholds``) and spec readers (delta specs, scales, environment variables) raise
:class:`ConfigError`; readers of files and rows raise :class:`InputError` or :class:`RowError`.
The command line maps these types to its exit codes (2: the user's input; 1: a bug).

>>> from patarm.errors import ConfigError, PatarmError, RowError
>>> issubclass(RowError, PatarmError) and issubclass(RowError, ValueError)
True
>>> issubclass(ConfigError, ValueError)
True
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = [
    "BackendError",
    "BadBody",
    "BatchFailedError",
    "BatcherClosedError",
    "ClientGone",
    "ConfigError",
    "InputError",
    "JudgeServerError",
    "JudgeTimeoutError",
    "MalformedRowError",
    "MissingExtraError",
    "OverLimit",
    "PairConfigError",
    "PatarmError",
    "QuerySplitError",
    "QueueFullError",
    "RowError",
    "ServeError",
    "ServerUnavailable",
    "StoreSettingsError",
    "TemplateError",
    "UnknownDomainError",
]


class PatarmError(Exception):
    """Base of every exception patarm raises on purpose (the tree is in this module's docstring).

    Args:
        *args: As for :class:`Exception`: the message, which says what is wrong and how to
            fix it. Subclasses build it from their own arguments (see :class:`RowError`).
    """


# -- bad values: settings and specs, input data ------------------------------------------------


class ConfigError(PatarmError, ValueError):
    """A setting, command-line option or spec (a delta spec, a scale, an environment variable)
    that patarm cannot use; the message names the setting and what it expects.

    Args:
        *args: The message.
    """


class PairConfigError(ConfigError):
    """A verl or OpenRLHF config that could split a pair or leave a reward waiting; lists every problem.

    Args:
        *args: The message.
    """


class StoreSettingsError(ConfigError):
    """A store was written with other settings; ``changed`` lists (name, then, now).

    Args:
        path: The store's file.
        changed: Each setting that differs: its (dotted) name, its value then and now.
    """

    def __init__(self, path: Path, changed: list[tuple[str, Any, Any]]) -> None:
        self.path = path
        self.changed = changed
        detail = "; ".join(f"{name}: {then!r} then, {now!r} now" for name, then, now in changed)
        super().__init__(
            f"{path}: made with other settings ({detail}); use another file, or the same settings to resume"
        )


class InputError(PatarmError, ValueError):
    """Input data that patarm cannot use (a file, a text, a value passed to a function); the
    message says which and why.

    Args:
        *args: The message.
    """


class RowError(InputError):
    """Bad input row: names the row, the field and the expected form.

    The message reads ``row 3: field 'chosen': expected a string, got 5``; the arguments
    stay available as attributes of the same names for callers that count or report errors.

    Args:
        row: Which row: its index or line number, as the caller counts rows, or a label;
            None when the input is a single value, not a row ("input" in the message).
        field: The field's name, dotted for a nested field (``prompt.0.role``), or
            ``<row>`` when the row as a whole is wrong.
        expected: The expected form, in words (``a non-empty string or integer``).
        got: The value found; the message shows its ``repr``, cut to 80 characters.
    """

    def __init__(self, row: int | str | None, field: str, expected: str, got: object) -> None:
        self.row = row
        self.field = field
        self.expected = expected
        self.got = got
        where = f"row {row}" if row is not None else "input"
        shown = repr(got)
        if len(shown) > 80:
            shown = shown[:77] + "..."
        super().__init__(f"{where}: field {field!r}: expected {expected}, got {shown}")


class MalformedRowError(RowError):
    """A row that is not a usable preference pair; ``reason`` is one of ``patarm.data.MALFORMED_REASONS``.

    Args:
        row: As for :class:`RowError`.
        field: As for :class:`RowError`.
        expected: As for :class:`RowError`.
        got: As for :class:`RowError`.
        reason: Why the row is not a pair (a stable word, counted in load reports).
    """

    def __init__(self, row: int | str | None, field: str, expected: str, got: object, reason: str) -> None:
        super().__init__(row, field, expected, got)
        self.reason = reason


class UnknownDomainError(InputError):
    """A domain name with no rubric; the message lists the known ones.

    Args:
        domain: The name asked for.
        known: The domains a rubric serves.
    """

    def __init__(self, domain: str, known: Sequence[str]) -> None:
        self.domain = domain
        self.known = list(known)
        super().__init__(f"unknown domain {domain!r}; known domains: {', '.join(self.known)}")


class TemplateError(InputError):
    """A rubric or prompt template that does not render in the sandbox (or goes past its
    bounds); the message names its file.

    Args:
        *args: The message.
    """


class QuerySplitError(InputError):
    """A policy query that could not be split into a prompt and a response; the message says why.

    Args:
        *args: The message.
    """


class BadBody(InputError):
    """A reward-server request body that cannot be read as the API's JSON; the message names the field.

    Args:
        *args: The message.
    """


class OverLimit(BadBody):
    """A request body over a count or length limit (413), found while scanning it before it is
    decoded; the message names the field and the limit.

    Args:
        message: What is over which limit.
        at: The character offset where the scan stopped.
    """

    def __init__(self, message: str, at: int) -> None:
        super().__init__(message)
        self.at = at


# -- services ----------------------------------------------------------------------------------


class MissingExtraError(PatarmError, ImportError):
    """An optional package is missing; the message names the extra to install.

    Args:
        *args: As for :class:`ImportError`: the message, naming the missing module and the
            ``pip install -e '.[extra]'`` line that brings it (``patarm._extras.require`` writes it).
    """


class BackendError(PatarmError, RuntimeError):
    """A request to a generation server failed for good: a non-retryable status, retries used
    up, or a malformed reply. The message masks credentials.

    Args:
        *args: The message.
    """


class JudgeServerError(PatarmError, RuntimeError):
    """The judge server refused or failed a request; the message carries its status and reason.

    Args:
        message: What failed.
        status: The HTTP status, when the server answered.
    """

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class ServerUnavailable(PatarmError, RuntimeError):
    """A local server could not be started here; the message says why (skip or exit on it).

    Args:
        *args: The message.
    """


# -- inside the reward server ------------------------------------------------------------------


class ServeError(PatarmError):
    """An error answer: HTTP status, stable code, message (and extra headers, field details, error id).

    Args:
        status: The HTTP status.
        code: A stable word for the error (``body_too_large``, ``queue_full``...).
        message: What a client reads.
        headers: Extra response headers (``Retry-After``).
        detail: Per-field details (422).
        ident: The id that matches the server's log line (500).
    """

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        headers: dict[str, str] | None = None,
        *,
        detail: list[dict[str, Any]] | None = None,
        ident: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}
        self.detail = detail
        self.ident = ident

    def body(self) -> dict[str, Any]:
        """The documented error body: ``{error, message}`` (plus ``error_id`` / ``detail`` when set)."""
        out: dict[str, Any] = {"error": self.code, "message": self.message}
        if self.ident is not None:
            out["error_id"] = self.ident
        if self.detail is not None:
            out["detail"] = self.detail
        return out


class ClientGone(PatarmError):
    """The client disconnected before its answer was ready; its work was dropped.

    Args:
        *args: The message.
    """


class QueueFullError(PatarmError, RuntimeError):
    """The queue cannot take the request's items now; try again later.

    Args:
        *args: The message.
    """


class BatcherClosedError(PatarmError, RuntimeError):
    """The batcher is shut down (or not started).

    Args:
        *args: The message.
    """


class BatchFailedError(PatarmError, RuntimeError):
    """The backend call for the request's items raised; the message carries the original error,
    ``__cause__`` the exception itself (for the log: it may hold secrets or paths, so the server
    never sends it to a client).

    Args:
        *args: The message.
    """


class JudgeTimeoutError(PatarmError, TimeoutError):
    """The request was not answered in time; ``started`` says whether its batch had begun.

    Args:
        message: What a client reads.
        started: Whether the request's batch had begun when the deadline came.
    """

    def __init__(self, message: str, started: bool) -> None:
        super().__init__(message)
        self.started = started
