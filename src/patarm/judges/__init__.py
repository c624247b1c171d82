"""Generative judges: pointwise (one response -> score with reasons) and pairwise (both
orders, agreement reported), with k samples, voting, expected scores and cached criteria.

Both are a :class:`Judge`; :func:`judge_items` runs any judge over items resumably (chunked,
counted, records keyed by what was judged): the loop behind every command that judges."""

from patarm.judges._config import JudgeConfig
from patarm.judges._criteria import CriteriaGenerator
from patarm.judges._expected import completion_expected_score
from patarm.judges._pairwise import PairwiseItem, PairwiseJudge
from patarm.judges._pointwise import PointwiseItem, PointwiseJudge
from patarm.judges._protocol import Judge, JudgeItem, JudgeResult
from patarm.judges._results import OrderResult, PairwiseResult, PairwiseSample, PointwiseResult
from patarm.judges._run import JUDGMENT_STORE_KIND, JudgeCounts, JudgedItems, judge_items, stream_judgments

__all__ = [
    "JUDGMENT_STORE_KIND",
    "CriteriaGenerator",
    "Judge",
    "JudgeConfig",
    "JudgeCounts",
    "JudgeItem",
    "JudgeResult",
    "JudgedItems",
    "OrderResult",
    "PairwiseItem",
    "PairwiseJudge",
    "PairwiseResult",
    "PairwiseSample",
    "PointwiseItem",
    "PointwiseJudge",
    "PointwiseResult",
    "completion_expected_score",
    "judge_items",
    "stream_judgments",
]
