"""Analyses of a judge beyond one accuracy figure, as in the PaTaRM paper: accuracy against
the number of votes k from one run of k_max samples, Best-of-N selection against random and
oracle, and mean and standard deviation over seeds.

The statistics (:func:`votes_curve`, :func:`best_of_n_curve`, :func:`seed_summary`) are pure
functions of scores; the ``analyze_*`` calls judge through the one judging loop first. Their
reports are drawn by :mod:`patarm.analysis.plots` (matplotlib).
"""

from patarm.analysis._best_of_n import best_of_n_curve, pick
from patarm.analysis._candidates import CandidateRow, load_candidates
from patarm.analysis._demo import demo_candidates, demo_pairs, noisy_demo_judge
from patarm.analysis._report import analysis_markdown
from patarm.analysis._run import PairLike, analyze_best_of_n, analyze_seeds, analyze_votes
from patarm.analysis._seeds import seed_summary
from patarm.analysis._votes import pair_correct, subset_accuracy, votes_curve

__all__ = [
    "CandidateRow",
    "PairLike",
    "analyze_best_of_n",
    "analyze_seeds",
    "analyze_votes",
    "best_of_n_curve",
    "demo_candidates",
    "demo_pairs",
    "load_candidates",
    "noisy_demo_judge",
    "pair_correct",
    "pick",
    "analysis_markdown",
    "seed_summary",
    "subset_accuracy",
    "votes_curve",
]
