"""The OpenAI backend against vLLM's own OpenAI-compatible server, on a real model (SmolLM2-135M-Instruct).

The same cases as the offline engine's tests: greedy with n > 1 (the server refuses n > 1 with
temperature 0; the backend asks once and copies), seeds, log-probabilities, stop strings and
the model's own end of turn, for chat and text prompts. Skips without vLLM or the model, and
fails instead where ``PATARM_REQUIRE_VLLM=1`` / ``PATARM_REQUIRE_SMOLLM2=1`` (the vllm CI).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from patarm.backends import ChatInput, OpenAIBackend, SamplingParams
from patarm.testing.servers import vllm_serve

from engines import require_smollm2, require_vllm

pytestmark = [pytest.mark.slow, pytest.mark.vllm]

PROMPTS: list[ChatInput] = [
    [{"role": "user", "content": "What is the capital of France? Answer in one word."}],
    "The capital of France is",
]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    require_vllm()
    model = require_smollm2()
    with vllm_serve(model, tmp_path_factory.mktemp("vllm-serve")) as url:
        yield url, model


def backend(server: tuple[str, Path], concurrency: int = 4) -> OpenAIBackend:
    url, model = server
    return OpenAIBackend(url, str(model), max_concurrency=concurrency, timeout_s=300)


def test_greedy_n_samples_are_one_answer(server: tuple[str, Path]) -> None:
    client = backend(server)
    many = client.generate(PROMPTS, SamplingParams(n=3, temperature=0, max_new_tokens=12))
    one = client.generate(PROMPTS, SamplingParams(n=1, temperature=0, max_new_tokens=12))
    assert [len(samples) for samples in many] == [3, 3]
    assert all(samples == [first[0]] * 3 for samples, first in zip(many, one, strict=True))
    assert "Paris" in many[0][0].text  # a real model answers


def test_seeds_reproduce_and_differ(server: tuple[str, Path]) -> None:
    client = backend(server)
    params = SamplingParams(n=2, temperature=1.0, max_new_tokens=12, seed=3)
    first = client.generate(PROMPTS, params)
    assert client.generate(PROMPTS, params) == first
    assert client.generate(PROMPTS, SamplingParams(n=2, temperature=1.0, max_new_tokens=12, seed=4)) != first


def test_logprobs(server: tuple[str, Path]) -> None:
    out = backend(server).generate(PROMPTS, SamplingParams(n=1, temperature=0, max_new_tokens=8, logprobs=5))
    for (c,) in out:
        assert c.tokens is not None and len(c.tokens) == c.num_tokens
        for t in c.tokens:
            assert 1 <= len(t.top) <= 5
            # Greedy: the chosen token carries the most mass of any text.
            assert t.top.get(t.token, t.logprob) >= max(t.top.values()) - 1e-4


def test_stop_strings_and_end_of_turn(server: tuple[str, Path]) -> None:
    client = backend(server)
    (chat,), (text,) = client.generate(PROMPTS, SamplingParams(n=1, temperature=0, max_new_tokens=24))
    # The chat answer ends at the model's own end of turn, which is not part of the text.
    assert chat.finish_reason == "stop" and "<|im_end|>" not in chat.text
    assert text.finish_reason == "length" and text.num_tokens == 24
    stop = text.text[len(text.text) // 2 :][:4]
    (cut,) = client.generate([PROMPTS[1]], SamplingParams(n=1, temperature=0, max_new_tokens=24, stop=(stop,)))[0]
    assert cut.finish_reason == "stop" and cut.text == text.text[: text.text.index(stop)]
