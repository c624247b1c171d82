"""PAR options for OpenRLHF, read from ``PATARM_*`` environment variables (OpenRLHF loads
reward files by path and passes no options; Ray forwards the driver's env via runtime_env).

The PAR settings are :class:`patarm.rewards.PARSettings` read by its own
:meth:`~patarm.rewards.PARSettings.from_env` (``PATARM_DELTA``, ``PATARM_MALFORMED``,
``PATARM_WELL_FORMED``, ``PATARM_FALLBACK_PAR``, ``PATARM_TIMEOUT_S``,
``PATARM_ROLLOUTS_PER_SIDE``); this module adds OpenRLHF's own few.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from pydantic import Field

from patarm.errors import ConfigError
from patarm.rendezvous import PairRewardSettings
from patarm.rewards import PARSettings

__all__ = ["ENV_KEYS", "OpenRLHFSettings", "env_keys"]

PREFIX = "PATARM_"
_OWN_KEYS = {
    "RENDEZVOUS": "auto (a named Ray actor inside Ray, else this process; default), local or ray",
    "SCALE": "score scale low,high (1,10)",
    "INTEGER_SCORES": "1: a non-integer score is malformed (0, default)",
    "PAIR_ID_KEY": "the sample's field holding the pair id (pair_id)",
    "ROLE_KEY": "the sample's field holding the side, chosen or rejected (role)",
    "REWARD_THREADS": "reward_func.py: threads of the engine loop's default pool (4096)",
    "CENTER_BY_SIDE": "pair-row: subtract each side's mean reward (1, default) so GRPO groups act per side",
}
_REMOVED = {"THRESHOLD", "LOW", "HIGH"}  # now arguments of the delta: PATARM_DELTA='graded(threshold=1.5)'


def env_keys(prefix: str = PREFIX) -> dict[str, str]:
    """Every variable read, with its help: the PAR settings' (from their fields) and OpenRLHF's own."""
    par = {
        prefix + name.upper(): f"{PARSettings.help(name)} (default {PARSettings.default_text(name)})"
        for name in PARSettings.names()
    }
    return {**par, **{prefix + key: text for key, text in _OWN_KEYS.items()}}


ENV_KEYS = env_keys()


class OpenRLHFSettings(PairRewardSettings):
    """The PAR settings and the pair-row centring, plus the shared pair-reward settings
    (:class:`~patarm.rendezvous.PairRewardSettings`: pair fields, score scale, integer
    scores, rendezvous placement)."""

    par: PARSettings = Field(default_factory=PARSettings, description="the PAR settings (PATARM_* variables)")
    center_by_side: bool = Field(True, description="pair-row: subtract each side's mean reward")

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, prefix: str = PREFIX) -> OpenRLHFSettings:
        """Settings from ``{prefix}*`` variables; a bad value is an error naming the variable."""
        env = os.environ if env is None else env
        removed = sorted(prefix + k for k in _REMOVED if env.get(prefix + k))
        if removed:
            raise ConfigError(
                f"{', '.join(removed)}: no longer read; give the delta's arguments in {prefix}DELTA, "
                f"e.g. {prefix}DELTA='graded(threshold=1.5, low=0.5, high=1.0)'"
            )
        names = (*cls.shared_names(), "center_by_side")
        read = cls.read_shared(
            {name: env.get(prefix + name.upper()) for name in names}, lambda name: f"{prefix}{name.upper()}", names
        )
        return cls(
            par=PARSettings.from_env(prefix, env),
            **read,
        )
