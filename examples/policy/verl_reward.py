"""verl custom reward function: a PaTaRM judge's score for each trajectory.

Point verl at this file (see verl_grpo.yaml): ``name: compute_score`` (verl runs it in a thread per
call) or ``name: compute_score_async`` (awaited on verl's reward loop). The judge is a running
``patarm serve`` at ``reward_kwargs.url`` (or ``PATARM_JUDGE_URL`` in the reward workers'
environment), or, with ``reward.reward_model.enable=True``, verl's own judge servers, reached
through the router address verl passes (run_verl_grpo_reward_pool.sh; ``pkg://patarm.adapters.verl``
names the same functions without this file).
Each parquet row must carry the prompt text in ``extra_info.prompt`` (verl passes only the response).
"""

from patarm.adapters.verl import compute_score, compute_score_async

__all__ = ["compute_score", "compute_score_async"]
