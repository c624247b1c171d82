"""TransformersBackend on the tiny random Qwen3 model: shapes, order, seeds, padding, log-probabilities, stops."""

from __future__ import annotations

import copy
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from patarm.backends import Backend, ChatInput, SamplingParams, TransformersBackend
from patarm.testing.tiny import build_tiny_tokenizer, save_tiny_model, tiny_model_and_tokenizer

EOS_TEXT = "<|im_end|>"

# Mixed chat and text prompts of very different lengths, so batches carry real left padding.
PROMPTS: list[ChatInput] = [
    [{"role": "user", "content": "hi"}],
    "What is 17 * 24?",
    [
        {"role": "system", "content": "Evaluate the response to the prompt. " * 6},
        {"role": "user", "content": "Write a poem about the sea."},
    ],
    "def f(x): return x + 1",
    [{"role": "user", "content": "<answer>7</answer> " * 4}],
    "The quick brown fox jumps over the lazy dog. " * 3,
    [{"role": "user", "content": "Correctness Logic Safety"}],
]


@pytest.fixture(scope="module", autouse=True)
def one_thread() -> Iterator[None]:
    """The tiny model's matmuls are microseconds; extra threads only add synchronisation (badly on a busy CPU)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def parts() -> tuple[Any, Any]:
    """The tiny model with larger random weights and a bias towards eos.

    At its default initialisation the model's greedy output is one token repeated whatever
    the prompt, and eos almost never comes; here greedy output depends on the prompt and
    roughly one sampled completion in eight ends with eos, so padding and stopping are exercised.
    """
    model, tokenizer = tiny_model_and_tokenizer(seed=0)
    generator = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for parameter in model.parameters():
            if parameter.dim() > 1:
                parameter.copy_(torch.randn(parameter.shape, generator=generator) * 0.2)
        head = torch.nn.Linear(model.config.hidden_size, model.config.vocab_size, bias=True)
        head.weight.copy_(model.model.embed_tokens.weight)
        head.bias.zero_()
        head.bias[tokenizer.eos_token_id] = 3.0
        model.lm_head = head
    return model, tokenizer


@pytest.fixture(scope="module")
def backend(parts: tuple[Any, Any]) -> TransformersBackend:
    model, tokenizer = parts
    return TransformersBackend(model, tokenizer, batch_size=3)


def texts(out: list[list[Any]]) -> list[list[str]]:
    return [[c.text for c in samples] for samples in out]


def test_is_a_backend(backend: TransformersBackend) -> None:
    assert isinstance(backend, Backend)


def test_every_prompt_gets_n_completions_in_order(backend: TransformersBackend) -> None:
    params = SamplingParams(n=3, temperature=1.0, max_new_tokens=4, seed=1)
    out = backend.generate(PROMPTS, params)  # 7 prompts in batches of 3: 3 + 3 + 1
    assert len(out) == len(PROMPTS)
    for samples in out:
        assert len(samples) == 3
        for c in samples:
            assert isinstance(c.text, str)
            assert c.num_tokens is not None and 1 <= c.num_tokens <= 4
            assert c.finish_reason in {"stop", "length"}
            assert c.tokens is None
    # In order: greedy output for each prompt is what that prompt gives on its own.
    greedy = SamplingParams(n=2, temperature=0, max_new_tokens=6)
    batched = backend.generate(PROMPTS, greedy)
    for prompt, samples in zip(PROMPTS, batched, strict=True):
        assert texts(backend.generate([prompt], greedy)) == [[c.text for c in samples]]


def test_same_seed_same_samples_different_seed_different(backend: TransformersBackend) -> None:
    params = SamplingParams(n=2, temperature=1.0, max_new_tokens=6, seed=7, logprobs=2)
    first = backend.generate(PROMPTS, params)
    assert backend.generate(PROMPTS, params) == first
    other = backend.generate(PROMPTS, SamplingParams(n=2, temperature=1.0, max_new_tokens=6, seed=8, logprobs=2))
    assert texts(other) != texts(first)
    # Within one call, samples of a prompt differ (almost surely, at temperature 1).
    assert any(len({c.text for c in samples}) > 1 for samples in first)


def test_seeded_generation_leaves_the_global_rng_alone(backend: TransformersBackend) -> None:
    torch.manual_seed(123)
    before = torch.get_rng_state()
    backend.generate(PROMPTS[:2], SamplingParams(n=2, temperature=1.0, max_new_tokens=3, seed=0))
    assert torch.equal(torch.get_rng_state(), before)


def test_greedy_is_the_same_alone_and_in_a_padded_batch(parts: tuple[Any, Any]) -> None:
    """Checks left padding and the attention mask: padding must not change what a prompt sees."""
    model, tokenizer = parts
    batched = TransformersBackend(model, tokenizer, batch_size=len(PROMPTS))
    params = SamplingParams(n=1, temperature=0, max_new_tokens=8, logprobs=3)
    together = batched.generate(PROMPTS, params)
    assert len({len(batched._encode([p])[0]) for p in PROMPTS}) > 3  # lengths really differ
    for prompt, (in_batch,) in zip(PROMPTS, together, strict=True):
        (alone,) = batched.generate([prompt], params)[0]
        assert alone.text == in_batch.text
        assert alone.num_tokens == in_batch.num_tokens
        assert alone.tokens is not None and in_batch.tokens is not None
        for a, b in zip(alone.tokens, in_batch.tokens, strict=True):
            assert a.token == b.token
            assert math.isclose(a.logprob, b.logprob, abs_tol=1e-4)
            assert a.top.keys() == b.top.keys()


def test_shared_prompt_cache_changes_nothing(parts: tuple[Any, Any]) -> None:
    """Encoding each prompt once for its n samples gives what encoding it n times gives."""
    params = SamplingParams(n=3, temperature=1.0, max_new_tokens=6, seed=2, logprobs=2)
    backend = TransformersBackend(*parts, batch_size=4)
    ids = torch.tensor([[5, 6, 7], [0, 8, 9]])
    assert backend._prompt_cache(ids, (ids != 0).long(), 3) is not None  # the tiny model's cache can be shared
    shared = backend.generate(PROMPTS, params)
    separate = TransformersBackend(*parts, batch_size=4, share_prompt_cache=False).generate(PROMPTS, params)
    assert texts(shared) == texts(separate)
    for a, b in zip(shared, separate, strict=True):
        for x, y in zip(a, b, strict=True):
            assert (x.num_tokens, x.finish_reason) == (y.num_tokens, y.finish_reason)
            assert x.tokens is not None and y.tokens is not None
            assert all(
                math.isclose(s.logprob, t.logprob, abs_tol=1e-4) for s, t in zip(x.tokens, y.tokens, strict=True)
            )


def test_checkpoint_sampling_defaults_are_ignored(parts: tuple[Any, Any]) -> None:
    """SamplingParams alone decide the distribution, whatever the model's generation config says."""
    model, tokenizer = parts
    opinionated = copy.deepcopy(model)
    config = opinionated.generation_config
    config.do_sample, config.temperature, config.top_k, config.min_p = True, 0.1, 3, 0.5
    config.repetition_penalty, config.no_repeat_ngram_size, config.min_new_tokens = 2.0, 1, 4
    for params in [
        SamplingParams(n=2, temperature=1.0, max_new_tokens=6, seed=4),
        SamplingParams(n=1, temperature=0, max_new_tokens=6),
    ]:
        plain = TransformersBackend(model, tokenizer, batch_size=4).generate(PROMPTS, params)
        assert TransformersBackend(opinionated, tokenizer, batch_size=4).generate(PROMPTS, params) == plain


def test_greedy_samples_are_identical(backend: TransformersBackend) -> None:
    out = backend.generate(PROMPTS[:4], SamplingParams(n=3, temperature=0, max_new_tokens=5, seed=None))
    for samples in out:
        assert len(samples) == 3
        assert samples[0] == samples[1] == samples[2]


def test_logprobs_one_per_generated_token(backend: TransformersBackend) -> None:
    k = 4
    params = SamplingParams(n=4, temperature=1.0, max_new_tokens=8, seed=3, logprobs=k)
    out = backend.generate(PROMPTS, params)
    eos_seen = sampled_in_top = 0
    for samples in out:
        for c in samples:
            assert c.tokens is not None
            assert c.num_tokens == len(c.tokens)
            for position, t in enumerate(c.tokens):
                assert t.logprob <= 0
                assert len(t.top) == k
                values = list(t.top.values())
                assert all(v <= 0 for v in values)
                assert values == sorted(values, reverse=True)
                assert t.logprob <= values[0] + 1e-6
                if t.token in t.top:
                    sampled_in_top += 1
                    assert math.isclose(t.top[t.token], t.logprob, abs_tol=1e-6)
                # Padding after eos is never reported: eos, when present, is the last token.
                if t.token == EOS_TEXT:
                    eos_seen += 1
                    assert position == len(c.tokens) - 1
                    assert c.finish_reason == "stop"
            assert EOS_TEXT not in c.text and "<|endoftext|>" not in c.text
    assert eos_seen > 0  # some completions ended early while others in their batch went on
    assert sampled_in_top > 0


def test_token_texts_are_distinct_for_the_tiny_vocabulary(backend: TransformersBackend) -> None:
    """What makes ``top[token] == logprob`` above exact: no two token ids share a text."""
    vocabulary = range(len(backend.tokenizer))
    assert len({backend._token_text(i) for i in vocabulary}) == len(vocabulary)


def test_logprobs_are_the_raw_distribution(backend: TransformersBackend) -> None:
    """The first position's alternatives depend on the prompt only, not on temperature or top-p."""
    firsts = []
    for temperature, top_p in [(0.0, 1.0), (0.3, 0.5), (1.7, 1.0)]:
        params = SamplingParams(n=1, temperature=temperature, top_p=top_p, max_new_tokens=1, logprobs=5, seed=0)
        (c,) = backend.generate(PROMPTS[:1], params)[0]
        assert c.tokens is not None
        firsts.append(c.tokens[0].top)
    for top in firsts[1:]:
        assert top.keys() == firsts[0].keys()
        assert all(math.isclose(top[key], firsts[0][key], abs_tol=1e-5) for key in top)
    assert sum(math.exp(v) for v in firsts[0].values()) < 1  # five of 507 tokens


def test_length_and_eos_finish_reasons(backend: TransformersBackend) -> None:
    out = backend.generate(PROMPTS, SamplingParams(n=4, temperature=1.0, max_new_tokens=6, seed=5))
    completions = [c for samples in out for c in samples]
    for c in completions:
        assert c.num_tokens is not None
        if c.finish_reason == "length":
            assert c.num_tokens == 6
    assert {c.finish_reason for c in completions} == {"stop", "length"}
    assert any(c.finish_reason == "stop" and c.num_tokens is not None and c.num_tokens < 6 for c in completions)


def test_stop_strings_end_and_trim(backend: TransformersBackend) -> None:
    greedy = SamplingParams(n=1, temperature=0, max_new_tokens=10)
    stopped = 0
    for prompt in PROMPTS:
        (full,) = backend.generate([prompt], greedy)[0]
        letters = [i for i, ch in enumerate(full.text) if ch.isascii() and ch.isalpha() and i > 0]
        if not letters:
            continue
        stop = full.text[letters[0]]
        params = SamplingParams(n=1, temperature=0, max_new_tokens=10, stop=(stop, "never-generated"), logprobs=1)
        (cut,) = backend.generate([prompt], params)[0]
        assert cut.text == full.text[: full.text.index(stop)]
        assert cut.finish_reason == "stop"
        assert cut.num_tokens is not None and full.num_tokens is not None
        assert cut.num_tokens <= full.num_tokens
        assert cut.tokens is not None and len(cut.tokens) == cut.num_tokens
        assert stop in cut.tokens[-1].token  # the token that completed the stop string is the last one
        stopped += 1
    assert stopped >= 3


def test_chat_prompts_need_a_chat_template(parts: tuple[Any, Any]) -> None:
    model, _ = parts
    tokenizer = build_tiny_tokenizer()
    tokenizer.chat_template = None
    backend = TransformersBackend(model, tokenizer)
    with pytest.raises(ValueError, match="no chat template"):
        backend.generate([[{"role": "user", "content": "hi"}]], SamplingParams(max_new_tokens=2))
    # Plain text still works without one.
    assert len(backend.generate(["hi"], SamplingParams(max_new_tokens=2))[0]) == 1


def test_empty_prompt_list(backend: TransformersBackend) -> None:
    assert backend.generate([], SamplingParams(n=3)) == []


def test_rejects_bad_batch_size(parts: tuple[Any, Any]) -> None:
    with pytest.raises(ValueError, match="batch_size"):
        TransformersBackend(*parts, batch_size=0)


def test_progress_bar(parts: tuple[Any, Any], capsys: pytest.CaptureFixture[str]) -> None:
    backend = TransformersBackend(*parts, batch_size=2, progress=True)
    out = backend.generate(PROMPTS[:3], SamplingParams(n=1, max_new_tokens=2))
    assert len(out) == 3
    assert "2/2" in capsys.readouterr().err


def test_from_pretrained(tmp_path: Path) -> None:
    path = save_tiny_model(tmp_path / "tiny", seed=0)
    backend = TransformersBackend.from_pretrained(str(path), dtype=torch.float32, device="cpu", batch_size=2)
    model, tokenizer = tiny_model_and_tokenizer(seed=0)
    reference = TransformersBackend(model, tokenizer, batch_size=2)
    params = SamplingParams(n=2, temperature=1.0, max_new_tokens=4, seed=0)
    assert backend.generate(PROMPTS[:3], params) == reference.generate(PROMPTS[:3], params)


@given(
    prompt_count=st.integers(min_value=0, max_value=5),
    n=st.integers(min_value=1, max_value=3),
    batch_size=st.integers(min_value=1, max_value=4),
    greedy=st.booleans(),
    logprobs=st.sampled_from([None, 1, 3]),
    max_new_tokens=st.integers(min_value=1, max_value=3),
    offset=st.integers(min_value=0, max_value=len(PROMPTS) - 1),
)
def test_output_shape_property(
    parts: tuple[Any, Any],
    prompt_count: int,
    n: int,
    batch_size: int,
    greedy: bool,
    logprobs: int | None,
    max_new_tokens: int,
    offset: int,
) -> None:
    backend = TransformersBackend(*parts, batch_size=batch_size)
    prompts = [PROMPTS[(offset + i) % len(PROMPTS)] for i in range(prompt_count)]
    params = SamplingParams(
        n=n, temperature=0 if greedy else 1.0, max_new_tokens=max_new_tokens, logprobs=logprobs, seed=offset
    )
    out = backend.generate(prompts, params)
    assert [len(samples) for samples in out] == [n] * prompt_count
    for samples in out:
        for c in samples:
            assert c.num_tokens is not None and 1 <= c.num_tokens <= max_new_tokens
            assert c.finish_reason == "length" or c.finish_reason == "stop"
            if c.finish_reason == "length":
                assert c.num_tokens == max_new_tokens
            if logprobs is None:
                assert c.tokens is None
            else:
                assert c.tokens is not None and len(c.tokens) == c.num_tokens
                assert all(len(t.top) == logprobs for t in c.tokens)


def test_a_prompt_samples_the_same_whatever_its_batch(parts: tuple[Any, Any]) -> None:
    """Every row draws from its own generator seeded from its prompt, so a prompt's samples do
    not depend on its position, its neighbours or the batch size, except through the
    floating-point effects of padding on its logits. Measured here (CPU, float32, 7 prompts x 3
    samples x 8 tokens, alone vs batches of 4 vs reversed in batches of 3): 21 of 21 samples
    the same in each comparison; the floor is generous."""
    model, tokenizer = parts
    params = SamplingParams(n=3, temperature=1.0, top_p=0.9, max_new_tokens=8, seed=9)
    alone = [TransformersBackend(model, tokenizer, batch_size=1).generate([p], params)[0] for p in PROMPTS]
    together = TransformersBackend(model, tokenizer, batch_size=4).generate(PROMPTS, params)
    reordered = TransformersBackend(model, tokenizer, batch_size=3).generate(PROMPTS[::-1], params)[::-1]
    reference = texts(alone)
    assert len({t for samples in reference for t in samples}) > 10  # varied samples, not one repeated text
    for other in (together, reordered):
        pairs = [(a, b) for x, y in zip(reference, texts(other), strict=True) for a, b in zip(x, y, strict=True)]
        same = sum(a == b for a, b in pairs)
        print(f"same samples: {same} of {len(pairs)}")
        assert same >= 0.8 * len(pairs)
