"""One rendezvous per process (or the cluster's named Ray actor) for a given setting, so
that every reward call of a training run meets at the same place."""

from __future__ import annotations

import threading
from typing import Any

from patarm.rendezvous._waiting import DEFAULT_TIMEOUT_S, PairRendezvous
from patarm.rewards import Delta, FormatReward, GradedDelta

__all__ = ["RENDEZVOUS_MODES", "clear_shared", "shared_rendezvous"]

RENDEZVOUS_MODES = ("auto", "local", "ray")
_SHARED: dict[tuple[Any, ...], Any] = {}
_LOCK = threading.Lock()


def _use_ray(mode: str) -> bool:
    if mode not in RENDEZVOUS_MODES:
        raise ValueError(f"rendezvous: expected one of {RENDEZVOUS_MODES}, got {mode!r}")
    if mode == "local":
        return False
    if mode == "ray":
        return True
    try:
        import ray
    except ImportError:
        return False
    return bool(ray.is_initialized())


def shared_rendezvous(
    rollouts_per_side: int,
    delta: Delta | None = None,
    format_reward: FormatReward | None = None,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    fallback_par: float = 0.0,
    *,
    mode: str = "auto",
    actor_name: str | None = None,
) -> Any:
    """The process-wide :class:`PairRendezvous`, or the named Ray actor's handle.

    ``mode``: ``local`` (this process), ``ray`` (a named actor shared by every process of
    the Ray job), or ``auto`` (the actor when running inside Ray, else local).
    """
    delta = delta if delta is not None else GradedDelta()
    format_reward = format_reward if format_reward is not None else FormatReward()
    use_ray = _use_ray(mode)
    key = (use_ray, actor_name, rollouts_per_side, delta, format_reward, timeout_s, fallback_par)
    with _LOCK:
        rv = _SHARED.get(key)
        if rv is None:
            if use_ray:
                from patarm.rendezvous.ray_actor import DEFAULT_ACTOR_NAME, get_or_create

                rv = get_or_create(
                    rollouts_per_side,
                    delta,
                    format_reward,
                    timeout_s,
                    fallback_par,
                    name=actor_name or DEFAULT_ACTOR_NAME,
                )
            else:
                rv = PairRendezvous(rollouts_per_side, delta, format_reward, timeout_s, fallback_par)
            _SHARED[key] = rv
        return rv


def clear_shared() -> None:
    """Forget the shared rendezvous objects (tests; a new training run in the same process)."""
    with _LOCK:
        _SHARED.clear()
