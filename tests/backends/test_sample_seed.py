"""``sample_seed`` follows the item: a prompt's seeds, and a function backend's samples, do not
depend on the prompt's position, its neighbours or how the prompts are chunked."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from patarm.backends import ChatInput, FunctionBackend, SamplingParams, sample_seed

texts = st.text(max_size=30)  # lone surrogates included
chats = st.lists(st.fixed_dictionaries({"role": st.sampled_from(["user", "system"]), "content": texts}), max_size=3)
prompts = st.one_of(texts, chats)


@given(seed=st.integers(0, 2**40), prompt=prompts, sample=st.integers(0, 64))
def test_a_seed_is_a_function_of_the_call_seed_the_prompt_and_the_sample(
    seed: int, prompt: ChatInput, sample: int
) -> None:
    value = sample_seed(seed, prompt, sample)
    assert value is not None and 0 <= value < 2**31 - 1
    assert sample_seed(seed, list(prompt) if not isinstance(prompt, str) else prompt, sample) == value
    assert sample_seed(None, prompt, sample) is None


def test_seeds_tell_prompts_samples_and_call_seeds_apart() -> None:
    seeds = {sample_seed(s, f"prompt {p}", j) for s in range(3) for p in range(30) for j in range(4)}
    assert len(seeds) == 3 * 30 * 4
    assert sample_seed(0, "hi", 0) != sample_seed(0, [{"role": "user", "content": "hi"}], 0)


@given(
    batch=st.lists(prompts, min_size=1, max_size=8),
    data=st.data(),
    n=st.integers(1, 3),
    seed=st.none() | st.integers(0, 2**31),
)
def test_function_backend_samples_do_not_depend_on_position_or_chunking(
    batch: list[ChatInput], data: st.DataObject, n: int, seed: int | None
) -> None:
    backend = FunctionBackend(lambda text, s: f"{text!r}|{s}")
    params = SamplingParams(n=n, seed=seed)
    whole = backend.generate(batch, params)
    order = data.draw(st.permutations(range(len(batch))))
    cut = data.draw(st.integers(0, len(batch)))
    shuffled = [batch[i] for i in order]
    chunked = backend.generate(shuffled[:cut], params) + backend.generate(shuffled[cut:], params)
    assert [chunked[order.index(i)] for i in range(len(batch))] == whole
