"""A griffe extension for the API reference: patarm's docstrings read well as Markdown.

- patarm's docstrings carry ``>>>`` examples in their text (they run as doctests). Markdown
  would read them as prose, and ``x[0][1]`` as a link; each run of ``>>>`` lines and their
  output is wrapped in a ``pycon`` fence.
- Sphinx roles (``:func:`par_rewards```) become inline code, and ``.. code-block:: LANG``
  directives fenced code.

Applied when mkdocstrings loads a docstring; named in mkdocs.yml.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import griffe

sys.path.insert(0, str(Path(__file__).parent))
from public_api import ROLE

DIRECTIVE = re.compile(r"^(\s*)\.\. code-block::\s*(\S*)\s*$")


def fence_directives(text: str) -> str:
    """``.. code-block:: LANG`` and its indented block as a Markdown fence."""
    lines = text.splitlines()
    out: list[str] = []
    i = 0
    while i < len(lines):
        match = DIRECTIVE.match(lines[i])
        if not match:
            out.append(lines[i])
            i += 1
            continue
        indent, language = match.groups()
        i += 1
        block: list[str] = []
        while i < len(lines) and (not lines[i].strip() or len(lines[i]) - len(lines[i].lstrip()) > len(indent)):
            block.append(lines[i])
            i += 1
        while block and not block[-1].strip():
            block.pop()
        while block and not block[0].strip():
            block.pop(0)
        cut = min((len(b) - len(b.lstrip()) for b in block if b.strip()), default=0)
        out += [f"{indent}```{language}", *(indent + b[cut:] for b in block), f"{indent}```", ""]
    return "\n".join(out)


def fence_doctests(text: str) -> str:
    """``text`` with each doctest block (from a ``>>>`` line to the next blank line) fenced."""
    out: list[str] = []
    in_fence = in_doctest = False
    indent = ""
    for line in text.splitlines():
        stripped = line.lstrip()
        if in_doctest and not stripped:
            out.append(indent + "```")
            in_doctest = False
        if stripped.startswith("```"):
            in_fence = not in_fence
        elif not in_fence and not in_doctest and stripped.startswith(">>>"):
            indent = line[: len(line) - len(stripped)]
            out.append(indent + "```pycon")
            in_doctest = True
        out.append(line)
    if in_doctest:
        out.append(indent + "```")
    return "\n".join(out)


class DoctestFences(griffe.Extension):
    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = ROLE.sub(r"`\1`", fence_doctests(fence_directives(obj.docstring.value)))
