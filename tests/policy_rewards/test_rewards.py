"""Policy rewards through the judge core: TRL's JudgeReward (in-process and via a real server), verl's
compute_score (via a real server), the HTTP client's errors."""

from __future__ import annotations

import asyncio
import pickle
import re
from collections.abc import Iterator
from typing import Any

import pytest

from patarm.adapters.trl import JudgeReward
from patarm.adapters.verl import compute_score, compute_score_async
from patarm.backends import FunctionBackend
from patarm.errors import InputError
from patarm.judges import JudgeConfig, PointwiseJudge
from patarm.policy_rewards import JudgeClient, JudgeServerError

_RESPONSE = re.compile(r"<response>\s*(.*?)\s*</response>", re.DOTALL)
_TASK = re.compile(r"<task>(\w+)</task>")


def length_judge(prompt: str, seed: int | None) -> str:
    """Score = number of words in the response (1-10); "MALFORMED" -> no answer tag; the rationale names the domain."""
    found = _RESPONSE.search(prompt)
    response = found.group(1) if found else ""
    if "MALFORMED" in response:
        return "no score today"
    domain = _TASK.search(prompt)
    words = min(10, max(1, len(response.split())))
    named = domain.group(1) if domain else "?"
    return f"<criteria>length</criteria><rationale>{named}</rationale><answer>{words}</answer>"


def make_judge() -> PointwiseJudge:
    return PointwiseJudge(FunctionBackend(length_judge), JudgeConfig(temperature=0))


class Metrics:
    def __init__(self) -> None:
        self.logged: dict[str, float] = {}

    def __call__(self, name: str, value: float) -> None:
        self.logged[name] = value


PROMPTS = ["Say hi.", [{"role": "user", "content": "Answer in exactly three words."}], "What is 2+2?"]
COMPLETIONS = ["hi there friend", [{"role": "assistant", "content": "one two three"}], "MALFORMED"]


def test_in_process_reward_scores_each_completion() -> None:
    reward = JudgeReward(judge=make_judge())
    metrics = Metrics()
    out = reward(prompts=PROMPTS, completions=COMPLETIONS, completion_ids=None, log_metric=metrics)
    assert out == [3.0, 3.0, None]  # None: the judge's output did not parse, TRL leaves it out
    assert metrics.logged["judge/malformed_rate"] == pytest.approx(1 / 3)
    assert metrics.logged["judge/fallback_rate"] == 0.0
    assert metrics.logged["judge/mean_score"] == 3.0
    with_fallback = JudgeReward(judge=make_judge(), fallback_reward=-1.0)
    assert with_fallback(prompts=PROMPTS, completions=COMPLETIONS, log_metric=metrics) == [3.0, 3.0, -1.0]
    assert metrics.logged["judge/fallback_rate"] == pytest.approx(1 / 3)


def test_domain_comes_from_the_data_then_instruction_rows_then_routing() -> None:
    judge = make_judge()
    seen: list[str] = []
    original = judge.judge_many

    def spy(items: Any, **kwargs: Any) -> Any:
        seen.extend(str(i.domain) for i in items)
        return original(items, **kwargs)

    judge.judge_many = spy  # type: ignore[method-assign]
    reward = JudgeReward(judge=judge)
    reward(prompts=["a", "b"], completions=["x", "y"], domain=["math", None], instruction_id_list=[None, ["k"]])
    assert seen == ["math", "instruction_following"]
    seen.clear()
    JudgeReward(judge=judge, instruction_domain=None, default_domain="chat")(
        prompts=["a"], completions=["x"], instruction_id_list=[["k"]]
    )
    assert seen == ["chat"]
    seen.clear()
    JudgeReward(judge=judge, instruction_domain=None)(prompts=["a"], completions=["x"])
    assert seen == ["None"]  # left to the judge's router


def test_reward_pickles_and_still_works() -> None:
    reward = JudgeReward(judge=make_judge(), fallback_reward=0.5)
    again = pickle.loads(pickle.dumps(reward))
    assert again(prompts=PROMPTS, completions=COMPLETIONS) == [3.0, 3.0, 0.5]
    remote = pickle.loads(pickle.dumps(JudgeReward(url="http://127.0.0.1:1")))
    assert remote.url == "http://127.0.0.1:1" and remote.judge is None


def test_reward_needs_exactly_one_judge() -> None:
    with pytest.raises(ValueError, match="exactly one of judge"):
        JudgeReward()
    with pytest.raises(ValueError, match="exactly one of judge"):
        JudgeReward(judge=make_judge(), url="http://x")
    with pytest.raises(ValueError, match="2 prompts for 1 completions"):
        JudgeReward(judge=make_judge())(prompts=["a", "b"], completions=["x"])


# ----- through a real server -----


@pytest.fixture(scope="module")
def server() -> Iterator[Any]:
    from patarm.serve import ServerThread, ServeSettings, create_app

    app = create_app(make_judge(), ServeSettings(api_key="policy-key", max_wait_ms=2))
    with ServerThread(app) as running:
        yield running


@pytest.mark.slow
def test_trl_reward_via_the_server_matches_in_process(server: Any) -> None:
    remote = JudgeReward(url=server.url, api_key="policy-key", max_items_per_request=2)
    metrics = Metrics()
    assert remote(prompts=PROMPTS, completions=COMPLETIONS, log_metric=metrics) == [3.0, 3.0, None]
    assert metrics.logged["judge/malformed_rate"] == pytest.approx(1 / 3)
    local = JudgeReward(judge=make_judge())
    assert remote(prompts=PROMPTS, completions=COMPLETIONS) == local(prompts=PROMPTS, completions=COMPLETIONS)
    unpickled = pickle.loads(pickle.dumps(remote))
    assert unpickled(prompts=PROMPTS[:1], completions=COMPLETIONS[:1]) == [3.0]


@pytest.mark.slow
def test_client_reports_server_errors_without_retrying_them(server: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PATARM_JUDGE_API_KEY", raising=False)
    with pytest.raises(JudgeServerError, match="HTTP 401: ") as info:
        JudgeClient(server.url).score([{"prompt": "a", "response": "b"}])
    assert info.value.status == 401
    monkeypatch.setenv("PATARM_JUDGE_API_KEY", "policy-key")  # read at call time
    assert JudgeClient(server.url).score([{"prompt": "a", "response": "b c"}])[0].score == 2.0
    with pytest.raises(JudgeServerError, match=r"HTTP 422: .*unknown domain 'poetry'"):
        JudgeClient(server.url).score([{"prompt": "a", "response": "b", "domain": "poetry"}])


def test_client_gives_up_on_a_dead_server_after_its_retries() -> None:
    client = JudgeClient("http://127.0.0.1:9", max_retries=1, backoff_s=0.01, timeout_s=2)
    with pytest.raises(JudgeServerError, match=r"ConnectError.* after 2 attempt"):
        client.score([{"prompt": "a", "response": "b"}])


@pytest.mark.slow
def test_verl_compute_score_via_the_server(server: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATARM_JUDGE_API_KEY", "policy-key")
    info = {"prompt": "Say hi.", "index": 3}
    out = compute_score("chat_data", "hi there friend", None, info, url=server.url)
    assert out == {"score": 3.0, "judge_malformed": 0.0, "judge_fallback": 0.0}
    bad = compute_score("chat_data", "MALFORMED", None, info, url=server.url)
    assert bad == {"score": 1.0, "judge_malformed": 1.0, "judge_fallback": 1.0}  # scale low
    assert compute_score("x", "MALFORMED", None, info, url=server.url, fallback_reward=0.0)["score"] == 0.0
    monkeypatch.setenv("PATARM_JUDGE_URL", server.url)
    ifeval = compute_score(
        "google/IFEval", "a b", "unused", {"question": "Write two words."}, reward_router_address=None
    )
    assert ifeval["score"] == 2.0
    out_async = asyncio.run(compute_score_async("chat_data", "one two three four", None, info))
    assert out_async["score"] == 4.0


def test_verl_compute_score_needs_a_prompt_and_an_address(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PATARM_JUDGE_URL", raising=False)
    with pytest.raises(ValueError, match=r"prompt in extra_info under one of \['prompt', 'question'"):
        compute_score("d", "x", None, {"index": 1}, url="http://127.0.0.1:9")
    with pytest.raises(ValueError, match="PATARM_JUDGE_URL"):
        compute_score("d", "x", None, {"prompt": "p"})


class Flaky:
    """An ASGI app answering 429, then 503, then a good /v1/score result; counts attempts."""

    def __init__(self) -> None:
        self.attempts = 0

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        self.attempts += 1
        status, body = {1: (429, b'{"message": "busy"}'), 2: (503, b'{"message": "restarting"}')}.get(
            self.attempts, (200, b'{"results": [{"score": 4.0, "domain": "chat"}], "scale": [0, 5]}')
        )
        await send(
            {"type": "http.response.start", "status": status, "headers": [(b"content-type", b"application/json")]}
        )
        await send({"type": "http.response.body", "body": body})


@pytest.mark.slow
def test_client_retries_a_busy_server_then_succeeds() -> None:
    from patarm.serve import ServerThread

    app = Flaky()
    with ServerThread(app) as running:
        (result,) = JudgeClient(running.url, backoff_s=0.01).score([{"prompt": "a", "response": "b"}])
    assert app.attempts == 3 and result.score == 4.0 and result.scale == (0.0, 5.0)
    app = Flaky()
    with ServerThread(app) as running, pytest.raises(JudgeServerError, match=r"HTTP 503: restarting after 2 attempts"):
        JudgeClient(running.url, backoff_s=0.01, max_retries=1).score([{"prompt": "a", "response": "b"}])


# ----- reference answers from a dataset column -----

_REFERENCE = re.compile(r"<reference>\s*(.*?)\s*</reference>", re.DOTALL)


def reference_judge(prompt: str, seed: int | None) -> str:
    """10 when the response equals the reference block, 1 when it differs, 5 without a reference."""
    response = _RESPONSE.search(prompt)
    reference = _REFERENCE.search(prompt)
    score = 5 if reference is None else (10 if response and response.group(1) == reference.group(1) else 1)
    return f"<criteria>match</criteria><rationale>r</rationale><answer>{score}</answer>"


def test_the_reference_column_reaches_the_judge_row_by_row() -> None:
    judge = PointwiseJudge(FunctionBackend(reference_judge), JudgeConfig(temperature=0))
    reward = JudgeReward(judge=judge, reference_key="solution")
    prompts, completions = ["2+2?", "3+3?", "Say hi."], ["4", "7", "hi"]
    assert reward(prompts=prompts, completions=completions, solution=["4", 6, None]) == [10.0, 1.0, 5.0]
    assert JudgeReward(judge=judge)(prompts=prompts, completions=completions, solution=["4", "6", None]) == [5.0] * 3
    with pytest.raises(InputError, match=r"reference_key='solution'.*columns seen: \['answer'\]"):
        reward(prompts=prompts, completions=completions, answer=["4", "6", "hi"])


@pytest.mark.slow
def test_the_reference_column_reaches_a_judge_server() -> None:
    from patarm.serve import ServerThread, ServeSettings, create_app

    judge = PointwiseJudge(FunctionBackend(reference_judge), JudgeConfig(temperature=0))
    with ServerThread(create_app(judge, ServeSettings(max_wait_ms=2))) as running:
        reward = JudgeReward(url=running.url, reference_key="solution")
        assert reward(prompts=["2+2?", "3+3?"], completions=["4", "7"], solution=["4", None]) == [10.0, 5.0]
