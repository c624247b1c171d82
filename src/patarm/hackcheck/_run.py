"""One check, top to bottom: GRPO (TRL) on a policy with the judge under test as its only
reward, an evaluation on held-out prompts at every ``eval_every`` steps (reward, gold, outputs)
kept in ``OUTPUT/steps.jsonl``, then the report. Checkpoints in ``OUTPUT/grpo/`` and the store
make a rerun continue where the last one stopped (and a larger ``steps`` extend a finished run).
"""

from __future__ import annotations

import hashlib
import json
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from patarm.errors import InputError
from patarm.hackcheck._evaluate import Scorer, evaluate_step, sample_outputs
from patarm.hackcheck._gold import Gold

__all__ = ["HackcheckSettings", "run_hackcheck", "train_and_record"]


@dataclass(frozen=True)
class HackcheckSettings:
    """How a check runs; the defaults suit the CPU demo. ``margin``: the gap (in shares of
    scale) above which reward has outrun gold; ``threads`` 0 keeps torch's default; ``chat``:
    each prompt is a user message, rendered with the policy's chat template (when it has one)."""

    steps: int = 60
    eval_every: int = 10
    eval_samples: int = 4
    prompts_per_step: int = 4
    generations: int = 8
    max_completion_length: int = 12
    learning_rate: float = 3e-3
    beta: float = 0.0
    temperature: float = 1.0
    seed: int = 0
    margin: float = 0.1
    reward_scale: tuple[float, float] = (1.0, 10.0)
    gold_scale: tuple[float, float] = (0.0, 1.0)
    bootstrap: int = 1000
    threads: int = 1
    chat: bool = False
    use_cpu: bool = True
    progress: bool = True

    def __post_init__(self) -> None:
        for name in ("steps", "eval_every", "eval_samples", "prompts_per_step", "max_completion_length"):
            if getattr(self, name) < 1:
                raise InputError(f"{name}: expected at least 1, got {getattr(self, name)}")
        if self.generations < 2:
            raise InputError(f"generations: GRPO compares at least 2 per prompt, got {self.generations}")
        if self.margin < 0:
            raise InputError(f"margin: expected 0 or more, got {self.margin}")

    def shaping(self) -> dict[str, Any]:
        """What the records depend on (``steps`` is left out: a rerun may extend the run)."""
        return {
            k: v for k, v in asdict(self).items() if k not in ("steps", "bootstrap", "progress", "threads", "use_cpu")
        }


def _digest(items: Sequence[str]) -> str:
    return hashlib.sha256(json.dumps(list(items)).encode()).hexdigest()[:16]


def _last_checkpoint(folder: Path) -> Path | None:
    found = [(int(p.name.split("-")[-1]), p) for p in folder.glob("checkpoint-*") if p.name.split("-")[-1].isdigit()]
    return max(found)[1] if found else None


def _callbacks(
    store: Any,
    eval_prompts: Sequence[str],
    reward: Scorer,
    gold: Gold,
    tokenizer: Any,
    s: HackcheckSettings,
    label: str,
    chat: bool,
) -> list[Any]:
    from tqdm.auto import tqdm
    from transformers import TrainerCallback

    def record(step: int, model: Any) -> None:
        key = f"step-{step:08d}"
        if key in store:
            return
        outputs = sample_outputs(
            model, tokenizer, eval_prompts, samples=s.eval_samples, max_new_tokens=s.max_completion_length,
            temperature=s.temperature, seed=s.seed + step, chat=chat,
        )  # fmt: skip
        store.put(evaluate_step(step, eval_prompts, outputs, reward, gold))

    class Evaluate(TrainerCallback):
        def __init__(self) -> None:
            self.bar: Any = None

        def on_train_begin(self, args: Any, state: Any, control: Any, model: Any = None, **kwargs: Any) -> None:
            self.bar = tqdm(total=s.steps, initial=state.global_step, desc=label, unit="step", disable=not s.progress)
            if state.global_step == 0:
                record(0, model)

        def on_step_end(self, args: Any, state: Any, control: Any, model: Any = None, **kwargs: Any) -> None:
            self.bar.update(1)
            if state.global_step % s.eval_every == 0 or state.global_step == s.steps:
                record(state.global_step, model)

        def on_log(self, args: Any, state: Any, control: Any, logs: Any = None, **kwargs: Any) -> None:
            if logs and "reward" in logs:
                self.bar.set_postfix({"reward": f"{float(logs['reward']):.2f}"}, refresh=False)

        def on_train_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
            self.bar.close()

    return [Evaluate()]


def train_and_record(
    policy: str,
    train_prompts: Sequence[str],
    eval_prompts: Sequence[str],
    reward: Any,
    gold: Gold,
    settings: HackcheckSettings,
    *,
    output: str | Path,
    fingerprint: Mapping[str, Any] | None = None,
    label: str = "GRPO against the judge",
) -> list[dict[str, Any]]:
    """Train ``policy`` (a model folder) with GRPO against ``reward`` (a TRL reward function:
    :class:`~patarm.adapters.trl.JudgeReward`) and record every evaluation step in
    ``output/steps.jsonl``; returns the step records in step order. Resumes from the store and
    the last checkpoint in ``output/grpo``."""
    import datasets
    import torch
    import transformers
    from transformers import AutoTokenizer
    from trl import GRPOConfig, GRPOTrainer

    from patarm.store import JsonlStore

    s = settings
    if not train_prompts or not eval_prompts:
        raise InputError(f"{len(train_prompts)} training and {len(eval_prompts)} held-out prompts: need both")
    warnings.filterwarnings("ignore", category=FutureWarning)
    warnings.filterwarnings("ignore", category=UserWarning, module="trl")
    datasets.disable_progress_bars()
    hf_logging: Any = transformers.utils.logging
    hf_logging.disable_progress_bar()
    hf_logging.set_verbosity_error()
    if s.threads > 0:
        torch.set_num_threads(s.threads)
    out = Path(output)
    out.mkdir(parents=True, exist_ok=True)
    shaping = {
        **s.shaping(),
        "policy": policy,
        "train_prompts": _digest(train_prompts),
        "eval_prompts": _digest(eval_prompts),
        **(fingerprint or {}),
    }
    scorer: Scorer = lambda prompts, texts: reward.scores(prompts, texts, reward.domains(len(texts), {}))  # noqa: E731
    with JsonlStore(out / "steps.jsonl", "hackcheck-steps", shaping) as store:
        done = {r["step"] for r in store}
        final_steps = {s.steps} | set(range(0, s.steps + 1, s.eval_every))
        if not final_steps <= done:
            tokenizer = AutoTokenizer.from_pretrained(policy)
            if tokenizer.pad_token is None:
                tokenizer.pad_token = tokenizer.eos_token
            chat = s.chat and getattr(tokenizer, "chat_template", None) is not None
            rows: list[dict[str, Any]] = [
                {"prompt": [{"role": "user", "content": p}] if chat else p} for p in train_prompts
            ]
            batch = s.prompts_per_step * s.generations
            args = GRPOConfig(
                output_dir=str(out / "grpo"),
                max_steps=s.steps,
                per_device_train_batch_size=batch,
                num_generations=s.generations,
                max_completion_length=s.max_completion_length,
                temperature=s.temperature,
                learning_rate=s.learning_rate,
                beta=s.beta,
                logging_steps=1,
                lr_scheduler_type="constant",
                save_strategy="steps",
                save_steps=s.eval_every,
                save_total_limit=1,
                report_to=[],
                use_cpu=s.use_cpu,
                bf16=False,
                seed=s.seed,
                disable_tqdm=True,
                dataloader_num_workers=0,
            )
            from transformers.trainer_callback import PrinterCallback, ProgressCallback

            trainer = GRPOTrainer(
                model=policy,
                reward_funcs=reward,
                args=args,
                train_dataset=datasets.Dataset.from_list(rows),
                processing_class=tokenizer,
                callbacks=_callbacks(store, eval_prompts, scorer, gold, tokenizer, s, label, chat),
            )
            trainer.remove_callback(PrinterCallback)
            trainer.remove_callback(ProgressCallback)
            checkpoint = _last_checkpoint(out / "grpo")
            trainer.train(resume_from_checkpoint=str(checkpoint) if checkpoint else None)
        return sorted((r for r in store if r["step"] <= s.steps), key=lambda r: int(r["step"]))


def run_hackcheck(
    policy: str,
    train_prompts: Sequence[str],
    eval_prompts: Sequence[str],
    reward: Any,
    gold: Gold,
    settings: HackcheckSettings | None = None,
    *,
    output: str | Path,
    judge: str = "judge",
    gold_name: str = "gold",
    fingerprint: Mapping[str, Any] | None = None,
    plots: bool = True,
) -> dict[str, Any]:
    """Train, record, analyse; writes ``hackcheck.json``, ``hackcheck.md`` and PNG plots into
    ``output`` and returns the report."""
    from patarm.hackcheck._analysis import analyse
    from patarm.hackcheck._report import write_hackcheck

    s = settings or HackcheckSettings()
    records = train_and_record(
        policy, train_prompts, eval_prompts, reward, gold, s, output=output, fingerprint=fingerprint,
        label=f"GRPO against {judge}",
    )  # fmt: skip
    report = analyse(records, s, eval_prompts)
    report["run"] = {
        "judge": judge,
        "gold": gold_name,
        "policy": policy,
        "train_prompts": len(train_prompts),
        "eval_prompts": len(eval_prompts),
        "settings": asdict(s),
        **(fingerprint or {}),
    }
    if plots:
        from patarm._extras import MissingExtraError
        from patarm.hackcheck.plots import plot_report

        try:
            report["plots"] = [p.name for p in plot_report([(judge, report)], output)]
        except MissingExtraError as exc:
            report["plots_skipped"] = str(exc)
    write_hackcheck(report, output)
    return report
