"""A backend backed by a plain Python function: for baselines, tests and dry runs."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from patarm.backends._base import ChatInput, Completion, SamplingParams, sample_seed
from patarm.errors import BackendError, PatarmError

__all__ = ["FunctionBackend", "prompt_text"]


def prompt_text(prompt: ChatInput) -> str:
    """The prompt as text: itself, or the chat messages' contents joined by blank lines."""
    if isinstance(prompt, str):
        return prompt
    return "\n\n".join(str(m["content"]) for m in prompt)


class FunctionBackend:
    """Calls ``fn(prompt_text, seed)`` once per requested sample.

    ``seed`` is :func:`sample_seed` of the call's seed, the prompt and the sample's index, so a
    function that uses it (``random.Random(seed)``) gives a prompt the same samples whatever
    it is batched with. An exception the function raises (the user's code, like a server's
    failure) comes out as :class:`~patarm.errors.BackendError` naming the function, with the
    original as its ``__cause__``; a patarm error passes through as it is.

    >>> backend = FunctionBackend(lambda prompt, seed: "<answer>7</answer>")
    >>> backend.generate(["judge this"], SamplingParams(n=2))[0][1].text
    '<answer>7</answer>'
    """

    def __init__(self, fn: Callable[[str, int | None], str]) -> None:
        self.fn = fn
        self.calls = 0

    def generate(self, prompts: Sequence[ChatInput], params: SamplingParams) -> list[list[Completion]]:
        out: list[list[Completion]] = []
        for prompt in prompts:
            text = prompt_text(prompt)
            samples = []
            for j in range(params.n):
                self.calls += 1
                try:
                    generated = self.fn(text, sample_seed(params.seed, prompt, j))
                except PatarmError:
                    raise
                except Exception as exc:
                    name = getattr(self.fn, "__qualname__", None) or repr(self.fn)
                    raise BackendError(f"the judge function {name} raised {type(exc).__name__}: {exc}") from exc
                samples.append(Completion(text=generated, finish_reason="stop"))
            out.append(samples)
        return out
