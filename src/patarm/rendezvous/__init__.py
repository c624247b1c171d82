"""Pair rendezvous: bring the partner side's scores to a reward that sees one rollout.

:class:`PairRendezvous` works across threads and event loops of one process;
:func:`patarm.rendezvous.ray_actor.get_or_create` wraps it in a named Ray actor shared by
every worker of a cluster; :func:`shared_rendezvous` picks one of the two, once per
process. Each takes its settings as one :class:`patarm.rewards.PARSettings`;
:class:`PairRewardSettings` holds the settings the training-framework adapters share.
Pure Python: no framework is imported here.
"""

from patarm.rendezvous._pair_book import (
    Arrival,
    PairBook,
    RendezvousStats,
    Role,
    RolloutReward,
    fallback_reward,
)
from patarm.rendezvous._pair_rendezvous import PairRendezvous
from patarm.rendezvous._pair_settings import DEFAULT_RENDEZVOUS, PairRewardSettings
from patarm.rendezvous._shared import RENDEZVOUS_MODES, clear_shared, shared_rendezvous

__all__ = [
    "DEFAULT_RENDEZVOUS",
    "RENDEZVOUS_MODES",
    "Arrival",
    "PairBook",
    "PairRendezvous",
    "PairRewardSettings",
    "RendezvousStats",
    "Role",
    "RolloutReward",
    "clear_shared",
    "fallback_reward",
    "shared_rendezvous",
]
