"""Reading a rendered conversation back stays linear on adversarial text (1 MB bounds)."""

from __future__ import annotations

import pytest

from adversarial import assert_fast, repeat
from patarm.policy_rewards._query import split_query
from patarm.policy_rewards._template import CHATML, GEMMA, LLAMA3, ChatTemplate

HEAD = "<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n"


@pytest.mark.parametrize(
    ("unit", "prefix"),
    [(" ", "<think>"), ("<think>", ""), (" ", ""), ("\n", ""), ("a", "<|im_start|>"), ("<|im_start|>", "")],
)
def test_split_query_one_megabyte_is_fast(unit: str, prefix: str) -> None:
    assert_fast(lambda t: split_query(HEAD + t, template=CHATML, mode="marker"), repeat(unit, prefix=prefix))


@pytest.mark.parametrize("template", [CHATML, LLAMA3, GEMMA])
@pytest.mark.parametrize("unit", ["<|im_start|>a", "<|start_header_id|>a<|end_header_id|>\n", "<start_of_turn>a", "a"])
def test_turns_one_megabyte_is_fast(template: ChatTemplate, unit: str) -> None:
    assert_fast(template.turns, repeat(unit))
