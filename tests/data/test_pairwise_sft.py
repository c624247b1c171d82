"""``patarm data build-sft --mode pairwise`` and ``patarm data intersect``: a scripted
pairwise teacher (a python function) judges both orders; pairs it does not prefer as labelled,
by more than the margin and in both orders, are dropped and counted; the intersection keeps
exactly the pairs both corpora hold."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from patarm.cli import main
from patarm.data import intersect_corpora

PAIRWISE = str(Path(__file__).parent / "pairwise_teacher.py") + ":judge"
POINTWISE = str(Path(__file__).parent / "margin_teacher.py") + ":judge"

ROWS: list[dict[str, Any]] = [
    {"pair_id": "keep", "prompt": "Say hi.", "chosen": "score:9 hello", "rejected": "score:3 go"},  # margin 6
    {"pair_id": "edge", "prompt": "Say hi.", "chosen": "score:6 hi", "rejected": "score:4 no"},  # margin 2: dropped
    {"pair_id": "just", "prompt": "Say hi.", "chosen": "score:7 hi", "rejected": "score:4 no"},  # margin 3: kept
    {"pair_id": "wrong", "prompt": "Say hi.", "chosen": "score:2 hi", "rejected": "score:8 no"},  # prefers rejected
    {"pair_id": "tie", "prompt": "Say hi.", "chosen": "score:5 a", "rejected": "score:5 b"},  # margin 0
    {"pair_id": "broken", "prompt": "Say hi.", "chosen": "BROKEN", "rejected": "score:1 b"},  # no score_a
    # chosen first: 10 vs 2, chosen wins; rejected first: 2 vs 1, rejected wins (mean margin 3.5)
    {"pair_id": "bias", "prompt": "Say hi.", "chosen": "first:10/1 hi", "rejected": "score:2 no"},
    # chosen first: 10 vs 1; rejected first: 1 vs 2: both orders prefer chosen, mean margin 5
    {"pair_id": "lean", "prompt": "Say hi.", "chosen": "first:10/2 x", "rejected": "score:1 y"},
    {"pair_id": "ultra", "prompt": "Say hi.", "chosen": "score:9 u", "rejected": "score:1 v", "source": "magpie_ultra"},
]


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def build(data: Path, out: Path, teacher: str, *extra: str) -> int:
    args = ["data", "build-sft", "-i", str(data), "-o", str(out), "--backend", "python", "--model", teacher]
    return main([*args, "--quiet", *extra])


def shown(row: dict[str, Any], tag: str) -> str:
    found = re.search(f"<{tag}>\n(.*?)\n</{tag}>", row["prompt"][-1]["content"], re.DOTALL)
    assert found
    return found.group(1)


def test_pairwise_corpus_keeps_agreeing_pairs_in_both_orders(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data, out = write_jsonl(tmp_path / "pairs.jsonl", ROWS), tmp_path / "pairwise.jsonl"
    assert build(data, out, PAIRWISE, "--mode", "pairwise") == 0
    rows = lines(out)
    got = [(r["pair_id"], r["chosen_position"], r["score_a"], r["score_b"]) for r in rows]
    assert got == [
        ("keep", "a", 9.0, 3.0),
        ("keep", "b", 3.0, 9.0),
        ("just", "a", 7.0, 4.0),
        ("just", "b", 4.0, 7.0),
        ("lean", "a", 10.0, 1.0),
        ("lean", "b", 1.0, 2.0),
    ]
    by_order = {(r["pair_id"], r["chosen_position"]): r for r in rows}
    first, second = by_order[("keep", "a")], by_order[("keep", "b")]
    assert (shown(first, "response_a"), shown(first, "response_b")) == ("score:9 hello", "score:3 go")
    assert (shown(second, "response_a"), shown(second, "response_b")) == ("score:3 go", "score:9 hello")
    assert second["completion"][0]["content"].endswith("<score_a>3</score_a><score_b>9</score_b>")
    assert "<score_a>SCORE_A</score_a>" in first["prompt"][-1]["content"]
    assert len({r["pair_key"] for r in rows}) == 3
    text = capsys.readouterr().out
    for expected in (
        "rows read: 9\npairs loaded: 8\n",
        "  excluded (source magpie_ultra): 1\n",
        "teacher judgments (pairwise, both orders): 8 made now, 0 reused from",
        "pairs judged by the teacher (both orders): 8\n",
        "pairs kept: 3 (6 rows, one per order)\n",
        "pairs dropped (malformed_teacher): 1\n",
        "pairs dropped (wrong_order): 1\n",
        "pairs dropped (orders_disagree): 1\n",
        "pairs dropped (margin_too_small): 2\n",
        "teacher judgments that failed: 1\n",
    ):
        assert expected in text, expected
    # a rerun reuses every teacher judgment and writes the same corpus
    assert build(data, out, PAIRWISE, "--mode", "pairwise") == 0
    assert "8 reused from" in capsys.readouterr().out and lines(out) == rows


def test_pairwise_corpus_refuses_one_order(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data, out = write_jsonl(tmp_path / "pairs.jsonl", ROWS), tmp_path / "pairwise.jsonl"
    assert build(data, out, PAIRWISE, "--mode", "pairwise", "--one-order") == 2
    assert "drop --one-order" in capsys.readouterr().err and not out.exists()


def test_pointwise_and_pairwise_corpora_intersect(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = write_jsonl(tmp_path / "pairs.jsonl", ROWS[:5])
    point, pair = tmp_path / "pointwise.jsonl", tmp_path / "pairwise.jsonl"
    assert build(data, point, POINTWISE) == 0  # keep, just (margin 6 and 3)
    biased = [dict(ROWS[0]), dict(ROWS[2], chosen="first:7/1 hi")]  # "just" now fails in the pairwise format
    assert build(write_jsonl(tmp_path / "pairs2.jsonl", biased), pair, PAIRWISE, "--mode", "pairwise") == 0
    capsys.readouterr()
    both = [tmp_path / "point.common.jsonl", tmp_path / "pair.common.jsonl"]
    args = ["data", "intersect", "-i", str(point), "-i", str(pair), "-o", str(both[0]), "-o", str(both[1])]
    assert main(args) == 0
    assert [(r["pair_id"], r["role"]) for r in lines(both[0])] == [("keep", "chosen"), ("keep", "rejected")]
    assert [(r["pair_id"], r["chosen_position"]) for r in lines(both[1])] == [("keep", "a"), ("keep", "b")]
    text = capsys.readouterr().out
    assert f"corpus {point}: 2 pairs (4 rows) -> 1 pairs (2 rows) in {both[0]}\n" in text
    assert f"corpus {pair}: 1 pairs (2 rows) -> 1 pairs (2 rows) in {both[1]}\n" in text
    assert "pairs in every corpus: 1\n" in text


def test_intersect_leaves_out_a_pair_id_with_other_content(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    same = {"pair_id": "q", "pair_key": "k2"}
    one = write_jsonl(tmp_path / "one.jsonl", [{"pair_id": "p", "pair_key": "k1"}, same])
    two = write_jsonl(tmp_path / "two.jsonl", [{"pair_id": "p", "pair_key": "OTHER"}, same])
    outs = [str(tmp_path / "o1.jsonl"), str(tmp_path / "o2.jsonl")]
    assert main(["data", "intersect", "-i", str(one), "-i", str(two), "-o", outs[0], "-o", outs[1]]) == 0
    assert [r["pair_id"] for r in lines(Path(outs[0]))] == ["q"]
    assert "pair ids with other content in another corpus (left out): 1 (p)" in capsys.readouterr().out


def test_intersect_names_a_row_without_a_pair_id(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    one = write_jsonl(tmp_path / "one.jsonl", [{"pair_id": "p"}, {"prompt": "no id"}])
    two = write_jsonl(tmp_path / "two.jsonl", [{"pair_id": "p"}])
    outs = [str(tmp_path / "o1.jsonl"), str(tmp_path / "o2.jsonl")]
    assert main(["data", "intersect", "-i", str(one), "-i", str(two), "-o", outs[0], "-o", outs[1]]) == 2
    err = capsys.readouterr().err
    assert "one.jsonl line 2: field 'pair_id'" in err and "Traceback" not in err
    assert main(["data", "intersect", "-i", str(one), "-o", outs[0]]) == 2
    assert "two corpora or more" in capsys.readouterr().err


@given(
    corpora=st.lists(
        st.lists(st.tuples(st.sampled_from("abcdefgh"), st.integers(1, 2)), max_size=12), min_size=2, max_size=3
    )
)
def test_the_intersection_is_exactly_the_common_pairs(tmp_path_factory: pytest.TempPathFactory, corpora: Any) -> None:
    tmp = tmp_path_factory.mktemp("corpora")
    inputs, outputs = [], []
    for n, pairs in enumerate(corpora):
        rows = [{"pair_id": pid, "row": k} for pid, repeat in pairs for k in range(repeat)]
        inputs.append(write_jsonl(tmp / f"in{n}.jsonl", rows))
        outputs.append(tmp / f"out{n}.jsonl")
    result = intersect_corpora(inputs, outputs)
    common = set.intersection(*({pid for pid, _ in pairs} for pairs in corpora))
    assert result.common == len(common)
    for source, target, counts in zip(inputs, outputs, result.corpora, strict=True):
        before, after = lines(source), lines(target)
        assert after == [r for r in before if r["pair_id"] in common]  # every row of a common pair, in order
        assert (counts.rows, counts.rows_kept, counts.pairs_kept) == (len(before), len(after), len(common))
