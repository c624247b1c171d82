"""A trained judge as the reward for POLICY training, through the same pointwise judge core.

- TRL: :class:`JudgeReward`, a picklable reward function (in-process judge, or ``url=`` of a
  ``patarm serve``), one score per completion, None where the judge's output did not parse;
- verl: :func:`compute_score` / :func:`compute_score_async`, calling a ``patarm serve``;
- OpenRLHF: ``--reward.remote_url http://host:port/get_reward`` on ``patarm serve``, which reads
  the policy's decoded text back with :func:`split_query` and a :class:`ChatTemplate`;
- :class:`JudgeClient`: the HTTP client of ``POST /v1/score`` the first two use.

Only httpx (a core dependency) is imported here; no RL stack.

>>> split_query("<|im_start|>user\\nHi<|im_end|>\\n<|im_start|>assistant\\nHello<|im_end|>").response
'Hello'
"""

from patarm.policy._client import API_KEY_ENV, JudgeClient, JudgeServerError, RemoteScore, ScoreInput
from patarm.policy._domain import INSTRUCTION_DOMAIN, INSTRUCTION_FIELDS, data_domain, label_fields, reward_value
from patarm.policy._query import QuerySplit, QuerySplitError, SplitMode, split_query
from patarm.policy._template import (
    CHAT_TEMPLATES,
    CHATML,
    GEMMA,
    LLAMA3,
    PLAIN,
    ChatTemplate,
    Turn,
    detect_chat_template,
)
from patarm.policy._trl import JudgeReward, completion_text, prompt_messages
from patarm.policy._verl import PROMPT_KEYS, URL_ENV, compute_score, compute_score_async

__all__ = [
    "API_KEY_ENV",
    "CHATML",
    "CHAT_TEMPLATES",
    "GEMMA",
    "INSTRUCTION_DOMAIN",
    "INSTRUCTION_FIELDS",
    "LLAMA3",
    "PLAIN",
    "PROMPT_KEYS",
    "URL_ENV",
    "ChatTemplate",
    "JudgeClient",
    "JudgeReward",
    "JudgeServerError",
    "QuerySplit",
    "QuerySplitError",
    "RemoteScore",
    "ScoreInput",
    "SplitMode",
    "Turn",
    "completion_text",
    "compute_score",
    "compute_score_async",
    "data_domain",
    "detect_chat_template",
    "label_fields",
    "prompt_messages",
    "reward_value",
    "split_query",
]
