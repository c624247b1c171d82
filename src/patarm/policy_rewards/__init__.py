"""Rewards for POLICY training from a trained judge: the stack-free pieces.

A judge scores each policy rollout pointwise (no pairing). Each stack plugs in through its
adapter, which uses the pieces here:

- TRL: :class:`patarm.adapters.trl.JudgeReward`, a picklable reward function (in-process judge,
  or ``url=`` of a ``patarm serve``), one score per completion, None where nothing parsed;
- verl: :func:`patarm.adapters.verl.compute_score` / ``compute_score_async``, calling a ``patarm serve``;
- OpenRLHF: ``--reward.remote_url http://host:port/get_reward`` on ``patarm serve``, which reads
  the policy's decoded text back with :func:`split_query` and a :class:`ChatTemplate`;
- :class:`JudgeClient`: the HTTP client of ``POST /v1/score`` the first two use; the domain and
  reward rules (:func:`data_domain`, :func:`reward_value`) and the reference answer in a label or
  ground truth (:func:`label_reference`, :func:`reference_text`) they share.

Only httpx (a core dependency) is imported here; no RL stack.

>>> split_query("<|im_start|>user\\nHi<|im_end|>\\n<|im_start|>assistant\\nHello<|im_end|>").response
'Hello'
"""

from patarm.policy_rewards._client import API_KEY_ENV, JudgeClient, JudgeServerError, RemoteScore, ScoreItemInput
from patarm.policy_rewards._domain import (
    INSTRUCTION_DOMAIN,
    INSTRUCTION_FIELDS,
    data_domain,
    label_fields,
    reward_value,
)
from patarm.policy_rewards._query import QuerySplit, QuerySplitError, SplitMode, clean_response, split_query
from patarm.policy_rewards._reference import REFERENCE_KEYS, label_reference, reference_text
from patarm.policy_rewards._template import (
    CHAT_TEMPLATES,
    CHATML,
    GEMMA,
    LLAMA3,
    PLAIN,
    ChatTemplate,
    Turn,
    detect_chat_template,
)

__all__ = [
    "API_KEY_ENV",
    "CHATML",
    "CHAT_TEMPLATES",
    "GEMMA",
    "INSTRUCTION_DOMAIN",
    "INSTRUCTION_FIELDS",
    "LLAMA3",
    "PLAIN",
    "REFERENCE_KEYS",
    "ChatTemplate",
    "JudgeClient",
    "JudgeServerError",
    "QuerySplit",
    "QuerySplitError",
    "RemoteScore",
    "ScoreItemInput",
    "SplitMode",
    "Turn",
    "clean_response",
    "data_domain",
    "detect_chat_template",
    "label_fields",
    "label_reference",
    "reference_text",
    "reward_value",
    "split_query",
]
