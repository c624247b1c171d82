"""The one Jinja environment every rubric and prompt template renders in: Jinja's immutable sandbox.

Rubric folders and template folders come from users, so a template is untrusted code: it sees
only the variables the caller passes (Jinja's default globals such as ``cycler``, ``joiner``,
``namespace``, ``lipsum``, ``range`` and ``dict`` are removed), cannot reach attributes that
start with ``_`` (no ``__globals__``, ``__class__``, ``__import__``), cannot call methods that
change data, and reads no file but the templates its loader was given. Anything else raises a
:class:`jinja2.exceptions.SecurityError` or an undefined-variable error at render time, which
the callers report with the file name.

It also bounds what a template may cost (:mod:`patarm.rubrics._limits`): the size of every
string, list and integer it builds, its output, its loop iterations and its render time. A
template over a bound raises :class:`~patarm.rubrics._limits.TemplateLimitError`, reported with
the file name like any other refusal; so does any other exception a template raises (``1/0``).

>>> env = sandboxed_environment()
>>> env.from_string("{{ low }}-{{ high }}").render(low=1, high=10)
'1-10'
>>> env.from_string("{{ cycler }}").render()
Traceback (most recent call last):
...
jinja2.exceptions.UndefinedError: 'cycler' is undefined
"""

from __future__ import annotations

from typing import Any

import jinja2

from patarm.errors import (
    TemplateError,
)
from patarm.rubrics._limits import GuardedEnvironment, RenderLimits, TemplateLimitError

__all__ = ["RenderLimits", "TemplateError", "TemplateLimitError", "sandboxed_environment"]


def sandboxed_environment(
    loader: jinja2.BaseLoader | None = None, *, limits: RenderLimits | None = None, **options: Any
) -> GuardedEnvironment:
    """An immutable sandboxed environment with no globals, strict undefined, no autoescape and
    the cost bounds of ``limits`` (default :class:`RenderLimits`).

    Without ``loader`` a template can include nothing (an empty loader, so ``{% include %}`` is a
    clean "template not found", not a crash).
    """
    env = GuardedEnvironment(
        loader=loader or jinja2.DictLoader({}),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        limits=limits,
        **options,
    )
    env.globals.clear()
    return env
