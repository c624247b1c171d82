"""Documented examples do what their page says, not only run: the example judges of the how-to
pages separate the pairs they are shown on. Each test reads the example from the page itself,
so editing the page changes what is tested."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

DOCS = Path(__file__).parent.parent / "docs"


def _heredoc(text: str, opener: str, end: str) -> str:
    """The body of the here-document that starts on the line ``opener`` and ends at ``end``."""
    body = text.split(opener + "\n", 1)[1]
    return body.split("\n" + end + "\n", 1)[0] + "\n"


def test_length_judge_of_judge_file_separates_its_pairs(tmp_path: Path) -> None:
    """judge-file.md's length judge counts only the response block, so the longer (chosen)
    response wins each pair; counting the whole prompt (format instructions included) tied them."""
    page = (DOCS / "how-to" / "judge-file.md").read_text(encoding="utf-8")
    (tmp_path / "pairs.jsonl").write_text(_heredoc(page, "cat > pairs.jsonl <<'JSONL'", "JSONL"))
    (tmp_path / "my_baselines.py").write_text(_heredoc(page, "cat > my_baselines.py <<'PY'", "PY"))
    cmd = [sys.executable, "-m", "patarm", "judge", "-i", "pairs.jsonl", "-o", "baseline.jsonl"]
    cmd += ["--backend", "python", "--model", "my_baselines.py:length_judge"]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in (tmp_path / "baseline.jsonl").read_text().splitlines()]
    assert len(rows) == 2
    for row in rows:
        assert row["chosen"]["score"] > row["rejected"]["score"], row["id"]
    assert re.search(r"chosen wins +2/2", done.stdout), done.stdout


def test_a_dotted_path_names_a_module_in_the_working_directory(tmp_path: Path) -> None:
    """``patarm judge --model my_judges:judge`` (a module, not a file) finds ``my_judges.py`` in
    the working directory, as the docs show, with no ``PYTHONPATH=.``."""
    import shutil

    script = shutil.which("patarm", path=str(Path(sys.executable).parent))
    if script is None:  # pragma: no cover - the console script is installed with the package
        script_cmd = [sys.executable, "-c", "import sys; from patarm.cli import main; sys.exit(main())"]
    else:
        script_cmd = [script]
    (tmp_path / "my_judges.py").write_text(
        "def judge(prompt, seed):\n    return '<answer>7</answer>'\n", encoding="utf-8"
    )
    (tmp_path / "rows.jsonl").write_text('{"id": "a", "prompt": "p", "response": "r"}\n')
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    cmd = [*script_cmd, "judge", "-i", "rows.jsonl", "-o", "out.jsonl", "--backend", "python"]
    done = subprocess.run([*cmd, "--model", "my_judges:judge"], cwd=tmp_path, capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    row = json.loads((tmp_path / "out.jsonl").read_text())
    assert row["result"]["score"] == 7.0, row


def test_rmbench_format_example_loads(tmp_path: Path) -> None:
    """evaluate.md's RM-Bench row example is a row the RM-Bench loader reads, in the domain the text says."""
    from patarm.eval import load_rmbench

    page = (DOCS / "how-to" / "evaluate.md").read_text(encoding="utf-8")
    example = page.split("**The RM-Bench file format.**", 1)[1].split("```json\n", 1)[1].split("\n```", 1)[0]
    path = tmp_path / "chat_filtered.json"
    path.write_text(example, encoding="utf-8")
    row = load_rmbench([path]).rows[0]
    assert (row.key, row.domain, len(row.chosen), len(row.rejected)) == ("chat/8", "chat", 3, 3)


def test_audit_cpu_example_flags_the_length_judge(tmp_path: Path) -> None:
    """audit.md's CPU example runs as written and rates its word-counting judge "Length bias: FAIL"."""
    page = (DOCS / "how-to" / "audit.md").read_text(encoding="utf-8")
    section = page.split("## On a CPU, in seconds", 1)[1]
    script = section.split("```bash\n", 1)[1].split("\n```", 1)[0]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), "PATH": os.pathsep.join(
        [str(Path(sys.executable).parent), os.environ.get("PATH", "")])}  # fmt: skip
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=tmp_path, capture_output=True, text=True,
                          env=env, timeout=600)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "## Length bias: FAIL" in done.stdout
    assert "accuracy chosen shorter: 0.000" in done.stdout
