"""A tiny Qwen3-style causal LM and a byte-level BPE tokenizer trained on the spot.

A few hundred thousand parameters with random weights: it speaks no language, but it
runs every code path of a real judge (chat template, batched sampling, log-probabilities,
a real server) on a CPU in well under a second, with nothing downloaded.

Example: ``model, tokenizer = tiny_model_and_tokenizer(seed=0)``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = ["TINY_CHAT_TEMPLATE", "build_tiny_tokenizer", "save_tiny_model", "tiny_model_and_tokenizer", "tiny_qwen3"]

# ChatML, as Qwen models use it; `add_generation_prompt` opens the assistant turn.
TINY_CHAT_TEMPLATE = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>\\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
)

SPECIAL_TOKENS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]

_CORPUS = [
    "<think>Let me check the response against each criterion.</think>",
    "<criteria>Correctness: the final answer is right. Logic: the steps are sound.</criteria>",
    "<rationale>The response answers the question accurately and clearly.</rationale>",
    "<answer>1</answer> <answer>2</answer> <answer>3</answer> <answer>4</answer> <answer>5</answer>",
    "<answer>6</answer> <answer>7</answer> <answer>8</answer> <answer>9</answer> <answer>10</answer>",
    "<task>chat</task> <task>math</task> <task>code</task> <task>safety</task>",
    "<rubrics>Usefulness Correctness Logic Safety Instruction Coverage Constraints</rubrics>",
    "Evaluate the response to the prompt. Write your criteria, your reasoning and a score from 1 to 10.",
    "user assistant system The quick brown fox jumps over the lazy dog. def f(x): return x + 1",
    "What is 17 * 24? 17 * 24 = 408. Write a poem about the sea. I cannot help with that request.",
]


def build_tiny_tokenizer(vocab_size: int = 512) -> Any:
    """A byte-level BPE tokenizer (digits split one by one, as in Qwen) with a ChatML template."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [pre_tokenizers.Digits(individual_digits=True), pre_tokenizers.ByteLevel(add_prefix_space=False)]
    )
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=SPECIAL_TOKENS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(_CORPUS * 4, trainer=trainer)
    fast_cls: Any = PreTrainedTokenizerFast  # untyped in transformers
    fast = fast_cls(
        tokenizer_object=tok,
        bos_token=None,
        eos_token="<|im_end|>",
        pad_token="<|endoftext|>",
        unk_token=None,
        padding_side="left",
    )
    fast.chat_template = TINY_CHAT_TEMPLATE
    return fast


def tiny_qwen3(
    tokenizer: Any,
    *,
    seed: int = 0,
    hidden_size: int = 64,
    layers: int = 2,
    max_positions: int = 4096,
    head_dim: int | None = None,
) -> Any:
    """A randomly initialised Qwen3 causal LM sized to ``tokenizer``, on the CPU, seeded.

    ``head_dim`` defaults to ``hidden_size // 4`` (4 query heads); vLLM's CPU attention needs 32,
    64, 80 or more, so engine tests pass ``head_dim=32`` (or larger).
    """
    import torch
    from transformers import Qwen3Config, Qwen3ForCausalLM

    config = Qwen3Config(
        vocab_size=len(tokenizer),
        hidden_size=hidden_size,
        intermediate_size=2 * hidden_size,
        num_hidden_layers=layers,
        num_attention_heads=4,
        num_key_value_heads=2,
        head_dim=head_dim or hidden_size // 4,
        max_position_embeddings=max_positions,
        tie_word_embeddings=True,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
        bos_token_id=None,
    )
    torch.manual_seed(seed)
    model: Any = Qwen3ForCausalLM(config)  # type: ignore[no-untyped-call,unused-ignore]
    model.generation_config.eos_token_id = tokenizer.eos_token_id
    model.generation_config.pad_token_id = tokenizer.pad_token_id
    model.generation_config.bos_token_id = None
    return model


def tiny_model_and_tokenizer(
    seed: int = 0, vocab_size: int = 512, hidden_size: int = 64, layers: int = 2, head_dim: int | None = None
) -> Any:
    """``(model, tokenizer)``: a randomly initialised Qwen3 causal LM in eval mode, on the CPU."""
    tokenizer = build_tiny_tokenizer(vocab_size)
    model = tiny_qwen3(tokenizer, seed=seed, hidden_size=hidden_size, layers=layers, head_dim=head_dim)
    model.eval()
    return model, tokenizer


def save_tiny_model(path: str | Path, seed: int = 0, **kwargs: Any) -> Path:
    """Write the tiny model and tokenizer to ``path`` (loadable with ``from_pretrained``)."""
    model, tokenizer = tiny_model_and_tokenizer(seed=seed, **kwargs)
    target = Path(path)
    target.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(target)
    tokenizer.save_pretrained(target)
    return target
