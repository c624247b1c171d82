"""Tools for tests and CPU demos: a tiny judge model and tokenizer built on the spot
(random weights, no download). Loads torch and transformers on first use."""

from patarm.testing.tiny import (
    TINY_CHAT_TEMPLATE,
    build_tiny_tokenizer,
    save_tiny_model,
    tiny_model_and_tokenizer,
    tiny_qwen3,
)

__all__ = ["TINY_CHAT_TEMPLATE", "build_tiny_tokenizer", "save_tiny_model", "tiny_model_and_tokenizer", "tiny_qwen3"]
