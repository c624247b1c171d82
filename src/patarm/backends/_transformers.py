"""A local Hugging Face causal LM as a backend: batched, left-padded ``model.generate``.

Prompts are processed ``batch_size`` at a time, each batch in one ``generate`` call that
returns ``n`` samples per prompt, so a judge scoring many responses needs no server.

>>> backend = TransformersBackend.from_pretrained("Qwen/Qwen3-0.6B", dtype="bfloat16")  # doctest: +SKIP
>>> params = SamplingParams(n=4, temperature=0.7, max_new_tokens=256, seed=0, logprobs=5)
>>> samples = backend.generate([[{"role": "user", "content": "Rate this answer..."}]], params)  # doctest: +SKIP
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer, LogitsProcessorList, StopStringCriteria

from patarm.backends._base import ChatInput, Completion, SamplingParams, TokenLogprobs, cut_at_stop, sample_seed
from patarm.backends._row_sampling import RowSampler
from patarm.errors import ConfigError

__all__ = ["TransformersBackend"]

# Candidates fetched per position when building ``top``: a few spare ones, so that the
# top-k can still hold k distinct texts when two token ids decode to the same text.
_TOP_SLACK = 8


class TransformersBackend:
    """Samples completions from a local ``transformers`` causal LM, ``batch_size`` prompts per ``generate`` call.

    - Chat prompts are rendered with the tokenizer's chat template (``add_generation_prompt=True``)
      and tokenized without extra special tokens; text prompts are tokenized as-is (with the
      tokenizer's usual special tokens, e.g. a BOS). Batches are padded on the left, whatever
      the tokenizer's own ``padding_side``, so every prompt ends where generation starts.
    - Prompts are batched by length (a stable sort), so a batch carries little padding; results
      come back in prompt order. With ``n > 1`` and ``share_prompt_cache`` (the default), each
      prompt is encoded once and its KV cache repeated for the ``n`` samples, instead of
      ``generate`` encoding it ``n`` times; turn it off for a model whose cache cannot be repeated.
    - ``temperature == 0`` is greedy decoding: the ``n`` samples of a prompt are then identical
      (it is decoded once and repeated). Otherwise plain multinomial sampling with ``temperature``
      and ``top_p`` only: the checkpoint's own sampling defaults (top-k, repetition penalty, ...)
      are switched off so that :class:`SamplingParams` alone decides the distribution.
    - Generation ends at the tokenizer's eos (and any eos the model's generation config adds),
      at a stop string (the text is cut before it), or after ``max_new_tokens``.
    - Reproducibility: with ``params.seed`` set, every sample draws from its own torch generator,
      seeded by :func:`sample_seed` from the call's seed, the prompt and the sample's index (the
      global RNG is left untouched), so a prompt's samples do not depend on its position or on
      ``batch_size`` except through the floating-point effects of padding: another batch pads
      the prompt differently, which can move its logits in the last bits and, rarely, flip a
      draw that sits on a boundary. Same hardware, library versions and dtype assumed; not
      guaranteed across devices. ``seed=None`` draws from the global torch RNG.
    - Log-probabilities (``params.logprobs = k``) come from the model's raw logits: the model's
      distribution at temperature 1, whatever the sampling settings. ``top`` maps the ``k`` most
      likely token texts to their log-probabilities (when ids share a text, the likeliest one
      counts). Asking for them keeps every step's logits of a batch in memory
      (``batch_size * n * max_new_tokens * vocab`` floats).

    The model is used as given (device, dtype, train/eval mode); pass one in eval mode, as
    :meth:`from_pretrained` does. ``device`` moves the model there; by default inputs go to the
    model's device.
    """

    def __init__(
        self,
        model: Any,
        tokenizer: Any,
        *,
        batch_size: int = 16,
        device: str | torch.device | None = None,
        progress: bool = False,
        share_prompt_cache: bool = True,
    ) -> None:
        if batch_size < 1:
            raise ConfigError(f"batch_size must be >= 1, got {batch_size}")
        if device is not None:
            model.to(device)
        self.model = model
        self.tokenizer = tokenizer
        self.batch_size = batch_size
        self.progress = progress
        self.share_prompt_cache = share_prompt_cache
        self.device = torch.device(device) if device is not None else next(model.parameters()).device
        self.eos_token_ids = _eos_token_ids(model, tokenizer)
        pad = tokenizer.pad_token_id
        if pad is None:
            pad = self.eos_token_ids[0] if self.eos_token_ids else 0
        self.pad_token_id: int = int(pad)
        self._token_texts: dict[int, str] = {}

    @classmethod
    def from_pretrained(
        cls,
        path: str,
        *,
        dtype: str | torch.dtype | None = None,
        device: str | torch.device | None = None,
        batch_size: int = 16,
        progress: bool = False,
        share_prompt_cache: bool = True,
        **kwargs: Any,
    ) -> TransformersBackend:
        """Load a model and its tokenizer from a local folder or the Hub, in eval mode.

        ``device`` defaults to CUDA when available, else the CPU; with ``device_map`` among
        ``kwargs`` (passed to ``AutoModelForCausalLM.from_pretrained``) the model stays where it is put.
        """
        tokenizer = AutoTokenizer.from_pretrained(path)
        if dtype is not None:
            kwargs["dtype"] = dtype
        model: Any = AutoModelForCausalLM.from_pretrained(path, **kwargs)
        model.eval()
        if device is None and "device_map" not in kwargs:
            device = "cuda" if torch.cuda.is_available() else "cpu"
        return cls(
            model,
            tokenizer,
            batch_size=batch_size,
            device=device,
            progress=progress,
            share_prompt_cache=share_prompt_cache,
        )

    def generate(self, prompts: Sequence[ChatInput], params: SamplingParams) -> list[list[Completion]]:
        """``params.n`` completions for each prompt, in prompt order."""
        if not prompts:
            return []
        encoded = self._encode(prompts)
        # Prompts of similar length share a batch (a stable sort, so the batches are deterministic).
        order = sorted(range(len(encoded)), key=lambda i: len(encoded[i]))
        starts = range(0, len(order), self.batch_size)
        out: list[list[Completion]] = [[] for _ in encoded]
        for start in _progress(starts, self.progress, len(starts)):
            members = order[start : start + self.batch_size]
            batch = [encoded[i] for i in members]
            seeds = [sample_seed(params.seed, prompts[i], j) for i in members for j in range(params.n)]
            results = self._generate_batch(batch, params, seeds)
            for i, samples in zip(members, results, strict=True):
                out[i] = samples
        return out

    # -- internals --------------------------------------------------------------------------

    def _encode(self, prompts: Sequence[ChatInput]) -> list[list[int]]:
        """Token ids of every prompt: chats through the chat template, texts as they are."""
        chats = [i for i, p in enumerate(prompts) if not isinstance(p, str)]
        if chats and getattr(self.tokenizer, "chat_template", None) is None:
            raise ConfigError(
                "the tokenizer has no chat template, so chat prompts cannot be rendered: "
                "pass plain-text prompts or set tokenizer.chat_template"
            )
        ids: list[list[int]] = [[] for _ in prompts]
        texts = [i for i, p in enumerate(prompts) if isinstance(p, str)]
        if texts:
            enc = self.tokenizer([prompts[i] for i in texts], add_special_tokens=True)
            for i, row in zip(texts, enc["input_ids"], strict=True):
                ids[i] = list(row)
        if chats:
            rendered = [self._render(p) for p in prompts if not isinstance(p, str)]
            # The template already holds the special tokens the model expects.
            enc = self.tokenizer(rendered, add_special_tokens=False)
            for i, row in zip(chats, enc["input_ids"], strict=True):
                ids[i] = list(row)
        for i, row in enumerate(ids):
            if not row:
                raise ConfigError(f"prompt {i} encodes to no tokens; the model needs at least one to continue from")
        return ids

    def _render(self, prompt: Sequence[Mapping[str, str]]) -> str:
        """A chat prompt as text, through the tokenizer's chat template, ready for the assistant's turn."""
        messages = [dict(m) for m in prompt]
        text = self.tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
        return str(text)

    def _generation_kwargs(
        self, params: SamplingParams, stop: list[str], seeds: Sequence[int | None]
    ) -> dict[str, Any]:
        """Keyword arguments for ``model.generate`` that pin down the whole decoding rule.

        ``generate`` always decodes greedily; when sampling, a :class:`RowSampler` draws each
        row's token (row ``p * n + j`` is sample ``j`` of prompt ``p``, seeded by ``seeds``)."""
        kwargs: dict[str, Any] = {
            "max_new_tokens": params.max_new_tokens,
            "min_new_tokens": 0,
            "eos_token_id": self.eos_token_ids or None,
            "pad_token_id": self.pad_token_id,
            "repetition_penalty": 1.0,
            "no_repeat_ngram_size": 0,
            "return_dict_in_generate": True,
            "output_logits": params.logprobs is not None,
            "do_sample": False,
        }
        if params.temperature > 0:
            row_seeds = [seed for seed in seeds if seed is not None]
            sampler = RowSampler(params.temperature, params.top_p, row_seeds if len(row_seeds) == len(seeds) else None)
            kwargs["logits_processor"] = LogitsProcessorList([sampler])
        if stop:
            kwargs.update(stop_strings=stop, tokenizer=self.tokenizer)
        return kwargs

    def _generate_batch(
        self, batch: list[list[int]], params: SamplingParams, seeds: Sequence[int | None]
    ) -> list[list[Completion]]:
        """``params.n`` completions for each prompt of ``batch``; ``seeds`` holds one seed per
        (prompt, sample), prompt-major."""
        greedy = params.temperature == 0
        n = 1 if greedy else params.n
        width = max(len(row) for row in batch)
        input_ids = torch.full((len(batch), width), self.pad_token_id, dtype=torch.long)
        attention_mask = torch.zeros((len(batch), width), dtype=torch.long)
        for r, row in enumerate(batch):
            input_ids[r, width - len(row) :] = torch.tensor(row, dtype=torch.long)
            attention_mask[r, width - len(row) :] = 1
        input_ids, attention_mask = input_ids.to(self.device), attention_mask.to(self.device)
        stop = list(params.stop)
        kwargs = self._generation_kwargs(params, stop, seeds)
        with torch.inference_mode():
            if n > 1:  # one row per sample (row p * n + j: sample j of prompt p), as the row sampler expects
                cache = (
                    self._prompt_cache(input_ids, attention_mask, n) if width > 1 and self.share_prompt_cache else None
                )
                input_ids = input_ids.repeat_interleave(n, dim=0)
                attention_mask = attention_mask.repeat_interleave(n, dim=0)
                kwargs.update(cache or {})
            output = self.model.generate(input_ids=input_ids, attention_mask=attention_mask, **kwargs)
        generated = output.sequences[:, width:]
        ends, stopped = self._ends(output.sequences, width, stop)
        texts = self.tokenizer.batch_decode(
            [generated[r, : ends[r]].tolist() for r in range(generated.shape[0])], skip_special_tokens=True
        )
        tokens = self._logprobs(output.logits, generated, ends, params.logprobs) if params.logprobs else None
        out: list[list[Completion]] = []
        for p in range(len(batch)):
            samples = []
            for j in range(n):
                r = p * n + j
                text, cut = cut_at_stop(texts[r], stop)
                samples.append(
                    Completion(
                        text=text,
                        num_tokens=ends[r],
                        finish_reason="stop" if stopped[r] or cut else "length",
                        tokens=tuple(tokens[r]) if tokens is not None else None,
                    )
                )
            out.append(samples * params.n if greedy else samples)
        return out

    def _prompt_cache(self, input_ids: torch.Tensor, attention_mask: torch.Tensor, n: int) -> dict[str, Any] | None:
        """The KV cache of every prompt but its last token, computed once and repeated for the ``n`` samples.

        ``generate`` would otherwise encode each prompt ``n`` times. Returned as the keyword
        ``generate`` takes it under (``cache``, or ``past_key_values`` in older transformers);
        None when the model's output has no cache that can be repeated.
        """
        positions = (attention_mask.cumsum(-1) - 1).clamp(min=0)
        prefix = self.model(
            input_ids=input_ids[:, :-1],
            attention_mask=attention_mask[:, :-1],
            position_ids=positions[:, :-1],
            use_cache=True,
            logits_to_keep=1,
        )
        for name in ("cache", "past_key_values"):
            cache = prefix.get(name)
            if cache is not None and hasattr(cache, "batch_repeat_interleave"):
                cache.batch_repeat_interleave(n)
                return {name: cache}
        return None

    def _ends(self, sequences: torch.Tensor, width: int, stop: list[str]) -> tuple[list[int], list[bool]]:
        """For each row: how many generated tokens count (through eos or a stop string) and whether one ended it.

        This repeats ``generate``'s own stopping rule on the finished sequences, so the padding
        it appends after a finished row is never mistaken for output.
        """
        generated = sequences[:, width:]
        rows, steps = generated.shape
        done = torch.zeros((rows, steps), dtype=torch.bool, device=generated.device)
        if self.eos_token_ids:
            eos = torch.tensor(self.eos_token_ids, device=generated.device)
            done |= torch.isin(generated, eos)
        if stop and steps:
            criterion = StopStringCriteria(tokenizer=self.tokenizer, stop_strings=stop)
            for t in range(steps):
                done[:, t] |= criterion(sequences[:, : width + t + 1], None).to(done.device)
        any_done = done.any(dim=1)
        first = done.int().argmax(dim=1)
        ends = torch.where(any_done, first + 1, torch.full_like(first, steps))
        return [int(e) for e in ends.tolist()], [bool(d) for d in any_done.tolist()]

    def _logprobs(
        self, logits: Sequence[torch.Tensor], generated: torch.Tensor, ends: list[int], k: int
    ) -> list[list[TokenLogprobs]]:
        """Per generated token (padding excluded): its log-probability and the top-``k`` alternatives."""
        rows = generated.shape[0]
        out: list[list[TokenLogprobs]] = [[] for _ in range(rows)]
        for t in range(max(ends, default=0)):
            active = [r for r in range(rows) if t < ends[r]]
            logprobs = torch.log_softmax(logits[t][active].float(), dim=-1)
            chosen_ids = generated[active, t]
            chosen = logprobs.gather(1, chosen_ids[:, None])[:, 0].tolist()
            width = min(logprobs.shape[-1], k + _TOP_SLACK)
            values, indices = logprobs.topk(width, dim=-1)
            top_values, top_indices = values.tolist(), indices.tolist()
            for i, r in enumerate(active):
                top = self._top(top_values[i], top_indices[i], k)
                if len(top) < k and width < logprobs.shape[-1]:
                    full_values, full_indices = logprobs[i].sort(descending=True)
                    top = self._top(full_values.tolist(), full_indices.tolist(), k)
                token_id = int(chosen_ids[i])
                out[r].append(TokenLogprobs(token=self._token_text(token_id), logprob=chosen[i], top=top))
        return out

    def _top(self, values: list[float], indices: list[int], k: int) -> dict[str, float]:
        """The first ``k`` distinct token texts among ids sorted by log-probability (the likeliest id per text)."""
        top: dict[str, float] = {}
        for value, index in zip(values, indices, strict=True):
            text = self._token_text(index)
            if text not in top:
                top[text] = value
                if len(top) == k:
                    break
        return top

    def _token_text(self, token_id: int) -> str:
        """A token's text: its decoding, or its vocabulary entry when decoding alone gives nothing readable.

        Byte-level tokens that hold part of a multi-byte character decode to U+FFFD on their
        own; their vocabulary entry keeps them apart from one another.
        """
        text = self._token_texts.get(token_id)
        if text is None:
            text = self.tokenizer.decode([token_id], skip_special_tokens=False)
            if not text or "\ufffd" in text:
                raw = self.tokenizer.convert_ids_to_tokens(token_id)
                text = raw if isinstance(raw, str) and raw else f"<token {token_id}>"
            self._token_texts[token_id] = text
        return text


def _eos_token_ids(model: Any, tokenizer: Any) -> list[int]:
    """The tokenizer's eos, then any other eos the model's generation config names."""
    ids: list[int] = []
    if tokenizer.eos_token_id is not None:
        ids.append(int(tokenizer.eos_token_id))
    config_eos = getattr(getattr(model, "generation_config", None), "eos_token_id", None)
    if isinstance(config_eos, int):
        config_eos = [config_eos]
    for token_id in config_eos or []:
        if int(token_id) not in ids:
            ids.append(int(token_id))
    return ids


def _progress(items: Iterable[int], enabled: bool, total: int) -> Iterable[int]:
    """``items`` behind a tqdm progress bar when ``enabled``."""
    if not enabled:
        return items
    tqdm: Any = importlib.import_module("tqdm.auto").tqdm  # tqdm ships no type information
    bar: Iterable[int] = tqdm(items, total=total, desc="generating", unit="batch")
    return bar
