"""PAR options for OpenRLHF, read from ``PATARM_*`` environment variables (OpenRLHF loads
reward files by path and passes no options; Ray forwards the driver's env via runtime_env)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from patarm.parsing import DEFAULT_SCALE, Scale, check_scale
from patarm.rendezvous import DEFAULT_TIMEOUT_S
from patarm.rewards import DELTA_NAMES, Delta, FormatReward, GradedDelta, delta_by_name

__all__ = ["OpenRLHFSettings"]

ENV_KEYS = {
    "PATARM_ROLLOUTS_PER_SIDE": "rollouts per side of a pair (side-row: n_samples_per_prompt; pair-row: half of it)",
    "PATARM_DELTA": "graded (default) or constant",
    "PATARM_THRESHOLD": "graded delta threshold (2)",
    "PATARM_LOW": "graded delta low (0.5)",
    "PATARM_HIGH": "graded delta high (1.0)",
    "PATARM_TIMEOUT_S": f"seconds a rollout waits for its partner ({DEFAULT_TIMEOUT_S:g})",
    "PATARM_RENDEZVOUS": "local (threads of one process, default) or ray (a named actor across engines)",
    "PATARM_SCALE": "score scale low,high (1,10)",
    "PATARM_REWARD_THREADS": "reward_func.py: threads of the engine loop's default pool (4096)",
    "PATARM_CENTER_BY_SIDE": "pair-row: subtract each side's mean reward (1, default) so GRPO groups act per side",
}


@dataclass(frozen=True)
class OpenRLHFSettings:
    rollouts_per_side: int | None = None
    delta: Delta = field(default_factory=GradedDelta)
    format_reward: FormatReward = field(default_factory=FormatReward)
    scale: Scale = DEFAULT_SCALE
    timeout_s: float = DEFAULT_TIMEOUT_S
    rendezvous: str = "local"
    center_by_side: bool = True

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> OpenRLHFSettings:
        """Settings from ``PATARM_*`` variables; a bad value is an error naming the variable."""
        env = os.environ if env is None else env

        def number(key: str, default: float) -> float:
            raw = env.get(key)
            if raw is None or raw == "":
                return default
            try:
                return float(raw)
            except ValueError:
                raise ValueError(f"{key}={raw!r}: expected a number ({ENV_KEYS[key]})") from None

        kind = env.get("PATARM_DELTA", "graded")
        if kind not in DELTA_NAMES:
            raise ValueError(f"PATARM_DELTA={kind!r}: expected one of {DELTA_NAMES}")
        delta = delta_by_name(
            kind, number("PATARM_THRESHOLD", 2.0), number("PATARM_LOW", 0.5), number("PATARM_HIGH", 1.0)
        )
        mode = env.get("PATARM_RENDEZVOUS", "local")
        if mode not in ("local", "ray"):
            raise ValueError(f"PATARM_RENDEZVOUS={mode!r}: expected local or ray")
        n_raw = env.get("PATARM_ROLLOUTS_PER_SIDE")
        n = None if not n_raw else int(number("PATARM_ROLLOUTS_PER_SIDE", 0))
        if n is not None and n < 1:
            raise ValueError(f"PATARM_ROLLOUTS_PER_SIDE={n_raw!r}: expected an integer >= 1")
        scale_raw = env.get("PATARM_SCALE", "")
        try:
            scale = check_scale(tuple(float(v) for v in scale_raw.split(","))) if scale_raw else DEFAULT_SCALE  # type: ignore[arg-type]
        except ValueError:
            raise ValueError(f"PATARM_SCALE={scale_raw!r}: expected low,high such as 1,10") from None
        return cls(
            rollouts_per_side=n,
            delta=delta,
            scale=scale,
            timeout_s=number("PATARM_TIMEOUT_S", DEFAULT_TIMEOUT_S),
            rendezvous=mode,
            center_by_side=env.get("PATARM_CENTER_BY_SIDE", "1") not in ("0", "false", "False", "no"),
        )
