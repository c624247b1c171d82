"""Real PARGRPOTrainer runs on the CPU with the demo's tiny judge: every reward call holds
whole pairs with all their generations, the rewards are the core's PAR + format reward, and
bad settings or data fail at construction with the thing to change. Also a real run on two
processes (torchrun, gloo), where no pair may be split across ranks."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from grpo_checks import check_core_rewards, check_whole_pairs

pytest.importorskip("trl")

import datasets
from trl import GRPOConfig

from patarm.adapters.trl import PARGRPOTrainer, PARReward, RewardCall, format_warmup, grpo_rows, sft_rows
from patarm.demo._model import demo_model_and_tokenizer
from patarm.demo._run import _judge_prompts, _random_score_records
from patarm.demo._task import DemoTask
from patarm.parsing import parse_judgment
from patarm.rewards import FormatReward, PARSettings, graded_delta

pytestmark = pytest.mark.slow

GENERATIONS = 4
HERE = Path(__file__).parent


@pytest.fixture(scope="module")
def judge_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo judge after a short format warm-up on RANDOM scores (so most rollouts parse
    and PAR is exercised, with no preference signal), saved where TRL can load it."""
    import torch

    torch.set_num_threads(1)
    model, tokenizer = demo_model_and_tokenizer(seed=0)
    records = _random_score_records(DemoTask().pairs(64, seed=1, prefix="sft"), seed=0)
    format_warmup(
        model,
        tokenizer,
        sft_rows(records, _judge_prompts()),
        max_steps=40,
        per_device_train_batch_size=16,
        learning_rate=3e-3,
        lr_scheduler_type="constant",
        disable_tqdm=True,
        seed=0,
    )
    path = tmp_path_factory.mktemp("judge")
    model.save_pretrained(path)
    tokenizer.save_pretrained(path)
    return path


def demo_rows(count: int, prefix: str = "demo") -> list[dict[str, Any]]:
    return grpo_rows(DemoTask().pairs(count, seed=0, prefix=prefix), _judge_prompts())


def grpo_config(out: Path, **overrides: Any) -> GRPOConfig:
    settings: dict[str, Any] = dict(
        output_dir=str(out),
        max_steps=4,
        per_device_train_batch_size=2 * 2 * GENERATIONS,  # 2 pairs x 2 sides x 4 generations
        num_generations=GENERATIONS,
        max_completion_length=6,
        learning_rate=1e-4,
        beta=0.05,
        use_cpu=True,
        bf16=False,
        report_to=[],
        save_strategy="no",
        logging_steps=1,
        disable_tqdm=True,
        seed=0,
        dataloader_num_workers=0,
    )
    settings.update(overrides)
    return GRPOConfig(**settings)


def tokenizer_of(path: Path) -> Any:
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(path)


@pytest.mark.parametrize(
    ("per_device", "steps_per_generation"),
    [(2 * 2 * GENERATIONS, 1), (2 * GENERATIONS, 2)],  # 2 pairs per reward call either way
    ids=["one-step-per-generation", "two-steps-per-generation"],
)
def test_real_run_scores_whole_pairs_with_the_core_reward(
    judge_dir: Path, tmp_path: Path, per_device: int, steps_per_generation: int
) -> None:
    delta = graded_delta(1.0, 0.5, 1.0)
    reward = PARReward(settings=PARSettings(delta=delta), record=True)
    seen: list[tuple[list[str], list[str]]] = []  # (pair ids, completion texts) of each call

    def completions_seen(completions: list[Any], pair_id: list[str], **_: Any) -> list[float]:
        seen.append((list(pair_id), [c[-1]["content"] for c in completions]))
        return [0.0] * len(completions)

    trainer = PARGRPOTrainer(
        model=str(judge_dir),
        reward_funcs=[reward, completions_seen],
        args=grpo_config(
            tmp_path,
            per_device_train_batch_size=per_device,
            steps_per_generation=steps_per_generation,
            reward_weights=[1.0, 0.0],
            per_device_eval_batch_size=2 * 2 * GENERATIONS,
            eval_strategy="steps",
            eval_steps=4,
        ),
        train_dataset=datasets.Dataset.from_list(demo_rows(8)),
        eval_dataset=datasets.Dataset.from_list(demo_rows(4, prefix="eval")),
        processing_class=tokenizer_of(judge_dir),
    )
    trainer.train()
    assert trainer.state.global_step == 4

    train_calls = [c for c in reward.calls if c.pair_ids[0].startswith("demo")]
    eval_calls = [c for c in reward.calls if c.pair_ids[0].startswith("eval")]
    assert len(train_calls) == 4 // steps_per_generation
    assert len(eval_calls) == 2  # 4 held-out pairs, 2 per evaluation batch
    visited: list[str] = []
    for call in reward.calls:
        pairs = check_whole_pairs(call, GENERATIONS)
        assert len(pairs) == 2
        assert not any(p.startswith("eval") for p in pairs) or all(p.startswith("eval") for p in pairs)
        check_core_rewards(call, delta, FormatReward())
    for call in train_calls:
        visited += sorted(set(call.pair_ids))
    assert len(visited) == len(set(visited))  # no pair twice within the epoch
    assert sorted({p for c in eval_calls for p in c.pair_ids}) == [f"eval-{k}" for k in range(4)]

    # the recorded scores are what the parser reads from the completions TRL generated
    assert [ids for ids, _ in seen] == [c.pair_ids for c in reward.calls]
    for call, (_, texts) in zip(reward.calls, seen, strict=True):
        assert call.scores == [parse_judgment(t).score for t in texts]
    scores = [s for c in reward.calls for s in c.scores]
    assert sum(s is not None for s in scores) > len(scores) // 2, "the warm-up should make most rollouts parse"
    assert any(r > 0 for c in reward.calls for r in c.rewards), "PAR never rewarded a rollout"
    logged = [entry for entry in trainer.state.log_history if "par/num_pairs" in entry]
    assert logged and all(entry["par/num_pairs"] == 2 for entry in logged)


def construct(
    judge_dir: Path,
    tmp_path: Path,
    rows: list[dict[str, Any]] | None = None,
    eval_rows: list[dict[str, Any]] | None = None,
    **config: Any,
) -> PARGRPOTrainer:
    """A PARGRPOTrainer (no KL reference model) on ``rows`` (default: 8 demo pairs)."""
    return PARGRPOTrainer(
        model=str(judge_dir),
        reward_funcs=PARReward(),
        args=grpo_config(tmp_path, beta=0.0, **config),
        train_dataset=datasets.Dataset.from_list(demo_rows(8) if rows is None else rows),
        eval_dataset=None if eval_rows is None else datasets.Dataset.from_list(eval_rows),
        processing_class=tokenizer_of(judge_dir),
    )


def test_odd_prompts_per_process_fail_at_construction(judge_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"3 judge prompt\(s\).*set per_device_train_batch_size"):
        construct(judge_dir, tmp_path, per_device_train_batch_size=3 * GENERATIONS)


def test_eval_batch_splitting_pairs_fails_at_construction(judge_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"per_device_eval_batch_size \(12\) must be a multiple of 2 x"):
        construct(
            judge_dir, tmp_path, eval_rows=demo_rows(4, prefix="eval"), per_device_eval_batch_size=3 * GENERATIONS
        )


@pytest.mark.parametrize("drop", [["role"], ["pair_id", "role"]])
def test_dataset_without_pair_columns_fails_clearly(judge_dir: Path, tmp_path: Path, drop: list[str]) -> None:
    rows = [{k: v for k, v in row.items() if k not in drop} for row in demo_rows(8)]
    with pytest.raises(ValueError, match=rf"training dataset lacks column\(s\) {re.escape(repr(drop))}.*grpo_rows"):
        construct(judge_dir, tmp_path, rows)


def test_pair_with_one_row_fails_naming_it(judge_dir: Path, tmp_path: Path) -> None:
    rows = [row for row in demo_rows(8) if not (row["pair_id"] == "demo-5" and row["role"] == "rejected")]
    with pytest.raises(ValueError, match="pair id 'demo-5' names 1 row"):
        construct(judge_dir, tmp_path, rows)


def test_two_processes_never_split_a_pair(judge_dir: Path, tmp_path: Path) -> None:
    """torchrun, 2 CPU processes (gloo): 2 steps x 2 ranks x 2 pairs = the 8 pairs, each once."""
    torchrun = Path(sys.executable).parent / "torchrun"
    if not torchrun.exists():
        pytest.skip("torchrun is not installed next to the Python executable")
    env = {**os.environ, "OMP_NUM_THREADS": "1", "ACCELERATE_USE_CPU": "true", "TOKENIZERS_PARALLELISM": "false"}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(Path(__file__).parents[3] / "src"), env.get("PYTHONPATH")) if p)
    result = subprocess.run(
        [
            str(torchrun),
            "--standalone",
            "--nproc_per_node",
            "2",
            str(HERE / "grpo_two_procs.py"),
            str(judge_dir),
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=240,
        env=env,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    reports = [json.loads((tmp_path / f"rank{rank}.json").read_text()) for rank in (0, 1)]
    assert [r["world_size"] for r in reports] == [2, 2]
    assert [r["global_step"] for r in reports] == [2, 2]
    per_step: list[list[set[str]]] = []
    for report in reports:
        calls = [RewardCall(**c) for c in report["calls"]]
        assert len(calls) == 2  # one generation batch per step
        per_step.append([check_whole_pairs(call, GENERATIONS) for call in calls])
        for call in calls:
            assert len(set(call.pair_ids)) == 2
            check_core_rewards(call, graded_delta(), FormatReward())  # PARReward()'s default delta
    for step in range(2):
        assert not per_step[0][step] & per_step[1][step], "a pair was on both ranks in one step"
    visited = [p for rank in per_step for pairs in rank for p in pairs]
    assert sorted(visited) == sorted(f"demo-{k}" for k in range(8))  # the union covers every pair, once
