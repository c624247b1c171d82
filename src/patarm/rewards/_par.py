"""PAR for one pair: each rollout is rewarded against the mean score of the other side.

    reward(chosen i)   = 1[s_c^i > m_r] * delta(s_c^i - m_r)
    reward(rejected j) = 1[s_r^j < m_c] * delta(m_c - s_r^j)

Means are over the partner side's WELL-FORMED rollouts only; the comparison is strict;
a malformed rollout (None) gets 0.0; when either side has no well-formed rollout every
reward of the pair is 0.0 (the batch statistics count such pairs).

>>> par_rewards([8, 9, None], [3, 7])  # m_c = 8.5, m_r = 5
([1.0, 1.0, 0.0], [1.0, 0.5])
"""

from __future__ import annotations

import math

from patarm._scores import ScoreInput, as_score_list, sorted_mean
from patarm.errors import InputError
from patarm.rewards._delta import Delta
from patarm.rewards._format import FormatReward
from patarm.rewards._settings import PARSettings

__all__ = ["par_rewards", "total_rewards"]

_DEFAULTS = PARSettings()  # the defaults live on the settings fields
_DEFAULT_DELTA = _DEFAULTS.delta
_DEFAULT_FORMAT = _DEFAULTS.format_reward


def _reward(delta: Delta, margin: float) -> float:
    if not margin > 0:
        return 0.0
    value = float(delta(margin))
    if not math.isfinite(value):
        raise InputError(f"delta {delta!r} returned {value!r} for margin {margin!r}")
    return value


def _par(chosen: list[float | None], rejected: list[float | None], delta: Delta) -> tuple[list[float], list[float]]:
    m_c = sorted_mean([s for s in chosen if s is not None])
    m_r = sorted_mean([s for s in rejected if s is not None])
    if m_c is None or m_r is None:
        return [0.0] * len(chosen), [0.0] * len(rejected)
    return (
        [0.0 if s is None else _reward(delta, s - m_r) for s in chosen],
        [0.0 if s is None else _reward(delta, m_c - s) for s in rejected],
    )


def par_rewards(
    chosen_scores: ScoreInput,
    rejected_scores: ScoreInput,
    delta: Delta = _DEFAULT_DELTA,
) -> tuple[list[float], list[float]]:
    """PAR term for every rollout of one pair: ``(chosen_rewards, rejected_rewards)``.

    Args:
        chosen_scores: Judge scores of the chosen response's rollouts (a sequence or a float
            array); None or NaN for a malformed rollout.
        rejected_scores: The same for the rejected response's rollouts.
        delta: Maps a positive margin, in score points, to a reward. Default: the paper's
            graded delta (:class:`~patarm.rewards.PARSettings`' default).

    Returns:
        One reward per rollout on each side, in input order: ``delta(margin)`` against the
        other side's mean; 0.0 for a rollout that does not beat it, for a malformed one,
        and for all of them when either side has no well-formed rollout.

    Raises:
        ValueError: A score is infinite, a bool or not a number (naming its position), or
            ``delta`` returns a non-finite reward.
    """
    return _par(as_score_list(chosen_scores, "chosen_scores"), as_score_list(rejected_scores, "rejected_scores"), delta)


def total_rewards(
    chosen_scores: ScoreInput,
    rejected_scores: ScoreInput,
    delta: Delta = _DEFAULT_DELTA,
    format_reward: FormatReward = _DEFAULT_FORMAT,
) -> tuple[list[float], list[float]]:
    """PAR plus format reward for every rollout of one pair (the training reward).

    Args:
        chosen_scores: Judge scores of the chosen response's rollouts (a sequence or a float
            array); None or NaN for a malformed rollout.
        rejected_scores: The same for the rejected response's rollouts.
        delta: Maps a positive margin, in score points, to a reward. Default: the paper's
            graded delta (:class:`~patarm.rewards.PARSettings`' default).
        format_reward: Added to every rollout. Default: -1.0 when malformed, 0.0 otherwise
            (:class:`~patarm.rewards.PARSettings`' default).

    Returns:
        ``(chosen_totals, rejected_totals)``: PAR (see :func:`par_rewards`) plus format
        reward, one per rollout, in input order.

    Raises:
        ValueError: A score is infinite, a bool or not a number (naming its position), or
            ``delta`` returns a non-finite reward.

    >>> total_rewards([8, None], [3])
    ([1.0, -1.0], [1.0])
    """
    chosen = as_score_list(chosen_scores, "chosen_scores")
    rejected = as_score_list(rejected_scores, "rejected_scores")
    chosen_par, rejected_par = _par(chosen, rejected, delta)
    return (
        [p + format_reward(s) for p, s in zip(chosen_par, chosen, strict=True)],
        [p + format_reward(s) for p, s in zip(rejected_par, rejected, strict=True)],
    )
