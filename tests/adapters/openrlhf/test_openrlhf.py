"""patarm's OpenRLHF hooks loaded and called through OpenRLHF's own code:

- ``reward_func.py`` through ``openrlhf.utils.agent.SingleTurnAgentExecutor`` (its file
  loader, its per-sample ``asyncio.to_thread`` calls), side rows, many concurrent samples;
- ``pair_agent.py`` through ``openrlhf.trainer.ray.vllm_engine._load_agent_executor`` and
  ``RolloutRayActor.generate_responses`` (the unwrapped method), pair rows.

The vLLM engine is the one stand-in: ``FakeEngine.generate`` returns canned judgments
(vLLM has no CPU build); vLLM's modules are stubbed so that ``vllm_engine`` imports.
"""

from __future__ import annotations

import asyncio
import random
import sys
from collections import defaultdict
from types import SimpleNamespace
from typing import Any
from unittest.mock import MagicMock

import pytest

from patarm import format_judgment
from patarm.adapters.openrlhf import PAIR_AGENT_PATH, REWARD_FUNC_PATH, openrlhf_rows, unpack_label
from patarm.rewards import total_rewards
from patarm.testing.tiny import build_tiny_tokenizer
from patarm.types import PreferencePair

agent = pytest.importorskip("openrlhf.utils.agent", reason="install OpenRLHF with `pip install --no-deps openrlhf`")

N = 4
SCORES = {  # pair -> (chosen scores, rejected scores), n each
    "a": ([8.0, 6.0, None, 9.0], [3.0, 7.0, 2.0, 2.0]),
    "b": ([5.0, 5.0, 5.0, 5.0], [5.0, 6.0, None, None]),
    "c": ([None, None, None, None], [4.0, 1.0, 10.0, 3.0]),
    "d": ([2.0, 3.0, 9.0, 10.0], [9.0, 9.0, 8.0, 1.0]),
}
PAIRS = [
    PreferencePair(pair_id=pid, prompt=f"question {pid}?", chosen=f"answer yes {pid}", rejected=f"answer no {pid}")
    for pid in SCORES
]
TOKENIZER = build_tiny_tokenizer()


class FakeEngine:
    """Stands in for OpenRLHF's vLLM actor: reads which pair and side the judge prompt is
    about and answers with that side's next canned judgment, after a random delay."""

    def __init__(self, executor: Any = None, seed: int = 0) -> None:
        self.executor = executor
        self.queues: dict[tuple[str, str], list[float | None]] = {
            (pid, role): list(sides[k])
            for pid, sides in SCORES.items()
            for k, role in enumerate(("chosen", "rejected"))
        }
        self.rng = random.Random(seed)

    async def generate(self, prompt_token_ids: list[int], sampling_params: Any, multi_modal_data: Any = None) -> Any:
        text = TOKENIZER.decode(prompt_token_ids)
        pid = next(p for p in SCORES if f"question {p}?" in text)
        role = "chosen" if f"answer yes {pid}" in text else "rejected"
        score = self.queues[(pid, role)].pop(0)
        await asyncio.sleep(self.rng.random() / 50)
        reply = format_judgment(int(score), rationale="fine") if score is not None else "no verdict"
        ids = TOKENIZER(reply, add_special_tokens=False)["input_ids"]
        return SimpleNamespace(
            outputs=[SimpleNamespace(token_ids=ids, text=reply, finish_reason="stop", logprobs=None)]
        )


def params() -> Any:
    return SimpleNamespace(max_tokens=64, logprobs=None)


def expected_by_score() -> dict[tuple[str, str, float | None], float]:
    """Reward of a rollout depends only on its pair, side and score (and the partner mean)."""
    out = {}
    for pid, (c, r) in SCORES.items():
        wc, wr = total_rewards(c, r)
        out.update({(pid, "chosen", s): v for s, v in zip(c, wc, strict=True)})
        out.update({(pid, "rejected", s): v for s, v in zip(r, wr, strict=True)})
    return out


@pytest.fixture(autouse=True)
def fresh_rendezvous(monkeypatch: pytest.MonkeyPatch) -> None:
    from patarm.rendezvous import clear_shared

    clear_shared()
    monkeypatch.setenv("PATARM_ROLLOUTS_PER_SIDE", str(N))
    monkeypatch.setenv("PATARM_TIMEOUT_S", "30")


def test_reward_func_through_openrlhf_single_turn_executor() -> None:
    rows = openrlhf_rows(PAIRS, mode="side-row")

    async def main() -> list[dict[str, Any]]:
        # Built inside the running loop, as in OpenRLHF's async engine actor.
        executor = agent.SingleTurnAgentExecutor(REWARD_FUNC_PATH)
        engine = FakeEngine()
        calls = []
        for row in rows:
            prompt = TOKENIZER.apply_chat_template(row["input"], tokenize=False, add_generation_prompt=True)
            for _ in range(N):  # n samples per prompt, all rows at once: 32 concurrent reward threads
                calls.append(executor.execute(prompt, row["label"], params(), 4096, TOKENIZER, engine))
        outs = await asyncio.gather(*calls)
        return [dict(o, served=s) for o, s in zip(outs, served_scores(outs), strict=True)]

    outs = asyncio.run(main())
    want = expected_by_score()
    for out in outs:
        info = unpack_label(out["label"])
        assert out["reward"] is not None, "OpenRLHF swallowed an exception from reward_func"
        score = out["served"]
        assert float(out["reward"]) == want[(info["pair_id"], info["role"], score)]
        assert float(out["extra_logs"]["par_timeout"]) == 0.0
    assert sum(float(o["extra_logs"]["par_malformed"]) for o in outs) == 7


def served_scores(outs: list[dict[str, Any]]) -> list[float | None]:
    """The score each output was served, read back from its own response tokens."""
    from patarm.parsing import parse_judgment

    served = []
    for out in outs:
        start, end = out["action_ranges"][0]
        served.append(parse_judgment(TOKENIZER.decode(out["observation_tokens"][start:end])).score)
    return served


def test_reward_func_times_out_without_partner(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATARM_TIMEOUT_S", "0.3")
    rows = openrlhf_rows(PAIRS[:1], mode="side-row")[:1]  # the chosen side only

    async def main() -> list[dict[str, Any]]:
        executor = agent.SingleTurnAgentExecutor(REWARD_FUNC_PATH)
        prompt = TOKENIZER.apply_chat_template(rows[0]["input"], tokenize=False, add_generation_prompt=True)
        engine = FakeEngine()
        calls = [executor.execute(prompt, rows[0]["label"], params(), 4096, TOKENIZER, engine) for _ in range(N)]
        return list(await asyncio.gather(*calls))

    outs = asyncio.run(main())
    assert sorted(float(o["reward"]) for o in outs) == sorted([0.0, 0.0, -1.0, 0.0])
    assert all(float(o["extra_logs"]["par_timeout"]) == 1.0 for o in outs)


def test_bad_label_is_reported_not_silently_scored() -> None:
    from patarm.adapters.openrlhf import PARRewardFunc

    with pytest.raises(ValueError, match="label: expected a JSON object"):
        PARRewardFunc()(["q"], ["p"], ["not json"])


@pytest.fixture
def vllm_engine_module(monkeypatch: pytest.MonkeyPatch) -> Any:
    for name in ("vllm", "vllm.inputs", "vllm.utils"):
        monkeypatch.setitem(sys.modules, name, MagicMock())
    pytest.importorskip("ray")
    from openrlhf.trainer.ray import vllm_engine

    return vllm_engine


def test_pair_agent_through_openrlhf_loader(vllm_engine_module: Any) -> None:
    rows = openrlhf_rows(PAIRS, mode="pair-row")
    executor = vllm_engine_module._load_agent_executor(PAIR_AGENT_PATH)  # OpenRLHF's own loader and checks
    generate_responses = vllm_engine_module.RolloutRayActor.__ray_metadata__.modified_class.generate_responses

    async def main() -> list[list[dict[str, Any]]]:
        engine = FakeEngine(executor, seed=1)
        calls = [
            generate_responses(engine, prompt="ignored", label=row["label"], sampling_params=params(),
                               max_length=4096, hf_tokenizer=TOKENIZER, num_samples=2 * N)
            for row in rows
        ]  # fmt: skip
        return list(await asyncio.gather(*calls))

    groups = asyncio.run(main())
    want = expected_by_score()
    for row, group in zip(rows, groups, strict=True):
        pid = unpack_label(row["label"], need=("pair_id",))["pair_id"]
        assert len(group) == 2 * N
        roles = ["chosen" if o["extra_logs"]["par_chosen_side"] else "rejected" for o in group]
        assert roles == ["chosen"] * N + ["rejected"] * N  # OpenRLHF's group = one pair, sides in order
        scores = served_scores(group)
        raw = [o["scores"] for o in group]
        assert raw == [want[(pid, role, s)] for role, s in zip(roles, scores, strict=True)]
        for side in (group[:N], group[N:]):  # centred per side: OpenRLHF's group baseline acts per side
            assert sum(o["reward"] for o in side) == pytest.approx(0.0, abs=1e-12)


def test_pair_agent_needs_rollouts_per_side(vllm_engine_module: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PATARM_ROLLOUTS_PER_SIDE")
    with pytest.raises(ValueError, match="PATARM_ROLLOUTS_PER_SIDE"):
        vllm_engine_module._load_agent_executor(PAIR_AGENT_PATH)


def test_rows_pack_what_the_hooks_read() -> None:
    side_rows = openrlhf_rows(PAIRS, mode="side-row")
    assert [unpack_label(r["label"])["role"] for r in side_rows[:2]] == ["chosen", "rejected"]
    pair_rows = openrlhf_rows(PAIRS, mode="pair-row")
    assert len(pair_rows) == len(PAIRS)
    counts: dict[str, int] = defaultdict(int)
    for r in pair_rows:
        info = unpack_label(r["label"], need=("pair_id", "chosen_messages", "rejected_messages"))
        counts[info["pair_id"]] += 1
    assert set(counts.values()) == {1}
