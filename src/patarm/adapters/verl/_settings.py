"""PAR settings for verl, read from the trainer config, and the config check that rejects
settings under which a pair could be split or a reward call could wait in vain.

Pure Python over mappings: works on a plain dict or an OmegaConf ``DictConfig``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import Field

from patarm.errors import ConfigError, PairConfigError
from patarm.rendezvous import PairRewardSettings
from patarm.rendezvous.ray_actor import DEFAULT_ACTOR_NAME
from patarm.rewards import PARSettings

__all__ = ["PairConfigError", "VerlSettings", "check_verl_config", "config_get", "data_problems"]


def config_get(config: Any, path: str, default: Any = None) -> Any:
    """``config.a.b.c`` for dicts and DictConfigs alike, ``default`` where a key is missing."""
    node = config
    for key in path.split("."):
        if node is None:
            return default
        node = node.get(key, None) if isinstance(node, Mapping) or hasattr(node, "get") else getattr(node, key, None)
    return default if node is None else node


def _plain(value: Any) -> Any:
    """A DictConfig / ListConfig as plain Python (no OmegaConf import needed here)."""
    if hasattr(value, "items"):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)) or type(value).__name__ == "ListConfig":
        return [_plain(v) for v in value]
    return value


class VerlSettings(PairRewardSettings):
    """What the verl reward managers need: the PAR settings and the Ray actor's name, plus
    the shared pair-reward settings (:class:`~patarm.rendezvous.PairRewardSettings`: the
    names of the pair fields in ``extra_info``, the score scale, integer scores, the
    rendezvous placement)."""

    par: PARSettings = Field(default_factory=PARSettings, description="the PAR settings (reward.patarm's PAR keys)")
    actor_name: str = Field(DEFAULT_ACTOR_NAME, description="the name of the Ray actor holding the rendezvous")

    @classmethod
    def from_mapping(cls, options: Mapping[str, Any], rollouts_per_side: int | None = None) -> VerlSettings:
        """From ``reward.patarm`` options: the PAR settings' fields (``delta``, ``malformed``,
        ``well_formed``, ``fallback_par``, ``timeout_s``, ``rollouts_per_side``, which
        defaults to ``rollouts_per_side`` here) and this class's. A missing key takes its
        field's default; an unknown key or a bad value is an error naming it."""
        opts = dict(_plain(options) or {})
        own = {name for name in cls.model_fields if name != "par"}
        unknown = sorted(set(opts) - own - set(PARSettings.names()))
        if unknown:
            hint = " (write the delta's arguments in it, e.g. delta: graded(threshold=1.5))" if set(unknown) & {
                "threshold", "low", "high"} else ""  # fmt: skip
            raise PairConfigError(
                f"reward.patarm: unknown option(s) {unknown}{hint}; known: {sorted(own | set(PARSettings.names()))}"
            )
        try:
            par = PARSettings.from_mapping({k: v for k, v in opts.items() if k in PARSettings.names()}, "reward.patarm")
        except ValueError as exc:
            raise PairConfigError(str(exc)) from None
        try:
            shared = cls.read_shared(opts, lambda name: f"reward.patarm.{name}")
        except ConfigError as exc:
            raise PairConfigError(str(exc)) from None
        actor_name = str(opts.get("actor_name", cls.model_fields["actor_name"].default))
        return cls(par=par.with_rollouts(rollouts_per_side), actor_name=actor_name, **shared)

    @classmethod
    def from_verl_config(cls, config: Any) -> VerlSettings:
        """From a whole verl trainer config: ``reward.patarm`` plus ``rollout.n``."""
        n = int(config_get(config, "actor_rollout_ref.rollout.n", 1))
        return cls.from_mapping(config_get(config, "reward.patarm", {}), n)


def data_problems(data: Any, *, pair_dataset: bool = True) -> list[str]:
    """What in verl's ``data`` config could split a pair: a row shuffle, odd batch sizes."""
    problems = []
    if pair_dataset and config_get(data, "shuffle", True):
        problems.append(
            "data.shuffle=True: verl's RandomSampler shuffles rows and splits pairs; set data.shuffle=False "
            "(PairShuffledDataset shuffles whole pairs itself, seeded by data.seed)"
        )
    for key in ("train_batch_size", "gen_batch_size", "val_batch_size"):
        value = config_get(data, key)
        if value is not None and int(value) % 2:
            problems.append(f"data.{key}={value}: must be even (each pair is two rows: chosen and rejected)")
    return problems


def check_verl_config(config: Any, *, uses_pair_dataset: bool | None = None) -> list[str]:
    """Problems that would split a pair or strand a reward call; raises listing them all.

    Checked: pair-shuffled data with ``data.shuffle=False``; even train / gen / val batch
    sizes (two rows per pair); validation either off or with ``val_kwargs.n`` equal to
    ``rollout.n`` (a side with fewer rollouts than expected would only time out).
    Returns the warnings (not errors) as strings.
    """
    data = config_get(config, "data", {})
    custom = str(config_get(data, "custom_cls.name", "") or "")
    pair_data = uses_pair_dataset if uses_pair_dataset is not None else custom == "PairShuffledDataset"
    errors = data_problems(data, pair_dataset=pair_data)
    warnings: list[str] = []
    if not pair_data:
        warnings.append(
            "data.custom_cls is not PairShuffledDataset: keep both rows of each pair adjacent in the parquet "
            "and set data.shuffle=False, or pairs will be split across steps (their rollouts then time out)"
        )
    n = int(config_get(config, "actor_rollout_ref.rollout.n", 1))
    val_n = int(config_get(config, "actor_rollout_ref.rollout.val_kwargs.n", 1))
    validates = (
        bool(config_get(config, "trainer.val_before_train", False))
        or int(config_get(config, "trainer.test_freq", -1)) > 0
    )
    if validates and val_n != n and config_get(config, "data.val_files") is not None:
        errors.append(
            f"validation runs with actor_rollout_ref.rollout.val_kwargs.n={val_n} but rollout.n={n}: the PAR reward "
            f"waits for {n} rollouts per side; set val_kwargs.n={n}, or trainer.val_before_train=False and "
            "trainer.test_freq=-1"
        )
    if errors:
        raise PairConfigError("verl config would split pairs or strand rewards:\n- " + "\n- ".join(errors))
    return warnings
