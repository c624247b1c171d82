"""JudgeService without HTTP: OpenRLHF rewards (fallback, normalisation, split failures, label
domains and prompts), typed results, the limits, settings checks, and the light import."""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from patarm.backends import FunctionBackend
from patarm.judges import JudgeConfig, PointwiseJudge
from patarm.serve import JudgeService, RewardRequest, ScoreItem, ScoreRequest, ServeError, ServeSettings

_RESPONSE = re.compile(r"<response>\s*(.*?)\s*</response>", re.DOTALL)
_PROMPT = re.compile(r"<prompt>\s*(.*?)\s*</prompt>", re.DOTALL)
CHAT = "<|im_start|>user\n{q}<|im_end|>\n<|im_start|>assistant\n"


def scripted(prompt: str, seed: int | None) -> str:
    """Score = the response's word count; "MALFORMED" -> no answer tag; the rationale quotes the judged prompt."""
    response = _RESPONSE.search(prompt)
    words = response.group(1) if response else ""
    if "MALFORMED" in words:
        return "nothing to see"
    judged = _PROMPT.search(prompt)
    quoted = judged.group(1) if judged else ""
    return f"<criteria>c</criteria><rationale>{quoted}</rationale><answer>{min(10, len(words.split()))}</answer>"


def run(settings: ServeSettings, call: Callable[[JudgeService], Awaitable[Any]]) -> Any:
    service = JudgeService(PointwiseJudge(FunctionBackend(scripted), JudgeConfig(temperature=0)), settings)

    async def body() -> Any:
        await service.start()
        try:
            return await call(service)
        finally:
            await service.close()

    return asyncio.run(body()), service


def test_rewards_with_fallback_normalisation_and_split_failures() -> None:
    queries = [CHAT.format(q="Say hi") + "hi there<|im_end|>", CHAT.format(q="x") + "MALFORMED<|im_end|>", "plain"]
    request = RewardRequest(query=queries, prompts=[CHAT.format(q="Say hi"), None, None])
    out, service = run(ServeSettings(), lambda s: s.reward(request))
    assert out.rewards == [2.0, 1.0, 1.0]  # the fallback is the scale's low end by default
    assert out.scores == pytest.approx([1 / 9, 0.0, 0.0])
    assert out.extra_logs == {
        "judge_malformed": [0.0, 1.0, 0.0],
        "judge_fallback": [0.0, 1.0, 1.0],
        "judge_split_failed": [0.0, 0.0, 1.0],
    }
    assert (service.metrics.fallbacks, service.metrics.split_failures, service.metrics.malformed) == (2, 1, 1)
    out, _ = run(ServeSettings(fallback_reward=-5, normalize_rewards=True), lambda s: s.reward(request))
    assert out.rewards == pytest.approx([1 / 9, 0.0, 0.0])  # normalised rewards, fallback clipped to [0, 1]
    out, _ = run(ServeSettings(fallback_reward=-5), lambda s: s.reward(request))
    assert out.rewards == [2.0, -5.0, -5.0]


def test_labels_carry_the_domain_and_may_carry_the_original_prompt() -> None:
    query = CHAT.format(q="templated question") + "one two three<|im_end|>"
    labels = ['{"domain": "math", "prompt": "the original question"}']
    seen: list[Any] = []

    async def call(service: JudgeService) -> Any:
        original = service.judge.judge_many

        def spy(items: Any, **kwargs: Any) -> Any:
            seen.extend(items)
            return original(items, **kwargs)

        service.judge.judge_many = spy  # type: ignore[method-assign]
        service.batcher.fn = spy
        return await service.reward(RewardRequest(query=[query], labels=labels))

    out, _ = run(ServeSettings(), call)
    assert out.rewards == [3.0]
    assert (
        seen[0].domain == "math" and seen[0].prompt == "the original question" and seen[0].response == "one two three"
    )


def test_score_results_are_typed_and_ordered() -> None:
    items = [ScoreItem(prompt="Say hi", response=r) for r in ("a b", "MALFORMED", "a b c d")]
    out, service = run(ServeSettings(), lambda s: s.score(ScoreRequest(items=items, include_samples=True)))
    assert [r.score for r in out.results] == [2.0, None, 4.0]
    assert out.results[0].rationale == "Say hi" and out.results[0].malformed_reason is None
    assert out.results[1].malformed_reason is not None and out.results[1].malformed_reason.value == "no_answer_tag"
    assert out.results[1].judgments is not None and out.results[1].judgments[0].raw == "nothing to see"
    assert service.metrics.malformed == 1 and service.metrics.judged == 3


ITEM = ScoreItem(prompt="a", response="b")
LONG = ScoreItem(prompt="a", response="b" * 6)


@pytest.mark.parametrize(
    ("settings", "request_", "status", "says"),
    [
        (ServeSettings(max_items_per_request=2), ScoreRequest(items=[ITEM] * 3), 413, "3 items"),
        (
            ServeSettings(max_text_chars=5),
            ScoreRequest(items=[LONG]),
            413,
            "6 characters",
        ),
        (ServeSettings(), ScoreRequest(items=[ITEM.model_copy(update={"domain": "nope"})]), 422, "unknown domain"),
        (ServeSettings(), RewardRequest(query=["a"], labels=[1, 2]), 422, "labels has 2 entries for 1 queries"),
        (  # a label's prompt replaces the query's before the judge: the same limit, typed requests too
            ServeSettings(max_text_chars=5),
            RewardRequest(query=["a"], labels=[{"prompt": "p" * 6}]),
            413,
            r"^labels\[0\]\.prompt has 6 characters",
        ),
        (ServeSettings(max_text_chars=5), RewardRequest(query=["a"], prompts=["p" * 6]), 413, r"^prompts\[0\] has 6"),
        (
            ServeSettings(max_items_per_request=2, max_queue=8),
            RewardRequest(query=["a"], labels=['{"ids": [1, 2, 3]}']),
            413,
            r"^labels\[0\]\.ids: more than 2 entries",
        ),
    ],
)
def test_limits_and_bad_input_are_serve_errors(settings: ServeSettings, request_: Any, status: int, says: str) -> None:
    async def call(service: JudgeService) -> Any:
        method = service.score if isinstance(request_, ScoreRequest) else service.reward
        return await method(request_)

    with pytest.raises(ServeError, match=says) as info:
        run(settings, call)
    assert info.value.status == status


def test_settings_are_checked() -> None:
    with pytest.raises(ValueError, match="must not exceed max_queue"):
        ServeSettings(max_items_per_request=10, max_queue=5)
    with pytest.raises(ValueError, match="chat_template must be one of"):
        ServeSettings(chat_template="mistral")
    with pytest.raises(ValueError, match="unknown domain 'nope'"):
        JudgeService(PointwiseJudge(FunctionBackend(scripted)), ServeSettings(default_domain="nope"))
    public = ServeSettings(api_key="s3cret").public()
    assert public["auth"] is True and "s3cret" not in str(public)


def test_serve_imports_no_web_framework_until_an_app_is_built() -> None:
    code = (
        "import sys, patarm, patarm.serve, patarm.policy_rewards\n"
        "print(sorted(m for m in ('fastapi', 'uvicorn', 'starlette', 'torch') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_missing_extra_names_patarm_serve() -> None:
    code = (
        "import sys; sys.modules['fastapi'] = None\n"
        "from patarm.backends import FunctionBackend\nfrom patarm.judges import PointwiseJudge\n"
        "from patarm.serve import create_app\n"
        "create_app(PointwiseJudge(FunctionBackend(lambda p, s: '')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode != 0
    assert "MissingExtraError" in out.stderr and "pip install -e '.[serve]'" in out.stderr
