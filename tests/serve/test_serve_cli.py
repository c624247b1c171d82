"""``patarm serve`` argument wiring, without opening a socket: the settings and the judge it builds."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import patarm.serve
from patarm.cli import main

ECHO = str(Path(__file__).parent / "echo_judge.py") + ":judge"


@pytest.fixture
def captured(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    seen: dict[str, Any] = {}

    def fake_serve(app: Any, host: str, port: int, *, log_level: str, on_bound: Any) -> None:
        seen.update(app=app, host=host, port=port, log_level=log_level)
        on_bound(f"http://{host}:{port}")

    monkeypatch.setattr(patarm.serve, "serve", fake_serve)
    return seen


def test_flags_become_settings(captured: dict[str, Any], monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
    monkeypatch.setenv("MY_KEY", "k1")
    argv = ["serve", "--backend", "python", "--model", ECHO, "--port", "9999", "--max-batch-size", "7"]
    argv += ["--max-wait-ms", "3", "--timeout", "12", "--api-key-env", "MY_KEY", "--instruction-domain", "none"]
    argv += ["--domain", "chat", "--chat-template", "llama3", "--split", "marker", "--fallback-reward", "-1"]
    argv += ["--use-expected-score", "--scale", "0", "5"]
    assert main(argv) == 0
    service = captured["app"].state.service
    settings = service.settings
    assert (settings.max_batch_size, settings.max_wait_ms, settings.request_timeout_s) == (7, 3.0, 12.0)
    assert settings.api_key is not None and settings.api_key.get_secret_value() == "k1"
    assert settings.instruction_domain is None and settings.default_domain == "chat"
    assert (service.template.name, settings.split, service.fallback) == ("llama3", "marker", -1.0)
    assert service.judge.config.expected_score is True and service.scale == (0.0, 5.0)
    out = capsys.readouterr().out
    assert "listening on http://127.0.0.1:9999" in out and "API key from $MY_KEY" in out


def test_policy_tokenizer_picks_the_template(captured: dict[str, Any], tmp_path: Path, monkeypatch: Any) -> None:
    from patarm.testing import build_tiny_tokenizer

    monkeypatch.delenv("PATARM_JUDGE_API_KEY", raising=False)
    tokenizer = build_tiny_tokenizer()
    tokenizer.chat_template = (
        "{% for m in messages %}{{ '<start_of_turn>' + ('model' if m['role'] == 'assistant' else m['role']) + '\\n' "
        "+ m['content'] + '<end_of_turn>\\n' }}{% endfor %}"
        "{% if add_generation_prompt %}{{ '<start_of_turn>model\\n' }}{% endif %}"
    )
    tokenizer.save_pretrained(tmp_path)
    assert main(["serve", "--backend", "python", "--model", ECHO, "--policy-tokenizer", str(tmp_path)]) == 0
    service = captured["app"].state.service
    assert service.template.name == "gemma" and service.settings.api_key is None


def test_bad_settings_are_a_clean_cli_error(captured: dict[str, Any], capsys: Any) -> None:
    argv = ["serve", "--backend", "python", "--model", ECHO, "--max-items", "10", "--max-queue", "5"]
    assert main(argv) == 2
    assert "must not exceed max_queue" in capsys.readouterr().err
