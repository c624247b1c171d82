"""OpenAIBackend over several replicas: three real stand-in judge servers on 127.0.0.1 (each stands
in for one vLLM server of a multi-node judge), one killed mid-run; least-outstanding routing; the
routing choice as a pure function, property-tested; the CLI's repeated and comma-separated
``--base-url`` and its per-replica summary."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from patarm.backends import OpenAIBackend, ReplicaStats
from patarm.backends._replicas import ReplicaPicker, choose
from patarm.judges import JudgeConfig, PointwiseItem, PointwiseJudge
from patarm.testing.servers import ServerUnavailable, free_port
from patarm.testing.standin import answered_ids, standin_servers

SCALE = (0, 1_000_000)  # the stand-in scores an item with its ID


def _items(count: int) -> list[PointwiseItem]:
    return [PointwiseItem("Say something.", f"ID={i} a response", "chat") for i in range(count)]


def _judge(backend: OpenAIBackend) -> PointwiseJudge:
    return PointwiseJudge(backend, JudgeConfig(scale=SCALE, samples=1, tiers="primary", temperature=0.0))


@pytest.fixture
def three(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[list[tuple[str, subprocess.Popen[bytes], Path]]]:
    """Three stand-in judge servers: (url, process, answer log); latencies from the test's param."""
    latencies = getattr(request, "param", (0.02, 0.02, 0.02))
    logs = [tmp_path / f"replica{i}.log" for i in range(len(latencies))]
    try:
        with standin_servers(logs, latencies_s=latencies, max_concurrency=2) as servers:
            yield [(url, proc, log) for (url, proc), log in zip(servers, logs, strict=True)]
    except ServerUnavailable as exc:
        pytest.skip(str(exc))


def test_a_replica_killed_mid_run_loses_no_item_and_judges_none_twice(
    three: list[tuple[str, subprocess.Popen[bytes], Path]],
) -> None:
    items = _items(120)
    urls = [url for url, _, _ in three]
    backend = OpenAIBackend(urls, "judge", max_concurrency=6, timeout_s=10.0, backoff_s=0.05, replica_cooldown_s=0.2)
    results: list[object] = []
    failure: list[BaseException] = []

    def run() -> None:
        try:
            results.extend(_judge(backend).judge_many(items))
        except BaseException as exc:  # reported below, in the test's thread
            failure.append(exc)

    worker = threading.Thread(target=run)
    worker.start()
    _, victim, victim_log = three[1]
    deadline = time.monotonic() + 30
    while len(answered_ids(victim_log)) < 5:  # killed once it has served a few, with more in flight
        assert time.monotonic() < deadline and worker.is_alive(), f"replica 1 never served: {failure}"
        time.sleep(0.005)
    os.kill(victim.pid, signal.SIGKILL)
    victim.wait(10)
    worker.join(60)
    assert not failure, failure
    # In the results: each item once, with its own score (none lost, none judged twice, none mixed up).
    assert [r.score for r in results] == [float(i) for i in range(len(items))]  # type: ignore[attr-defined]
    # On the servers: every item answered; the live replicas answered each item at most once (only an
    # answer the killed one wrote down but never delivered can be judged again elsewhere).
    logs = [answered_ids(log) for _, _, log in three]
    assert set().union(*logs) == {str(i) for i in range(len(items))}
    live = Counter(logs[0] + logs[2])
    assert max(live.values()) == 1
    assert len(logs[0]) + len(logs[2]) + len(set(logs[1])) >= len(items)
    stats = backend.replica_stats()
    assert [s.url for s in stats] == [u + "/v1" for u in urls]
    assert stats[1].failures >= 1 and stats[1].rested >= 1
    assert stats[0].failures == stats[2].failures == 0
    assert all(s.in_flight == 0 for s in stats)
    assert sum(s.requests for s in stats) == backend.requests
    assert backend.failures == 0  # every request ended well: the failed attempts were retried elsewhere


def test_least_outstanding_routing_spreads_load(three: list[tuple[str, subprocess.Popen[bytes], Path]]) -> None:
    items = _items(90)
    backend = OpenAIBackend([url for url, _, _ in three], "judge", max_concurrency=6, timeout_s=10.0)
    results = _judge(backend).judge_many(items)
    assert [r.score for r in results] == [float(i) for i in range(len(items))]
    counts = [len(answered_ids(log)) for _, _, log in three]
    assert sum(counts) == len(items)
    assert min(counts) >= len(items) // 6, counts  # each got a share
    assert [s.requests for s in backend.replica_stats()] == counts


@pytest.mark.parametrize("three", [(0.25, 0.01, 0.01)], indirect=True)
def test_a_slow_replica_gets_fewer_requests(three: list[tuple[str, subprocess.Popen[bytes], Path]]) -> None:
    # Round-robin would give each a third; least-outstanding sends work where requests finish.
    backend = OpenAIBackend([url for url, _, _ in three], "judge", max_concurrency=6, timeout_s=10.0)
    _judge(backend).judge_many(_items(90))
    slow, fast1, fast2 = (s.requests for s in backend.replica_stats())
    assert slow < 90 // 3 and slow < fast1 and slow < fast2, (slow, fast1, fast2)


def test_all_replicas_down_still_retries_under_the_policy_and_names_them() -> None:
    urls = [f"http://u:secret-pw@127.0.0.1:{free_port()}" for _ in range(2)]
    backend = OpenAIBackend(urls, "judge", max_retries=3, backoff_s=0.01, timeout_s=2.0, replica_cooldown_s=0.01)
    with pytest.raises(Exception, match="after 4 attempts") as info:
        backend.generate(["hi"], _params())
    assert "secret-pw" not in str(info.value)
    stats = backend.replica_stats()
    assert sum(s.requests for s in stats) == 4 and all(s.requests == 2 for s in stats)  # alternated
    assert all(s.rested >= 1 for s in stats)
    assert "secret-pw" not in repr(backend) + repr(stats)


def test_several_urls_in_one_string_and_checks() -> None:
    backend = OpenAIBackend("http://a:8000, http://b:8000/v1,", "m")
    assert backend.base_urls == ("http://a:8000/v1", "http://b:8000/v1")
    assert backend.base_url == "http://a:8000/v1"
    assert "['http://a:8000/v1', 'http://b:8000/v1']" in repr(backend)
    with pytest.raises(ValueError, match="twice"):
        OpenAIBackend(["http://a:8000", "http://a:8000/v1"], "m")
    with pytest.raises(ValueError, match="no server"):
        OpenAIBackend(" , ", "m")
    with pytest.raises(ValueError, match="http://"):
        OpenAIBackend(["http://a:8000", "ftp://b"], "m")


def _params() -> object:
    from patarm.backends import SamplingParams

    return SamplingParams(n=1, temperature=0.0, max_new_tokens=8, seed=0)


# ----- the choice, as a pure function -----

states = st.integers(1, 6).flatmap(
    lambda n: st.tuples(
        st.lists(st.integers(0, 5), min_size=n, max_size=n),
        st.lists(st.sampled_from([0.0, 0.5, 1.0, 2.0, 3.0]), min_size=n, max_size=n),
        st.integers(0, n - 1),
        st.none() | st.integers(0, n - 1),
    )
)


@given(states, st.sampled_from([0.0, 1.0, 2.5]))
def test_choose_never_rests_a_live_choice_and_takes_the_least_outstanding(
    state: tuple[list[int], list[float], int, int | None], now: float
) -> None:
    in_flight, rest_until, cursor, avoid = state
    pick = choose(in_flight, rest_until, now, cursor, avoid)
    live = [i for i in range(len(in_flight)) if rest_until[i] <= now]
    if not live:
        assert rest_until[pick] == min(rest_until)  # all rest: the one whose rest ends first
        return
    assert pick in live  # never a resting replica while a live one exists
    pool = [i for i in live if i != avoid] if len(live) > 1 and avoid is not None else live
    assert pick in pool  # a retry goes elsewhere when it can
    assert in_flight[pick] == min(in_flight[i] for i in pool)  # fewest in flight
    ties = [i for i in pool if in_flight[i] == in_flight[pick]]
    assert pick == min(ties, key=lambda i: (i - cursor) % len(in_flight))  # first tie from the cursor


@given(st.integers(1, 6), st.integers(1, 30))
def test_equal_replicas_take_turns(count: int, picks: int) -> None:
    picker = ReplicaPicker(count)
    got = []
    for _ in range(picks):
        index = picker.start(picker.pick(now=0.0))
        picker.finish(index, ok=True, now=0.0)
        got.append(index)
    assert got == [i % count for i in range(picks)]


def test_rest_doubles_on_failures_in_a_row_and_resets_on_success() -> None:
    picker = ReplicaPicker(2, cooldown_s=1.0, max_cooldown_s=3.0)
    rests = []
    for now in (0.0, 10.0, 20.0, 30.0):
        picker.start(0)
        picker.finish(0, ok=False, now=now)
        rests.append(picker.rest_until[0] - now)
    assert rests == [1.0, 2.0, 3.0, 3.0]  # doubling, capped
    picker.start(0)
    picker.finish(0, ok=True, now=40.0)
    picker.start(0)
    picker.finish(0, ok=False, now=50.0)
    assert picker.rest_until[0] == 51.0  # back to the first rest after a success
    picker.start(1)
    picker.finish(1, ok=None, now=50.0)  # a client error says nothing about the replica
    assert picker.rest_until[1] == 0.0 and picker.failures[1] == 0
    assert picker.pick(now=50.5) == 1  # 0 rests, 1 is live
    stats = picker.stats(["a", "b"], now=50.5)
    assert stats[0] == ReplicaStats("a", requests=6, failures=5, in_flight=0, rested=5, resting=True)


def test_attempts_in_flight_when_a_replica_dies_rest_it_once() -> None:
    picker = ReplicaPicker(2, cooldown_s=1.0)
    for _ in range(5):
        picker.start(0)
    for _ in range(5):  # all five fail together (the server died)
        picker.finish(0, ok=False, now=0.0)
    assert picker.rest_until[0] == 1.0 and picker.rested[0] == 1 and picker.failures[0] == 5
    picker.start(0)
    picker.finish(0, ok=False, now=1.5)  # the first try after the rest fails too: twice as long
    assert picker.rest_until[0] == 3.5 and picker.rested[0] == 2


# ----- the command line -----


def test_judge_cli_takes_replicas_and_reports_each(
    three: list[tuple[str, subprocess.Popen[bytes], Path]], tmp_path: Path
) -> None:
    rows = [{"id": f"r{i}", "prompt": "Say something.", "response": f"ID={i} hi"} for i in range(12)]
    data = tmp_path / "rows.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows))
    first = three[0][0].replace("http://", "http://judge:cli-secret@")
    args = ["judge", "--backend", "openai", "--model", "judge", "--scale", "0", "1000000", "--temperature", "0"]
    args += ["--base-url", first, "--base-url", f"{three[1][0]},{three[2][0]}", "--domain", "chat"]
    args += ["-i", str(data), "-o", str(tmp_path / "out.jsonl")]
    done = subprocess.run([sys.executable, "-m", "patarm", *args], capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    lines = [line for line in done.stdout.splitlines() if line.startswith("replica ")]
    assert len(lines) == 3, done.stdout
    assert lines[0].startswith(f"replica {three[0][0].replace('http://', 'http://***@')}/v1: ")
    assert "cli-secret" not in done.stdout + done.stderr
    assert sum(int(line.split(": ")[1].split(" requests")[0]) for line in lines) == len(rows)
    out = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert [o["id"] for o in out] == [r["id"] for r in rows]


# A URL as a user writes one: scheme, host, port, and a path or query that may hold commas.
_URLS = st.builds(
    lambda scheme, host, port, tail: f"{scheme}://{host}:{port}{tail}",
    st.sampled_from(["http", "https"]),
    st.from_regex(r"[a-z][a-z0-9-]{0,10}", fullmatch=True),
    st.integers(1, 65535),
    st.sampled_from(["", "/v1", "/v1?tags=a,b", "/judge,2/v1", "/v1?x=1,,2"]),
)


@given(st.lists(_URLS, min_size=1, max_size=5), st.sampled_from([",", ", ", " ,  "]))
def test_urls_joined_by_commas_split_back_and_commas_inside_a_url_stay(urls: list[str], sep: str) -> None:
    from patarm.backends._openai import split_urls

    assert split_urls(sep.join(urls)) == urls
    assert split_urls(urls) == urls
    assert split_urls([sep.join(urls[:1]), *urls[1:]]) == urls
