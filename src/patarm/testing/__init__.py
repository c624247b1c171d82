"""Tools for tests, benchmarks and CPU demos, not needed to train or serve a judge:

- :mod:`patarm.testing.tiny`: a tiny judge model and tokenizer built on the spot (random
  weights, no download; loads torch and transformers on first use);
- :mod:`patarm.testing.servers`: start a real server on 127.0.0.1 and wait until it answers;
- :mod:`patarm.testing.load`: many concurrent clients against a judge server, every answer
  timed (:func:`~patarm.testing.load.run_load`).
"""

from patarm.testing.tiny import (
    TINY_CHAT_TEMPLATE,
    build_tiny_tokenizer,
    save_tiny_model,
    tiny_model_and_tokenizer,
    tiny_qwen3,
)

__all__ = ["TINY_CHAT_TEMPLATE", "build_tiny_tokenizer", "save_tiny_model", "tiny_model_and_tokenizer", "tiny_qwen3"]
