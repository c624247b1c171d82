"""sft_rows and format_warmup: the SFT format warm-up before GRPO with PAR."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from patarm.adapters.trl import format_warmup, grpo_rows, sft_rows
from patarm.parsing import parse_judgment
from patarm.prompts import JudgePrompts
from patarm.types import PreferencePair

texts = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=1, max_size=40)


@given(texts, texts, st.floats(1, 10, allow_nan=False), st.sampled_from(["chat", "math", "code", None]))
def test_prompt_is_the_grpo_prompt_and_target_parses_back(
    prompt: str, response: str, score: float, domain: str | None
) -> None:
    record = {"prompt": prompt, "response": response, "score": score, "domain": domain, "rationale": response}
    (row,) = sft_rows([record])
    pair = PreferencePair(pair_id="x", prompt=prompt, chosen=response, rejected=response + "!", domain=domain)
    chosen_row = grpo_rows([pair])[0]
    assert row["prompt"] == chosen_row["prompt"]  # SFT and RL see one prompt format
    assert row["domain"] == chosen_row["domain"]
    (message,) = row["completion"]
    assert message["role"] == "assistant"
    assert parse_judgment(message["content"]).score == score


def test_a_conversation_is_routed_as_in_grpo_rows() -> None:
    chat = [{"role": "system", "content": "Count 2"}, {"role": "user", "content": "- 1 apples"}]
    (row,) = sft_rows([{"prompt": chat, "response": "1", "score": 5}])
    chosen_row = grpo_rows([PreferencePair(pair_id="x", prompt=chat, chosen="1", rejected="2")])[0]
    assert row["prompt"] == chosen_row["prompt"]
    assert row["domain"] == chosen_row["domain"] == "chat"  # both route the prompt_as_text form of the turns


def test_judgment_text_passes_through_and_text_rows() -> None:
    judgment = "<criteria>Right answer.</criteria>\n<rationale>It is 4.</rationale>\n<answer>9</answer>"
    records = [{"prompt": [{"role": "user", "content": "2+2?"}], "response": "4", "judgment": judgment}]
    (row,) = sft_rows(records, conversational=False)
    assert row["completion"] == judgment
    assert isinstance(row["prompt"], str) and "2+2?" in row["prompt"]
    assert row["domain"] == "math"  # routed: the record has no domain
    (row,) = sft_rows(records, JudgePrompts(tiers="primary", system_prompt="You judge."))
    assert row["prompt"][0] == {"role": "system", "content": "You judge."}


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ({"prompt": "p", "response": "r"}, "record 0: give exactly one of 'judgment'"),
        ({"prompt": "p", "response": "r", "score": 5, "judgment": "<answer>5</answer>"}, "exactly one of"),
        ({"prompt": "p", "response": "r", "score": 11}, r"record 0: the SFT target is not a well-formed.*out_of_range"),
        ({"prompt": "p", "response": "r", "score": True}, "'score' must be a finite number"),
        ({"prompt": "p", "response": "r", "score": float("nan")}, "'score' must be a finite number"),
        ({"prompt": "p", "response": "r", "judgment": "I like it"}, "not a well-formed judgment.*no_answer"),
        ({"prompt": "p", "response": "r", "judgment": 7}, "'judgment' must be text"),
        ({"prompt": "p", "response": "r", "score": 5, "rationale": 3}, "'rationale' must be text"),
        ({"prompt": "p", "score": 5}, "record 0: missing field 'response'"),
        ({"prompt": "p", "response": None, "score": 5}, "'response' must be text"),
    ],
)
def test_bad_records_are_errors_naming_the_record(record: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        sft_rows([record])


def test_errors_name_the_position_and_integer_scores() -> None:
    good = {"prompt": "p", "response": "r", "score": 5}
    with pytest.raises(ValueError, match="record 2: "):
        sft_rows([good, good, {"prompt": "p", "response": "r", "score": 0}])
    with pytest.raises(ValueError, match="not_an_integer"):
        sft_rows([{**good, "score": 5.5}], integer_scores=True)
    with pytest.raises(ValueError, match="no records"):
        sft_rows([])
    assert sft_rows([{**good, "score": 80}], JudgePrompts(scale=(0, 100)))[0]["completion"][0]["content"].endswith(
        "<answer>80</answer>"
    )


def test_format_warmup_rejects_rows_without_completions() -> None:
    pytest.importorskip("trl")
    with pytest.raises(ValueError, match=r"lack column\(s\) \['completion'\]"):
        format_warmup(None, None, [{"prompt": "p"}])


@pytest.mark.slow
def test_format_warmup_teaches_the_format() -> None:
    """A real SFT run on the demo judge: after training on one constant target, greedy
    decoding writes that judgment (the model is trained in place, loss on the completion)."""
    pytest.importorskip("trl")
    import torch

    from patarm.demo._model import demo_model_and_tokenizer
    from patarm.demo._run import _judge_prompts
    from patarm.demo._task import DEMO_DOMAIN, DemoTask

    torch.set_num_threads(1)
    model, tokenizer = demo_model_and_tokenizer(seed=0)
    prompts = _judge_prompts()
    records = [
        {"prompt": p.prompt, "response": p.chosen, "domain": DEMO_DOMAIN, "judgment": "<answer> 7 </answer>"}
        for p in DemoTask().pairs(32, seed=0)
    ]
    probe = tokenizer.apply_chat_template(
        sft_rows(records[:1], prompts)[0]["prompt"], add_generation_prompt=True, return_tensors="pt", return_dict=True
    )

    def greedy() -> str:
        model.eval()
        with torch.no_grad():
            out = model.generate(**probe, max_new_tokens=6, do_sample=False)
        model.train()
        text: str = tokenizer.decode(out[0, probe["input_ids"].shape[1] :], skip_special_tokens=True)
        return text

    assert parse_judgment(greedy()).score != 7.0
    trainer = format_warmup(
        model,
        tokenizer,
        sft_rows(records, prompts),
        max_steps=30,
        per_device_train_batch_size=16,
        learning_rate=3e-3,
        disable_tqdm=True,
        logging_steps=10,
    )
    assert trainer.model is model and trainer.state.global_step == 30
    losses = [entry["loss"] for entry in trainer.state.log_history if "loss" in entry]
    assert losses[-1] < losses[0]
    assert parse_judgment(greedy()).score == 7.0
