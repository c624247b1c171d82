"""Rows of an excluded source are left out and counted per source name, never silently."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from patarm.cli import main
from patarm.data import PAPER_EXCLUDED_SOURCES, LoadReport, PairColumns, PairSource, iter_loaded

SOURCES = ["magpie_ultra", "magpie_pro", "helpsteer2", "wildguard", None, ""]


def row(i: int, source: str | None, column: str = "source") -> dict[str, Any]:
    out: dict[str, Any] = {"prompt": f"q{i}", "chosen": f"good {i}", "rejected": f"bad {i}"}
    if source is not None:
        out[column] = source
    return out


@given(
    sources=st.lists(st.sampled_from(SOURCES), max_size=30),
    excluded=st.sets(st.sampled_from(["magpie_ultra", "helpsteer2", "absent"]), max_size=3),
)
def test_kept_plus_excluded_is_the_input_and_no_excluded_source_survives(
    sources: list[str | None], excluded: set[str]
) -> None:
    report = LoadReport()
    rows = [row(i, s) for i, s in enumerate(sources)]
    kept = list(iter_loaded(rows, exclude_sources=excluded, report=report))
    assert report.kept == len(kept)
    assert report.kept + sum(report.excluded.values()) == len(rows) == report.rows
    assert not any(item.pair.source in excluded for item in kept)
    for name in excluded:
        assert report.excluded[name] == sum(s == name for s in sources)
    assert report.unsourced == sum(s in (None, "") for s in sources)
    shown = report.lines()
    if excluded:
        assert f"rows excluded by source: {sum(report.excluded.values())}" in shown
        assert all(f"  excluded (source {n}): {report.excluded[n]}" in shown for n in excluded)


def test_an_excluded_row_is_not_parsed_and_a_kept_malformed_one_still_counts() -> None:
    rows = [
        {"prompt": "p", "chosen": "same", "rejected": "same", "source": "magpie_ultra"},  # malformed, excluded
        {"prompt": "p", "chosen": "same", "rejected": "same", "source": "helpsteer2"},  # malformed, kept source
        row(2, "helpsteer2"),
    ]
    report = LoadReport()
    kept = list(iter_loaded(rows, skip=True, report=report, exclude_sources=PAPER_EXCLUDED_SOURCES))
    assert [k.index for k in kept] == [2]
    assert dict(report.excluded) == {"magpie_ultra": 1} and dict(report.skipped) == {"identical": 1}


def test_the_source_column_is_an_option(tmp_path: Path) -> None:
    path = tmp_path / "pairs.jsonl"
    path.write_text("".join(json.dumps(row(i, s, "origin")) + "\n" for i, s in enumerate(["magpie_ultra", "x"])))
    report = LoadReport()
    source = PairSource(path, PairColumns(sources=("origin",)), exclude_sources=("magpie_ultra",))
    assert [item.pair.source for item in source.iter(report)] == ["x"]
    assert dict(report.excluded) == {"magpie_ultra": 1}


def skywork(tmp_path: Path) -> Path:
    sources = ["magpie_ultra", "magpie_pro", "magpie_ultra", "helpsteer2", "wildguard"]
    path = tmp_path / "skywork.jsonl"
    path.write_text("".join(json.dumps(row(i, s)) + "\n" for i, s in enumerate(sources)))
    return path


def converted(path: Path) -> list[str]:
    return [json.loads(line)["source"] for line in path.read_text().splitlines()]


def test_convert_drops_magpie_ultra_by_default_with_a_note(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "pairs.jsonl"
    assert main(["data", "convert", "-i", str(skywork(tmp_path)), "-o", str(out)]) == 0
    assert converted(out) == ["magpie_pro", "helpsteer2", "wildguard"]
    text = capsys.readouterr().out
    assert "rows read: 5\npairs loaded: 3\nrows skipped: 0\nrows excluded by source: 2\n" in text
    assert "  excluded (source magpie_ultra): 2\n" in text
    assert "note: rows of source magpie_ultra left out: the paper's rule" in text


def test_keep_all_sources_and_explicit_exclusions(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data, out = skywork(tmp_path), tmp_path / "pairs.jsonl"
    assert main(["data", "convert", "-i", str(data), "-o", str(out), "--keep-all-sources"]) == 0
    assert len(converted(out)) == 5
    assert "excluded" not in capsys.readouterr().out
    extra = ["--exclude-source", "wildguard", "--exclude-source", "magpie_pro", "--exclude-source", "nowhere"]
    assert main(["data", "convert", "-i", str(data), "-o", str(out), *extra]) == 0
    assert converted(out) == ["magpie_ultra", "magpie_ultra", "helpsteer2"]  # an explicit list replaces the default
    text = capsys.readouterr().out
    assert "rows excluded by source: 2\n" in text and "  excluded (source nowhere): 0\n" in text
    assert "note:" not in text


def test_exclude_source_on_data_without_sources_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data, out = tmp_path / "plain.jsonl", tmp_path / "pairs.jsonl"
    data.write_text(json.dumps(row(0, None)) + "\n")
    assert main(["data", "convert", "-i", str(data), "-o", str(out), "--exclude-source", "magpie_ultra"]) == 0
    assert "note: no row has a source (source or subset): --exclude-source matched nothing" in capsys.readouterr().out


def test_keep_all_and_exclude_are_exclusive(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["data", "stats", "-i", str(skywork(tmp_path)), "--keep-all-sources", "--exclude-source", "x"]
    with pytest.raises(SystemExit) as stop:
        main(args)
    assert stop.value.code == 2
    assert "not allowed with argument" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["build-verl", "build-openrlhf", "build-rl", "stats"])
def test_every_pair_reading_command_applies_the_rule(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    suffix = ".parquet" if command == "build-verl" else ".jsonl"
    args = ["data", command, "-i", str(skywork(tmp_path))]
    if command != "stats":
        args += ["-o", str(tmp_path / f"out{suffix}")]
    assert main(args) == 0
    assert "  excluded (source magpie_ultra): 2\n" in capsys.readouterr().out
