"""verl custom reward function: the score of a running ``patarm serve`` judge for each trajectory.

Point verl at this file (see verl_grpo.yaml): ``name: compute_score`` (verl runs it in a thread per
call) or ``name: compute_score_async`` (awaited on verl's reward loop). The judge's address comes
from ``reward_kwargs.url`` or the ``PATARM_JUDGE_URL`` environment variable of the reward workers.
Each parquet row must carry the prompt text in ``extra_info.prompt`` (verl passes only the response).
"""

from patarm.adapters.verl import compute_score, compute_score_async

__all__ = ["compute_score", "compute_score_async"]
