"""Commands given a ``--base-url`` with a password print no password: not in the retry warnings,
not in the one-line error, not in ``--debug``'s traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from patarm.testing.servers import free_port

PASSWORD = "cli-Pa55word"
ROW = {"pair_id": "p1", "prompt": "Say hi.", "chosen": "Hello there", "rejected": "hi"}


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "OPENAI_API_KEY"}
    return subprocess.run([sys.executable, "-m", "patarm", *args], capture_output=True, text=True, env=env, timeout=180)


@pytest.mark.slow
def test_judge_with_a_password_in_base_url_prints_none(tmp_path: Path) -> None:
    data = tmp_path / "pairs.jsonl"
    data.write_text(json.dumps(ROW) + "\n")
    url = f"http://judge:{PASSWORD}@127.0.0.1:{free_port()}"  # nothing listens: every attempt fails
    done = _run(
        "judge",
        "--backend",
        "openai",
        "--base-url",
        url,
        "--model",
        "m",
        "-i",
        str(data),
        "-o",
        str(tmp_path / "o.jsonl"),
        "--debug",
    )
    assert done.returncode == 2, done.stderr
    assert "retrying" in done.stderr and "Traceback" in done.stderr  # warnings and --debug's traceback shown
    assert "patarm judge: error: POST http://***@127.0.0.1" in done.stderr
    assert PASSWORD not in done.stderr + done.stdout


@pytest.mark.parametrize("command", ["judge", "serve"])
def test_a_refused_base_url_is_quoted_without_its_password(tmp_path: Path, command: str) -> None:
    data = tmp_path / "pairs.jsonl"
    data.write_text(json.dumps(ROW) + "\n")
    url = f"ftp://judge:{PASSWORD}@127.0.0.1:1"
    args = ["--backend", "openai", "--base-url", url, "--model", "m"]
    args += ["-i", str(data), "-o", str(tmp_path / "o.jsonl")] if command == "judge" else ["--port", "0"]
    done = _run(command, *args)
    assert done.returncode == 2, done.stderr
    assert (
        f"patarm {command}: error: base_url must start with http:// or https://, got 'ftp://***@127.0.0.1:1'"
        in done.stderr
    )
    assert PASSWORD not in done.stderr + done.stdout
