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
from pathlib import Path
from typing import Any

from pydantic import AliasChoices, ConfigDict, Field, field_validator

from patarm._settings_model import SettingsModel
from patarm.errors import InputError
from patarm.hackcheck._evaluate import Scorer, evaluate_step, sample_outputs
from patarm.hackcheck._gold import Gold
from patarm.judges import JudgeConfig
from patarm.parsing import check_scale

__all__ = ["HackcheckSettings", "run_hackcheck", "train_and_record"]

_JUDGE = JudgeConfig.model_fields  # the judge's settings, whose defaults the check shares


class HackcheckSettings(SettingsModel):
    """How a check runs; the defaults suit the CPU demo, but for ``chat_template``, which suits a
    policy of one's own (the demo gives its policy plain text: ``patarm hackcheck --demo`` turns
    it off). Each field's ``description`` says what it sets, and ``patarm hackcheck``'s training
    options are generated from the fields; ``policy_temperature`` and ``chat_template`` may
    still be given by their former names, ``temperature`` and ``chat``.

    ``seed`` and ``reward_scale`` are the judge's: their defaults are
    :class:`~patarm.judges.JudgeConfig`'s ``seed`` and ``scale``, the one place they are set,
    and ``patarm hackcheck`` passes its judge's (``--seed``, ``--scale``). ``gold_scale`` is
    the gold's range; ``use_cpu`` is the command's ``--device``.

    >>> HackcheckSettings(steps=20).shaping()["temperature"]
    1.0
    """

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    steps: int = Field(60, ge=1, description="GRPO steps")
    eval_every: int = Field(10, ge=1, description="steps between evaluations")
    eval_samples: int = Field(4, ge=1, description="outputs per held-out prompt per evaluation")
    prompts_per_step: int = Field(4, ge=1, description="training prompts per GRPO step")
    generations: int = Field(8, ge=2, description="GRPO group size: outputs compared per prompt (at least 2)")
    max_completion_length: int = Field(12, ge=1, description="policy tokens per output")
    learning_rate: float = Field(3e-3, gt=0, description="the policy's learning rate")
    beta: float = Field(0.0, ge=0, description="KL weight against the starting policy")
    policy_temperature: float = Field(
        1.0,
        gt=0,
        validation_alias=AliasChoices("policy_temperature", "temperature"),
        description="policy sampling temperature",
    )
    seed: int = Field(_JUDGE["seed"].default, description="seeds training, the held-out samples and the bootstrap")
    margin: float = Field(
        0.1, ge=0, description="gap (share of scale) between reward and gold gains that counts as parting"
    )
    reward_scale: tuple[float, float] = Field(
        _JUDGE["scale"].default, validate_default=True, description="the judge's score scale, low and high"
    )
    gold_scale: tuple[float, float] = Field((0.0, 1.0), description="the gold's range, low and high")
    bootstrap: int = Field(1000, description="bootstrap resamples of the intervals")
    threads: int = Field(1, description="torch CPU threads; 0 keeps torch's default")
    chat_template: bool = Field(
        True,
        validation_alias=AliasChoices("chat_template", "chat"),
        description="give the policy each prompt as a user message in its chat template, when it has one",
    )
    use_cpu: bool = Field(True, description="train the policy on the CPU")
    progress: bool = Field(True, description="progress bars")

    @field_validator("reward_scale", "gold_scale")
    @classmethod
    def _scale(cls, value: tuple[float, float]) -> tuple[float, float]:
        return check_scale(value)

    def shaping(self) -> dict[str, Any]:
        """What the records depend on (``steps`` is left out: a rerun may extend the run)."""
        out = self.model_dump(exclude={"steps", "bootstrap", "progress", "threads", "use_cpu"})
        # under their former names, which the records of earlier checks hold, so those resume
        out["temperature"], out["chat"] = out.pop("policy_temperature"), out.pop("chat_template")
        return out


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
            temperature=s.policy_temperature, seed=s.seed + step, chat=chat,
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
            chat = s.chat_template and getattr(tokenizer, "chat_template", None) is not None
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
                temperature=s.policy_temperature,
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
        "settings": s.model_dump(),
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
