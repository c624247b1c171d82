"""Format reward: a fixed penalty for a malformed rollout (no parsable score on the scale).

>>> FormatReward()(None), FormatReward()(7.0)
(-1.0, 0.0)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from patarm.rewards._delta import _finite

__all__ = ["FormatReward", "format_reward"]


@dataclass(frozen=True)
class FormatReward:
    """``malformed`` for a rollout without a score (None or NaN), ``well_formed`` otherwise.

    Frozen and picklable; called as ``reward(score)`` on one rollout's parsed score.

    Args:
        malformed: Reward for a rollout without a score (None or NaN). Default -1.0.
        well_formed: Reward for a rollout with a score. Default 0.0.

    Raises:
        ValueError: A field is not finite.
    """

    malformed: float = -1.0
    well_formed: float = 0.0

    def __post_init__(self) -> None:
        for name in ("malformed", "well_formed"):
            object.__setattr__(self, name, _finite(name, getattr(self, name)))

    def __call__(self, score: float | None) -> float:
        if score is None or score != score:
            return self.malformed
        return self.well_formed

    def vectorized(self, scores: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """The same reward over a score array with NaN for malformed rollouts."""
        well_formed = (scores == scores).view(np.int8)  # False only for NaN
        out: npt.NDArray[np.float64] = np.array([self.malformed, self.well_formed])[well_formed]
        return out


def format_reward(
    score: float | None, malformed: float = FormatReward.malformed, well_formed: float = FormatReward.well_formed
) -> float:
    """Format reward of one rollout (see :class:`FormatReward`).

    Args:
        score: The rollout's parsed score; None (or NaN) when its output is malformed.
        malformed: Reward for a rollout without a score (None or NaN). Default -1.0.
        well_formed: Reward for a rollout with a score. Default 0.0.

    Returns:
        ``malformed`` or ``well_formed``.

    Raises:
        ValueError: ``malformed`` or ``well_formed`` is not finite.
    """
    return FormatReward(malformed, well_formed)(score)
