"""Judge settings, typed and serialisable (JSON / YAML through ``model_dump``)."""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field, field_validator

from patarm._settings_model import SettingsModel
from patarm.backends import SamplingParams
from patarm.parsing import check_scale

__all__ = ["JudgeConfig"]


class JudgeConfig(SettingsModel):
    """How a judge prompts, samples and aggregates.

    - ``tiers``: which criteria the prompt carries: the domain rubric ("primary"), criteria
      specific to the prompt ("generated"), or both (the paper's default).
    - ``criteria_mode``: "inline" (the judge writes the prompt's criteria in each rollout, as
      in the paper) or "cached" (written once per prompt by a criteria call and reused).
    - ``samples`` rollouts per item, aggregated by ``voting`` ("mean" or "median").
    - ``expected_score``: also ask for log-probabilities and report the expected score under
      the judge's distribution over score tokens (breaks ties of integer scores).
    """

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    scale: tuple[float, float] = Field((1, 10), description="the score scale, low and high")
    integer_scores: bool = Field(False, description="a non-integer score is malformed")
    tiers: Literal["primary", "generated", "both"] = Field(
        "both",
        description="criteria in the prompt: the domain rubric, prompt-specific generated criteria, or both",
    )
    criteria_mode: Literal["inline", "cached"] = Field(
        "inline",
        description="inline: the judge writes the prompt's criteria in every rollout; cached: written once per prompt",
    )
    samples: int = Field(1, ge=1, description="rollouts per judgment")
    voting: Literal["mean", "median"] = Field("mean", description="how the rollouts' scores combine")
    temperature: float = Field(1.0, ge=0, description="sampling temperature; 0 = greedy")
    top_p: float = Field(1.0, gt=0, le=1, description="nucleus sampling mass")
    max_new_tokens: int = Field(1024, ge=1, description="tokens per rollout at most")
    seed: int | None = Field(0, description="sampling seed; the same seed reproduces a run")
    expected_score: bool = Field(False, description="also report the expected score from log-probabilities")
    top_logprobs: int = Field(20, ge=1, description="log-probabilities per token asked for, when expected_score is on")
    both_orders: bool = Field(True, description="pairwise: judge both orders (A first and B first)")
    system_prompt: str | None = Field(None, description="a system message put before every judge prompt")
    chunk_size: int = Field(64, ge=1, description="prompts sent to the backend per generate call")

    @field_validator("scale")
    @classmethod
    def _scale(cls, value: tuple[float, float]) -> tuple[float, float]:
        return check_scale(value)

    def sampling(self) -> SamplingParams:
        """Backend sampling parameters for a generate call. The run's ``seed`` goes to the
        backend as is: it derives each prompt's seeds from it and the prompt, so chunking and
        resuming never change the samples."""
        return SamplingParams(
            n=self.samples,
            temperature=self.temperature,
            top_p=self.top_p,
            max_new_tokens=self.max_new_tokens,
            seed=self.seed,
            logprobs=self.top_logprobs if self.expected_score else None,
        )
