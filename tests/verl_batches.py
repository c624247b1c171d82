"""Real verl DataProto batches of tiny tokenized judge outputs, shaped as verl builds them."""

from __future__ import annotations

import uuid
from typing import Any

import numpy as np
import pytest

from patarm import format_judgment
from patarm.rewards import total_rewards

verl = pytest.importorskip("verl", reason="the verl extra is not installed")
torch = pytest.importorskip("torch")

from verl import DataProto  # noqa: E402


def judgment(score: float | None, words: str = "clear and correct") -> str:
    """A judge output ending in a score, or a malformed one (no answer tag)."""
    if score is None:
        return f"The response is {words}, I think."
    return format_judgment(int(score), criteria="usefulness", rationale=words)


def rows_for(pairs: dict[str, tuple[list, list]], source: str = "patarm") -> list[dict[str, Any]]:
    """One trajectory row per rollout: both sides, n rollouts each, one uid per (pair, side)."""
    rows = []
    for pid, (chosen, rejected) in pairs.items():
        for role, scores in (("chosen", chosen), ("rejected", rejected)):
            uid = str(uuid.uuid4())
            for s in scores:
                rows.append({"pair_id": pid, "role": role, "score": s, "uid": uid, "source": source})
    return rows


def data_proto(tokenizer: Any, rows: list[dict[str, Any]], prompt_len: int = 6, response_len: int = 48) -> DataProto:
    """A batch as the trainer holds it: left-padded prompts, right-padded responses."""
    prompts, responses, masks = [], [], []
    pad = tokenizer.pad_token_id
    for i, row in enumerate(rows):
        p = tokenizer(f"judge pair {row['pair_id']} side {i}")["input_ids"][-prompt_len:]
        r = tokenizer(judgment(row["score"]))["input_ids"][:response_len]
        prompts.append([pad] * (prompt_len - len(p)) + p)
        responses.append(r + [pad] * (response_len - len(r)))
        masks.append([0] * (prompt_len - len(p)) + [1] * len(p) + [1] * len(r) + [0] * (response_len - len(r)))
    prompt_t = torch.tensor(prompts)
    response_t = torch.tensor(responses)
    batch = {
        "prompts": prompt_t,
        "responses": response_t,
        "input_ids": torch.cat([prompt_t, response_t], dim=1),
        "attention_mask": torch.tensor(masks),
    }
    non_tensor = {
        "data_source": np.array([r["source"] for r in rows], dtype=object),
        "uid": np.array([r["uid"] for r in rows], dtype=object),
        "extra_info": np.array([{"pair_id": r["pair_id"], "role": r["role"], "index": i} for i, r in enumerate(rows)]),
        "reward_model": np.array([{"style": "rule", "ground_truth": r["role"]} for r in rows], dtype=object),
    }
    return DataProto.from_dict(tensors=batch, non_tensors=non_tensor)


def valid_lengths(data: DataProto) -> Any:
    prompt_len = data.batch["prompts"].shape[1]
    return data.batch["attention_mask"][:, prompt_len:].sum(dim=1)


PAIRS = {
    "a": ([8.0, 6.0, None, 9.0], [3.0, 7.0, 2.0, 2.0]),
    "b": ([5.0, 5.0, 5.0, 5.0], [5.0, 6.0, None, None]),
    "c": ([None, None, None, None], [4.0, 1.0, 10.0, 3.0]),
    "d": ([2.0, 3.0, 9.0, 10.0], [9.0, 9.0, 8.0, 1.0]),
}


def make_config(tokenizer_dir: Any, source: str = "register", **patarm: Any) -> Any:
    manager: dict[str, Any] = {"source": source, "name": "patarm_par", "module": {"path": None, "name": None}}
    if source == "importlib":
        manager = {"source": source, "name": "PARRewardLoopManager", "module": {"path": "pkg://patarm.adapters.verl"}}
    return __import__("omegaconf").OmegaConf.create(
        {
            "actor_rollout_ref": {
                "model": {"path": str(tokenizer_dir), "tokenizer_path": None},
                "rollout": {"n": 4, "val_kwargs": {"n": 4}},
            },
            "data": {"train_batch_size": 4, "shuffle": False, "custom_cls": {"name": "PairShuffledDataset"}},
            "trainer": {"val_before_train": False, "test_freq": -1},
            "reward": {
                "num_workers": 1,
                "custom_reward_function": {"path": None, "name": "compute_score"},
                "reward_manager": manager,
                "reward_model": {"enable": False},
                "patarm": {"rendezvous": "local", "timeout_s": 60, **patarm},
            },
        }
    )


def expected(pairs: dict[str, tuple[list, list]]) -> list[float]:
    out: list[float] = []
    for chosen, rejected in pairs.values():
        c, r = total_rewards(chosen, rejected)
        out += c + r
    return out
