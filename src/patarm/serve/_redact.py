"""Secrets kept out of the server's logs: the API key, credential query parameters, bearer tokens.

Clients that cannot send headers (OpenRLHF's reward client) put the key in the URL, and every
access log line holds the URL. :func:`protect` installs one :class:`RedactSecrets` filter on the
loggers the server writes to (uvicorn's access and error logs, FastAPI's, ``patarm``'s): it
rewrites each record's message and arguments (keeping their shape, which uvicorn's access
formatter needs) with :func:`redact`. Error reports that carry an exception's text or traceback go
through :func:`redact` before they are logged.

>>> redact("GET /get_reward?api_key=s3cret&x=1 Authorization: Bearer s3cret", ["s3cret"])
'GET /get_reward?api_key=***&x=1 Authorization: Bearer ***'
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

__all__ = ["LOGGERS", "RedactSecrets", "protect", "redact"]

# The loggers a served app writes through (records from child loggers are filtered at their own level).
LOGGERS = ("uvicorn", "uvicorn.access", "uvicorn.error", "uvicorn.asgi", "fastapi", "patarm", "patarm.serve")
MASK = "***"
_CREDENTIAL_PARAM = re.compile(
    r"(?i)((?:^|[?&;\s])(?:api[_-]?key|key|token|access[_-]?token|auth|password|secret)=)[^&;\s\"'#]*"
)
_BEARER = re.compile(r"(?i)(bearer\s+)[^\s\"',;]+")


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with every given secret, credential query value and bearer token masked."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, MASK)
    text = _CREDENTIAL_PARAM.sub(r"\1" + MASK, text)
    return _BEARER.sub(r"\1" + MASK, text)


class RedactSecrets(logging.Filter):
    """Masks secrets in each record's message and string arguments (see :func:`redact`)."""

    def __init__(self) -> None:
        super().__init__()
        self.secrets: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg, self.secrets)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a, self.secrets) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: redact(v, self.secrets) if isinstance(v, str) else v for k, v in record.args.items()}
        if record.exc_info and record.exc_info[1] is not None:  # keep the type, drop a text that may hold secrets
            record.msg = f"{record.msg} [{redact(_exception_text(record), self.secrets)}]"
            record.exc_info = None
            record.exc_text = None
        return True


def _exception_text(record: logging.LogRecord) -> str:
    import traceback

    assert record.exc_info is not None
    kind, value, tb = record.exc_info
    return "".join(traceback.format_exception(kind, value, tb))


_FILTER = RedactSecrets()


def protect(secret: str | None = None) -> RedactSecrets:
    """Install the process's one redaction filter on the server's loggers, adding ``secret`` to it."""
    if secret:
        _FILTER.secrets.add(secret)
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
    return _FILTER
