"""slime's remote reward protocol on ``patarm serve``: ``POST /slime/reward``.

slime (``--rm-type remote_rm --rm-url http://host:port/slime/reward``) posts one JSON object per
sample, ``{"prompt", "response", "label"}`` (``slime/rollout/rm_hub/__init__.py``, ``remote_rm``),
with no extra headers, and takes the JSON answer itself as the sample's reward. So:

- the answer is a bare JSON number, the reward (the judge's score; ``fallback_reward`` when no
  judge sample parsed or the prompt holds no text), on the judge's scale, or on [0, 1] with
  ``normalize_rewards``, as on ``/get_reward``;
- ``?fields=1`` answers an object instead: ``reward``, ``score`` (the reward on [0, 1]),
  ``judge_malformed``, ``judge_fallback``, ``judge_split_failed`` (0 or 1) and ``domain``; use it
  with slime's ``--reward-key reward``;
- a JSON array of such objects gets an array of answers, in order (the batch form
  :func:`patarm.adapters.slime.reward` sends).

``prompt`` is what slime holds in ``Sample.prompt``: the chat-templated text (with
``--apply-chat-template``, read back into messages with the server's ``chat_template``), plain text,
or a list of ``{role, content}`` messages with text content. ``response`` is cut at the template's
turn end, its special tokens dropped and a leading think block removed (``strip_thinking``).
``label`` (``--label-key``) is read as an OpenRLHF label is (:func:`patarm.policy_rewards.label_fields`):
a JSON object's ``domain`` picks the rubric; its ``reference`` / ``ground_truth`` / ``answer`` /
``solution``, or a plain label that is not a domain name, is the reference answer the judge
compares the response against. The text limits apply to every text, the reference included.

slime's request carries no header: for a server with an API key, put the key in the URL
(``--rm-url http://host:port/slime/reward?api_key=KEY``; slime may print its arguments, the key
with them), or use the custom reward function, which sends the key in a header.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, RootModel

from patarm.judges import PointwiseItem
from patarm.policy_rewards import (
    QuerySplitError,
    clean_response,
    data_domain,
    label_fields,
    label_reference,
    reward_value,
    split_query,
)
from patarm.prompts import PromptInput
from patarm.serve._body import BadBody, check_value
from patarm.serve._service import JudgeService, ServeError, logger

__all__ = ["SLIME_ROUTE", "SlimeRewardBatch", "SlimeRewardRequest", "slime_reward_json"]

SLIME_ROUTE = "/slime/reward"


class SlimeRewardRequest(BaseModel):
    """One slime sample as ``remote_rm`` posts it; other fields are ignored, as slime may add some."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    prompt: str | list[dict[str, Any]] = Field(min_length=1)
    response: str
    label: Any = None


class SlimeRewardBatch(RootModel[SlimeRewardRequest | list[SlimeRewardRequest]]):
    """One sample (slime's ``remote_rm``), or a list of them (the batch form)."""


def _prompt(service: JudgeService, prompt: str | list[dict[str, Any]], where: str) -> list[dict[str, str]] | str:
    if isinstance(prompt, str):
        return prompt
    messages = []
    for k, message in enumerate(prompt):
        role, content = message.get("role"), message.get("content")
        if role not in ("system", "user", "assistant", "tool") or not isinstance(content, str):
            raise ServeError(
                422,
                "invalid_request",
                f"{where}.prompt[{k}]: expected a message {{role: system|user|assistant|tool, content: text}}",
            )
        service._text(content, where)
        messages.append({"role": str(role), "content": content})
    return messages


def _item(service: JudgeService, request: SlimeRewardRequest, where: str) -> PointwiseItem | None:
    """The judged item for one sample; None when its prompt holds no text (the fallback reward)."""
    s = service.settings
    prompt = _prompt(service, request.prompt, where)
    for text in (prompt if isinstance(prompt, str) else "", request.response):
        service._text(text, where)
    fields = label_fields(request.label)
    if isinstance(request.label, str) and fields.get("label") is not request.label:  # a JSON label decoded here
        try:
            check_value(fields, s.max_json_depth, (where, "label"))
        except BadBody as exc:
            raise ServeError(422, "invalid_request", f"invalid request: {exc}") from None
    rubrics = service.judge.rubrics
    domain = data_domain(
        fields, default_domain=s.default_domain, instruction_domain=s.instruction_domain, known=rubrics
    )
    domain = service._domain(domain, f"{where}.label")
    reference = label_reference(fields, known=rubrics)
    if reference is not None:
        service._text(reference, f"{where}.label")
    if not isinstance(prompt, str):
        judged: PromptInput = prompt
        response = clean_response(request.response, service.template, s.strip_thinking)
        return PointwiseItem(judged, response, domain, reference)
    try:  # the templated prompt is a prefix of prompt + response by construction
        split = split_query(prompt + request.response, prompt, template=service.template, mode="prefix",
                            strip_thinking=s.strip_thinking)  # fmt: skip
    except QuerySplitError as exc:
        logger.warning("%s: %s; it gets the fallback reward", where, exc)
        return None
    return PointwiseItem(split.prompt, split.response, domain, reference)


def _items(service: JudgeService, batch: SlimeRewardBatch) -> list[PointwiseItem | None]:
    requests = batch.root if isinstance(batch.root, list) else [batch.root]
    service._count(len(requests))
    if isinstance(batch.root, list):
        return [_item(service, r, f"[{i}]") for i, r in enumerate(requests)]
    return [_item(service, requests[0], "body")]


async def slime_reward_json(
    service: JudgeService, raw: bytes, fields: bool, gone: Callable[[], Awaitable[None]] | None = None
) -> bytes:
    """``POST /slime/reward`` from raw body to raw answer (see the module docstring)."""
    deadline = service._deadline()
    batch = await service._offload(deadline, service._read, raw, SlimeRewardBatch)
    items = await service._offload(deadline, _items, service, batch)
    judged = [item for item in items if item is not None]
    results = iter(await service._judge(judged, gone, deadline) if judged else [])
    lo, hi = service.scale
    answers: list[Any] = []
    malformed = fallbacks = 0
    for item in items:
        result = next(results) if item is not None else None
        value = reward_value(result, use_expected_score=service.settings.use_expected_score) if result else None
        raw_reward = service.fallback if value is None else value
        unit = min(1.0, max(0.0, (raw_reward - lo) / (hi - lo)))
        reward = unit if service.settings.normalize_rewards else float(raw_reward)
        malformed += result is not None and result.score is None
        fallbacks += value is None
        if not fields:
            answers.append(reward)
            continue
        answers.append(
            {
                "reward": reward,
                "score": unit,
                "judge_malformed": float(result is not None and result.score is None),
                "judge_fallback": float(value is None),
                "judge_split_failed": float(item is None),
                "domain": result.domain if result is not None else None,
            }
        )
    service.metrics.record_results(len(judged), malformed)
    service.metrics.fallbacks += fallbacks
    service.metrics.split_failures += len(items) - len(judged)
    body = answers if isinstance(batch.root, list) else answers[0]
    return json.dumps(body, allow_nan=False).encode("utf-8")
