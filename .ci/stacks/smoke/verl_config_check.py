"""Compose Hydra overrides (argv) with verl's trainer config, run verl's ``validate_config`` and
patarm's ``check_verl_config``, and resolve the dataset class and reward manager they name."""

from __future__ import annotations

import sys
from pathlib import Path


def main(overrides: list[str]) -> int:
    import hydra
    import verl
    from omegaconf import OmegaConf
    from verl.trainer.ppo.reward import resolve_reward_manager_cls
    from verl.trainer.ppo.utils import need_critic, need_reference_policy
    from verl.utils.config import validate_config
    from verl.utils.dataset.rl_dataset import get_dataset_class

    from patarm.adapters.verl import check_verl_config

    config_dir = str(Path(verl.__file__).parent / "trainer" / "config")
    with hydra.initialize_config_dir(config_dir=config_dir, version_base=None):
        cfg = hydra.compose(config_name="ppo_trainer", overrides=overrides)
    validate_config(cfg, use_reference_policy=need_reference_policy(cfg), use_critic=need_critic(cfg))
    OmegaConf.resolve(cfg)
    problems = check_verl_config(cfg)
    if problems:
        print("check_verl_config: " + "; ".join(problems), file=sys.stderr)
        return 1
    manager, dataset = resolve_reward_manager_cls(cfg), get_dataset_class(cfg.data)
    print(
        f"config: {len(overrides)} overrides composed; validate_config and check_verl_config pass; "
        f"reward manager {manager.__name__}, dataset {dataset.__name__}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
