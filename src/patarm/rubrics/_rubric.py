"""Primary rubrics as data: one Jinja template per domain, plus rubric objects made in code.

A :class:`RubricSet` looks a domain up in, from last to first: rubrics registered in code,
template directories the user passed (later ones win), the built-in templates. A template
``my_domain.j2`` in a directory adds the domain ``my_domain``; a file ``chat.j2`` replaces
the built-in chat rubric. Templates see ``scale_low`` and ``scale_high`` and nothing else:
they render in Jinja's sandbox (see :mod:`patarm.rubrics._sandbox`), and a template that reaches
for anything more fails with an error naming its file.

>>> rubrics = RubricSet()
>>> rubrics.get("math").criteria.splitlines()[0]
'Correctness: the final answer is right and meets every requirement of the problem.'
>>> rubrics.register(Rubric("legal", "Accuracy: cites the law correctly."))
>>> "legal" in rubrics.domains()
True
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import jinja2

from patarm._numbers import plain_number
from patarm.errors import (
    InputError,
    UnknownDomainError,
)
from patarm.parsing import DEFAULT_SCALE, Scale, check_scale
from patarm.rubrics._sandbox import TemplateError, sandboxed_environment

__all__ = ["BUILTIN_DIR", "Rubric", "RubricSet", "UnknownDomainError"]

BUILTIN_DIR = Path(__file__).parent / "domains"
_DOMAIN_NAME = re.compile(r"[a-z][a-z0-9_]*")
_DESCRIPTION = re.compile(r"\{#-?\s*description:\s*(.*?)\s*-?#\}", re.DOTALL)


@dataclass(frozen=True)
class Rubric:
    """A domain's primary (task-level) criteria: one ``Name: description`` per line."""

    domain: str
    criteria: str
    description: str = ""
    source: str = "code"

    def __post_init__(self) -> None:
        if not _DOMAIN_NAME.fullmatch(self.domain):
            raise InputError(f"domain names are lowercase identifiers (a-z, 0-9, _), got {self.domain!r}")
        if not self.criteria.strip():
            raise InputError(f"rubric {self.domain!r} has no criteria")


class RubricSet:
    """Rubrics by domain: built-in templates, template directories, and registered objects."""

    def __init__(self, directories: Sequence[str | Path] = (), *, builtin: bool = True) -> None:
        self._dirs: list[Path] = [BUILTIN_DIR] if builtin else []
        for directory in directories:
            path = Path(directory)
            if not path.is_dir():
                raise FileNotFoundError(f"rubric directory {str(path)!r} does not exist")
            self._dirs.append(path)
        self._registered: dict[str, Rubric] = {}
        self._files: dict[str, Path] = {}
        for directory in self._dirs:
            for file in sorted(directory.glob("*.j2")):
                if not _DOMAIN_NAME.fullmatch(file.stem):
                    raise InputError(f"{file}: rubric file names are lowercase identifiers (a-z, 0-9, _) plus .j2")
                self._files[file.stem] = file
        self._env = sandboxed_environment()
        self._rendered: dict[tuple[str, float, float], Rubric] = {}

    @property
    def directories(self) -> tuple[Path, ...]:
        """The folders rubric files are read from, the built-in one first (when used)."""
        return tuple(self._dirs)

    def register(self, rubric: Rubric) -> None:
        """Add or replace a domain's rubric in code."""
        self._registered[rubric.domain] = rubric

    def domains(self) -> list[str]:
        """Every known domain, sorted."""
        return sorted(set(self._files) | set(self._registered))

    def __contains__(self, domain: object) -> bool:
        return domain in self._registered or domain in self._files

    def check(self, domain: str) -> str:
        """``domain`` itself if known, else :class:`UnknownDomainError` listing the known ones."""
        if domain not in self:
            raise UnknownDomainError(domain, self.domains())
        return domain

    def get(self, domain: str, *, scale: Scale = DEFAULT_SCALE) -> Rubric:
        """The rubric of ``domain``, its template rendered for ``scale``."""
        self.check(domain)
        if domain in self._registered:
            return self._registered[domain]
        lo, hi = check_scale(scale)
        key = (domain, lo, hi)
        if key not in self._rendered:  # each template is read and rendered once per scale
            file = self._files[domain]
            source = file.read_text(encoding="utf-8")
            try:
                text = self._env.from_string(source).render(scale_low=plain_number(lo), scale_high=plain_number(hi))
            except jinja2.TemplateError as exc:
                reason = f"{type(exc).__name__}: {exc}"
                raise TemplateError(f"{file}: the rubric template does not render: {reason}") from exc
            found = _DESCRIPTION.search(source)
            self._rendered[key] = Rubric(domain, text.strip(), found.group(1) if found else "", str(file))
        return self._rendered[key]
