"""Reading OpenRLHF's decoded query back into (conversation, response) with the policy's chat template."""

from __future__ import annotations

import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st

from patarm.policy_rewards import (
    CHAT_TEMPLATES,
    CHATML,
    GEMMA,
    LLAMA3,
    PLAIN,
    ChatTemplate,
    QuerySplitError,
    data_domain,
    detect_chat_template,
    label_fields,
    split_query,
)
from patarm.testing import build_tiny_tokenizer

LLAMA3_JINJA = (
    "{{ '<|begin_of_text|>' }}{% for m in messages %}"
    "{{ '<|start_header_id|>' + m['role'] + '<|end_header_id|>\\n\\n' + m['content'] + '<|eot_id|>' }}"
    "{% endfor %}{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{% endif %}"
)
GEMMA_JINJA = (
    "{{ '<bos>' }}{% for m in messages %}{% set role = 'model' if m['role'] == 'assistant' else m['role'] %}"
    "{{ '<start_of_turn>' + role + '\\n' + m['content'] + '<end_of_turn>\\n' }}"
    "{% endfor %}{% if add_generation_prompt %}{{ '<start_of_turn>model\\n' }}{% endif %}"
)


@pytest.fixture(scope="module")
def tokenizer():
    return build_tiny_tokenizer()


def render(tokenizer, messages, template: str | None = None) -> str:
    if template is not None:
        tokenizer.chat_template = template
    return tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)


def test_prefix_split_with_the_tiny_policy_template(tokenizer) -> None:
    messages = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Write a haiku."}]
    prompt = render(tokenizer, messages)
    query = prompt + "Rain on the roof,\nquiet.<|im_end|><|endoftext|>"
    split = split_query(query, prompt)
    assert split.method == "prefix"
    assert split.prompt == messages
    assert split.response == "Rain on the roof,\nquiet."


def test_marker_split_when_the_prompt_was_truncated(tokenizer) -> None:
    messages = [{"role": "user", "content": "Name a colour."}]
    prompt = render(tokenizer, messages)
    query = prompt + "Blue.<|im_end|>"
    truncated = query[len("<|im_start|>user\nName ") :]  # OpenRLHF cuts long prompts from the left
    split = split_query(truncated, prompt)
    assert split.method == "marker" and split.response == "Blue."
    assert split.prompt == [{"role": "user", "content": "a colour."}]
    with pytest.raises(QuerySplitError, match="does not start with its prompt"):
        split_query(truncated, prompt, mode="prefix")
    assert split_query(query, prompt, mode="marker").method == "marker"


def test_multi_turn_conversation_and_an_unfinished_response(tokenizer) -> None:
    messages = [
        {"role": "user", "content": "Hi"},
        {"role": "assistant", "content": "Hello! How can I help?"},
        {"role": "user", "content": "List two fruits."},
    ]
    prompt = render(tokenizer, messages)
    split = split_query(prompt + "Apple, pear", None)  # no end marker: the response was cut at max length
    assert split.method == "marker"
    assert split.prompt == messages and split.response == "Apple, pear"


def test_thinking_is_stripped_unless_asked_to_keep(tokenizer) -> None:
    prompt = render(tokenizer, [{"role": "user", "content": "2+2?"}])
    query = prompt + "<think>\nfour, surely\n</think>\n\n4<|im_end|>"
    assert split_query(query, prompt).response == "4"
    kept = split_query(query, prompt, strip_thinking=False).response
    assert kept.startswith("<think>") and kept.endswith("4")


@pytest.mark.parametrize(
    ("query", "prompt", "mode", "says"),
    [
        ("no markers at all", None, "auto", "no assistant turn"),
        ("<|im_start|>assistant\nHi<|im_end|>", None, "auto", "no conversation before it"),
        ("text", None, "prefix", "no prompt was given"),
    ],
)
def test_unsplittable_queries_say_why(query: str, prompt: str | None, mode: str, says: str) -> None:
    with pytest.raises(QuerySplitError, match=says):
        split_query(query, prompt, mode=mode)  # type: ignore[arg-type]


def test_plain_template_splits_by_prefix_only() -> None:
    split = split_query("Question: 2+2?\nAnswer: 4", "Question: 2+2?\nAnswer:", template=PLAIN)
    assert split.prompt == [{"role": "user", "content": "Question: 2+2?\nAnswer:"}] and split.response == "4"
    with pytest.raises(QuerySplitError, match="template 'none' has no assistant-turn marker"):
        split_query("Question: 2+2? Answer: 4", "something else", template=PLAIN)


@pytest.mark.parametrize(("jinja", "expected"), [(LLAMA3_JINJA, LLAMA3), (GEMMA_JINJA, GEMMA)])
def test_other_template_families_are_detected_and_split(jinja: str, expected: ChatTemplate) -> None:
    tokenizer = build_tiny_tokenizer()
    tokenizer.chat_template = jinja
    template = detect_chat_template(tokenizer)
    assert template == expected
    messages = [{"role": "system", "content": "Be kind."}, {"role": "user", "content": "Say hi."}]
    prompt = render(tokenizer, messages)
    end = template.turn_end + (template.special[1] if template.special[1:] else "")
    for mode in ("prefix", "marker"):
        split = split_query(prompt + "Hi there!" + end, prompt, template=template, mode=mode)  # type: ignore[arg-type]
        assert split.prompt == messages and split.response == "Hi there!"


def test_detection_fails_loudly_for_an_unknown_template() -> None:
    tokenizer = build_tiny_tokenizer()
    tokenizer.chat_template = "{% for m in messages %}[{{ m['role'] }}] {{ m['content'] }}\n{% endfor %}"
    with pytest.raises(ValueError, match="no chat template preset"):
        detect_chat_template(tokenizer)
    tokenizer.chat_template = None
    with pytest.raises(ValueError, match="has no chat template"):
        detect_chat_template(tokenizer)


def test_templates_pickle_and_are_registered() -> None:
    assert set(CHAT_TEMPLATES) == {"chatml", "llama3", "gemma", "none"}
    for template in CHAT_TEMPLATES.values():
        template.turns("<|im_start|>user\nx<|im_end|>")  # fills the cached pattern
        assert pickle.loads(pickle.dumps(template)) == template


TEXT = st.text(
    st.characters(blacklist_characters="<|\r", blacklist_categories=("Cs",)), min_size=1, max_size=40
).filter(lambda s: s.strip() != "")


@given(
    turns=st.lists(st.tuples(st.sampled_from(["user", "assistant"]), TEXT), min_size=1, max_size=4),
    response=TEXT,
    system=st.none() | TEXT,
)
def test_any_chatml_conversation_splits_back_exactly(turns, response: str, system: str | None) -> None:
    messages = ([{"role": "system", "content": system}] if system else []) + [
        {"role": role, "content": content} for role, content in turns
    ]
    prompt = "".join(f"<|im_start|>{m['role']}\n{m['content']}<|im_end|>\n" for m in messages)
    prompt += "<|im_start|>assistant\n"
    query = prompt + response + "<|im_end|>"
    expected = [{"role": m["role"], "content": m["content"].strip()} for m in messages]
    for mode in ("prefix", "marker"):
        split = split_query(query, prompt, template=CHATML, mode=mode, strip_thinking=False)
        assert split.prompt == expected
        assert split.response == response.strip()


def test_labels_and_rows_choose_the_domain() -> None:
    assert label_fields('{"domain": "math", "pair_id": 3}') == {"domain": "math", "pair_id": 3}
    assert label_fields({"domain": "code"}) == {"domain": "code"}
    assert label_fields("42") == {"label": "42"} and label_fields("{broken") == {"label": "{broken"}
    assert label_fields(None) == {}
    assert data_domain(label_fields("math"), known={"math", "chat"}) == "math"
    assert data_domain(label_fields("42"), known={"math"}) is None
    ifeval = {"instruction_id_list": ["length_constraints:number_words"]}
    assert data_domain(ifeval) == "instruction_following"
    assert data_domain(ifeval, instruction_domain=None, default_domain="chat") == "chat"
    assert data_domain({}, data_source="google/IFEval") == "instruction_following"
    assert data_domain({"domain": "safety", **ifeval}) == "safety"  # an explicit domain wins
    assert data_domain({}, default_domain="chat") == "chat"
