"""A JSON body measured before it is decoded: counts and lengths checked in one pass, stopping at the first excess.

Decoding a body first and counting after lets a body that will be refused cost what its objects
cost: 8 MB of ``0,`` is 4 million labels, which ``json.loads`` and validation turn into
gigabytes and seconds before anyone counts them. :class:`JsonScan` walks the JSON text token by
token (strings, numbers and punctuation are matched in C by one regular expression, on a copy of
the text whose escape pairs are blanked out by ``str.replace``, so every quote left in it opens
or closes a string; the Python loop runs once per token) and stops at the first of:

- an array with more than ``max_items`` entries (:class:`OverLimit`, 413);
- a string (a value or a key, anywhere in the body) with more than ``max_chars`` characters, as
  decoded (:class:`OverLimit`, 413);
- more than ``max_values`` values in all (:class:`OverLimit`, 413);
- a value nested deeper than ``max_depth`` levels, or a string holding a lone surrogate
  (:class:`patarm.serve._body.BadBody`, 422), with the same messages as
  :func:`patarm.serve._body.check_value`, which it replaces for bodies.

So refusing the 8 MB body above reads about ``max_items`` tokens. The scan does not validate the
JSON; ``json.loads`` does that after it, on a body the scan has bounded. One scan object can
measure several texts against one budget of values (a body, then the JSON labels inside it).

>>> scan = JsonScan(max_items=3, max_chars=8, max_depth=4, max_values=100)
>>> scan.scan('{"query": ["a", "b", "c", "d"]}')
Traceback (most recent call last):
...
patarm.errors.OverLimit: query: more than 3 entries; the limit is 3: split the request
>>> scan.scan('{"labels": [{"prompt": "longer than eight"}]}')
Traceback (most recent call last):
...
patarm.errors.OverLimit: labels[0].prompt has 17 characters; the limit is 8
"""

from __future__ import annotations

import json
import re
from typing import Any

from patarm.errors import OverLimit
from patarm.serve._body import BadBody, field_path

__all__ = ["JsonScan", "OverLimit", "read_json"]

# In a text whose escape pairs are blanked: a whole string, one punctuation mark, a run of anything
# else but white space (a number or literal), or a stray quote (an unterminated string: the scan
# ends there).
_TOKEN = re.compile(r'"[^"]*"|[\[\]{}:,]|[^\s\[\]{}:,"]+|"')
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")


class JsonScan:
    """Counts and lengths of JSON texts against limits, before decoding (see the module docstring).

    ``values`` is the number of values seen so far, over every :meth:`scan` of this object.
    """

    def __init__(self, *, max_items: int, max_chars: int, max_depth: int, max_values: int) -> None:
        self.max_items = max_items
        self.max_chars = max_chars
        self.max_depth = max_depth
        self.max_values = max_values
        self.values = 0

    def scan(self, text: str, base: tuple[str | int, ...] = ()) -> None:
        """Raise :class:`OverLimit` or :class:`BadBody` at the first excess in ``text`` (found at ``base``)."""
        arrays: list[bool] = []  # per open container: an array (else an object)
        counts: list[int] = []  # entries so far (arrays)
        keys: list[str | int] = []  # the current key (objects)
        expect_key = False
        depth0 = len(base)

        def path() -> tuple[str | int, ...]:
            return (*base, *(n - 1 if is_array else k for is_array, n, k in zip(arrays, counts, keys, strict=True)))

        blanked = text.replace("\\\\", "__").replace('\\"', "__") if "\\" in text else text  # same length
        for match in _TOKEN.finditer(blanked):
            token = text[match.start() : match.end()]
            first = token[0]
            if first == ",":
                expect_key = bool(arrays) and not arrays[-1]
                continue
            if first == ":":
                continue
            if first in "]}":
                if arrays:
                    arrays.pop(), counts.pop(), keys.pop()
                expect_key = False
                continue
            if first == '"':
                if len(token) == 1:
                    return  # an unterminated string: json.loads names the error
                if expect_key:
                    key = self._string(token, (*path(), "<key>"), match.start(), decode=True)
                    keys[-1] = key
                    expect_key = False
                    continue
            # A value starts here: count it where it sits.
            self.values += 1
            if self.values > self.max_values:
                limit = self.max_values
                raise OverLimit(f"body: more than {limit} JSON values; the limit is {limit}", match.start())
            if arrays and arrays[-1]:
                counts[-1] += 1
                if counts[-1] > self.max_items:
                    limit = self.max_items
                    where = field_path(path()[:-1])
                    message = f"{where}: more than {limit} entries; the limit is {limit}: split the request"
                    raise OverLimit(message, match.start())
            if depth0 + len(arrays) > self.max_depth:
                raise BadBody(f"{field_path(path())}: nested deeper than {self.max_depth} levels")
            if first == '"':
                self._string(token, path(), match.start())
            elif first in "[{":
                arrays.append(first == "[")
                counts.append(0)
                keys.append("")
                expect_key = first == "{"

    def _string(self, token: str, where: tuple[str | int, ...], at: int, *, decode: bool = False) -> str:
        """The string of ``token``, checked (length, lone surrogates); decoded when asked or when needed."""
        if "\\" not in token:
            text = token[1:-1]
        elif not decode and len(token) - 2 <= self.max_chars and not _SURROGATE_ESCAPE.search(token):
            return token  # short, and no escape can be a surrogate: its decoded form is not needed
        else:
            try:
                text = json.loads(token)
            except ValueError:  # a bad escape: json.loads names it when it decodes the body
                return token
        if len(text) > self.max_chars:
            raise OverLimit(f"{field_path(where)} has {len(text)} characters; the limit is {self.max_chars}", at)
        found = _SURROGATE.search(text)
        if found:
            what = f"lone surrogate U+{ord(found.group()):04X} at character {found.start()}"
            raise BadBody(f"{field_path(where)}: {what} (not Unicode text)")
        return text


def read_json(raw: bytes, scan: JsonScan) -> Any:
    """The JSON value of a body: UTF-8 decoded, measured by ``scan`` (which stops at the first excess), then
    parsed; :class:`OverLimit` (413) or :class:`BadBody` (422) says which field is wrong and why.

    >>> scan = JsonScan(max_items=2, max_chars=9, max_depth=4, max_values=9)
    >>> read_json(b'{"query": ["q"], "labels": [0, 0, 0]}', scan)
    Traceback (most recent call last):
    ...
    patarm.errors.OverLimit: labels: more than 2 entries; the limit is 2: split the request
    """
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadBody(f"body: not valid UTF-8 at byte {exc.start}") from None
    scan.scan(text)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadBody(f"body: not valid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}") from None
    except RecursionError:  # the scan bounds nesting; this is a last line of defence
        raise BadBody(f"body: nested deeper than {scan.max_depth} levels") from None
