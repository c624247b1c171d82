"""Every command answers bad input with one clean line: ``patarm COMMAND: error: FILE line N:
field F: ...`` and exit code 2, never a traceback. Real ``patarm`` processes, one per case."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

HERE = Path(__file__).parent
JUDGE = ["--backend", "python", "--model", str(HERE / "length_judge.py") + ":judge"]
FIXTURES = HERE.parent / "eval" / "fixtures"
PAIR = {"prompt": "q", "chosen": "a", "rejected": "b"}
CACHED = ["--criteria-mode", "cached", "--criteria-cache", "cache.jsonl"]


def patarm(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).with_name("patarm")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "patarm"]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    return subprocess.run([*command, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False)


def score_line(row_id: int, chosen: str) -> str:
    return f'{{"id": {row_id}, "scores_chosen": [{chosen}], "scores_rejected": [1]}}'


def jsonl(*rows: object) -> str:
    return "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows)


@pytest.fixture(scope="module")
def busy_port() -> Iterator[int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


# (name, files to write, command line, what stderr must contain). ``{port}`` is a port in use.
Files = dict[str, str | bytes]
CASES: list[tuple[str, Files, list[str], list[str]]] = [
    (
        "jsonl_nested_too_deep",
        {"in.jsonl": jsonl(PAIR, '{"prompt": ' + "[" * 100_000 + "]" * 100_000 + "}")},
        ["data", "convert", "-i", "in.jsonl", "-o", "out.jsonl"],
        ["patarm data convert: error: in.jsonl line 2: not valid JSON (nested too deeply to read)"],
    ),
    (
        "jsonl_nested_too_deep_judge",
        {"in.jsonl": jsonl(PAIR, '{"prompt": ' + "[" * 100_000 + "]" * 100_000 + "}")},
        ["judge", "-i", "in.jsonl", "-o", "out.jsonl", *JUDGE],
        ["patarm judge: error: in.jsonl line 2: not valid JSON (nested too deeply"],
    ),
    (
        "eval_scores_401_digit_integer",
        {"scores.jsonl": jsonl(*(score_line(i, "9" * 401 if i == 3 else "2") for i in range(10)))},
        [
            "eval",
            "--benchmark",
            "rewardbench",
            "--data",
            str(FIXTURES / "rewardbench.jsonl"),
            "--scores",
            "scores.jsonl",
        ],
        ["patarm eval: error: scores.jsonl line 4: field 'scores_chosen'[0]: expected a finite number or null"],
    ),
    (
        "judge_prompt_null",
        {"in.jsonl": jsonl(PAIR, "", {**PAIR, "prompt": None})},
        ["judge", "-i", "in.jsonl", "-o", "out.jsonl", *JUDGE],
        ["patarm judge: error: in.jsonl line 3: field 'prompt': expected a string or a list of chat messages", "None"],
    ),
    (
        "judge_prompt_message_without_content",
        {"in.jsonl": jsonl({**PAIR, "prompt": [{"role": "user"}]})},
        ["judge", "-i", "in.jsonl", "-o", "out.jsonl", *JUDGE],
        ["patarm judge: error: in.jsonl line 1: field 'prompt': expected", "with text content"],
    ),
    (
        "judge_unknown_domain",
        {"in.jsonl": jsonl(PAIR, {**PAIR, "domain": "astrology"})},
        ["judge", "-i", "in.jsonl", "-o", "out.jsonl", *JUDGE],
        ["patarm judge: error: in.jsonl line 2: field 'domain': expected a known domain (chat, code", "astrology"],
    ),
    (
        "convert_unknown_domain",
        {"in.jsonl": jsonl(PAIR, "", {**PAIR, "prompt": "q2", "domain": "astrology"})},
        ["data", "convert", "-i", "in.jsonl", "-o", "out.jsonl"],
        ["patarm data convert: error: in.jsonl line 3: field 'domain': expected a known domain (chat, code"],
    ),
    (
        "judge_unknown_domain_option",
        {"in.jsonl": jsonl(PAIR)},
        ["judge", "-i", "in.jsonl", "-o", "out.jsonl", "--domain", "astrology", *JUDGE],
        ["patarm judge: error: unknown domain 'astrology'; known domains: chat"],
    ),
    (
        "judge_output_is_a_directory",
        {"in.jsonl": jsonl(PAIR), "outdir/keep": ""},
        ["judge", "-i", "in.jsonl", "-o", "outdir", *JUDGE],
        ["patarm judge: error: outdir: is a folder; name a file to write"],
    ),
    (
        "convert_output_is_a_directory",
        {"in.jsonl": jsonl(PAIR), "out.jsonl/keep": ""},
        ["data", "convert", "-i", "in.jsonl", "-o", "out.jsonl"],
        ["patarm data convert: error: out.jsonl: is a folder; name a file to write"],
    ),
    (
        "jsonl_invalid_utf8",
        {"in.jsonl": jsonl(PAIR).encode() + b'{"prompt": "q\xff", "chosen": "a", "rejected": "b"}\n'},
        ["data", "convert", "-i", "in.jsonl", "-o", "out.jsonl"],
        ["patarm data convert: error: in.jsonl line 2: not valid UTF-8 (invalid start byte at byte 13)"],
    ),
    (
        "jsonl_invalid_utf8_judge",
        {"in.jsonl": jsonl(PAIR, PAIR).encode() + b'{"prompt": "q\xff", "chosen": "a", "rejected": "b"}\n'},
        ["judge", "-i", "in.jsonl", "-o", "out.jsonl", *JUDGE],
        ["patarm judge: error: in.jsonl line 3: not valid UTF-8"],
    ),
    (
        "csv_invalid_utf8",
        {"in.csv": b"prompt,chosen,rejected\n" + b"".join(b"q%d,a,b\n" % i for i in range(3000)) + b"q,\xe9t\xe9,b\n"},
        ["data", "stats", "-i", "in.csv"],
        ["patarm data stats: error: in.csv line 3002: not valid UTF-8"],
    ),
    (
        "json_garbage",
        {"in.json": "[\n" + json.dumps(PAIR) + ",\n this is not json\n]"},
        ["data", "convert", "-i", "in.json", "-o", "out.jsonl"],
        ["patarm data convert: error: in.json line 3: not valid JSON (Expecting value)"],
    ),
    (
        "json_not_a_list",
        {"in.json": '{"a": 1}'},
        ["judge", "-i", "in.json", "-o", "out.jsonl", *JUDGE],
        ["patarm judge: error: in.json: expected a JSON list of objects"],
    ),
    (
        "parquet_garbage",
        {"in.parquet": "not parquet at all"},
        ["data", "stats", "-i", "in.parquet"],
        ["patarm data stats: error: in.parquet: not a readable Parquet file"],
    ),
    (
        "jsonl_truncated_line",
        {"in.jsonl": jsonl(PAIR, '{"prompt": "q", "chosen": "a", "rej', PAIR)},
        ["data", "convert", "-i", "in.jsonl", "-o", "out.jsonl"],
        ["patarm data convert: error: in.jsonl line 2: not valid JSON ("],
    ),
    (
        "convert_row_missing_field_named_by_line",
        {"in.jsonl": jsonl(PAIR, "", "", {"prompt": "q", "chosen": "a"})},
        ["data", "convert", "-i", "in.jsonl", "-o", "out.jsonl"],
        ["patarm data convert: error: in.jsonl line 4: field 'rejected': expected a string or a chat-message list"],
    ),
    (
        "csv_row_empty_field_named_by_line",
        {"in.csv": 'prompt,chosen,rejected\nq,a,b\n"multi\nline",a,b\nq,,b\n'},
        ["data", "stats", "-i", "in.csv"],
        ["patarm data stats: error: in.csv line 5: field 'chosen': expected a non-empty string"],
    ),
    (
        "negative_limit",
        {"in.jsonl": jsonl(PAIR)},
        ["judge", "-i", "in.jsonl", "-o", "out.jsonl", "--limit", "-1", *JUDGE],
        ["argument --limit: expected an integer >= 0, got '-1'"],
    ),
    (
        "serve_port_in_use",
        {},
        ["serve", "--port", "{port}", *JUDGE],
        ["patarm serve: error: --host '127.0.0.1' --port {port}: cannot listen there (Address already in use)"],
    ),
    (
        "serve_unresolvable_host",
        {},
        ["serve", "--host", "no-such-host.invalid", "--port", "0", *JUDGE],
        ["patarm serve: error: --host 'no-such-host.invalid': not an address this machine can resolve"],
    ),
    (
        "serve_port_out_of_range",
        {},
        ["serve", "--port", "70000", *JUDGE],
        ["patarm serve: error: --port 70000: expected 0 (any free port) to 65535"],
    ),
    (
        "judge_scale_reversed",
        {"in.jsonl": jsonl(PAIR)},
        ["judge", "-i", "in.jsonl", "-o", "out.jsonl", "--scale", "10", "1", *JUDGE],
        ["patarm judge: error: JudgeConfig.scale: scale must be finite with low < high, got (10.0, 1.0)"],
    ),
    (
        "criteria_cache_not_utf8",
        {"in.jsonl": jsonl(PAIR), "cache.jsonl": b'{"key": "\xff", "criteria": "x"}\n'},
        ["judge", "-i", "in.jsonl", "-o", "out.jsonl", *CACHED, *JUDGE],
        ["patarm judge: error: cache.jsonl line 1: expected the header of a criteria store"],
    ),
    (
        "python_backend_syntax_error",
        {"in.jsonl": jsonl(PAIR), "broken.py": "def judge(prompt, seed)\n    return '7'\n"},
        ["judge", "-i", "in.jsonl", "-o", "out.jsonl", "--backend", "python", "--model", "broken.py:judge"],
        ["patarm judge: error: broken.py line 1: not valid Python"],
    ),
    (
        "python_backend_missing_file",
        {"in.jsonl": jsonl(PAIR)},
        ["judge", "-i", "in.jsonl", "-o", "out.jsonl", "--backend", "python", "--model", "nowhere.py:judge"],
        ["patarm judge: error: nowhere.py: no such file"],
    ),
]


@pytest.mark.parametrize(("files", "argv", "says"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_is_one_clean_line(
    tmp_path: Path, busy_port: int, files: Files, argv: list[str], says: list[str]
) -> None:
    for name, content in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)

    def fill(text: str) -> str:
        return text.replace("{port}", str(busy_port))

    done = patarm(*map(fill, argv), cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    for text in says:
        assert fill(text) in done.stderr


def test_skip_malformed_counts_unreadable_lines(tmp_path: Path) -> None:
    bad = b'{"prompt": "q", "chosen": "a", "rej\n' + b'{"prompt": "\xff"}\n' + b"[1, 2]\n"
    (tmp_path / "in.jsonl").write_bytes(jsonl(PAIR).encode() + bad + jsonl({**PAIR, "prompt": "q2"}).encode())
    done = patarm("data", "convert", "-i", "in.jsonl", "-o", "out.jsonl", "--skip-malformed", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "rows read: 5" in done.stdout and "pairs loaded: 2" in done.stdout
    assert "skipped (unreadable): 3" in done.stdout
    assert len((tmp_path / "out.jsonl").read_text().splitlines()) == 2


def test_a_csv_field_longer_than_the_csv_default_is_read(tmp_path: Path) -> None:
    long = "x" * 200_000
    (tmp_path / "in.csv").write_text(f"prompt,chosen,rejected\nq,{long},b\n")
    done = patarm("data", "convert", "-i", "in.csv", "-o", "out.jsonl", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert json.loads((tmp_path / "out.jsonl").read_text())["chosen"] == long


def test_an_unexpected_error_says_where_to_report_and_debug_shows_the_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """An exception patarm did not raise on purpose (a bare RuntimeError from patarm's own code,
    here planted in the judging loop) is a bug: exit 1, one line that says where to report it."""
    import patarm.cli._judge as judge_command
    from patarm.cli import main

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(judge_command, "_output", broken)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "in.jsonl").write_text(jsonl(PAIR))
    argv = ["judge", "-i", "in.jsonl", "-o", "out.jsonl", *JUDGE]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    last = err.strip().splitlines()[-1]
    assert last.startswith("patarm judge: internal error (RuntimeError: boom); this is a bug in patarm: ")
    assert "--debug" in last
    assert main([*argv, "--debug"]) == 1
    err = capsys.readouterr().err
    assert "Traceback" in err and "RuntimeError: boom" in err


def test_an_error_in_the_users_judge_function_is_the_users(tmp_path: Path) -> None:
    """A judge function (the user's code) that raises is a failed backend, named: exit 2, not a patarm bug."""
    (tmp_path / "broken.py").write_text("def judge(prompt, seed):\n    raise RuntimeError('boom')\n")
    (tmp_path / "in.jsonl").write_text(jsonl(PAIR))
    argv = ["judge", "-i", "in.jsonl", "-o", "out.jsonl", "--backend", "python", "--model", "broken.py:judge"]
    done = patarm(*argv, cwd=tmp_path)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines()[-1] == (
        "patarm judge: error: the judge function judge raised RuntimeError: boom"
    )


def test_damaged_lines_in_a_cache_being_resumed_are_named_and_a_torn_last_line_is_redone(tmp_path: Path) -> None:
    (tmp_path / "in.jsonl").write_text(jsonl({**PAIR, "id": "a"}, {**PAIR, "id": "b"}))
    first = patarm("judge", "-i", "in.jsonl", "-o", "out.jsonl", *JUDGE, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    cache = tmp_path / "out.cache.jsonl"
    header, *records = cache.read_bytes().splitlines(keepends=True)
    cache.write_bytes(header + records[0] + records[1][:-5])  # a last record cut short
    torn = patarm("judge", "-i", "in.jsonl", "-o", "out.jsonl", *JUDGE, cwd=tmp_path)
    assert torn.returncode == 0, torn.stderr
    assert "cut short" in torn.stdout and re.search(r"^judged now +1$", torn.stdout, re.MULTILINE)
    deep = b'{"id": ' + b"[" * 100_000 + b"]" * 100_000 + b"}\n"
    for bad in (b'{"id": "\xff"}\n', deep):
        cache.write_bytes(header + bad + records[0])
        done = patarm("judge", "-i", "in.jsonl", "-o", "out.jsonl", *JUDGE, cwd=tmp_path)
        assert done.returncode == 2 and "Traceback" not in done.stderr
        assert "out.cache.jsonl line 2: expected a JSON object" in done.stderr
