"""The CPU demo, top to bottom: a tiny judge learns to rank pairs from pairwise labels alone.

1. build a tiny Qwen3 judge and a word-level tokenizer on the spot;
2. make the synthetic task's pairs (train, held-out), optionally flip some train labels;
3. SFT warm-up on the output format only: targets are RANDOM scores, so no preference
   information enters here;
4. GRPO with PAR (TRL), both sides of each pair in every reward call;
5. held-out pair accuracy (mean of k sampled scores, ties and failures count as wrong) and
   format-valid rate, before and after RL; metrics.json and a PNG of the training curves;
   the judge before RL in ``sft-model/`` and after it in ``final-model/``.
"""

from __future__ import annotations

import json
import random
import time
import warnings
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ConfigDict, Field

from patarm._settings_model import SettingsModel
from patarm.demo._model import demo_model_and_tokenizer
from patarm.demo._task import DEMO_DOMAIN, DemoTask, demo_rubrics, flip_labels
from patarm.judges import JudgeConfig
from patarm.store import atomic_write

__all__ = ["DEMO_TEMPLATE_DIR", "DemoConfig", "DemoResult", "evaluate", "run_demo"]

# The demo judge's prompt template: the task tag and the response, no criteria block.
DEMO_TEMPLATE_DIR = Path(__file__).parent / "templates"


class DemoConfig(SettingsModel):
    """Every knob of the demo; the defaults are what `patarm demo` runs. Each field's
    ``description`` says what it sets, and ``patarm demo``'s options are generated from the
    fields (``--delta`` from :class:`~patarm.rewards.PARSettings`'s, with this default).

    ``seed`` (data, model and sampling) takes its default from
    :class:`~patarm.judges.JudgeConfig`'s ``seed``, as every command's ``--seed`` does, so an
    unseeded run of each command is the same run.

    >>> DemoConfig().delta, DemoConfig(steps=4).sft_steps
    ('constant', 150)
    """

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    steps: int = Field(1000, ge=0, description="GRPO steps (0: SFT warm-up only)")
    seed: int = Field(JudgeConfig.model_fields["seed"].default, description="seed for data, model and sampling")
    # The demo trains with the constant delta, not the paper's graded default: its tiny judge
    # starts from random scores and has 1,000 CPU steps, and full reward for every correct
    # ordering is the stronger signal there. The late collapse the paper reports for the
    # constant delta concerns long runs of large models, which the demo is not.
    delta: str = Field("constant", description="the PAR delta spec")
    label_noise: float = Field(
        0.0, ge=0, le=1, json_schema_extra={"metavar": "FRACTION"}, description="flip this share of training pairs"
    )
    output: str = Field(
        "patarm-demo", json_schema_extra={"metavar": "DIR"}, description="where metrics, plot and models go"
    )
    train_pairs: int = Field(2000, ge=1, description="synthetic training pairs")
    eval_pairs: int = Field(200, ge=1, description="held-out pairs")
    eval_samples: int = Field(4, ge=1, description="sampled scores per held-out response")
    pairs_per_step: int = Field(8, ge=1, description="pairs per GRPO step")
    generations: int = Field(8, ge=2, description="GRPO group size: judgments compared per response")
    learning_rate: float = Field(1e-3, gt=0, description="GRPO learning rate")
    beta: float = Field(0.05, ge=0, description="KL weight against the SFT judge")
    temperature: float = Field(1.0, gt=0, description="the judge's sampling temperature in GRPO")
    sft_steps: int = Field(150, ge=1, description="format warm-up steps")
    sft_batch: int = Field(32, ge=1, description="format warm-up batch size")
    sft_learning_rate: float = Field(3e-3, gt=0, description="format warm-up learning rate")
    log_every: int = Field(10, ge=1, description="GRPO steps between logged figures")
    threads: int = Field(1, description="torch CPU threads; 0 keeps torch's default")
    progress: bool = Field(True, description="progress bars")


@dataclass
class DemoResult:
    accuracy_before: float
    accuracy_after: float
    format_valid_before: float
    format_valid_after: float
    ties_before: float
    ties_after: float
    minutes: float
    flipped_pairs: int
    config: dict[str, Any]
    history: list[dict[str, float]] = field(default_factory=list)


def _progress_callback(label: str, total: int, enabled: bool) -> Any:
    """One compact progress bar per phase, with the figures that tell learning is happening."""
    from tqdm.auto import tqdm
    from transformers import TrainerCallback

    class Progress(TrainerCallback):
        def __init__(self) -> None:
            self.bar: Any = None

        def on_train_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
            self.bar = tqdm(total=total, desc=label, unit="step", disable=not enabled, leave=True)

        def on_step_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
            self.bar.update(1)

        def on_log(self, args: Any, state: Any, control: Any, logs: Any = None, **kwargs: Any) -> None:
            logs = logs or {}
            shown = {
                "reward": logs.get("reward"),
                "pair_acc": logs.get("par/pair_accuracy"),
                "malformed": logs.get("par/malformed_rate"),
                "loss": logs.get("loss") if "reward" not in logs else None,
            }
            self.bar.set_postfix({k: f"{float(v):.3f}" for k, v in shown.items() if v is not None}, refresh=False)

        def on_train_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
            self.bar.close()

    return Progress()


def _quiet(trainer: Any) -> None:
    """Drop the trainer's own printing of every log dict; our progress bar shows the figures."""
    from transformers.trainer_callback import PrinterCallback, ProgressCallback

    trainer.remove_callback(PrinterCallback)
    trainer.remove_callback(ProgressCallback)


def _cpu_training(seed: int) -> dict[str, Any]:
    """Trainer settings both phases share: CPU, fp32, constant rate, no checkpoints, no reporting."""
    return {
        "lr_scheduler_type": "constant",
        "save_strategy": "no",
        "report_to": [],
        "use_cpu": True,
        "bf16": False,
        "seed": seed,
        "disable_tqdm": True,
        "dataloader_num_workers": 0,
    }


def _judge_prompts() -> Any:
    from patarm.prompts import JudgePrompts

    return JudgePrompts(demo_rubrics(), tiers="primary", template_dir=DEMO_TEMPLATE_DIR)


def _random_score_records(pairs: list[Any], seed: int) -> list[dict[str, Any]]:
    """SFT records judging both sides of each pair with a RANDOM score: the format, no preference."""
    rng = random.Random(seed)
    return [
        {
            "prompt": p.prompt,
            "response": side,
            "domain": DEMO_DOMAIN,
            "judgment": f"<answer> {rng.randint(1, 10)} </answer>",
        }
        for p in pairs
        for side in (p.chosen, p.rejected)
    ]


def evaluate(model: Any, tokenizer: Any, pairs: list[Any], samples: int, seed: int) -> dict[str, float]:
    """Held-out pair accuracy with the library's pointwise judge (mean of ``samples`` scores)."""
    from patarm.backends import TransformersBackend
    from patarm.judges import PointwiseItem, PointwiseJudge

    config = JudgeConfig(samples=samples, temperature=1.0, max_new_tokens=6, seed=seed, tiers="primary", chunk_size=256)
    backend = TransformersBackend(model, tokenizer, batch_size=256)
    judge = PointwiseJudge(backend, config, rubrics=demo_rubrics(), template_dir=str(DEMO_TEMPLATE_DIR))
    items = [PointwiseItem(p.prompt, side, DEMO_DOMAIN) for p in pairs for side in (p.chosen, p.rejected)]
    model.eval()
    results = judge.judge_many(items)
    model.train()
    correct = ties = 0
    for k in range(0, len(results), 2):
        c, r = results[k].score, results[k + 1].score
        correct += c is not None and r is not None and c > r
        ties += c is None or r is None or c == r
    rollouts = sum(len(x.samples) for x in results)
    valid = rollouts - sum(x.malformed for x in results)
    return {"accuracy": correct / len(pairs), "ties": ties / len(pairs), "format_valid": valid / rollouts}


def _sft(model: Any, tokenizer: Any, pairs: list[Any], cfg: DemoConfig) -> None:
    """Teach the output format with random scores (no preference signal)."""
    import datasets
    from trl import SFTConfig, SFTTrainer

    from patarm.adapters.trl import sft_rows

    rows = sft_rows(_random_score_records(pairs, cfg.seed + 1), _judge_prompts())
    args = SFTConfig(
        output_dir=str(Path(cfg.output) / "sft"),
        max_steps=cfg.sft_steps,
        per_device_train_batch_size=cfg.sft_batch,
        learning_rate=cfg.sft_learning_rate,
        logging_steps=max(1, cfg.sft_steps // 5),
        **_cpu_training(cfg.seed),
    )
    trainer = SFTTrainer(
        model=model,
        args=args,
        train_dataset=datasets.Dataset.from_list(rows),
        processing_class=tokenizer,
        callbacks=[_progress_callback("SFT warm-up (format only)", cfg.sft_steps, cfg.progress)],
    )
    _quiet(trainer)
    trainer.train()


def _grpo(model_dir: str, tokenizer: Any, pairs: list[Any], cfg: DemoConfig) -> tuple[Any, list[dict[str, float]]]:
    import datasets
    from transformers import TrainerCallback
    from trl import GRPOConfig

    from patarm.adapters.trl import PARGRPOTrainer, PARReward, grpo_rows
    from patarm.rewards import PARSettings

    rows = grpo_rows(pairs, _judge_prompts())
    history: list[dict[str, float]] = []

    class Record(TrainerCallback):
        def on_log(self, args: Any, state: Any, control: Any, logs: Any = None, **kwargs: Any) -> None:
            if logs and "reward" in logs:
                history.append({"step": float(state.global_step), **{k: float(v) for k, v in logs.items()}})

    batch = cfg.pairs_per_step * 2 * cfg.generations
    args = GRPOConfig(
        output_dir=str(Path(cfg.output) / "grpo"),
        max_steps=cfg.steps,
        per_device_train_batch_size=batch,
        num_generations=cfg.generations,
        max_completion_length=6,
        temperature=cfg.temperature,
        learning_rate=cfg.learning_rate,
        beta=cfg.beta,
        logging_steps=cfg.log_every,
        **_cpu_training(cfg.seed),
    )
    reward = PARReward(settings=PARSettings(delta=cfg.delta))
    trainer = PARGRPOTrainer(
        model=model_dir,  # a path: TRL loads the policy and the KL reference model from it
        reward_funcs=reward,
        args=args,
        train_dataset=datasets.Dataset.from_list(rows),
        processing_class=tokenizer,
        callbacks=[Record(), _progress_callback("GRPO with PAR", cfg.steps, cfg.progress)],
    )
    _quiet(trainer)
    trainer.train()
    return trainer.model, history


def run_demo(cfg: DemoConfig) -> DemoResult:
    """Run the whole demo and write ``metrics.json`` and ``training.png`` under ``cfg.output``."""
    import datasets
    import torch
    import transformers

    start = time.perf_counter()
    warnings.filterwarnings("ignore", category=FutureWarning)  # deprecations inside the trainers, not ours
    warnings.filterwarnings("ignore", category=UserWarning, module="trl")
    datasets.disable_progress_bars()
    hf_logging: Any = transformers.utils.logging
    hf_logging.disable_progress_bar()
    hf_logging.set_verbosity_error()
    if cfg.threads > 0:
        torch.set_num_threads(cfg.threads)  # a tiny model runs faster on one thread than on several
    torch.manual_seed(cfg.seed)
    out = Path(cfg.output)
    out.mkdir(parents=True, exist_ok=True)
    task = DemoTask()
    train = task.pairs(cfg.train_pairs, seed=cfg.seed, prefix="train")
    held_out = task.pairs(cfg.eval_pairs, seed=cfg.seed + 10_000, prefix="eval")
    train, flipped = flip_labels(train, cfg.label_noise, seed=cfg.seed + 20_000)
    model, tokenizer = demo_model_and_tokenizer(cfg.seed)
    _sft(model, tokenizer, train[: cfg.sft_steps * cfg.sft_batch // 2], cfg)
    before = evaluate(model, tokenizer, held_out, cfg.eval_samples, cfg.seed)
    sft_dir = out / "sft-model"
    model.save_pretrained(sft_dir)
    tokenizer.save_pretrained(sft_dir)
    history: list[dict[str, float]] = []
    if cfg.steps > 0:
        model, history = _grpo(str(sft_dir), tokenizer, train, cfg)
    after = evaluate(model, tokenizer, held_out, cfg.eval_samples, cfg.seed)
    final_dir = out / "final-model"  # the trained judge, beside the SFT-only one (audits compare the two)
    model.save_pretrained(final_dir)
    tokenizer.save_pretrained(final_dir)
    result = DemoResult(
        accuracy_before=before["accuracy"],
        accuracy_after=after["accuracy"],
        format_valid_before=before["format_valid"],
        format_valid_after=after["format_valid"],
        ties_before=before["ties"],
        ties_after=after["ties"],
        minutes=(time.perf_counter() - start) / 60,
        flipped_pairs=flipped,
        config=cfg.model_dump(),
        history=history,
    )
    with atomic_write(out / "metrics.json") as f:
        f.write(json.dumps(asdict(result), indent=2))
    return result
