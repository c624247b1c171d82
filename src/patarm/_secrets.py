"""Credentials kept out of every log line, warning, error message and repr, and API keys read cleanly.

One :func:`redact` for every form a credential takes in text patarm prints:

- a URL's user information: ``http://user:password@host`` -> ``http://***@host`` (the user part
  can itself be a token, so all of it goes);
- HTTP headers: ``Authorization: Bearer T`` / ``Basic T`` / ``SCHEME T``, ``X-API-Key: T``
  (also as written by a dict's repr, ``'x-api-key': 'T'``), and a lone ``Bearer T``;
- parameters named like a credential (``api_key``, ``key``, ``token``, ``access_token``,
  ``secret``, ``password``, ``auth``, ``signature``...; any case, ``-`` or ``_``, the name
  percent-encoded or not: ``api%5Fkey=``): the whole value goes, however it is encoded
  (``?api_key=k%2Dy`` -> ``?api_key=***``);
- any literal secret the caller names (a server's own key, wherever it shows up).

Untrusted text reaches it (request lines, server replies), so it runs in time linear in the
text: one scan for anchors (``://``, ``=``, ``:``, ``bearer``, ``basic``; a pattern of literals,
no backtracking), and around each anchor a scan that never revisits what an earlier anchor
scanned. It is idempotent, and text without credentials comes back unchanged.

:class:`RedactSecrets` is a :class:`logging.Filter` that applies it to every record of the
loggers :func:`protect` installs it on. :func:`server_key` and :func:`client_key` read API keys
from the environment or a file with surrounding whitespace stripped (a secret file's trailing
newline is no part of the key).

>>> redact("GET /get_reward?api%5Fkey=k%2Dy&x=1 Authorization: Bearer s3cret")
'GET /get_reward?api%5Fkey=***&x=1 Authorization: Bearer ***'
>>> redact("POST http://user:pass@127.0.0.1:9/v1/chat/completions failed")
'POST http://***@127.0.0.1:9/v1/chat/completions failed'
"""

from __future__ import annotations

import logging
import os
import re
import traceback
import warnings
from collections.abc import Collection, Iterable, Mapping
from pathlib import Path
from urllib.parse import unquote

from patarm.errors import ConfigError

__all__ = [
    "API_KEY_ENV",
    "LEGACY_SERVER_KEY_ENV",
    "MASK",
    "key_variable",
    "SERVER_LOGGERS",
    "RedactSecrets",
    "client_key",
    "protect",
    "redact",
    "server_key",
]

MASK = "***"

# The judge server's key: one variable at both ends (``patarm serve`` reads it, the clients in
# ``patarm.policy_rewards`` send it). The server's former name is still read, with a warning.
API_KEY_ENV = "PATARM_JUDGE_API_KEY"
LEGACY_SERVER_KEY_ENV = "PATARM_SERVE_API_KEY"

# Every anchor is a short literal, so finding them all is one linear scan.
_ANCHOR = re.compile(r"://|[=:]|\b(?:bearer|basic)\b", re.IGNORECASE)
# Where a URL's authority (``user:password@host:port``) ends.
_AUTHORITY_END = re.compile(r"[/?#\s\"'<>\\]")
# Where a parameter's value ends (``&`` or ``;`` starts the next one; quotes close a repr).
_VALUE_END = re.compile(r"[&;\s\"'#<>]")
# Where a header's value (or a token after a scheme) ends.
_TOKEN_END = re.compile(r"[\s\"',;&<>)}\]]")
_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.%")
_QUOTES = "\"'"
_BLANKS = " \t"

# Names whose value is a credential after ``:`` (headers, and mappings printed as ``name: value``).
_HEADER_NAMES = frozenset(
    {
        "authorization",
        "proxy_authorization",
        "x_api_key",
        "api_key",
        "apikey",
        "x_auth_token",
        "auth_token",
        "access_token",
        "refresh_token",
        "client_secret",
        "password",
        "passwd",
    }
)
_SCHEME_HEADERS = frozenset({"authorization", "proxy_authorization"})
# After ``=`` the test is broader (see :func:`_credential_param`).
_CONTAINS = ("secret", "passw", "credential")
_ENDS = ("key", "token", "pwd", "_auth", "signature", "_sig")
_EXACT = frozenset({"auth", "sig", "pass"})


def _normal(name: str) -> str:
    """A parameter or header name as compared: percent-decoded, lower case, ``-`` as ``_``."""
    if "%" in name:
        name = unquote(name, errors="replace")
    return name.strip("[]").lower().replace("-", "_")


def _credential_param(name: str) -> bool:
    """Whether ``name=VALUE`` carries a credential (``api_key``, ``access_token``, ``password``...).

    >>> [_credential_param(n) for n in ("api%5Fkey", "X-Api-Key", "access_token", "max_tokens", "author")]
    [True, True, True, False, False]
    """
    norm = _normal(name)
    if norm in _EXACT or norm in _HEADER_NAMES:
        return True
    return any(part in norm for part in _CONTAINS) or norm.endswith(_ENDS)


def _looks_encoded(token: str) -> bool:
    """Whether the word after ``Basic`` looks like base64 credentials rather than prose."""
    if len(token) < 4 or not all(c.isalnum() or c in "+/=" for c in token):
        return False
    mixed = any(c.isupper() for c in token) and any(c.islower() for c in token)
    return mixed or any(c.isdigit() or c in "+/=" for c in token)


def _end(pattern: re.Pattern[str], text: str, start: int) -> int:
    found = pattern.search(text, start)
    return found.start() if found else len(text)


def _skip(text: str, start: int, chars: str) -> int:
    while start < len(text) and text[start] in chars:
        start += 1
    return start


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with every credential masked as ``***`` (see the module's list), and every one of
    ``secrets`` wherever it appears.

    Args:
        text: any text: a log line, an exception's message, a URL, a repr.
        secrets: literal values to mask as well (empty ones, and ones the mask itself holds, are ignored).

    Returns:
        The text with the credentials' values replaced; names, schemes and hosts are kept.

    >>> redact("{'X-API-Key': 'abc123'} token=t0k&n=1", ["n=1"])
    "{'X-API-Key': '***'} token=***&***"
    """
    for secret in secrets:
        if secret and secret not in MASK:
            text = text.replace(secret, MASK)
    out: list[str] = []
    pos = 0  # text[:pos] is in ``out``; anchors before it were inside a masked span
    for anchor in _ANCHOR.finditer(text):
        at = anchor.start()
        if at < pos:
            continue
        kind = anchor.group().lower()
        if kind == "://":
            start = anchor.end()
            stop = _end(_AUTHORITY_END, text, start)
            user_end = text.rfind("@", start, stop)
            if user_end >= 0:
                out += [text[pos:start], MASK]
                pos = user_end
            continue
        if kind in ("bearer", "basic"):
            start = _skip(text, anchor.end(), _BLANKS)
            if start == anchor.end():
                continue
            stop = _end(_TOKEN_END, text, start)
            token = text[start:stop]
            if token and token != MASK and (kind == "bearer" or _looks_encoded(token)):
                out += [text[pos:start], MASK]
                pos = stop
            continue
        # ``=`` or ``:``: the name before it (quotes and blanks around it allowed), then the value.
        name_end = at
        while name_end > pos and text[name_end - 1] in _BLANKS:
            name_end -= 1
        if name_end > pos and text[name_end - 1] in _QUOTES:
            name_end -= 1
        name_start = name_end
        while name_start > pos and text[name_start - 1] in _NAME_CHARS:
            name_start -= 1
        name = text[name_start:name_end]
        if not name:
            continue
        if kind == ":":
            if _normal(name) not in _HEADER_NAMES:
                continue
        elif not _credential_param(name):
            continue
        start = _skip(text, _skip(text, at + 1, _BLANKS), _QUOTES)
        if kind == ":" and _normal(name) in _SCHEME_HEADERS:
            stop = _end(_TOKEN_END, text, start)
            after = _skip(text, stop, _BLANKS)
            if text[start:stop].isalpha() and after > stop and after < len(text):
                start, stop = after, _end(_TOKEN_END, text, after)  # ``SCHEME TOKEN``: the token goes
        else:
            stop = _end(_VALUE_END if kind == "=" else _TOKEN_END, text, start)
        if stop > start and text[start:stop] != MASK:
            out += [text[pos:start], MASK]
            pos = stop
    out.append(text[pos:])
    return "".join(out)


class RedactSecrets(logging.Filter):
    """Masks credentials (see :func:`redact`) and the listed ``secrets`` in each record it sees.

    The message and its string arguments are rewritten in place, keeping their shape (uvicorn's
    access formatter reads the arguments by position). A record that carries an exception keeps
    the exception's type and redacted text in its message, and drops the traceback object.
    """

    def __init__(self) -> None:
        super().__init__()
        self.secrets: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg, self.secrets)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a, self.secrets) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.args, Mapping):
            record.args = {k: redact(v, self.secrets) if isinstance(v, str) else v for k, v in record.args.items()}
        if record.exc_info and record.exc_info[1] is not None:  # keep the type, drop a text that may hold secrets
            kind, value, tb = record.exc_info
            text = "".join(traceback.format_exception(kind, value, tb))
            record.msg = f"{record.msg} [{redact(text, self.secrets)}]"
            record.exc_info = None
            record.exc_text = None
        return True


# The loggers a served app writes through. A logger's filter sees only the records logged to it
# (not its children's), so each patarm logger that may print a URL is named here.
SERVER_LOGGERS = (
    "uvicorn",
    "uvicorn.access",
    "uvicorn.error",
    "uvicorn.asgi",
    "fastapi",
    "patarm",
    "patarm.serve",
    "patarm.retry",
    "patarm.backends._openai",
)
_FILTER = RedactSecrets()


def protect(secret: str | None = None, loggers: Collection[str] = SERVER_LOGGERS) -> RedactSecrets:
    """Install the process's one :class:`RedactSecrets` filter on ``loggers``, adding ``secret`` to it.

    Args:
        secret: a value to mask wherever it appears (a server's API key), or None.
        loggers: the names of the loggers to filter (installing twice is harmless).

    Returns:
        The filter (its ``secrets`` set is shared by every logger it is installed on).
    """
    if secret:
        _FILTER.secrets.add(secret)
    for name in loggers:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
    return _FILTER


def key_variable(env: str) -> str:
    """The variable a server configured to read ``env`` actually reads: ``env``, except that an
    unset :data:`API_KEY_ENV` falls back to the former :data:`LEGACY_SERVER_KEY_ENV` when that is set.

    >>> key_variable("MY_KEY")
    'MY_KEY'
    """
    if env == API_KEY_ENV and env not in os.environ and LEGACY_SERVER_KEY_ENV in os.environ:
        return LEGACY_SERVER_KEY_ENV
    return env


def server_key(env: str | None = None, file: str | Path | None = None) -> str | None:
    """A server's API key from the environment variable ``env`` or the file ``file``, stripped.

    A key that is set but blank (empty, or only whitespace such as a lone newline) is an error
    naming where it came from: a server started with it would either accept anyone or no one.
    Neither source given, or ``env`` not set: None (no key).

    Args:
        env: the name of an environment variable, or None. For :data:`API_KEY_ENV`, an unset
            variable falls back to :data:`LEGACY_SERVER_KEY_ENV` with a ``DeprecationWarning``.
        file: a file holding the key (its surrounding whitespace, a trailing newline included, is dropped).

    Returns:
        The key, or None when no source holds one.

    Raises:
        ValueError: the key is blank, or both sources are given.
        OSError: the file cannot be read.
    """
    if env and file:
        raise ConfigError("give the API key by environment variable or by file, not both")
    if file:
        raw = Path(file).read_text(encoding="utf-8")
        where = f"API key file {str(file)!r}"
    elif env:
        value = os.environ.get(env)
        if key_variable(env) != env:
            warnings.warn(
                f"${LEGACY_SERVER_KEY_ENV} is deprecated: set the judge server's key in ${API_KEY_ENV}, "
                "the variable its clients read too",
                DeprecationWarning,
                stacklevel=2,
            )
            env, value = LEGACY_SERVER_KEY_ENV, os.environ.get(LEGACY_SERVER_KEY_ENV)
        if value is None:
            return None
        raw = value
        where = f"API key variable ${env}"
    else:
        return None
    key = raw.strip()
    if not key:
        raise ConfigError(f"{where} is blank: put the key in it, or unset it to serve without a key")
    return key


def client_key(value: str | None) -> str | None:
    """A client's API key with surrounding whitespace stripped; a blank key is no key (None).

    A client never fails on a blank key: an empty ``$OPENAI_API_KEY`` is the usual way to say
    "none" to a local server, and a server that needs one answers 401 with advice.

    >>> client_key("sk-1\\n"), client_key("  "), client_key(None)
    ('sk-1', None, None)
    """
    if value is None:
        return None
    return value.strip() or None
