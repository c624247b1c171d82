"""The one judging loop (:func:`patarm.judges.judge_items`): records keyed by what was judged,
so reordered, edited and appended items never reuse a stale judgment; chunk sizes may change;
a failed start writes nothing; one seed path; the ``Judge`` protocol."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from patarm.backends import ChatInput, Completion, FunctionBackend, SamplingParams, prompt_text
from patarm.errors import BackendError
from patarm.judges import (
    Judge,
    JudgeConfig,
    PairwiseItem,
    PairwiseJudge,
    PointwiseItem,
    PointwiseJudge,
    PointwiseResult,
    judge_items,
)
from patarm.store import StoreSettingsError


def by_length(prompt: str, seed: int | None) -> str:
    """A score from the response's length (1-10); ``BROKEN`` gets no score."""
    found = re.search(r"<response>\n(.*?)\n</response>", prompt, re.DOTALL)
    if found is not None:
        text = found.group(1)
        return "no score" if text == "BROKEN" else f"<answer>{min(10, len(text))}</answer>"
    a = re.search(r"<response_a>\n(.*?)\n</response_a>", prompt, re.DOTALL)
    b = re.search(r"<response_b>\n(.*?)\n</response_b>", prompt, re.DOTALL)
    assert a and b
    if "BROKEN" in (a.group(1), b.group(1)):
        return "no score"
    return f"<score_a>{min(10, len(a.group(1)))}</score_a><score_b>{min(10, len(b.group(1)))}</score_b>"


def judge(**config: Any) -> PointwiseJudge:
    return PointwiseJudge(FunctionBackend(by_length), JudgeConfig(tiers="primary", **config))


ITEMS = [PointwiseItem("Say hi.", "hello"), PointwiseItem("Say hi.", "hi"), PointwiseItem("2+2?", "four")]


def test_a_reordered_run_reuses_each_items_own_judgment(tmp_path: Path) -> None:
    store = tmp_path / "j.jsonl"
    first = judge_items(judge(), ITEMS, ids=["a", "b", "c"], store=store)
    with pytest.warns(UserWarning, match=r"2 id\(s\) were judged before with other content \(a, c\)"):
        again = judge_items(judge(), ITEMS[::-1], ids=["a", "b", "c"], store=store)  # ids now name other rows
    assert [r.score for r in again.results] == [r.score for r in first.results][::-1] == [4.0, 2.0, 5.0]
    assert (again.counts.judged, again.counts.reused, again.counts.changed) == (0, 3, 2)


def test_an_edited_item_is_judged_again_and_its_id_reported(tmp_path: Path) -> None:
    store = tmp_path / "j.jsonl"
    judge_items(judge(), ITEMS, ids=["a", "b", "c"], store=store)
    edited = [ITEMS[0], PointwiseItem("Say hi.", "hi there, friend"), ITEMS[2]]
    with pytest.warns(UserWarning, match=r"1 id\(s\) were judged before with other content \(b\)"):
        run = judge_items(judge(), edited, ids=["a", "b", "c"], store=store)
    assert [r.score for r in run.results] == [5.0, 10.0, 4.0]
    assert (run.counts.judged, run.counts.reused, run.counts.changed, run.counts.changed_ids) == (1, 2, 1, ["b"])


def test_appended_items_are_judged_and_the_rest_reused(tmp_path: Path) -> None:
    store = tmp_path / "j.jsonl"
    judge_items(judge(), ITEMS[:2], store=store)
    run = judge_items(judge(), ITEMS, store=store)
    assert (run.counts.judged, run.counts.reused) == (1, 2)
    assert [r.score for r in run.results] == [r.score for r in judge_items(judge(), ITEMS).results]


@settings(max_examples=25, deadline=None)
@given(first=st.integers(1, 5), second=st.integers(1, 5), cut=st.integers(0, 6))
def test_chunk_sizes_may_change_between_runs(tmp_path_factory: Any, first: int, second: int, cut: int) -> None:
    items = [PointwiseItem(f"q{i % 3}", "x" * (i + 1)) for i in range(6)]
    store = tmp_path_factory.mktemp("chunks") / "j.jsonl"
    whole = judge_items(judge(samples=2, temperature=0.7), items)
    judge_items(judge(samples=2, temperature=0.7), items[:cut], store=store, chunk=first)
    resumed = judge_items(judge(samples=2, temperature=0.7), items, store=store, chunk=second)
    assert resumed.results == whole.results
    assert (resumed.counts.judged, resumed.counts.reused) == (6 - cut, cut)


def test_a_failed_start_writes_nothing(tmp_path: Path) -> None:
    def refuse(prompt: str, seed: int | None) -> str:
        raise ConnectionError("the judge server refused")

    store = tmp_path / "j.jsonl"
    with pytest.raises(BackendError) as failed:  # the function backend names the user's function
        judge_items(PointwiseJudge(FunctionBackend(refuse)), ITEMS, store=store)
    assert isinstance(failed.value.__cause__, ConnectionError)
    assert list(tmp_path.iterdir()) == []
    assert judge_items(judge(), ITEMS, store=store).counts.judged == 3  # not refused afterwards


def test_a_store_of_another_judge_is_refused_naming_each_difference(tmp_path: Path) -> None:
    store = tmp_path / "j.jsonl"
    judge_items(judge(), ITEMS, store=store, settings={"model": "m"})
    with pytest.raises(StoreSettingsError) as caught:
        judge_items(judge(samples=2, seed=5), ITEMS, store=store, settings={"model": "m"})
    assert caught.value.changed == [("judge.samples", 1, 2), ("judge.seed", 0, 5)]


def test_the_judges_seed_reaches_the_backend_once_per_call(tmp_path: Path) -> None:
    class Recording:
        def __init__(self) -> None:
            self.seeds: list[int | None] = []

        def generate(self, prompts: Sequence[ChatInput], params: SamplingParams) -> list[list[Completion]]:
            self.seeds.append(params.seed)
            return [[Completion(by_length(prompt_text(p), params.seed))] * params.n for p in prompts]

    backend = Recording()
    judge_items(PointwiseJudge(backend, JudgeConfig(seed=11, tiers="primary")), ITEMS, chunk=1)
    assert backend.seeds == [11, 11, 11]  # one call per chunk, each with the run's seed as given


def test_pairwise_failures_are_failures_never_agreement() -> None:
    pairwise = PairwiseJudge(FunctionBackend(by_length), JudgeConfig(tiers="primary"))
    run = judge_items(pairwise, [PairwiseItem("q", "BROKEN", "BROKEN"), PairwiseItem("q", "long answer", "no")])
    broken, fine = run.results
    assert broken.agreement is False and broken.winner is None and broken.failed
    assert fine.agreement is True and not fine.failed
    assert run.counts.failed == 1


def test_pointwise_and_pairwise_judges_are_judges_and_records_have_one_shape(tmp_path: Path) -> None:
    assert isinstance(judge(), Judge) and isinstance(PairwiseJudge(FunctionBackend(by_length)), Judge)
    store = tmp_path / "j.jsonl"
    judge_items(judge(), [PointwiseItem("q", "BROKEN")], ids=["row-1"], store=store)
    header, record = (json.loads(line) for line in store.read_text().splitlines())
    assert header["patarm_store"] == "judgments" and header["settings"]["judge"]["seed"] == 0
    assert set(record) == {"id", "name", "mode", "result"} and record["name"] == "row-1"
    assert PointwiseResult.model_validate(record["result"]).failed


def test_an_edited_template_or_rubric_file_is_never_reused(tmp_path: Path) -> None:
    """The judge's settings hold the content of the user's template and rubric folders, not only
    their paths: after an edit there, a store of judgments made with the old text is refused,
    naming what changed (never silently reused)."""
    from patarm.judges import JudgeConfig
    from patarm.prompts import TEMPLATE_DIR
    from patarm.rubrics import RubricSet

    templates, rubrics = tmp_path / "templates", tmp_path / "rubrics"
    templates.mkdir(), rubrics.mkdir()
    builtin = (Path(TEMPLATE_DIR) / "pointwise.j2").read_text(encoding="utf-8")
    (templates / "pointwise.j2").write_text(builtin, encoding="utf-8")
    (rubrics / "chat.j2").write_text("Usefulness: answers the query.", encoding="utf-8")

    def run(store: Path) -> Any:
        backend = FunctionBackend(lambda prompt, seed: "<answer>7</answer>")
        judged = PointwiseJudge(
            backend, JudgeConfig(tiers="primary"), rubrics=RubricSet([rubrics]), template_dir=str(templates)
        )
        return judge_items(judged, ITEMS, store=store).counts

    assert run(tmp_path / "a.jsonl").judged == 3
    assert run(tmp_path / "a.jsonl").reused == 3
    (templates / "pointwise.j2").write_text(builtin.replace("on its own merits", "strictly"), encoding="utf-8")
    with pytest.raises(StoreSettingsError, match=r"judge\.templates"):
        run(tmp_path / "a.jsonl")
    assert run(tmp_path / "b.jsonl").judged == 3
    (rubrics / "chat.j2").write_text("Usefulness: answers the query fully.", encoding="utf-8")
    with pytest.raises(StoreSettingsError, match=r"judge\.rubrics"):
        run(tmp_path / "b.jsonl")
