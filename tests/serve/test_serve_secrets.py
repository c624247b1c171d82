"""``patarm serve`` and credentials, on real servers on 127.0.0.1: percent-encoded keys stay out of
the access log, a key read with a trailing newline still lets clients in, a blank key is refused at
start-up, the exposure warning names the configured variable, and an upstream password in
``--base-url`` never reaches the server's log."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from patarm.testing.servers import free_port

pytest.importorskip("fastapi")
pytest.importorskip("uvicorn")

Server = Any
Launch = Callable[..., Iterator[Server]]
ECHO = str(Path(__file__).parent / "echo_judge.py") + ":judge"

DEBUG = ["--backend", "python", "--model", ECHO, "--scale", "0", "1000000", "--log-level", "debug"]
BODY = {"items": [{"prompt": "p", "response": "ID=3"}]}


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PATARM_JUDGE_API_KEY", "PATARM_SERVE_API_KEY")}
    return {**env, **extra}


@pytest.fixture(scope="module")
def dash_key_server(launch_server: Launch) -> Iterator[Server]:
    """The scripted judge with key ``k-y`` (which a client may send percent-encoded) and debug logs."""
    yield from launch_server(DEBUG, api_key="k-y")


# The query and the status it gets: ``api_key`` (its name and value percent-decoded) is the key.
QUERIES = {
    "?api_key=k%2Dy": 200,
    "?api%5Fkey=k%2Dy": 200,
    "?API_KEY=k%2dy": 401,
    "?x=1&x-api-key=k%2Dy": 401,
    "?client_secret=k%2Dy": 401,
}


@pytest.mark.slow
def test_percent_encoded_key_is_not_in_the_access_log(dash_key_server: Server) -> None:
    for query, status in QUERIES.items():
        response = httpx.post(dash_key_server.url + "/v1/score" + query, json=BODY, timeout=30)
        assert response.status_code == status, query
    time.sleep(0.3)
    log = dash_key_server.all_logs()
    for query in QUERIES:
        assert f"POST /v1/score{query.rsplit('=', 1)[0]}=*** HTTP/1.1" in log
    assert "k%2D" not in log and "k%2d" not in log and "k-y" not in log


@pytest.fixture(scope="module")
def newline_key_server(launch_server: Launch) -> Iterator[Server]:
    """The scripted judge whose key variable ends with a newline, as a key file read whole gives."""
    yield from launch_server(DEBUG, api_key="secret\n")


@pytest.mark.slow
@pytest.mark.parametrize("headers", [{"Authorization": "Bearer secret"}, {"X-API-Key": "secret"}])
def test_a_key_read_with_a_newline_accepts_header_clients(newline_key_server: Server, headers: dict[str, str]) -> None:
    response = httpx.post(newline_key_server.url + "/v1/score", json=BODY, headers=headers, timeout=30)
    assert response.status_code == 200, response.text
    assert httpx.post(newline_key_server.url + "/v1/score", json=BODY, timeout=30).status_code == 401


@pytest.mark.slow
def test_a_key_file_with_a_newline(tmp_path: Path, launch_server: Launch) -> None:
    key = tmp_path / "judge.key"
    key.write_text("from-file\n")
    with contextmanager(launch_server)([*DEBUG, "--api-key-file", str(key)]) as server:
        headers = {"Authorization": "Bearer from-file"}
        assert httpx.post(server.url + "/v1/score", json=BODY, headers=headers, timeout=30).status_code == 200
        assert httpx.post(server.url + "/v1/score", json=BODY, timeout=30).status_code == 401


def test_settings_strip_the_key_and_refuse_a_blank_one() -> None:
    from patarm.errors import ConfigError
    from patarm.serve import ServeSettings

    settings = ServeSettings(api_key="secret\n")
    assert settings.api_key is not None and settings.api_key.get_secret_value() == "secret"
    with pytest.raises(ConfigError, match="the API key is blank"):
        ServeSettings(api_key=" \n")


def _start(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "patarm", "serve", "--port", "0", "--backend", "python", "--model", ECHO, *args]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)


@pytest.mark.parametrize("blank", ["", " \n"])
def test_a_blank_key_variable_is_refused_at_start_up(blank: str) -> None:
    done = _start(["--api-key-env", "JUDGE_KEY"], _env(JUDGE_KEY=blank))
    assert done.returncode == 2, done.stdout + done.stderr
    assert "patarm serve: error: API key variable $JUDGE_KEY is blank" in done.stderr
    assert "Traceback" not in done.stderr and "listening on" not in done.stdout


def test_server_and_clients_share_one_key_variable() -> None:
    """``patarm serve`` reads the variable the clients send the key from, by default."""
    from patarm._secrets import API_KEY_ENV
    from patarm.policy_rewards import _client

    assert API_KEY_ENV == "PATARM_JUDGE_API_KEY" and _client.API_KEY_ENV == API_KEY_ENV
    done = _start([], _env(PATARM_JUDGE_API_KEY=" "))
    assert done.returncode == 2 and "API key variable $PATARM_JUDGE_API_KEY is blank" in done.stderr


def test_the_former_key_variable_still_works_with_a_warning_naming_it() -> None:
    """``$PATARM_SERVE_API_KEY`` (the server's former name) is read with a deprecation warning, and
    messages then name it, the variable actually read."""
    done = _start([], _env(PATARM_SERVE_API_KEY="\n"))
    assert done.returncode == 2, done.stderr
    assert "$PATARM_SERVE_API_KEY is deprecated" in done.stderr
    assert "API key variable $PATARM_SERVE_API_KEY is blank" in done.stderr


def test_server_key_reads_the_former_variable_with_a_deprecation_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    from patarm._secrets import API_KEY_ENV, server_key

    monkeypatch.delenv(API_KEY_ENV, raising=False)
    monkeypatch.setenv("PATARM_SERVE_API_KEY", "old-key\n")
    with pytest.warns(DeprecationWarning, match="PATARM_SERVE_API_KEY"):
        assert server_key(env=API_KEY_ENV) == "old-key"
    monkeypatch.setenv(API_KEY_ENV, "new-key")
    assert server_key(env=API_KEY_ENV) == "new-key"  # the new name wins, silently


def test_a_blank_key_file_is_refused_at_start_up(tmp_path: Path) -> None:
    key = tmp_path / "judge.key"
    key.write_text("\n")
    done = _start(["--api-key-file", str(key)], _env())
    assert done.returncode == 2 and f"API key file '{key}' is blank" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.slow
def test_exposure_warning_names_the_configured_variable() -> None:
    cmd = [sys.executable, "-m", "patarm", "serve", "--host", "0.0.0.0", "--port", "0", "--api-key-env", "JUDGE_KEY"]
    cmd += ["--backend", "python", "--model", ECHO, "--log-level", "warning"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env())
    try:
        assert proc.stdout is not None and "listening on" in proc.stdout.readline()
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=30)
    assert "warning: listening on 0.0.0.0 without an API key" in err
    assert "$JUDGE_KEY" in err and "PATARM_JUDGE_API_KEY" not in err


PASSWORD = "upstream-Pa55word"


@pytest.mark.slow
def test_upstream_password_in_base_url_is_not_in_the_server_log(launch_server: Launch) -> None:
    base_url = f"http://judge:{PASSWORD}@127.0.0.1:{free_port()}"  # nothing listens: every attempt fails
    args = ["--backend", "openai", "--base-url", base_url, "--model", "m", "--log-level", "debug"]
    with contextmanager(launch_server)(args) as server:
        response = httpx.post(server.url + "/v1/score", json=BODY, timeout=120)
        assert response.status_code >= 500
        time.sleep(0.3)
        log = server.all_logs()
        assert "retrying" in log and "http://***@127.0.0.1" in log
        assert PASSWORD not in log and "upstream-" not in log
