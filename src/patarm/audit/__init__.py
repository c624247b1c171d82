"""A judge's health report before it becomes a reward: accuracy and ties, length bias, style
bias, injection and flattery, position bias, consistency and scale use, each figure with its
n and a 95% interval, and a verdict per check against documented :class:`Thresholds`.

The pieces work alone: :func:`plain` / :func:`styled` / :func:`apply_attack` rewrite a
user's own responses deterministically; :func:`collect` judges probes resumably through a
:class:`~patarm.store.JsonlStore`; :func:`run_checks` turns judgments into checks;
:func:`load_audit_data` reads the pairs (a preference file or a benchmark's rows);
:func:`run_audit` does it all and writes ``audit.json``, ``audit.md`` and PNG plots (drawn by
:mod:`patarm.audit.plots`, which needs matplotlib).
``patarm audit`` is the command-line layer over them.

>>> styled("Use a list.\\n\\nThen sort it.")
'## Use a list.\\n\\n**Then sort it.**'
>>> plain(styled("Use a list.\\n\\nThen sort it.")) == plain("Use a list.\\n\\nThen sort it.")
True
"""

from patarm._stats import Figure
from patarm.audit._checks import CHECKS, AuditInputs, run_checks
from patarm.audit._collect import collect
from patarm.audit._pairs import AuditData, AuditPair, load_audit_data
from patarm.audit._report import audit_markdown, compare_markdown, load_audit, write_audit
from patarm.audit._rewrites import ATTACKS, Attack, apply_attack, plain, styled
from patarm.audit._run import AuditSettings, run_audit
from patarm.audit._thresholds import Thresholds, Verdict

__all__ = [
    "apply_attack",
    "collect",
    "plain",
    "run_checks",
    "styled",
    "ATTACKS",
    "CHECKS",
    "Attack",
    "AuditData",
    "AuditInputs",
    "AuditPair",
    "AuditSettings",
    "Figure",
    "Thresholds",
    "Verdict",
    "compare_markdown",
    "load_audit",
    "load_audit_data",
    "audit_markdown",
    "run_audit",
    "write_audit",
]
