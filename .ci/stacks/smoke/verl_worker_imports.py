"""What verl 0.9's trainer workers import and patch at start-up, run on a CPU: the worker
modules (FSDP engine, reward loop, agent loop), and ``apply_monkey_patch`` on a model, which
imports TRL's value-head class whenever TRL is importable (the TRL 1.x conflict).
Prints ``worker imports ok`` and exits 0, or dies with the import error a GPU worker would hit."""

from __future__ import annotations

import importlib
import sys

WORKER_MODULES = [
    "verl.workers.engine_workers",
    "verl.workers.engine.fsdp.transformer_impl",
    "verl.experimental.reward_loop",
    "verl.experimental.agent_loop",
    "verl.trainer.ppo.v1",
    "verl.models.transformers.monkey_patch",
    "patarm.adapters.verl._reward_loop",
    "patarm.adapters.verl._dataset",
]


def main() -> int:
    for name in WORKER_MODULES:
        importlib.import_module(name)
    from verl.models.transformers.monkey_patch import apply_monkey_patch

    from patarm.testing import tiny_model_and_tokenizer

    model, _ = tiny_model_and_tokenizer(seed=0)
    # the FSDP engine's call for the README's settings (use_remove_padding=True, no sequence parallel)
    apply_monkey_patch(model, ulysses_sp_size=1, use_remove_padding=True)
    print(f"worker imports ok: {len(WORKER_MODULES)} modules, apply_monkey_patch on {type(model).__name__}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
