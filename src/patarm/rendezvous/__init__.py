"""Pair rendezvous: bring the partner side's scores to a reward that sees one rollout.

:class:`PairRendezvous` works across threads and event loops of one process;
:func:`patarm.rendezvous.ray_actor.get_or_create` wraps it in a named Ray actor shared by
every worker of a cluster. Pure Python: no framework is imported here.
"""

from patarm.rendezvous._book import Arrival, PairBook, RendezvousStats, Role, RolloutReward, normalize_role
from patarm.rendezvous._waiting import DEFAULT_TIMEOUT_S, PairRendezvous

__all__ = [
    "DEFAULT_TIMEOUT_S",
    "Arrival",
    "PairBook",
    "PairRendezvous",
    "RendezvousStats",
    "Role",
    "RolloutReward",
    "normalize_role",
]
