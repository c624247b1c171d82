"""verl plugin entry point (``verl.plugins`` group): registers patarm's reward managers
(``patarm_par`` in the reward loop, ``patarm_pair`` among the legacy batch managers)."""

from patarm.adapters.verl import _legacy, _reward_loop

__all__ = ["_legacy", "_reward_loop"]
