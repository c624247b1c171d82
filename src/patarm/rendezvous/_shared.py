"""One rendezvous per process (or the cluster's named Ray actor) for a given setting, so
that every reward call of a training run meets at the same place."""

from __future__ import annotations

import threading
from typing import Any

from patarm.errors import ConfigError
from patarm.rendezvous._pair_rendezvous import PairRendezvous
from patarm.rewards import PARSettings

__all__ = ["RENDEZVOUS_MODES", "clear_shared", "shared_rendezvous"]

RENDEZVOUS_MODES = ("auto", "local", "ray")
_SHARED: dict[tuple[Any, ...], Any] = {}
_LOCK = threading.Lock()


def _use_ray(mode: str) -> bool:
    if mode not in RENDEZVOUS_MODES:
        raise ConfigError(f"rendezvous: expected one of {RENDEZVOUS_MODES}, got {mode!r}")
    if mode == "local":
        return False
    if mode == "ray":
        return True
    try:
        import ray
    except ImportError:
        return False
    return bool(ray.is_initialized())


def shared_rendezvous(settings: PARSettings, *, mode: str = "auto", actor_name: str | None = None) -> Any:
    """The process-wide :class:`PairRendezvous` for these settings, or the named Ray actor's handle.

    ``mode``: ``local`` (this process), ``ray`` (a named actor shared by every process of
    the Ray job), or ``auto`` (the actor when running inside Ray, else local).
    """
    use_ray = _use_ray(mode)
    key = (use_ray, actor_name, settings)
    with _LOCK:
        rv = _SHARED.get(key)
        if rv is None:
            if use_ray:
                from patarm.rendezvous.ray_actor import DEFAULT_ACTOR_NAME, get_or_create

                rv = get_or_create(settings, name=actor_name or DEFAULT_ACTOR_NAME)
            else:
                rv = PairRendezvous(settings)
            _SHARED[key] = rv
        return rv


def clear_shared() -> None:
    """Forget the shared rendezvous objects (tests; a new training run in the same process)."""
    with _LOCK:
        _SHARED.clear()
