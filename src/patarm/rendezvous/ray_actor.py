"""A :class:`~patarm.rendezvous.PairRendezvous` inside a named Ray actor, so that reward
calls running in different Ray workers (verl's reward-loop workers, OpenRLHF's vLLM engine
actors) meet their partners. Ray is imported on first use.

The first caller creates the actor; every later caller (any process of the cluster) gets
the same one by name. A call that cannot reach the actor in ``timeout_s + grace_s`` gets
the fallback reward and is counted on the caller's side, so training never hangs.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any

from patarm._extras import require
from patarm.errors import ConfigError
from patarm.rendezvous._pair_book import RendezvousStats, RolloutReward, fallback_reward
from patarm.rendezvous._pair_rendezvous import PairRendezvous
from patarm.rewards import PARSettings
from patarm.sampling import normalize_role

__all__ = ["DEFAULT_ACTOR_NAME", "RayRendezvous", "get_or_create"]

DEFAULT_ACTOR_NAME = "patarm_pair_rendezvous"


class _Host:
    """The actor body: one PairRendezvous, served to many concurrent async calls."""

    def __init__(self, settings: PARSettings) -> None:
        self.settings = settings
        self.rv = PairRendezvous(settings)

    def get_settings(self) -> PARSettings:
        return self.settings

    async def submit(self, pair_id: Hashable, role: str, score: float | None, group: Hashable | None) -> RolloutReward:
        return await self.rv.asubmit(pair_id, role, score, group)

    def stats(self) -> RendezvousStats:
        return self.rv.stats()


@dataclass
class RayRendezvous:
    """The caller's handle on the actor: the same ``submit`` / ``asubmit`` as PairRendezvous."""

    actor: Any
    settings: PARSettings
    grace_s: float = 60.0
    unreachable: int = 0  # calls that fell back because the actor did not answer
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def timeout_s(self) -> float:
        return self.settings.timeout_s

    def _fallback(self, score: float | None) -> RolloutReward:
        with self._lock:
            self.unreachable += 1
        return fallback_reward(score, self.settings.format_reward, self.settings.fallback_par)

    def submit(
        self, pair_id: Hashable, role: object, score: float | None, group: Hashable | None = None
    ) -> RolloutReward:
        """Blocking call (from a thread)."""
        ray = require("ray", "verl")
        ref = self.actor.submit.remote(pair_id, normalize_role(role, f"pair {pair_id!r}"), score, group)
        try:
            result: RolloutReward = ray.get(ref, timeout=self.timeout_s + self.grace_s)
        except Exception:  # the actor died or did not answer: count, never hang
            return self._fallback(score)
        return result

    async def asubmit(
        self, pair_id: Hashable, role: object, score: float | None, group: Hashable | None = None
    ) -> RolloutReward:
        """The same from a coroutine (Ray object refs are awaitable)."""
        ref = self.actor.submit.remote(pair_id, normalize_role(role, f"pair {pair_id!r}"), score, group)
        try:
            result: RolloutReward = await asyncio.wait_for(ref, self.timeout_s + self.grace_s)
        except Exception:
            return self._fallback(score)
        return result

    def stats(self) -> RendezvousStats:
        ray = require("ray", "verl")
        stats: RendezvousStats = ray.get(self.actor.stats.remote())
        return stats


def get_or_create(
    settings: PARSettings,
    name: str = DEFAULT_ACTOR_NAME,
    namespace: str | None = None,
    max_concurrency: int = 100_000,
) -> RayRendezvous:
    """The named rendezvous actor, created on first call (Ray must be initialised).

    A second caller with different settings is an error naming both: two reward workers
    must never disagree on n, delta or timeout.
    """
    ray = require("ray", "verl")
    if not ray.is_initialized():
        raise RuntimeError("the Ray rendezvous needs a running Ray (call ray.init() or run inside a Ray job)")
    settings.require_rollouts("the rendezvous waits for that many rollouts per side")
    actor_cls = ray.remote(num_cpus=0, max_concurrency=max_concurrency)(_Host)
    actor = actor_cls.options(name=name, namespace=namespace, get_if_exists=True).remote(settings)
    existing = ray.get(actor.get_settings.remote())
    if existing != settings:
        raise ConfigError(
            f"the Ray actor {name!r} already runs with settings {existing}; this caller asked for {settings}. "
            "Give each training run its own actor name, or the same settings."
        )
    return RayRendezvous(actor, settings)
