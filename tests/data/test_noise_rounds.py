"""``patarm data add-noise`` rounds: refused on noised data without ``--stack``; stacked rounds
compose and ``--undo`` peels them one at a time back to the exact original; nothing is lost."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from patarm.cli import main
from patarm.data._noise import noise_rounds, record_rounds
from patarm.types import RowError

ROWS = [{"prompt": f"Q{i}", "chosen": f"good answer {i}", "rejected": f"bad {i}"} for i in range(12)]


def _write(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def _lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def _noise(src: Path, dst: Path, *extra: str) -> int:
    return main(["data", "add-noise", "-i", str(src), "-o", str(dst), *extra])


@pytest.fixture(scope="module")
def original() -> bytes:
    """The pairs as ``data convert`` writes them: the form add-noise reads and writes."""
    with tempfile.TemporaryDirectory() as tmp:
        raw, out = _write(Path(tmp) / "raw.jsonl", ROWS), Path(tmp) / "pairs.jsonl"
        assert main(["data", "convert", "-i", str(raw), "-o", str(out)]) == 0
        return out.read_bytes()


@settings(max_examples=20)
@given(rounds=st.lists(st.tuples(st.floats(0, 1), st.integers(0, 1000)), min_size=1, max_size=4))
def test_stacked_rounds_then_as_many_undos_give_the_original_back(
    original: bytes, rounds: list[tuple[float, int]]
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        states = [Path(tmp) / "round0.jsonl"]
        states[0].write_bytes(original)
        for r, (fraction, seed) in enumerate(rounds, 1):
            states.append(Path(tmp) / f"round{r}.jsonl")
            flags = ["--stack"] if r > 1 else []
            assert _noise(states[-2], states[-1], "--flip", str(fraction), "--seed", str(seed), *flags) == 0
            before, after = _lines(states[-2]), _lines(states[-1])
            for old, new in zip(before, after, strict=True):
                swapped = new["flip_rounds"][-1]  # type: ignore[index]
                assert new["flip_rounds"] == [*noise_rounds(old), swapped]
                assert new["flipped"] == (sum(new["flip_rounds"]) % 2 == 1)  # type: ignore[arg-type]
                assert (new["chosen"], new["rejected"]) == (
                    (old["rejected"], old["chosen"]) if swapped else (old["chosen"], old["rejected"])
                )
                assert new["pair_id"] == old["pair_id"]
            assert sum(r["flip_rounds"][-1] for r in after) == round(fraction * len(ROWS))  # type: ignore[index,misc]
        current = states[-1]
        for r in range(len(rounds) - 1, -1, -1):  # peel one round at a time
            undone = Path(tmp) / f"undo{r}.jsonl"
            assert _noise(current, undone, "--undo") == 0
            assert undone.read_bytes() == states[r].read_bytes()
            current = undone
        assert current.read_bytes() == original


def test_noised_data_needs_stack(tmp_path: Path, original: bytes, capsys: pytest.CaptureFixture[str]) -> None:
    pairs, noisy, again = tmp_path / "pairs.jsonl", tmp_path / "noisy.jsonl", tmp_path / "again.jsonl"
    pairs.write_bytes(original)
    assert _noise(pairs, noisy, "--flip", "0.5", "--seed", "1") == 0
    capsys.readouterr()
    assert _noise(noisy, again, "--flip", "0.5", "--seed", "2") == 2
    err = capsys.readouterr().err
    assert f"patarm data add-noise: error: {noisy} line 1: field 'flip_rounds': expected a pair without label" in err
    assert "pass --stack to add a round" in err
    assert not again.exists()
    assert _noise(noisy, again, "--flip", "0.5", "--seed", "2", "--stack") == 0
    assert "(noise round 2)" in capsys.readouterr().out
    assert all(len(r["flip_rounds"]) == 2 for r in _lines(again))  # type: ignore[arg-type]


def test_undo_of_data_without_noise_is_an_error(
    tmp_path: Path, original: bytes, capsys: pytest.CaptureFixture[str]
) -> None:
    pairs = tmp_path / "pairs.jsonl"
    pairs.write_bytes(original)
    assert _noise(pairs, tmp_path / "back.jsonl", "--undo") == 2
    err = capsys.readouterr().err
    assert f"patarm data add-noise: error: {pairs} line 1: field 'flip_rounds': expected a noised pair" in err


def test_a_flipped_field_alone_is_one_round_and_bad_records_are_named() -> None:
    assert noise_rounds({"flipped": False}) == [False]
    row: dict[str, object] = {"flipped": True, "flip_rounds": [True]}
    record_rounds(row, [])
    assert row == {}
    with pytest.raises(RowError, match="field 'flip_rounds': expected a list of true/false"):
        noise_rounds({"flip_rounds": "yes"}, 3)
    with pytest.raises(RowError, match="row 3: field 'flipped': expected False"):
        noise_rounds({"flipped": True, "flip_rounds": [True, True]}, 3)
