"""Recipe: from raw judge outputs to PAR training rewards and the figures to log.

A trainer hands the reward step a flat batch: for each rollout, the judge's text, the id of
the preference pair it belongs to, and whether it judged the chosen or the rejected response.
This script builds such a batch (two pairs, four rollouts per side), then:

1. parses every output (malformed ones get score None and a reason),
2. computes PAR + format rewards for the whole batch at once,
3. prints the per-rollout table and the batch statistics a trainer would log.

    python examples/par_from_judge_outputs.py
"""

from __future__ import annotations

from collections import Counter

from patarm import format_judgment, parse_judgment
from patarm.rewards import graded_delta, par_batch

# 1. A batch as a trainer holds it: rows of (pair id, role, judge output).
batch = [
    ("math-1", "chosen", format_judgment(9, criteria="Exact result.", rationale="Correct, steps shown.")),
    ("math-1", "chosen", format_judgment(8, rationale="Correct but terse.")),
    ("math-1", "chosen", "<think>looks right</think>Correct.<answer>10</answer>"),
    ("math-1", "chosen", "<think>looks right, maybe 9"),  # truncated: unclosed think block
    ("math-1", "rejected", format_judgment(3, rationale="Wrong product.")),
    ("math-1", "rejected", format_judgment(2, rationale="Wrong, no work.")),
    ("math-1", "rejected", format_judgment(6, rationale="Close estimate, still wrong.")),
    ("math-1", "rejected", format_judgment(4, rationale="Wrong.")),
    ("chat-7", "chosen", format_judgment(6, rationale="Helpful, a bit long.")),
    ("chat-7", "chosen", format_judgment(7, rationale="Helpful.")),
    ("chat-7", "chosen", format_judgment(5, rationale="Fine.")),
    ("chat-7", "chosen", "Score: 7"),  # no answer tag
    ("chat-7", "rejected", format_judgment(7, rationale="Looks helpful to me.")),
    ("chat-7", "rejected", format_judgment(6, rationale="Ok.")),
    ("chat-7", "rejected", format_judgment(8, rationale="Very good.")),
    ("chat-7", "rejected", format_judgment(5, rationale="Average.")),
]

# 2. Parse, then score the batch in one call.
judgments = [parse_judgment(text) for _, _, text in batch]
out = par_batch(
    scores=[j.score for j in judgments],
    pair_ids=[pair for pair, _, _ in batch],
    roles=[role for _, role, _ in batch],
    delta=graded_delta(threshold=2.0, low=0.5, high=1.0),
)

# 3. Report.
print(f"{'pair':<8}{'role':<10}{'score':>6}  {'malformed':<16}{'PAR':>5}{'format':>8}{'total':>7}")
for (pair, role, _), j, par, fmt, total in zip(batch, judgments, out.par, out.format, out.total, strict=True):
    score = "-" if j.score is None else f"{j.score:g}"
    reason = j.malformed_reason.value if j.malformed_reason else ""
    print(f"{pair:<8}{role:<10}{score:>6}  {reason:<16}{par:>5.1f}{fmt:>8.1f}{total:>7.1f}")
print()
print("malformed by reason:", dict(Counter(j.malformed_reason.value for j in judgments if j.malformed_reason)))
for name, value in out.stats.to_metrics().items():
    print(f"{name:<24}{value:.3f}")
