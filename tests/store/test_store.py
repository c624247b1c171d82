"""The one resumable store and the atomic writers: settings refusal, torn last line, keyed
records, compaction, same-file refusal."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from patarm.store import JsonlStore, StoreSettingsError, atomic_path, atomic_write, check_distinct


def test_changed_settings_are_refused_and_named(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    JsonlStore(path, "k", {"model": "a", "seed": 0, "scale": (1, 10)}).close()
    JsonlStore(path, "k", {"model": "a", "seed": 0, "scale": (1, 10)}).close()  # same settings: resumes
    with pytest.raises(StoreSettingsError) as caught:
        JsonlStore(path, "k", {"model": "b", "seed": 0, "scale": (1, 5), "new": True})
    assert caught.value.changed == [("model", "a", "b"), ("new", None, True), ("scale", [1, 10], [1, 5])]
    assert "model: 'a' then, 'b' now; new: None then, True now; scale: [1, 10] then, [1, 5] now" in str(caught.value)
    with pytest.raises(ValueError, match="expected the header of a other store, found a k store"):
        JsonlStore(path, "other", {})


def test_a_torn_last_line_is_dropped_counted_and_cut(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    with JsonlStore(path, "k") as store:
        store.put({"id": "a", "v": 1})
        store.put({"id": "b", "v": 2})
    whole = path.read_bytes()
    path.write_bytes(whole + b'{"id": "c", "v"')
    with JsonlStore(path, "k") as store:
        assert store.torn == 1 and sorted(store.keys()) == ["a", "b"]
        assert path.read_bytes() == whole  # cut before anything is appended
        store.put({"id": "c", "v": 3})
    with JsonlStore(path, "k") as store:
        assert store.torn == 0 and store.get("c") == {"id": "c", "v": 3}


def test_a_bad_line_inside_is_an_error_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    with JsonlStore(path, "k") as store:
        store.put({"id": "a"})
    path.write_text(path.read_text() + "not json\n" + json.dumps({"id": "b"}) + "\n")
    with pytest.raises(ValueError, match=r"s.jsonl line 3: expected a JSON object with field 'id'"):
        JsonlStore(path, "k")
    path.write_text('{"id": "x"}\n')
    with pytest.raises(ValueError, match="line 1: expected the header of a k store, found no store header"):
        JsonlStore(path, "k")


def test_compaction_keeps_the_latest_record_per_key_atomically(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    with JsonlStore(path, "k", {"x": 1}) as store:
        for v in range(5):
            store.put({"id": "a", "v": v})
        store.put({"id": "b", "v": 9})
        store.compact()
        assert len(path.read_text().splitlines()) == 3 and store.get("a") == {"id": "a", "v": 4}
        store.put({"id": "c", "v": 0})  # appending still works after compaction
    assert not list(tmp_path.glob(".*.tmp"))
    with JsonlStore(path, "k", {"x": 1}) as store:
        assert [r["v"] for r in store] == [4, 9, 0]


@settings(max_examples=60, deadline=None)
@given(
    puts=st.lists(st.tuples(st.sampled_from("abcde"), st.text(max_size=8)), max_size=20),
    cut=st.integers(min_value=0, max_value=400),
)
def test_reopening_gives_the_latest_records_whatever_the_cut(
    tmp_path_factory: pytest.TempPathFactory, puts: list[tuple[str, str]], cut: int
) -> None:
    path = tmp_path_factory.mktemp("s") / "s.jsonl"
    with JsonlStore(path, "k") as store:
        for key, value in puts:
            store.put({"id": key, "v": value})
    data = path.read_bytes()
    header = data.index(b"\n") + 1
    end = min(len(data), header + cut)  # an interruption anywhere after the header
    path.write_bytes(data[:end])
    lines = data[header:end].split(b"\n")
    whole = [json.loads(line) for line in lines[:-1]]
    expected = {r["id"]: r for r in whole}
    with JsonlStore(path, "k") as store:
        assert store.torn == (1 if lines[-1] else 0)
        assert {r["id"]: r for r in store} == expected


def test_in_memory_store_has_the_same_api() -> None:
    store = JsonlStore(None, "k", {"a": 1})
    store.put({"id": 1, "v": "x"})
    assert "1" in store and store.get("1") == {"id": 1, "v": "x"} and len(store) == 1
    with pytest.raises(ValueError, match="needs field 'id'"):
        store.put({"v": 2})


def test_atomic_writes_leave_the_old_file_when_interrupted(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_text("old\n")
    with pytest.raises(KeyboardInterrupt), atomic_write(target) as f:
        f.write("half")
        raise KeyboardInterrupt
    assert target.read_text() == "old\n" and not list(tmp_path.glob(".*.tmp"))
    with atomic_path(target) as scratch:
        assert scratch.parent == tmp_path and scratch.name.startswith(".out.txt.")
        scratch.write_text("new\n")
        assert target.read_text() == "old\n"  # nothing visible before the block completes
    assert target.read_text() == "new\n"
    with pytest.raises(ValueError, match="is a folder"), atomic_write(tmp_path):
        pass


def test_check_distinct_sees_links_and_relative_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = tmp_path / "x.jsonl"
    data.write_text("{}\n")
    os.link(data, tmp_path / "hard.jsonl")
    (tmp_path / "soft.jsonl").symlink_to(data)
    monkeypatch.chdir(tmp_path)
    for same in ("x.jsonl", "./x.jsonl", "hard.jsonl", "soft.jsonl", str(data)):
        with pytest.raises(ValueError, match=re.escape(f"--output {Path(same)} is the same file as --input")):
            check_distinct({"--input": data}, {"--output": same})
    with pytest.raises(ValueError, match=r"--cache y\.jsonl is the same file as --output"):
        check_distinct({"--input": [data, None]}, {"--output": "y.jsonl", "--cache": "y.jsonl"})
    check_distinct({"--input": data}, {"--output": "y.jsonl", "--cache": None})


def test_nested_settings_are_named_by_their_dotted_name_and_only_those(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    long = "a setting that stays the same " * 40
    JsonlStore(path, "k", {"judge": {"samples": 1, "prompt": long}, "model": "m"}).close()
    with pytest.raises(StoreSettingsError) as caught:
        JsonlStore(path, "k", {"judge": {"samples": 3, "prompt": long}, "model": "m"})
    assert caught.value.changed == [("judge.samples", 1, 3)]
    assert "(judge.samples: 1 then, 3 now)" in str(caught.value) and long not in str(caught.value)


def test_a_store_past_its_bound_is_compacted_when_opened(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    with JsonlStore(path, "k", {}) as store:
        for v in range(3):
            store.put({"id": "a", "v": v})
        store.put({"id": "b", "v": 0})
        assert store.superseded == 2  # not more than the live records (2): left as is
    assert len(path.read_text().splitlines()) == 5
    with JsonlStore(path, "k", {}) as store:
        assert store.superseded == 2
        store.put({"id": "a", "v": 3})  # now 3 superseded records, 2 live ones
    with JsonlStore(path, "k", {}) as store:
        assert store.superseded == 0 and [r["v"] for r in store] == [3, 0]
    assert len(path.read_text().splitlines()) == 3


def test_a_compaction_killed_midway_leaves_no_temporary_file(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    JsonlStore(path, "k", {}).close()
    left = tmp_path / ".s.jsonl.abc123.tmp"  # what atomic_write leaves when killed (SIGKILL) midway
    left.write_text("half a store")
    other = tmp_path / ".t.jsonl.abc123.tmp"  # another file's: not this store's to remove
    other.write_text("x")
    JsonlStore(path, "k", {}).close()
    assert not left.exists() and other.exists()


@pytest.mark.parametrize("umask", [0o022, 0o002, 0o077])
def test_outputs_get_the_mode_the_umask_gives(tmp_path: Path, umask: int) -> None:
    old = os.umask(umask)
    try:
        with atomic_write(tmp_path / "out.txt") as f:
            f.write("shared")
        with atomic_path(tmp_path / "out.bin") as scratch:
            scratch.write_bytes(b"x")
        with JsonlStore(tmp_path / "s.jsonl", "k", {}) as store:
            store.put({"id": "a"})
            store.put({"id": "a"})
            store.compact()
    finally:
        os.umask(old)
    for name in ("out.txt", "out.bin", "s.jsonl"):
        assert (tmp_path / name).stat().st_mode & 0o777 == 0o666 & ~umask, name
