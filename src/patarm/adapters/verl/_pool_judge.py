"""The judge inside verl's own reward-model pool.

With ``reward.reward_model.enable=True`` and a custom reward function, verl (0.9) starts the judge
model on its own rollout servers (vLLM or SGLang, in the cluster's resource pool, behind a router)
and passes the reward function ``reward_router_address`` (``host:port`` of that router) and
``reward_model_tokenizer``. Here that address becomes an :class:`~patarm.backends.OpenAIBackend`
under a :class:`~patarm.judges.PointwiseJudge`: the prompts, parsing, voting and fallback are the
ones ``patarm serve`` uses; only the place the samples come from changes.

The judge talks to the router's chat endpoint (``http://{address}/v1/chat/completions``), as verl's
own generative reward examples do: the servers apply the judge tokenizer's chat template, so the
messages patarm builds are rendered exactly as the model was trained on. verl's vLLM servers serve
the model under its local path, which is the path the reward workers load ``reward_model_tokenizer``
from, so that tokenizer's ``name_or_path`` is the default model name (``model`` overrides it).

>>> judge_model_name("/models/patarm-8b", None)
'/models/patarm-8b'
>>> router_url("10.0.0.5:41000"), router_url("http://10.0.0.5:41000/")
('http://10.0.0.5:41000', 'http://10.0.0.5:41000')
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping, Sequence
from typing import Any

from patarm.adapters.verl._settings import _plain
from patarm.backends import OpenAIBackend
from patarm.errors import ConfigError
from patarm.judges import JudgeConfig, PointwiseJudge
from patarm.rubrics import RubricSet

__all__ = ["judge_config", "judge_model_name", "pool_judge", "router_url"]

_judges: dict[str, PointwiseJudge] = {}
_judges_lock = threading.Lock()


def router_url(address: str) -> str:
    """The base URL of verl's reward router from the ``host:port`` verl passes (a URL is kept)."""
    address = address.strip().rstrip("/")
    if not address:
        raise ConfigError("reward_router_address is empty: verl passes host:port of its reward router")
    return address if address.startswith(("http://", "https://")) else f"http://{address}"


def judge_model_name(model: str | None, reward_model_tokenizer: Any) -> str:
    """The model name to send: ``model`` when given, else the judge tokenizer's ``name_or_path``."""
    if model:
        return model
    name = getattr(reward_model_tokenizer, "name_or_path", None)
    if isinstance(name, str) and name:
        return name
    raise ConfigError(
        "the judge's model name is unknown: verl passed no reward_model_tokenizer with a name_or_path; "
        "set custom_reward_function.reward_kwargs.model to the name verl's judge servers serve "
        "(the local path of reward.reward_model.model_path)"
    )


def judge_config(options: Mapping[str, Any] | None, *, use_expected_score: bool = False) -> JudgeConfig:
    """``reward_kwargs.judge`` (the fields of :class:`~patarm.judges.JudgeConfig`) as a config;
    a bad field is a ValueError naming it. ``use_expected_score`` turns log-probabilities on."""
    values = _plain(options) or {}
    if not isinstance(values, dict):
        raise ConfigError(f"custom_reward_function.reward_kwargs.judge: expected a mapping, got {values!r:.80}")
    try:
        config = JudgeConfig.model_validate(values)
    except ConfigError as exc:
        raise ConfigError(f"custom_reward_function.reward_kwargs.judge: {exc}") from None
    if use_expected_score and not config.expected_score:
        config = config.model_copy(update={"expected_score": True})
    return config


def pool_judge(
    address: str,
    model: str,
    config: JudgeConfig,
    *,
    rubric_dirs: Sequence[str] = (),
    timeout_s: float = 180.0,
    max_concurrency: int = 8,
    extra_body: Mapping[str, Any] | None = None,
) -> PointwiseJudge:
    """The judge that samples from verl's router at ``address``; one per process and settings
    (verl calls the reward function once per trajectory, from many threads or one event loop)."""
    body = dict(_plain(extra_body) or {})
    dirs = tuple(str(d) for d in ([rubric_dirs] if isinstance(rubric_dirs, str) else _plain(rubric_dirs)))
    key = json.dumps(
        [router_url(address), model, config.model_dump(mode="json"), dirs, timeout_s, max_concurrency, body],
        sort_keys=True,
        default=str,
    )
    with _judges_lock:
        judge = _judges.get(key)
        if judge is None:
            backend = OpenAIBackend(
                router_url(address),
                model,
                chat=True,
                timeout_s=timeout_s,
                max_concurrency=max_concurrency,
                extra_body=body,
            )
            judge = _judges[key] = PointwiseJudge(backend, config, rubrics=RubricSet(dirs))
        return judge
