"""Reward-hacking check: optimise a small policy against a judge and see what it learns to
exploit, before a real run finds out.

GRPO (TRL) trains a policy with the judge under test as its only reward; at every evaluation
step, held-out outputs are scored by the judge and by an independent gold, and cheap features
of the outputs are followed. The report gives the reward-gold gap over steps, the step where
they part (bootstrap interval over prompts), the features that moved and that the judge pays
for beyond gold, and the outputs it over-pays most.

The pieces work alone: :func:`extract` and :func:`vocabulary_shift` (features),
:func:`gap_curve`, :func:`divergence_step`, :func:`divergence_interval` (where reward and gold
part), :func:`analyse` (records to figures), :func:`run_hackcheck` (all of it, with files;
its plots are :mod:`patarm.hackcheck.plots`, which needs matplotlib).
The demo's task, gold and judges (one healthy, three with one planted flaw each) are here too:
name a judge for ``--backend python`` as ``patarm.hackcheck:length_paying``.

>>> divergence_step(gap_curve([0, 5], [[1.0], [10.0]], [[0.0], [0.0]], (1, 10), (0, 1)), margin=0.1)
5
"""

from patarm.hackcheck._analysis import analyse, standardised_shift
from patarm.hackcheck._demo import (
    DEMO_GOLD_SCALE,
    demo_gold,
    demo_prompts,
    demo_start_policy,
    keyword_paying,
    length_paying,
    tag_reader,
    truth_judge,
)
from patarm.hackcheck._divergence import (
    DivergenceEstimate,
    GapPoint,
    divergence_interval,
    divergence_step,
    gap_curve,
)
from patarm.hackcheck._features import FEATURES, extract, vocabulary_shift, word_counts
from patarm.hackcheck._gold import FunctionGold, Gold, JudgeGold, demo_truth
from patarm.hackcheck._report import compare_hackchecks, hackcheck_markdown, load_hackcheck, write_hackcheck
from patarm.hackcheck._run import HackcheckSettings, run_hackcheck, train_and_record
from patarm.hackcheck._setup import demo_judge, load_prompts, split_prompts

__all__ = [
    "DEMO_GOLD_SCALE",
    "FEATURES",
    "DivergenceEstimate",
    "FunctionGold",
    "GapPoint",
    "Gold",
    "HackcheckSettings",
    "JudgeGold",
    "analyse",
    "compare_hackchecks",
    "demo_gold",
    "demo_judge",
    "demo_prompts",
    "demo_start_policy",
    "demo_truth",
    "divergence_interval",
    "divergence_step",
    "extract",
    "gap_curve",
    "hackcheck_markdown",
    "keyword_paying",
    "length_paying",
    "load_prompts",
    "load_hackcheck",
    "run_hackcheck",
    "split_prompts",
    "standardised_shift",
    "tag_reader",
    "train_and_record",
    "truth_judge",
    "vocabulary_shift",
    "word_counts",
    "write_hackcheck",
]
