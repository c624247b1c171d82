"""A judge's health report before it becomes a reward: accuracy and ties, length bias, style
bias, injection and flattery, position bias, consistency and scale use, each figure with its
n and a 95% interval, and a verdict per check against documented :class:`Thresholds`.

The pieces work alone: :func:`plain` / :func:`styled` / :func:`apply_attack` rewrite a
user's own responses deterministically; :func:`collect` judges probes resumably through a
:class:`~patarm.store.JsonlStore`; :func:`run_checks` turns judgments into checks;
:func:`run_audit` does it all and writes ``audit.json``, ``audit.md`` and PNG plots.
``patarm audit`` is the command-line layer over them.

>>> styled("Use a list.\\n\\nThen sort it.")
'## Use a list.\\n\\n**Then sort it.**'
>>> wilson(8, 10).n
10
"""

from patarm.audit._checks import CHECKS, AuditInputs, run_checks
from patarm.audit._collect import AUDIT_STORE_KIND, Judged, Probe, collect, probe_key
from patarm.audit._pairs import AuditData, AuditPair, load_audit_data, pairs_from_records, quick_sample
from patarm.audit._plots import PLOTS, plot_all
from patarm.audit._probes import audit_probes
from patarm.audit._report import compare_markdown, load_audit, render_markdown, write_audit
from patarm.audit._rewrites import ATTACKS, Attack, apply_attack, control, plain, styled
from patarm.audit._run import AuditSettings, run_audit
from patarm.audit._stats import Figure, bootstrap, spearman, wilson
from patarm.audit._thresholds import Thresholds, Verdict

__all__ = [
    "ATTACKS",
    "AUDIT_STORE_KIND",
    "CHECKS",
    "PLOTS",
    "Attack",
    "AuditData",
    "AuditInputs",
    "AuditPair",
    "AuditSettings",
    "Figure",
    "Judged",
    "Probe",
    "Thresholds",
    "Verdict",
    "apply_attack",
    "audit_probes",
    "bootstrap",
    "collect",
    "compare_markdown",
    "control",
    "load_audit",
    "load_audit_data",
    "pairs_from_records",
    "plain",
    "plot_all",
    "probe_key",
    "quick_sample",
    "render_markdown",
    "run_audit",
    "run_checks",
    "spearman",
    "styled",
    "wilson",
    "write_audit",
]
