"""The pair loader's text handling: texts kept exactly, blank ones counted, linear time."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adversarial import adversarial_text, assert_fast, repeat
from patarm.data import LoadReport, load_pairs

text_or_blank = adversarial_text | st.sampled_from(["", " ", "\n\t", "\u3000", "\u200b"])


@given(text_or_blank, text_or_blank, text_or_blank)
def test_loaded_texts_equal_reference(prompt: str, chosen: str, rejected: str) -> None:
    report = LoadReport()
    pairs = load_pairs([{"prompt": prompt, "chosen": chosen, "rejected": rejected}], skip=True, report=report)
    blank = [not t.strip() for t in (prompt, chosen, rejected)]
    if any(blank):
        assert pairs == [] and report.skipped == {"empty_text": 1}
    elif chosen == rejected:
        assert pairs == [] and report.skipped == {"identical": 1}
    else:
        assert [(p.prompt, p.chosen, p.rejected) for p in pairs] == [(prompt, chosen, rejected)]


@given(text_or_blank)
def test_blank_assistant_message_is_counted(content: str) -> None:
    report = LoadReport()
    rows = [{"chosen": [{"role": "user", "content": "q"}, {"role": "assistant", "content": content}],
             "rejected": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "other"}]}]  # fmt: skip
    pairs = load_pairs(rows, skip=True, report=report)
    assert (report.skipped == {"empty_text": 1}) == (not content.strip())
    assert len(pairs) == (1 if content.strip() and content != "other" else 0)


@pytest.mark.parametrize("unit", [" ", "\n", "<answer>", "</think>", "< ", "\u200b"])
def test_one_megabyte_is_fast(unit: str) -> None:
    text = repeat(unit)
    rows = [
        {"prompt": text, "chosen": text + "a", "rejected": text + "b"},
        {"prompt": "q", "chosen": text, "rejected": "r"},
    ]
    assert_fast(lambda t: load_pairs(rows, skip=True), text)
