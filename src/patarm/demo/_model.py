"""The demo's tiny judge: a word-level tokenizer over the task's words and a small Qwen3."""

from __future__ import annotations

from typing import Any

from patarm.demo._task import BAD_WORDS, GOOD_WORDS

__all__ = ["DEMO_CHAT_TEMPLATE", "DEMO_VOCABULARY", "demo_model_and_tokenizer", "demo_tokenizer"]

# The user message, then a marker that opens the judge's turn.
DEMO_CHAT_TEMPLATE = (
    "{% for message in messages %}{% if message['role'] == 'assistant' %}"
    "{{ ' <judge> ' + message['content'] + ' <eos>' }}"
    "{% else %}{{ message['content'] }}{% endif %}{% endfor %}"
    "{% if add_generation_prompt %}{{ ' <judge>' }}{% endif %}"
)
SPECIAL = ["<pad>", "<eos>", "<unk>"]
# Every word the demo tokenizer knows, its special tokens aside: the tags, the scores, the task's words.
DEMO_VOCABULARY = [
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

    vocab = {token: i for i, token in enumerate([*SPECIAL, *DEMO_VOCABULARY])}
    tok = Tokenizer(models.WordLevel(vocab=vocab, unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    tok.decoder = decoders.WordPiece(prefix="##", cleanup=False)  # joins words with spaces
    fast_cls: Any = PreTrainedTokenizerFast
    fast = fast_cls(tokenizer_object=tok, pad_token="<pad>", eos_token="<eos>", unk_token="<unk>", padding_side="left")
    fast.chat_template = DEMO_CHAT_TEMPLATE
    return fast


def demo_model_and_tokenizer(seed: int, hidden_size: int = 64, layers: int = 2) -> tuple[Any, Any]:
    """A randomly initialised Qwen3 causal LM (about 0.08M parameters) and its tokenizer."""
    from patarm.testing import tiny_qwen3

    tokenizer = demo_tokenizer()
    return tiny_qwen3(tokenizer, seed=seed, hidden_size=hidden_size, layers=layers, max_positions=64), tokenizer
