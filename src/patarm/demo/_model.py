"""The demo's tiny judge: a word-level tokenizer over the task's words and a small Qwen3."""

from __future__ import annotations

from typing import Any

from patarm.demo._task import BAD_WORDS, GOOD_WORDS

__all__ = ["demo_model_and_tokenizer", "DEMO_CHAT_TEMPLATE"]

# The user message, then a marker that opens the judge's turn.
DEMO_CHAT_TEMPLATE = (
    "{% for message in messages %}{% if message['role'] == 'assistant' %}"
    "{{ ' <judge> ' + message['content'] + ' <eos>' }}"
    "{% else %}{{ message['content'] }}{% endif %}{% endfor %}"
    "{% if add_generation_prompt %}{{ ' <judge>' }}{% endif %}"
)
SPECIAL = ["<pad>", "<eos>", "<unk>"]
WORDS = [
    "<judge>",
    "<task>",
    "</task>",
    "demo",
    "<response>",
    "</response>",
    "<answer>",
    "</answer>",
    *[str(k) for k in range(1, 11)],
    *GOOD_WORDS,
    *BAD_WORDS,
]


def demo_tokenizer() -> Any:
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    vocab = {token: i for i, token in enumerate([*SPECIAL, *WORDS])}
    tok = Tokenizer(models.WordLevel(vocab=vocab, unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    tok.decoder = decoders.WordPiece(prefix="##", cleanup=False)  # joins words with spaces
    fast_cls: Any = PreTrainedTokenizerFast
    fast = fast_cls(tokenizer_object=tok, pad_token="<pad>", eos_token="<eos>", unk_token="<unk>", padding_side="left")
    fast.chat_template = DEMO_CHAT_TEMPLATE
    return fast


def demo_model_and_tokenizer(seed: int, hidden_size: int = 64, layers: int = 2) -> tuple[Any, Any]:
    """A randomly initialised Qwen3 causal LM (about 0.1M parameters) and its tokenizer."""
    import torch
    from transformers import Qwen3Config, Qwen3ForCausalLM

    tokenizer = demo_tokenizer()
    config = Qwen3Config(
        vocab_size=len(tokenizer),
        hidden_size=hidden_size,
        intermediate_size=2 * hidden_size,
        num_hidden_layers=layers,
        num_attention_heads=4,
        num_key_value_heads=2,
        head_dim=hidden_size // 4,
        max_position_embeddings=64,
        tie_word_embeddings=True,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
        bos_token_id=None,
    )
    torch.manual_seed(seed)
    model: Any = Qwen3ForCausalLM(config)
    model.generation_config.eos_token_id = tokenizer.eos_token_id
    model.generation_config.pad_token_id = tokenizer.pad_token_id
    model.generation_config.bos_token_id = None
    return model, tokenizer
