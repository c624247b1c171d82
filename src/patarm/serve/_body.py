"""Request bodies decoded and checked off the event loop: UTF-8, JSON, nesting depth, lone surrogates.

The server reads every JSON body through :func:`decode_body` (in a worker thread, under the
request's deadline) instead of the web framework's parser, so that each kind of bad body gets a
422 naming where it went wrong, never a 500 or a framework-shaped error:

- bytes that are not UTF-8: ``body: not valid UTF-8 at byte N``;
- text that is not JSON: ``body: not valid JSON at line L column C: ...``;
- nesting deeper than ``max_depth`` (a label of ``[[[[...]]]]`` would otherwise exhaust the
  recursion limit of the JSON parser or of the validators): the field where the limit was passed;
- a lone surrogate (``"\\ud800"``, valid JSON but no Unicode text; the tokenizer and the JSON
  encoder both choke on it): the field that holds it.

Every check walks the decoded value once, iteratively: time linear in the body.

>>> decode_body(b'{"items": [{"prompt": "hi", "response": "\\\\ud800"}]}', max_depth=8)
Traceback (most recent call last):
...
patarm.errors.BadBody: items[0].response: lone surrogate U+D800 at character 0 (not Unicode text)
>>> decode_body(b'{"labels": [[[[1]]]]}', max_depth=3)
Traceback (most recent call last):
...
patarm.errors.BadBody: labels[0][0][0]: nested deeper than 3 levels
"""

from __future__ import annotations

import json
import re
from typing import Any

from patarm.errors import (
    BadBody,
)

__all__ = ["BadBody", "check_value", "decode_body", "field_path", "replace_surrogates", "validation_message"]

_SURROGATE = re.compile("[\ud800-\udfff]")


def validation_message(errors: list[dict[str, Any]], shown: int = 5) -> str:
    """pydantic / FastAPI validation errors as one readable line naming each field.

    >>> validation_message([{"loc": ("body", "items", 0, "response"), "msg": "Field required"}])
    'invalid request: items.0.response: Field required'
    """
    parts = []
    for error in errors[:shown]:
        where = ".".join(str(x) for x in error.get("loc", ()) if x != "body") or "body"
        parts.append(f"{where}: {error.get('msg', 'invalid value')}")
    more = f" (and {len(errors) - shown} more)" if len(errors) > shown else ""
    return "invalid request: " + "; ".join(parts) + more


def field_path(parts: tuple[str | int, ...]) -> str:
    """``("items", 0, "response")`` -> ``items[0].response`` (``body`` for the root)."""
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "body"


def decode_body(raw: bytes, *, max_depth: int) -> Any:
    """The JSON value of ``raw``, or :class:`BadBody` saying which field is wrong and why."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadBody(f"body: not valid UTF-8 at byte {exc.start}") from None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadBody(f"body: not valid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}") from None
    except RecursionError:
        raise BadBody(f"body: nested deeper than {max_depth} levels") from None
    check_value(value, max_depth)
    return value


def check_value(value: Any, max_depth: int, path: tuple[str | int, ...] = ()) -> None:
    """:class:`BadBody` when ``value`` (found at ``path``) nests too deep or holds a lone surrogate."""
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(value, path)]
    while stack:
        node, path = stack.pop()
        if len(path) > max_depth:
            raise BadBody(f"{field_path(path)}: nested deeper than {max_depth} levels")
        if isinstance(node, str):
            _text(node, path)
        elif isinstance(node, dict):
            for key, child in node.items():
                _text(key, (*path, "<key>"))
                stack.append((child, (*path, key)))
        elif isinstance(node, list):
            stack.extend((child, (*path, i)) for i, child in enumerate(node))


def _text(text: str, path: tuple[str | int, ...]) -> None:
    found = _SURROGATE.search(text)
    if found:
        where = f"lone surrogate U+{ord(found.group()):04X} at character {found.start()}"
        raise BadBody(f"{field_path(path)}: {where} (not Unicode text)")


def replace_surrogates(text: str) -> str:
    """``text`` with each lone surrogate replaced by U+FFFD (for text the server sends, e.g. judge output).

    >>> replace_surrogates("ok\\ud800")
    'ok\\ufffd'
    """
    return _SURROGATE.sub("\ufffd", text)
