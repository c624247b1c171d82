"""Regenerate the audit of the demo judge, before and after PAR training (docs/audit-demo.md).

    python docs/figures/audit/make_figures.py [--demo-dir patarm-demo] [--out docs/figures/audit]

Runs ``patarm demo`` first when ``DEMO_DIR/final-model`` is missing (a few CPU minutes), then
audits the SFT-only judge (``sft-model``, format only, random scores) and the judge after GRPO
with PAR (``final-model``) on the demo's held-out pairs, with the demo's own prompt and
sampling (4 samples, temperature 1, expected scores from log-probabilities). Pointwise only:
the demo judge has no pairwise prompt, so the position check reads n/a. Writes
``OUT/before/`` and ``OUT/after/`` (audit.json, audit.md, judgments), and ``OUT/compare.md`` with
the four plots of both judges side by side.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from patarm.audit import AuditData, AuditPair, AuditSettings, compare_markdown, run_audit
from patarm.audit.plots import plot_all
from patarm.backends import TransformersBackend
from patarm.demo import DEMO_TEMPLATE_DIR, DemoConfig, DemoTask, demo_rubrics, run_demo
from patarm.judges import JudgeConfig, PointwiseJudge
from patarm.store import atomic_write


def held_out(config: dict[str, Any]) -> AuditData:
    """The demo's held-out pairs, made exactly as the demo makes them."""
    pairs = DemoTask().pairs(config["eval_pairs"], seed=config["seed"] + 10_000, prefix="eval")
    return AuditData([AuditPair(p.pair_id, p.prompt, p.chosen, p.rejected, p.domain) for p in pairs], "demo held-out")


def audit(model_dir: Path, data: AuditData, name: str, out: Path, seed: int) -> dict[str, Any]:
    backend = TransformersBackend.from_pretrained(str(model_dir), batch_size=256, device="cpu")
    config = JudgeConfig(
        samples=4, temperature=1.0, max_new_tokens=6, tiers="primary", expected_score=True, seed=seed
    )  # each prompt's samples are seeded from this seed and the prompt
    point = PointwiseJudge(backend, config, rubrics=demo_rubrics(), template_dir=str(DEMO_TEMPLATE_DIR))
    settings = AuditSettings(
        seed=seed, pairwise=False, chunk=512, judge=name, samples_per_judgment=config.samples, plots=False
    )
    return run_audit(data, {"point": point}, settings, output=out, fingerprint={"model": model_dir.name})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--demo-dir", default="patarm-demo")
    parser.add_argument("--out", default=str(Path(__file__).parent))
    args = parser.parse_args()
    demo, out = Path(args.demo_dir), Path(args.out)
    if not (demo / "final-model").exists():
        run_demo(DemoConfig(output=str(demo), progress=False))
    config = json.loads((demo / "metrics.json").read_text())["config"]
    data = held_out(config)
    before = audit(demo / "sft-model", data, "before PAR (SFT format only)", out / "before", config["seed"])
    after = audit(demo / "final-model", data, "after PAR (GRPO)", out / "after", config["seed"])
    names = ["before", "after"]
    table = compare_markdown([before, after], names)
    with atomic_write(out / "compare.md") as f:
        f.write(table)
    plot_all(list(zip(names, [before, after], strict=True)), out)
    print(table)


if __name__ == "__main__":
    main()
