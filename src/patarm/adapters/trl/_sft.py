"""The SFT stage before GRPO with PAR: teach a judge the output format on pointwise records.

In the paper's pipeline a teacher judge scores both sides of each pair and the judge is
fine-tuned on those pointwise judgments before RL; SFT mostly teaches the format (reasons,
then ``<answer>K</answer>``), which is what lets GRPO start from well-formed rollouts.

- :func:`sft_rows`: pointwise records -> TRL prompt-completion rows, the prompt rendered by
  the same :class:`~patarm.prompts.JudgePrompts` that GRPO uses (so SFT and RL see one format);
- :func:`format_warmup`: run TRL's ``SFTTrainer`` on those rows (imports TRL: extra ``trl``).

A record is a mapping with ``prompt`` (text or chat messages), ``response`` and EITHER
``judgment`` (a full judge output, e.g. the teacher's text) OR ``score`` (a number; the
target is then written by :func:`patarm.parsing.format_judgment`, with optional
``criteria`` / ``rationale`` / ``thinking``), plus an optional ``domain``. Every target is
parsed back before training: a record whose target has no score on the scale is an error
naming the record, because SFT on malformed targets teaches the wrong format.

>>> rows = sft_rows([{"prompt": "2+2?", "response": "4", "score": 9, "rationale": "Right."}])
>>> rows[0]["completion"][0]["content"].endswith("<answer>9</answer>"), rows[0]["domain"]
(True, 'math')
"""

from __future__ import annotations

import math
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from numbers import Real
from typing import Any

from patarm.backends import prompt_text
from patarm.errors import ConfigError
from patarm.parsing import format_judgment, parse_judgment
from patarm.prompts import JudgePrompts, prompt_as_text
from patarm.rubrics import HeuristicRouter, Router, resolve_domain

__all__ = ["format_warmup", "sft_rows"]

_OPTIONAL_TEXT = ("criteria", "rationale", "thinking")


def _target(record: Mapping[str, Any], index: int, prompts: JudgePrompts, integer: bool) -> str:
    has_judgment, has_score = record.get("judgment") is not None, record.get("score") is not None
    if has_judgment == has_score:
        raise ConfigError(f"record {index}: give exactly one of 'judgment' (judge output text) or 'score' (a number)")
    if has_judgment:
        text = record["judgment"]
        if not isinstance(text, str):
            raise ConfigError(f"record {index}: 'judgment' must be text, got {type(text).__name__}")
    else:
        score = record["score"]
        if isinstance(score, bool) or not isinstance(score, Real) or not math.isfinite(float(score)):
            raise ConfigError(f"record {index}: 'score' must be a finite number, got {score!r}")
        extras: dict[str, str | None] = {}
        for key in _OPTIONAL_TEXT:
            value = record.get(key)
            if value is not None and not isinstance(value, str):
                raise ConfigError(f"record {index}: {key!r} must be text, got {type(value).__name__}")
            extras[key] = value
        text = format_judgment(
            float(score), criteria=extras["criteria"], rationale=extras["rationale"], thinking=extras["thinking"]
        )
    parsed = parse_judgment(text, prompts.scale, integer=integer)
    if parsed.score is None:
        reason = parsed.malformed_reason.value if parsed.malformed_reason else "no score"
        raise ConfigError(
            f"record {index}: the SFT target is not a well-formed judgment on the scale {prompts.scale} ({reason}); "
            "training on it would teach a malformed format"
        )
    return text


def sft_rows(
    records: Iterable[Mapping[str, Any]],
    prompts: JudgePrompts | None = None,
    *,
    router: Router | None = None,
    conversational: bool = True,
    integer_scores: bool = False,
) -> list[dict[str, Any]]:
    """TRL prompt-completion rows ``{prompt, completion, domain}`` for the format warm-up.

    ``prompt`` is the pointwise judge prompt for (record prompt, record response), exactly as
    :func:`~patarm.adapters.trl.grpo_rows` renders it for GRPO; ``completion`` is the target
    judgment as one assistant message (``conversational=True``) or as text. The domain is the
    record's ``domain`` or, without one, the router's choice. ``integer_scores=True`` also
    rejects targets whose score is not a whole number.
    """
    builder = prompts or JudgePrompts()
    route = router or HeuristicRouter()
    rows: list[dict[str, Any]] = []
    for index, record in enumerate(records):
        if not isinstance(record, Mapping):
            raise ConfigError(f"record {index}: expected a mapping, got {type(record).__name__}")
        for key in ("prompt", "response"):
            if key not in record:
                raise ConfigError(f"record {index}: missing field {key!r} (fields: {sorted(record)})")
        response = record["response"]
        if not isinstance(response, str):
            raise ConfigError(f"record {index}: 'response' must be text, got {type(response).__name__}")
        prompt: Any = record["prompt"]
        domain = resolve_domain(record.get("domain"), prompt_as_text(prompt), builder.rubrics, route)
        target = _target(record, index, builder, integer_scores)
        messages = builder.pointwise(prompt, response, domain)
        if conversational:
            rows.append(
                {"prompt": messages, "completion": [{"role": "assistant", "content": target}], "domain": domain}
            )
        else:
            rows.append({"prompt": prompt_text(messages), "completion": target, "domain": domain})
    if not rows:
        raise ConfigError("no records: the format warm-up needs at least one")
    return rows


def format_warmup(
    model: Any,
    tokenizer: Any,
    rows: Sequence[Mapping[str, Any]] | Any,
    *,
    output_dir: str | None = None,
    **overrides: Any,
) -> Any:
    """Fine-tune ``model`` on ``rows`` (from :func:`sft_rows`) with TRL's ``SFTTrainer``; returns the trainer.

    ``model`` is a model object (trained in place) or a path / hub id that TRL loads;
    ``rows`` a list of rows or a ``datasets.Dataset``. The loss covers the completion only
    (TRL's default for prompt-completion rows). Defaults: one epoch, no checkpoints, no
    reporting, the CPU when no GPU is visible; ``overrides`` are any other ``SFTConfig``
    fields (``learning_rate``, ``max_steps``, ``per_device_train_batch_size``, ...). Without
    ``output_dir`` the trainer writes into a temporary folder that is removed afterwards;
    save the model yourself (``trainer.save_model(path)``).

    Example (the paper's 8B SFT used lr 1.5e-6 decaying to 1.5e-7, batch 512, one epoch)::

        rows = sft_rows(read_rows("teacher_judgments.jsonl"))
        trainer = format_warmup("Qwen/Qwen3-8B", tokenizer, rows, learning_rate=1.5e-6, bf16=True)
        trainer.save_model("judge-sft")
    """
    from patarm._extras import require

    require("trl", "trl")
    import datasets
    import torch
    from trl import SFTConfig, SFTTrainer

    dataset = rows if isinstance(rows, datasets.Dataset) else datasets.Dataset.from_list([dict(r) for r in rows])
    missing = [c for c in ("prompt", "completion") if c not in dataset.column_names]
    if missing:
        raise ConfigError(f"SFT rows lack column(s) {missing}; build them with sft_rows()")
    on_cpu = not torch.cuda.is_available()
    settings: dict[str, Any] = {
        "num_train_epochs": 1,
        "save_strategy": "no",
        "report_to": [],
        "use_cpu": on_cpu,
        "bf16": not on_cpu,
        "dataloader_num_workers": 0,
    }
    settings.update(overrides)
    with tempfile.TemporaryDirectory(prefix="patarm-sft-") as scratch:
        args = SFTConfig(output_dir=output_dir or scratch, **settings)
        trainer = SFTTrainer(model=model, args=args, train_dataset=dataset, processing_class=tokenizer)
        trainer.train()
    return trainer
