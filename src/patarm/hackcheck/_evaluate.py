"""One evaluation step: sample the policy on held-out prompts, score each output with the
judge under test (the reward) and with the gold, and keep the texts for the feature analysis."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from patarm.hackcheck._gold import Gold

__all__ = ["Scorer", "evaluate_step", "sample_outputs"]

Scorer = Callable[[Sequence[Any], Sequence[str]], list[float | None]]


def sample_outputs(
    model: Any,
    tokenizer: Any,
    prompts: Sequence[str],
    *,
    samples: int,
    max_new_tokens: int,
    temperature: float,
    seed: int,
    chat: bool = False,
) -> list[list[str]]:
    """``samples`` sampled completions per prompt (seeded), decoded without special tokens.
    ``chat``: each prompt is a user message, rendered with the tokenizer's chat template."""
    import torch

    was_training = model.training
    model.eval()
    side = tokenizer.padding_side
    tokenizer.padding_side = "left"
    out: list[list[str]] = []
    try:
        torch.manual_seed(seed)
        for start in range(0, len(prompts), 32):
            chunk = list(prompts[start : start + 32])
            if chat:
                chunk = [
                    tokenizer.apply_chat_template(
                        [{"role": "user", "content": p}], tokenize=False, add_generation_prompt=True
                    )
                    for p in chunk
                ]
            enc = tokenizer(chunk, return_tensors="pt", padding=True, add_special_tokens=False).to(model.device)
            with torch.no_grad():
                ids = model.generate(
                    **enc,
                    do_sample=temperature > 0,
                    temperature=temperature if temperature > 0 else None,
                    top_k=0,
                    top_p=1.0,
                    max_new_tokens=max_new_tokens,
                    num_return_sequences=samples,
                    pad_token_id=tokenizer.pad_token_id,
                )
            texts = tokenizer.batch_decode(ids[:, enc["input_ids"].shape[1] :], skip_special_tokens=True)
            out += [[t.strip() for t in texts[i * samples : (i + 1) * samples]] for i in range(len(chunk))]
    finally:
        tokenizer.padding_side = side
        model.train(was_training)
    return out


def evaluate_step(
    step: int, prompts: Sequence[Any], outputs: Sequence[Sequence[str]], reward: Scorer, gold: Gold
) -> dict[str, Any]:
    """The step's record: every (prompt index, output, reward, gold), for the store."""
    flat_prompts = [p for p, outs in zip(prompts, outputs, strict=True) for _ in outs]
    flat = [o for outs in outputs for o in outs]
    index = [i for i, outs in enumerate(outputs) for _ in outs]
    rewards = reward(flat_prompts, flat)
    golds = gold(flat_prompts, flat)
    return {
        "id": f"step-{step:08d}",
        "step": step,
        "samples": [
            {"prompt": i, "output": o, "reward": r, "gold": g}
            for i, o, r, g in zip(index, flat, rewards, golds, strict=True)
        ],
    }
