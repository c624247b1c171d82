"""Generative judges: pointwise (one response -> score with reasons) and pairwise (both
orders, agreement reported), with k samples, voting, expected scores and cached criteria."""

from patarm.judges._config import JudgeConfig
from patarm.judges._criteria import CriteriaGenerator
from patarm.judges._expected import completion_expected_score
from patarm.judges._pairwise import PairwiseItem, PairwiseJudge
from patarm.judges._pointwise import PointwiseItem, PointwiseJudge
from patarm.judges._results import OrderResult, PairwiseResult, PairwiseSample, PointwiseResult

__all__ = [
    "CriteriaGenerator",
    "JudgeConfig",
    "OrderResult",
    "PairwiseItem",
    "PairwiseJudge",
    "PairwiseResult",
    "PairwiseSample",
    "PointwiseItem",
    "PointwiseJudge",
    "PointwiseResult",
    "completion_expected_score",
]
