"""Judge settings, typed and serialisable (JSON / YAML through ``model_dump``)."""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field, field_validator

from patarm._settings_model import SettingsModel
from patarm.backends._base import SamplingParams
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

    scale: tuple[float, float] = (1, 10)
    integer_scores: bool = False
    tiers: Literal["primary", "generated", "both"] = "both"
    criteria_mode: Literal["inline", "cached"] = "inline"
    samples: int = Field(1, ge=1)
    voting: Literal["mean", "median"] = "mean"
    temperature: float = Field(1.0, ge=0)
    top_p: float = Field(1.0, gt=0, le=1)
    max_new_tokens: int = Field(1024, ge=1)
    seed: int | None = 0
    expected_score: bool = False
    top_logprobs: int = Field(20, ge=1)
    both_orders: bool = True
    system_prompt: str | None = None
    chunk_size: int = Field(64, ge=1)

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
