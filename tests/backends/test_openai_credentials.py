"""Credentials given to the OpenAI-compatible backend (a password in ``base_url``, an API key with a
trailing newline) against real local endpoints: they are used, and never printed."""

from __future__ import annotations

import base64
import http.server
import json
import logging
import threading
from collections.abc import Iterator
from typing import ClassVar

import pytest

from patarm.backends import OpenAIBackend, SamplingParams
from patarm.backends._openai import BackendError
from patarm.testing.servers import free_port

PASSWORD = "hunter2-Pa55word"


class _Recorder(http.server.BaseHTTPRequestHandler):
    """Answers every POST with ``status`` (503: overloaded, retried) and records its headers."""

    status = 503
    seen: ClassVar[list[dict[str, str]]] = []

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length", 0)))
        type(self).seen.append({k.lower(): v for k, v in self.headers.items()})
        if self.status == 200:
            data = json.dumps({"choices": [{"index": 0, "message": {"content": "ok"}}]}).encode()
        else:
            data = json.dumps({"error": {"message": "overloaded"}}).encode()
        self.send_response(self.status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:  # keep test output quiet
        pass


@pytest.fixture
def endpoint() -> Iterator[tuple[str, type[_Recorder]]]:
    handler = type("Handler", (_Recorder,), {"seen": [], "status": 503})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{server.server_address[1]}", handler
    finally:
        server.shutdown()
        server.server_close()


def _assert_hidden(text: str) -> None:
    assert PASSWORD not in text and "hunter2" not in text


def test_password_in_base_url_is_sent_but_never_printed(
    endpoint: tuple[str, type[_Recorder]], caplog: pytest.LogCaptureFixture
) -> None:
    host, handler = endpoint
    backend = OpenAIBackend(f"http://judge:{PASSWORD}@{host}", "m", max_retries=2, backoff_s=0.01, timeout_s=5)
    with caplog.at_level(logging.WARNING, logger="patarm"), pytest.raises(BackendError) as info:
        backend.generate(["x"], SamplingParams())
    # The server got the credentials (HTTP Basic from the URL), three times.
    expected = "Basic " + base64.b64encode(f"judge:{PASSWORD}".encode()).decode()
    assert [h.get("authorization") for h in handler.seen] == [expected] * 3
    warnings = [r.getMessage() for r in caplog.records if "retrying" in r.getMessage()]
    assert len(warnings) == 2 and f"POST http://***@{host}/v1/chat/completions" in warnings[0]
    message = str(info.value)
    assert "HTTP 503" in message and f"http://***@{host}/v1" in message and "3 attempts" in message
    for text in (caplog.text, *warnings, message, str(info.value.__cause__), repr(backend)):
        _assert_hidden(text)
    assert repr(backend).startswith(f"OpenAIBackend(base_url='http://***@{host}/v1'")


def test_password_in_base_url_is_not_printed_when_nothing_listens(caplog: pytest.LogCaptureFixture) -> None:
    url = f"http://judge:{PASSWORD}@127.0.0.1:{free_port()}/v1?api_key={PASSWORD}"
    backend = OpenAIBackend(url, "m", max_retries=1, backoff_s=0.01, timeout_s=5)
    with caplog.at_level(logging.WARNING, logger="patarm"), pytest.raises(BackendError, match="ConnectError") as info:
        backend.generate(["x"], SamplingParams())
    assert "retrying" in caplog.text
    _assert_hidden(caplog.text)
    _assert_hidden(str(info.value))
    _assert_hidden(repr(backend))


def test_bad_scheme_error_hides_the_password() -> None:
    with pytest.raises(ValueError, match="must start with http") as info:
        OpenAIBackend(f"ftp://judge:{PASSWORD}@host", "m")
    _assert_hidden(str(info.value))


def test_a_padded_key_is_stripped_and_a_blank_key_is_no_key(
    endpoint: tuple[str, type[_Recorder]], monkeypatch: pytest.MonkeyPatch
) -> None:
    host, handler = endpoint
    handler.status = 200
    cases: list[tuple[str | None, str | None, str | None]] = [
        ("sk-file\n", None, "Bearer sk-file"),  # a key read from a file with its newline
        (None, " sk-env\n", "Bearer sk-env"),
        (None, "\n", None),  # blank: no key, whichever way it comes
        ("   ", "sk-env", None),  # an explicit blank key wins over the environment, as any explicit key does
    ]
    for explicit, env, expected in cases:
        if env is None:
            monkeypatch.delenv("PATARM_TEST_KEY", raising=False)
        else:
            monkeypatch.setenv("PATARM_TEST_KEY", env)
        handler.seen.clear()
        backend = OpenAIBackend(f"http://{host}", "m", api_key=explicit, api_key_env="PATARM_TEST_KEY")
        assert backend.generate(["x"], SamplingParams())[0][0].text == "ok"
        assert handler.seen[0].get("authorization") == expected, (explicit, env)
        assert ("api_key=set" in repr(backend)) == (expected is not None)


def test_judge_client_errors_hide_the_password() -> None:
    from patarm.policy_rewards import JudgeClient, JudgeServerError

    client = JudgeClient(f"http://judge:{PASSWORD}@127.0.0.1:{free_port()}", max_retries=1, backoff_s=0.01)
    with pytest.raises(JudgeServerError, match="ConnectError") as info:
        client.score([{"prompt": "p", "response": "r"}])
    assert "http://***@127.0.0.1" in str(info.value)
    _assert_hidden(str(info.value))
