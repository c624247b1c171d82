"""One audit, top to bottom: pick the pairs, judge every probe (resumably), run the checks,
write the report and the plots."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ConfigDict, Field, field_validator

from patarm._settings_model import SettingsModel
from patarm.audit._checks import AuditInputs, run_checks
from patarm.audit._collect import collect
from patarm.audit._pairs import AuditData, quick_sample
from patarm.audit._probes import audit_probes
from patarm.audit._thresholds import Thresholds
from patarm.errors import ConfigError
from patarm.judges import Judge, JudgeConfig
from patarm.parsing import check_scale

__all__ = ["AuditSettings", "run_audit"]

_JUDGE = JudgeConfig.model_fields  # the judge's settings, whose defaults the audit shares


class AuditSettings(SettingsModel):
    """How an audit runs; each field's ``description`` says what it sets, and ``patarm audit``'s
    ``--quick``, ``--pairwise/--no-pairwise`` and ``--chunk`` are generated from the fields.

    ``seed``, ``scale`` and ``samples_per_judgment`` describe the judge: their defaults are
    :class:`~patarm.judges.JudgeConfig`'s ``seed``, ``scale`` and ``samples``, the one place
    they are set, and ``patarm audit`` passes the judge config's values. The seed here draws
    the ``quick`` sample and the bootstrap intervals; the judges' sampling seed stays their
    config's. ``chunk`` may change between runs: each prompt's samples are seeded from the
    judge's seed and the prompt, not from the chunk.

    >>> AuditSettings(quick=50).chunk, AuditSettings().scale
    (32, (1.0, 10.0))
    """

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    seed: int = Field(_JUDGE["seed"].default, description="draws the quick sample and the bootstrap intervals")
    quick: int | None = Field(
        None,
        ge=1,
        json_schema_extra={"metavar": "N"},
        description="audit a seeded sample of this many pairs; unset: every pair",
    )
    pairwise: bool = Field(True, description="also judge each pair side by side (position bias; pointwise vs pairwise)")
    chunk: int = Field(32, ge=1, description="judgments made and stored per step (may change between runs)")
    scale: tuple[float, float] = Field(
        _JUDGE["scale"].default, validate_default=True, description="the judge's score scale, low and high"
    )
    thresholds: Thresholds = Field(default_factory=Thresholds, description="where each check's verdict turns")
    judge: str = Field("judge", description="the judge's name in the report")
    samples_per_judgment: int = Field(_JUDGE["samples"].default, ge=1, description="the judge's samples, reported")
    plots: bool = Field(True, description="draw the PNG plots")

    @field_validator("scale")
    @classmethod
    def _scale(cls, value: tuple[float, float]) -> tuple[float, float]:
        return check_scale(value)


def run_audit(
    data: AuditData,
    judges: Mapping[str, Judge[Any, Any]],
    settings: AuditSettings | None = None,
    *,
    output: str | Path,
    fingerprint: Mapping[str, Any] | None = None,
    progress: bool = False,
) -> dict[str, Any]:
    """Audit ``judges["point"]`` (a pointwise judge) and, when pairwise, ``judges["pair"]`` (the
    same judge, pairwise); judgments are kept in ``output/judgments.jsonl`` so a rerun resumes.
    Writes ``audit.json``, ``audit.md`` and the plots into ``output``; returns the report."""
    from patarm.audit._report import write_audit
    from patarm.audit.plots import plot_all

    s = settings or AuditSettings()
    if not data.pairs:
        raise ConfigError(f"{data.source}: no pairs to audit")
    if s.pairwise and "pair" not in judges:
        raise ConfigError("a pairwise audit needs a pairwise judge (judges['pair'])")
    pairs = quick_sample(data.pairs, s.quick, seed=s.seed) if s.quick else list(data.pairs)
    out = Path(output)
    probes = audit_probes(pairs, high=s.scale[1], pairwise=s.pairwise)
    shaping = {"scale": list(s.scale), **(fingerprint or {})}
    judged = collect(
        probes, judges, chunk=s.chunk, store=out / "judgments.jsonl", settings=shaping,
        progress=progress,
    )  # fmt: skip
    rows = {p.row for p in pairs}
    inputs = AuditInputs(
        pairs, judged, s.scale, s.thresholds, s.seed, s.pairwise, [r for r in data.rmbench_rows if r.key in rows]
    )
    report: dict[str, Any] = {
        "run": {
            "judge": s.judge,
            "source": data.source,
            "benchmark": data.benchmark,
            "pairs": len(pairs),
            "pairs_available": len(data.pairs),
            "rows_read": data.rows_read,
            "rows_skipped": data.skipped,
            "quick": s.quick,
            "seed": s.seed,
            "scale": list(s.scale),
            "samples_per_judgment": s.samples_per_judgment,
            "pairwise": s.pairwise,
            "judgments": len(judged.records),
            "judged_now": judged.judged,
            "from_store": judged.cached,
            "failed_judgments": judged.failed,
            "torn_store_lines": judged.torn_lines,
            **(fingerprint or {}),
        },
        "thresholds": s.thresholds.as_dict(),
        "checks": run_checks(inputs),
        "plots": [],
    }
    if s.plots:
        from patarm._extras import MissingExtraError

        try:
            report["plots"] = [p.name for p in plot_all([(s.judge, report)], out)]
        except MissingExtraError as exc:  # the report stands without its pictures
            report["plots_skipped"] = str(exc)
    write_audit(report, out)
    return report
