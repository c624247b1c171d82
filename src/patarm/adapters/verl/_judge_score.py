"""verl's custom reward function: a PaTaRM judge's score for each trajectory, from a running
``patarm serve`` or from the judge servers of verl's own reward-model pool.

verl (0.9, reward loop) calls ``compute_score(data_source, solution_str, ground_truth, extra_info,
**reward_kwargs)`` once per trajectory, concurrently (async functions are awaited, sync ones run
in a thread pool), so the judge's server batches those calls (``patarm serve``'s micro-batcher,
or the continuous batching of verl's own judge servers). verl
hands over the decoded response only: the prompt must travel in the row's ``extra_info`` (under
``prompt``, ``question``, ``query`` or ``instruction``, or the key named by ``prompt_key``); a
missing prompt is an error, never a judgment without context. The row's ``ground_truth``
(``reward_model.ground_truth`` in verl's parquet), when there is one, is the reference answer the
judge compares the response against (:func:`~patarm.policy_rewards.reference_text`).

Where the judge runs:

- verl's reward-model pool (``reward.reward_model.enable=True``): verl starts the judge model on its
  own rollout servers and passes ``reward_router_address``; the judge's prompts, parsing and voting
  run here, its samples come from that router (:mod:`patarm.adapters.verl._pool_judge`). Judge
  settings: ``judge`` (the fields of :class:`~patarm.judges.JudgeConfig`), ``rubric_dir``, ``model``
  (default: the name verl's servers serve), ``extra_body``, ``max_concurrency``.
- else a running ``patarm serve``, at ``url`` (``custom_reward_function.reward_kwargs.url``) or the
  ``PATARM_JUDGE_URL`` environment variable. Naming both is an error.

Either way the result is a dict: ``score`` (the reward), ``judge_malformed`` and
``judge_fallback`` (0 or 1; verl keeps them as reward extra info and averages them in its
validation metrics). A judgment with no parsed sample gets ``fallback_reward``
(default: the low end of the judge's scale) and ``judge_fallback = 1``.

.. code-block:: yaml

    reward:
      custom_reward_function:
        path: examples/policy/verl_reward.py   # a file holding `from patarm.adapters.verl import compute_score`
        name: compute_score
        reward_kwargs: {url: "http://judge-host:8000"}   # or reward.reward_model.enable=True, no url
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from patarm.errors import ConfigError
from patarm.policy_rewards import (
    INSTRUCTION_DOMAIN,
    JudgeClient,
    RemoteScore,
    data_domain,
    reference_text,
    reward_value,
)

if TYPE_CHECKING:
    from patarm.judges import PointwiseJudge, PointwiseResult

__all__ = ["PROMPT_KEYS", "URL_ENV", "compute_score", "compute_score_async"]

URL_ENV = "PATARM_JUDGE_URL"
PROMPT_KEYS = ("prompt", "question", "query", "instruction")

_clients: dict[tuple[str, float, str | None], JudgeClient] = {}
_clients_lock = threading.Lock()


def _client(url: str | None, api_key: str | None, timeout_s: float) -> JudgeClient:
    address = url or os.environ.get(URL_ENV)
    if not address:
        raise ConfigError(
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
    ground_truth: Any,
    extra_info: Mapping[str, Any] | None,
    prompt_key: str | None,
    default_domain: str | None,
    instruction_domain: str | None,
) -> dict[str, Any]:
    info = dict(extra_info or {})
    keys = (prompt_key,) if prompt_key else PROMPT_KEYS
    prompt = next((info[k] for k in keys if isinstance(info.get(k), str | list) and info[k]), None)
    if prompt is None:
        raise ConfigError(
            f"compute_score needs the prompt in extra_info under one of {list(keys)}; got keys {sorted(info)}: "
            "add it when building the parquet (extra_info={'prompt': ...})"
        )
    domain = data_domain(
        info, data_source=data_source, default_domain=default_domain, instruction_domain=instruction_domain
    )
    item = {"prompt": prompt, "response": solution_str, "domain": domain}
    reference = reference_text(ground_truth)
    if reference is not None:  # shown to the judge in its <reference> block
        item["reference"] = reference
    return item


def _result(
    result: RemoteScore | PointwiseResult,
    scale: tuple[float, float],
    use_expected_score: bool,
    fallback_reward: float | None,
) -> dict[str, float]:
    value = reward_value(result, use_expected_score=use_expected_score)
    fallback = scale[0] if fallback_reward is None else fallback_reward
    reward = fallback if value is None else value
    return {
        "score": float(reward),
        "judge_malformed": float(result.score is None),
        "judge_fallback": float(value is None),
    }


def _pool(
    url: str | None,
    reward_router_address: str,
    reward_model_tokenizer: Any,
    model: str | None,
    judge: Mapping[str, Any] | None,
    rubric_dir: str | Sequence[str] | None,
    use_expected_score: bool,
    timeout_s: float,
    max_concurrency: int,
    extra_body: Mapping[str, Any] | None,
) -> PointwiseJudge:
    """The judge on verl's reward-model pool (verl passed its router's address)."""
    if url:
        raise ConfigError(
            f"two judges named: reward_kwargs.url={url!r} (a patarm serve) and verl's reward-model pool "
            f"(reward_router_address={reward_router_address!r}); drop url to judge in verl's pool, "
            "or set reward.reward_model.enable=False to use the server"
        )
    from patarm.adapters.verl._pool_judge import judge_config, judge_model_name, pool_judge

    return pool_judge(
        reward_router_address,
        judge_model_name(model, reward_model_tokenizer),
        judge_config(judge, use_expected_score=use_expected_score),
        rubric_dirs=() if rubric_dir is None else rubric_dir,
        timeout_s=timeout_s,
        max_concurrency=max_concurrency,
        extra_body=extra_body,
    )


def _judge_in_pool(judge: PointwiseJudge, item: dict[str, Any]) -> PointwiseResult:
    from patarm.judges import PointwiseItem

    judged = PointwiseItem(item["prompt"], item["response"], item["domain"], item.get("reference"))
    return judge.judge_many([judged])[0]


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
    reward_router_address: str | None = None,
    reward_model_tokenizer: Any = None,
    model: str | None = None,
    judge: Mapping[str, Any] | None = None,
    rubric_dir: str | Sequence[str] | None = None,
    max_concurrency: int = 8,
    extra_body: Mapping[str, Any] | None = None,
    **kwargs: Any,
) -> dict[str, float]:
    """The judge's score for one verl trajectory (see the module docstring); other verl kwargs are ignored.

    >>> compute_score("ifeval", "Hi!", None, {"prompt": "Say hi."}, url="http://judge:8000")  # doctest: +SKIP
    {'score': 7.0, 'judge_malformed': 0.0, 'judge_fallback': 0.0}
    """
    item = _item(data_source, solution_str, ground_truth, extra_info, prompt_key, default_domain, instruction_domain)
    if reward_router_address is not None:
        pooled = _pool(
            url, reward_router_address, reward_model_tokenizer, model, judge, rubric_dir,
            use_expected_score, timeout_s, max_concurrency, extra_body,
        )  # fmt: skip
        result = _judge_in_pool(pooled, item)
        return _result(result, pooled.config.scale, use_expected_score, fallback_reward)
    remote = _client(url, api_key, timeout_s).score([item])[0]
    return _result(remote, remote.scale, use_expected_score, fallback_reward)


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
    reward_router_address: str | None = None,
    reward_model_tokenizer: Any = None,
    model: str | None = None,
    judge: Mapping[str, Any] | None = None,
    rubric_dir: str | Sequence[str] | None = None,
    max_concurrency: int = 8,
    extra_body: Mapping[str, Any] | None = None,
    **kwargs: Any,
) -> dict[str, float]:
    """:func:`compute_score` as a coroutine (verl awaits it on its reward loop). In verl's pool the
    judge's blocking call runs in the loop's default thread pool, so the loop keeps serving others."""
    item = _item(data_source, solution_str, ground_truth, extra_info, prompt_key, default_domain, instruction_domain)
    if reward_router_address is not None:
        pooled = _pool(
            url, reward_router_address, reward_model_tokenizer, model, judge, rubric_dir,
            use_expected_score, timeout_s, max_concurrency, extra_body,
        )  # fmt: skip
        result = await asyncio.get_running_loop().run_in_executor(None, _judge_in_pool, pooled, item)
        return _result(result, pooled.config.scale, use_expected_score, fallback_reward)
    remote = (await _client(url, api_key, timeout_s).ascore([item]))[0]
    return _result(remote, remote.scale, use_expected_score, fallback_reward)
