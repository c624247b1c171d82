from __future__ import annotations

import random
import re
from collections.abc import Sequence

import pytest
from hypothesis import given
from hypothesis import strategies as st

from patarm.backends import ChatInput, Completion, FunctionBackend, SamplingParams, TokenLogprobs, prompt_text
from patarm.judges import (
    JudgeConfig,
    PairwiseItem,
    PairwiseJudge,
    PointwiseItem,
    PointwiseJudge,
    completion_expected_score,
)
from patarm.rubrics import CriteriaCache
from patarm.types import MalformedReason


def response_of(prompt: str, tag: str = "response") -> str:
    found = re.search(rf"<{tag}>\n(.*?)\n</{tag}>", prompt, re.DOTALL)
    assert found, prompt
    return found.group(1)


def scorer(prompt: str, seed: int | None) -> str:
    """A judge that scores by the response's length (plus seeded noise when given a seed)."""
    if "<response_a>" in prompt:
        a, b = response_of(prompt, "response_a"), response_of(prompt, "response_b")
        sa, sb = min(10, len(a)), min(10, len(b))
        return f"<rationale>Longer is better.</rationale><score_a>{sa}</score_a><score_b>{sb}</score_b>"
    noise = 0 if seed is None else random.Random(seed).choice([0, 0, 1])
    score = min(10, len(response_of(prompt)) + noise)
    return (
        f"<think>hm</think><criteria>Be long.</criteria><rationale>Length {score}.</rationale><answer>{score}</answer>"
    )


def test_pointwise_scores_votes_and_counts() -> None:
    outputs = iter(["<answer>8</answer>", "<answer>6</answer>", "no tag", "<answer>12</answer>"])
    judge = PointwiseJudge(FunctionBackend(lambda p, s: next(outputs)), JudgeConfig(samples=4))
    result = judge.judge("What is 2+2?", "4")
    assert result.score == 7.0 and result.malformed == 2
    assert [j.malformed_reason for j in result.samples][2:] == [
        MalformedReason.NO_ANSWER_TAG,
        MalformedReason.OUT_OF_RANGE,
    ]
    assert result.domain == "math" and result.criteria_source == "inline"


def test_median_voting_and_all_malformed() -> None:
    outputs = iter(["<answer>1</answer>", "<answer>9</answer>", "<answer>8</answer>", "x", "y"])
    judge = PointwiseJudge(FunctionBackend(lambda p, s: next(outputs)), JudgeConfig(samples=3, voting="median"))
    assert judge.judge("q", "r", domain="chat").score == 8.0
    judge = PointwiseJudge(FunctionBackend(lambda p, s: next(outputs)), JudgeConfig(samples=2))
    result = judge.judge("q", "r", domain="chat")
    assert result.score is None and result.malformed == 2


def test_batch_keeps_order_and_routes_domains() -> None:
    judge = PointwiseJudge(FunctionBackend(scorer), JudgeConfig(samples=1, seed=None, chunk_size=2))
    items = [
        PointwiseItem("Write a Python function.", "x" * 3),
        PointwiseItem("What is 17 * 24?", "x" * 5),
        PointwiseItem("Tell me a story.", "x" * 7, domain="safety"),
    ]
    results = judge.judge_many(items, progress=True)
    assert [r.domain for r in results] == ["code", "math", "safety"]
    assert [r.score for r in results] == [3.0, 5.0, 7.0]


def test_seeds_reproduce_and_differ() -> None:
    items = [PointwiseItem("q", "x" * 5, "chat")] * 6

    def run(seed: int) -> list[float | None]:
        judge = PointwiseJudge(FunctionBackend(scorer), JudgeConfig(samples=4, seed=seed))
        return [j.score for r in judge.judge_many(items) for j in r.samples]

    assert run(1) == run(1)
    assert run(1) != run(2)


def test_cached_criteria_are_written_once_per_prompt() -> None:
    calls: list[str] = []

    def fn(prompt: str, seed: int | None) -> str:
        calls.append(prompt)
        if "You write evaluation criteria" in prompt:
            return "<criteria>Mentions the sea.</criteria>"
        assert "<criteria>\nMentions the sea.\n</criteria>" in prompt
        return "<rationale>ok</rationale><answer>6</answer>"

    cache = CriteriaCache()
    judge = PointwiseJudge(FunctionBackend(fn), JudgeConfig(criteria_mode="cached"), criteria_cache=cache)
    results = judge.judge_many([PointwiseItem("Write a poem about the sea.", f"poem {i}") for i in range(8)])
    assert len(calls) == 9  # 1 criteria call + 8 judgments: O(N) judge calls
    assert {r.criteria_source for r in results} == {"cached"} and len(cache) == 1
    judge.judge_many([PointwiseItem("Write a poem about the sea.", "again")])
    assert len(calls) == 10 and judge.criteria is not None and judge.criteria.cache_hits == 1


def test_failed_criteria_fall_back_to_inline() -> None:
    def fn(prompt: str, seed: int | None) -> str:
        if "You write evaluation criteria" in prompt:
            return "I won't."
        assert "Criteria specific to this prompt that a good response must meet" in prompt
        return "<answer>5</answer>"

    judge = PointwiseJudge(FunctionBackend(fn), JudgeConfig(criteria_mode="cached"))
    result = judge.judge("Say hi.", "hi", domain="chat")
    assert result.criteria_source == "inline" and judge.criteria is not None and judge.criteria.failures == 1


class LogprobBackend:
    """Returns a fixed completion with token log-probabilities (as a server would)."""

    def __init__(self, tokens: Sequence[TokenLogprobs]) -> None:
        self.tokens = tuple(tokens)

    def generate(self, prompts: Sequence[ChatInput], params: SamplingParams) -> list[list[Completion]]:
        assert params.logprobs == 5
        text = "".join(t.token for t in self.tokens)
        return [[Completion(text=text, num_tokens=len(self.tokens), tokens=self.tokens)] * params.n for _ in prompts]


def test_expected_score_from_logprobs() -> None:
    import math

    tokens = [
        TokenLogprobs("<answer>", -0.1),
        TokenLogprobs("7", math.log(0.5), {"7": math.log(0.5), "9": math.log(0.25), "x": math.log(0.25)}),
        TokenLogprobs("</answer>", -0.01),
    ]
    judge = PointwiseJudge(LogprobBackend(tokens), JudgeConfig(samples=2, expected_score=True, top_logprobs=5))
    result = judge.judge("q", "r", domain="chat")
    assert result.score == 7.0
    assert result.expected_score == pytest.approx((7 * 0.5 + 9 * 0.25) / 0.75)
    assert result.generated_tokens == 6
    straddling = Completion(
        text="<answer>7</answer>", tokens=(TokenLogprobs("<answer>7", -1.0), TokenLogprobs("</answer>", 0))
    )
    assert completion_expected_score(straddling, (1, 10)) is None
    assert completion_expected_score(Completion(text="<answer>7</answer>"), (1, 10)) is None


def test_pairwise_both_orders_agree_for_a_fair_judge() -> None:
    judge = PairwiseJudge(FunctionBackend(scorer))
    result = judge.judge("Say something.", "short", "much longer answer")
    assert result.winner == "b" and result.agreement is True
    assert [o.a_first for o in result.orders] == [True, False]
    assert all(o.winner == "b" for o in result.orders)
    assert (result.score_a, result.score_b) == (5.0, 10.0)


def test_pairwise_exposes_position_bias() -> None:
    always_first = FunctionBackend(lambda p, s: "<score_a>9</score_a><score_b>2</score_b>")
    result = PairwiseJudge(always_first).judge("q", "a", "b", domain="chat")
    assert result.agreement is False and result.winner is None
    assert [o.winner for o in result.orders] == ["a", "b"]
    one = PairwiseJudge(always_first, JudgeConfig(both_orders=False)).judge("q", "a", "b", domain="chat")
    assert one.agreement is None and one.winner == "a" and len(one.orders) == 1


def test_pairwise_counts_malformed_samples() -> None:
    judge = PairwiseJudge(FunctionBackend(lambda p, s: "<score_a>9</score_a>"), JudgeConfig(samples=2))
    result = judge.judge("q", "a", "b", domain="chat")
    assert result.malformed == 4 and result.winner is None and result.score_a is None
    assert result.orders[0].samples[0].malformed_reason == MalformedReason.NO_ANSWER_TAG


@given(st.lists(st.integers(1, 10), min_size=1, max_size=8), st.integers(1, 3))
def test_pairwise_verdict_matches_the_scores(lengths: list[int], samples: int) -> None:
    judge = PairwiseJudge(FunctionBackend(scorer), JudgeConfig(samples=samples))
    items = [PairwiseItem("q", "x" * n, "x" * (11 - n), domain="chat") for n in lengths]
    for n, result in zip(lengths, judge.judge_many(items), strict=True):
        expected = None if n == 11 - n else ("a" if n > 11 - n else "b")
        assert result.winner == expected and result.agreement is True


def test_config_round_trips_and_validates() -> None:
    config = JudgeConfig(samples=4, tiers="primary", scale=(0, 5), expected_score=True)
    assert JudgeConfig.model_validate_json(config.model_dump_json()) == config
    with pytest.raises(ValueError):
        JudgeConfig(samples=0)
    with pytest.raises(ValueError):
        JudgeConfig(scale=(5, 1))
    assert config.model_copy(update={"seed": 3}).sampling() == SamplingParams(
        n=4, seed=3, max_new_tokens=1024, logprobs=20
    )


def test_prompt_text_helper() -> None:
    assert prompt_text([{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}]) == "a\n\nb"


@pytest.mark.slow
def test_judges_on_the_tiny_local_model() -> None:
    """A real model end to end: every input gets its judgments, malformed ones are counted,
    and the same seed reproduces the same outputs."""
    from patarm.backends import TransformersBackend
    from patarm.testing import tiny_model_and_tokenizer

    model, tokenizer = tiny_model_and_tokenizer(seed=0)
    backend = TransformersBackend(model, tokenizer, batch_size=4)
    config = JudgeConfig(samples=2, max_new_tokens=8, seed=5)
    items = [PointwiseItem("What is 2+2?", "4"), PointwiseItem("Say hi.", "hello", "chat")] * 3
    first = PointwiseJudge(backend, config).judge_many(items)
    again = PointwiseJudge(backend, config).judge_many(items)
    assert len(first) == 6 and all(len(r.samples) == 2 for r in first)
    assert all(r.malformed == sum(j.score is None for j in r.samples) for r in first)
    assert [j.raw for r in first for j in r.samples] == [j.raw for r in again for j in r.samples]
    assert all(r.generated_tokens is not None and r.generated_tokens > 0 for r in first)
    pair = PairwiseJudge(backend, config).judge("Say hi.", "hello", "go away", domain="chat")
    assert len(pair.orders) == 2 and pair.malformed == sum(
        s.malformed_reason is not None for o in pair.orders for s in o.samples
    )
