"""verl's custom reward function, calling a running ``patarm serve`` once per trajectory.

verl (0.9, reward loop) calls ``compute_score(data_source, solution_str, ground_truth, extra_info,
**reward_kwargs)`` once per trajectory, concurrently (async functions are awaited, sync ones run
in a thread pool), so the server's micro-batcher turns those calls into backend batches. verl
hands over the decoded response only: the prompt must travel in the row's ``extra_info`` (under
``prompt``, ``question``, ``query`` or ``instruction``, or the key named by ``prompt_key``); a
missing prompt is an error, never a judgment without context.

The server URL comes from ``url`` (``custom_reward_function.reward_kwargs.url``) or the
``PATARM_JUDGE_URL`` environment variable. The result is a dict: ``score`` (the reward),
``judge_malformed`` and ``judge_fallback`` (0 or 1; verl keeps them as reward extra info and
averages them in its validation metrics). A judgment with no parsed sample gets ``fallback_reward``
(default: the low end of the judge's scale) and ``judge_fallback = 1``.

.. code-block:: yaml

    reward:
      custom_reward_function:
        path: examples/policy/verl_reward.py   # a file holding `from patarm.adapters.verl import compute_score`
        name: compute_score
        reward_kwargs: {url: "http://judge-host:8000"}
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from typing import Any

from patarm.policy_rewards._client import JudgeClient, RemoteScore
from patarm.policy_rewards._domain import INSTRUCTION_DOMAIN, data_domain, reward_value

__all__ = ["PROMPT_KEYS", "URL_ENV", "compute_score", "compute_score_async"]

URL_ENV = "PATARM_JUDGE_URL"
PROMPT_KEYS = ("prompt", "question", "query", "instruction")

_clients: dict[tuple[str, float, str | None], JudgeClient] = {}
_clients_lock = threading.Lock()


def _client(url: str | None, api_key: str | None, timeout_s: float) -> JudgeClient:
    address = url or os.environ.get(URL_ENV)
    if not address:
        raise ValueError(
            f"no judge server address: pass reward_kwargs url=http://host:port or set ${URL_ENV} "
            "(start one with `patarm serve`)"
        )
    with _clients_lock:
        key = (address, timeout_s, api_key)
        if key not in _clients:
            _clients[key] = JudgeClient(address, api_key=api_key, timeout_s=timeout_s)
        return _clients[key]


def _item(
    data_source: str,
    solution_str: str,
    extra_info: Mapping[str, Any] | None,
    prompt_key: str | None,
    default_domain: str | None,
    instruction_domain: str | None,
) -> dict[str, Any]:
    info = dict(extra_info or {})
    keys = (prompt_key,) if prompt_key else PROMPT_KEYS
    prompt = next((info[k] for k in keys if isinstance(info.get(k), str | list) and info[k]), None)
    if prompt is None:
        raise ValueError(
            f"compute_score needs the prompt in extra_info under one of {list(keys)}; got keys {sorted(info)}: "
            "add it when building the parquet (extra_info={'prompt': ...})"
        )
    domain = data_domain(
        info, data_source=data_source, default_domain=default_domain, instruction_domain=instruction_domain
    )
    return {"prompt": prompt, "response": solution_str, "domain": domain}


def _result(remote: RemoteScore, use_expected_score: bool, fallback_reward: float | None) -> dict[str, float]:
    value = reward_value(remote, use_expected_score=use_expected_score)
    fallback = remote.scale[0] if fallback_reward is None else fallback_reward
    reward = fallback if value is None else value
    return {
        "score": float(reward),
        "judge_malformed": float(remote.score is None),
        "judge_fallback": float(value is None),
    }


def compute_score(
    data_source: str,
    solution_str: str,
    ground_truth: Any = None,
    extra_info: Mapping[str, Any] | None = None,
    *,
    url: str | None = None,
    api_key: str | None = None,
    prompt_key: str | None = None,
    default_domain: str | None = None,
    instruction_domain: str | None = INSTRUCTION_DOMAIN,
    use_expected_score: bool = False,
    fallback_reward: float | None = None,
    timeout_s: float = 180.0,
    **kwargs: Any,
) -> dict[str, float]:
    """The judge's score for one verl trajectory (see the module docstring); extra verl kwargs are ignored.

    >>> compute_score("ifeval", "Hi!", None, {"prompt": "Say hi."}, url="http://judge:8000")  # doctest: +SKIP
    {'score': 7.0, 'judge_malformed': 0.0, 'judge_fallback': 0.0}
    """
    item = _item(data_source, solution_str, extra_info, prompt_key, default_domain, instruction_domain)
    remote = _client(url, api_key, timeout_s).score([item])[0]
    return _result(remote, use_expected_score, fallback_reward)


async def compute_score_async(
    data_source: str,
    solution_str: str,
    ground_truth: Any = None,
    extra_info: Mapping[str, Any] | None = None,
    *,
    url: str | None = None,
    api_key: str | None = None,
    prompt_key: str | None = None,
    default_domain: str | None = None,
    instruction_domain: str | None = INSTRUCTION_DOMAIN,
    use_expected_score: bool = False,
    fallback_reward: float | None = None,
    timeout_s: float = 180.0,
    **kwargs: Any,
) -> dict[str, float]:
    """:func:`compute_score` as a coroutine (verl awaits it on its reward loop, no thread per call)."""
    item = _item(data_source, solution_str, extra_info, prompt_key, default_domain, instruction_domain)
    remote = (await _client(url, api_key, timeout_s).ascore([item]))[0]
    return _result(remote, use_expected_score, fallback_reward)
