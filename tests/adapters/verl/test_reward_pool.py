"""patarm's verl reward function judging inside verl's own reward-model pool, on a CPU.

verl's own classes run here: its ``RewardLoopWorker`` (which loads the judge tokenizer and the
custom reward function from the config, as its Ray actors do) calls our ``compute_score`` through
its ``naive`` reward manager with ``reward_router_address`` and ``reward_model_tokenizer``, and verl's
``NaiveRouter`` forwards the judge requests. Behind the router, a stand-in for verl's GPU judge
servers: a real OpenAI-compatible chat server on 127.0.0.1 that answers with scripted judgments
(``SCORE=7,9`` in the judged response: two samples scoring 7 and 9; ``none``: an output with no
score), so the prompts it receives and the rewards that come back can be checked exactly.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from patarm import format_judgment
from patarm.testing.tiny import build_tiny_tokenizer

omegaconf = pytest.importorskip("omegaconf")
torch = pytest.importorskip("torch")
pytest.importorskip("verl.experimental.reward_loop", reason="needs verl >= 0.9 (the reward loop)")
pytest.importorskip("starlette")
pytest.importorskip("uvicorn")

from verl import DataProto  # noqa: E402
from verl.experimental.reward_loop.reward_loop import RewardLoopWorker  # noqa: E402

from patarm.adapters.verl import compute_score  # noqa: E402
from patarm.backends import FunctionBackend  # noqa: E402
from patarm.judges import PointwiseJudge  # noqa: E402
from patarm.serve._run import ServerThread  # noqa: E402

REWARD_FILE = Path(__file__).parents[3] / "examples" / "policy" / "verl_reward.py"
MARK = re.compile(r"SCORE=([0-9a-z,]+)")
QUESTION = "Name a prime number."
# (judged response, the stand-in's sample scores, expected reward, malformed, fallback)
CASES = [
    ("Seven. SCORE=7,9", [7, 9], 8.0, 0.0, 0.0),  # two samples, voted (mean)
    ("Eleven. SCORE=6,none", [6, None], 6.0, 0.0, 0.0),  # one sample unparseable: the other's score
    ("Gibberish. SCORE=none,none", [None, None], 1.0, 1.0, 1.0),  # none parses: fallback (scale low end)
]


class JudgeStandIn:
    """An OpenAI-compatible ``/v1/chat/completions`` on 127.0.0.1 standing in for verl's GPU judge
    servers: it records each request and answers ``n`` scripted judgments per request."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []

    def app(self) -> Any:
        from starlette.applications import Starlette
        from starlette.requests import Request
        from starlette.responses import JSONResponse
        from starlette.routing import Route

        async def chat(request: Request) -> JSONResponse:
            body = await request.json()
            self.requests.append(body)
            match = MARK.search(body["messages"][-1]["content"])
            scripted = match.group(1).split(",") if match else ["none"]
            n = int(body.get("n", 1))
            texts = [
                "I cannot tell." if s == "none" else format_judgment(int(s), rationale="scripted")
                for s in (scripted * n)[:n]
            ]
            choices = [
                {"index": i, "message": {"role": "assistant", "content": t}, "finish_reason": "stop"}
                for i, t in enumerate(texts)
            ]
            return JSONResponse({"object": "chat.completion", "model": body["model"], "choices": choices})

        return Starlette(routes=[Route("/v1/chat/completions", chat, methods=["POST"])])


@pytest.fixture(scope="module")
def tokenizer_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The policy's and the judge's tokenizer (verl loads both from a path)."""
    path = tmp_path_factory.mktemp("tok")
    build_tiny_tokenizer().save_pretrained(path)
    return path


@pytest.fixture(scope="module")
def pool() -> Iterator[tuple[JudgeStandIn, str]]:
    """(the stand-in judge server, ``host:port`` of verl's NaiveRouter in front of it)."""
    from verl.experimental.reward_loop.router.naive_router import NaiveRouter

    standin = JudgeStandIn()
    with ServerThread(standin.app()) as judge_server:
        router = NaiveRouter(worker_urls=[judge_server.url])
        with ServerThread(router.app) as router_server:
            yield standin, router_server.url.removeprefix("http://")


def pool_config(tokenizer_dir: Path, name: str, **reward_kwargs: Any) -> Any:
    """A verl config as ``main_ppo`` hands it to its reward workers: the judge in verl's pool, our reward file."""
    return omegaconf.OmegaConf.create(
        {
            "actor_rollout_ref": {"model": {"path": str(tokenizer_dir), "tokenizer_path": None}},
            "reward": {
                "num_workers": 1,
                "custom_reward_function": {
                    "path": str(REWARD_FILE),
                    "name": name,
                    "reward_kwargs": {"judge": {"samples": 2}, **reward_kwargs},
                },
                "reward_manager": {"source": "register", "name": "naive", "module": {"path": None, "name": None}},
                "reward_model": {"enable": True, "model_path": str(tokenizer_dir)},
            },
        }
    )


def trajectories(tokenizer: Any, responses: list[str]) -> DataProto:
    """A batch shaped as verl's trainer holds it: left-padded prompts, right-padded responses,
    the prompt text in ``extra_info`` (verl hands the reward function only the response)."""
    pad = tokenizer.pad_token_id
    prompt_ids = [tokenizer(QUESTION)["input_ids"] for _ in responses]
    response_ids = [tokenizer(r)["input_ids"] for r in responses]
    p_len = max(map(len, prompt_ids))
    r_len = max(map(len, response_ids))
    prompts = [[pad] * (p_len - len(p)) + p for p in prompt_ids]
    resp = [r + [pad] * (r_len - len(r)) for r in response_ids]
    masks = [
        [0] * (p_len - len(p)) + [1] * len(p) + [1] * len(r) + [0] * (r_len - len(r))
        for p, r in zip(prompt_ids, response_ids, strict=True)
    ]
    batch = {
        "prompts": torch.tensor(prompts),
        "responses": torch.tensor(resp),
        "input_ids": torch.cat([torch.tensor(prompts), torch.tensor(resp)], dim=1),
        "attention_mask": torch.tensor(masks),
    }
    count = len(responses)
    non_tensor = {
        "data_source": np.array(["chat_prompts"] * count, dtype=object),
        "reward_model": np.array([{"style": "model", "ground_truth": ""}] * count, dtype=object),
        "extra_info": np.array([{"prompt": QUESTION, "domain": "chat", "index": i} for i in range(count)]),
    }
    return DataProto.from_dict(tensors=batch, non_tensors=non_tensor)


@pytest.mark.parametrize("name", ["compute_score", "compute_score_async"])
def test_verl_worker_judges_through_its_router(pool: tuple[JudgeStandIn, str], tokenizer_dir: Path, name: str) -> None:
    standin, address = pool
    standin.requests.clear()
    worker = RewardLoopWorker(pool_config(tokenizer_dir, name), reward_router_address=address)
    tokenizer = worker.input_tokenizer
    responses = [tokenizer.decode(tokenizer(r)["input_ids"], skip_special_tokens=True) for r, *_ in CASES]
    assert [MARK.search(r) is not None for r in responses] == [True] * len(CASES)  # the marks survive decoding

    batch = trajectories(tokenizer, [c[0] for c in CASES])
    # verl's naive manager runs on the loop it was built on, as in verl's Ray actor
    outputs = worker.reward_manager.loop.run_until_complete(worker.compute_score_batch(batch))

    assert [o["reward_score"] for o in outputs] == [c[2] for c in CASES]
    infos = [o["reward_extra_info"] for o in outputs]
    assert [(i["judge_malformed"], i["judge_fallback"]) for i in infos] == [(c[3], c[4]) for c in CASES]
    assert sum(i["judge_fallback"] for i in infos) == 1  # what verl averages into its metrics
    # the judge's own prompts reached the servers, one request of n=2 samples per trajectory
    prompts = PointwiseJudge(FunctionBackend(lambda prompt, seed: "")).prompts
    want = {str(prompts.pointwise(QUESTION, r, "chat")) for r in responses}
    assert {str(body["messages"]) for body in standin.requests} == want
    assert len(standin.requests) == len(CASES)
    assert {body["n"] for body in standin.requests} == {2}
    assert {body["model"] for body in standin.requests} == {str(tokenizer_dir)}  # the name verl's servers serve


@pytest.mark.slow
def test_a_real_model_server_behind_verls_router(tmp_path: Path) -> None:
    """``transformers serve`` of the tiny random judge behind verl's router: the request verl's
    worker makes reaches a real model server under the name verl would use (the judge's local
    path, which that server loads), and the random model's unparseable judgments all get the
    fallback reward and are counted."""
    from verl.experimental.reward_loop.router.naive_router import NaiveRouter

    from patarm.testing import save_tiny_model
    from patarm.testing.servers import ServerUnavailable, transformers_serve

    model = save_tiny_model(tmp_path / "judge")
    try:
        with transformers_serve(model, tmp_path, threads=1) as judge_url:
            router = NaiveRouter(worker_urls=[judge_url])
            with ServerThread(router.app) as router_server:
                config = pool_config(model, "compute_score_async", timeout_s=120.0)
                config.reward.custom_reward_function.reward_kwargs.judge = {"max_new_tokens": 8, "temperature": 0}
                worker = RewardLoopWorker(config, reward_router_address=router_server.url.removeprefix("http://"))
                batch = trajectories(worker.input_tokenizer, ["Two.", "Three is prime."])
                outputs = worker.reward_manager.loop.run_until_complete(worker.compute_score_batch(batch))
    except ServerUnavailable as exc:
        pytest.skip(str(exc))
    assert [o["reward_score"] for o in outputs] == [1.0, 1.0]
    assert [(o["reward_extra_info"]["judge_malformed"], o["reward_extra_info"]["judge_fallback"]) for o in outputs] == [
        (1.0, 1.0),
        (1.0, 1.0),
    ]


def test_model_and_judge_settings_come_from_reward_kwargs(pool: tuple[JudgeStandIn, str], tokenizer_dir: Path) -> None:
    standin, address = pool
    standin.requests.clear()
    result = compute_score(
        "chat_prompts",
        "Two. SCORE=9",
        None,
        {"prompt": QUESTION, "domain": "chat"},
        reward_router_address=address,
        reward_model_tokenizer=None,
        model="judge",
        judge=omegaconf.OmegaConf.create({"samples": 3, "temperature": 0.5, "scale": [1, 10]}),
        extra_body={"chat_template_kwargs": {"enable_thinking": False}},
    )
    assert result == {"score": 9.0, "judge_malformed": 0.0, "judge_fallback": 0.0}
    (body,) = standin.requests
    assert (body["model"], body["n"], body["temperature"]) == ("judge", 3, 0.5)
    assert body["chat_template_kwargs"] == {"enable_thinking": False}


def test_fallback_reward_applies_in_the_pool(pool: tuple[JudgeStandIn, str]) -> None:
    _, address = pool
    result = compute_score(
        "chat_prompts", "SCORE=none", None, {"prompt": QUESTION}, reward_router_address=address, model="judge",
        fallback_reward=-1.0,
    )  # fmt: skip
    assert result == {"score": -1.0, "judge_malformed": 1.0, "judge_fallback": 1.0}


def test_bad_settings_are_named() -> None:
    info = {"prompt": QUESTION}
    with pytest.raises(ValueError, match=r"reward_kwargs\.judge: JudgeConfig\.samples"):
        compute_score("s", "r", None, info, reward_router_address="127.0.0.1:9", model="m", judge={"samples": 0})
    with pytest.raises(ValueError, match=r"reward_kwargs\.model"):
        compute_score("s", "r", None, info, reward_router_address="127.0.0.1:9")
    with pytest.raises(ValueError, match="two judges named"):
        compute_score("s", "r", None, info, reward_router_address="127.0.0.1:9", url="http://judge:8000", model="m")


FORGET = "for name in [m for m in sys.modules if m.startswith('verl.workers.reward_manager')]: del sys.modules[name]"
BLOCKS = {
    "sys.modules": FORGET + "\nsys.modules['verl.workers.reward_manager'] = None",
    "meta_path": FORGET
    + textwrap.dedent(
        """
        import importlib.abc
        class Gone(importlib.abc.MetaPathFinder):
            def find_spec(self, name, path=None, target=None):
                if name == 'verl.workers.reward_manager' or name.startswith('verl.workers.reward_manager.'):
                    raise ModuleNotFoundError(f'No module named {name!r}', name=name)
                return None
        sys.meta_path.insert(0, Gone())
        """
    ),
}
# verl 0.9's reward-loop registry still imports the legacy package (its rate-limited manager
# registers there too), so the registry is imported first; then the legacy package goes, and
# patarm's plugin is loaded through its entry point, as `import verl` loads it.
PLUGIN_WITHOUT_LEGACY = """
import importlib.metadata, sys
import verl
from verl.experimental.reward_loop.reward_manager import get_reward_manager_cls
{block}
(entry,) = [e for e in importlib.metadata.entry_points(group='verl.plugins') if e.name == 'patarm']
plugin = entry.load()
print(get_reward_manager_cls('patarm_par').__name__, plugin.legacy_registered,
      'patarm.adapters.verl._legacy' in sys.modules)
"""


@pytest.mark.parametrize("block", sorted(BLOCKS))
def test_plugin_registers_patarm_par_without_the_legacy_managers(block: str) -> None:
    """verl without ``verl.workers.reward_manager`` (the legacy batch managers, planned to go):
    patarm's plugin still registers ``patarm_par`` and leaves ``patarm_pair`` out."""
    code = PLUGIN_WITHOUT_LEGACY.replace("{block}", BLOCKS[block])
    env = {**os.environ, "VERL_USE_EXTERNAL_PLUGINS": "none"}  # `import verl` leaves the plugin to the test
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, env=env)
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.split() == ["PARRewardLoopManager", "False", "False"]


def test_plugin_registers_both_managers_with_the_legacy_managers() -> None:
    code = PLUGIN_WITHOUT_LEGACY.replace("{block}", "")
    env = {**os.environ, "VERL_USE_EXTERNAL_PLUGINS": "none"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, env=env)
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.split() == ["PARRewardLoopManager", "True", "True"]
