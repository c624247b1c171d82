"""A judge as a TRL reward function for POLICY training (GRPO, RLOO, ...): one score per completion.

TRL calls ``reward(prompts=..., completions=..., completion_ids=..., log_metric=..., **columns)``
with one entry per completion. :class:`JudgeReward` judges each (prompt, completion) pointwise
with a :class:`~patarm.judges.PointwiseJudge` in this process, or through a running
``patarm serve`` (``url=...``), and returns the score, or None where no judge sample parsed
(TRL then leaves that reward out) unless ``fallback_reward`` is set. It logs ``judge/malformed_rate``,
``judge/fallback_rate`` and ``judge/mean_score`` through TRL's ``log_metric``.

>>> from patarm.backends import FunctionBackend
>>> from patarm.judges import PointwiseJudge
>>> judge = PointwiseJudge(FunctionBackend(lambda prompt, seed: "<answer>8</answer>"))
>>> JudgeReward(judge=judge)(prompts=["Say hi."], completions=["Hi!"])
[8.0]
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from patarm.adapters.trl._completions import completion_text, prompt_messages
from patarm.errors import InputError
from patarm.judges import PointwiseItem, PointwiseJudge, PointwiseResult
from patarm.policy_rewards import (
    INSTRUCTION_DOMAIN,
    INSTRUCTION_FIELDS,
    JudgeClient,
    RemoteScore,
    data_domain,
    reference_text,
    reward_value,
)

__all__ = ["JudgeReward"]


@dataclass
class JudgeReward:
    """Picklable TRL reward function: the judge's pointwise score for each completion.

    Exactly one of ``judge`` (in-process) or ``url`` (a ``patarm serve`` address) is given.
    The domain of each row comes from the ``domain_key`` column, else instruction data (an
    ``instruction_id_list`` column) gets ``instruction_domain``, else ``default_domain``, else the
    judge routes it. ``use_expected_score`` prefers the judge's expected score when it has one.
    ``reference_key`` names a dataset column holding each row's reference answer (a ground
    truth, a solution), which reaches the judge in its ``<reference>`` block (read by
    :func:`~patarm.policy_rewards.reference_text`: a null cell is a row without one); a named
    column TRL does not pass is an error, never a silent judging without references.
    """

    judge: PointwiseJudge | None = None
    url: str | None = None
    api_key: str | None = field(default=None, repr=False)
    domain_key: str = "domain"
    default_domain: str | None = None
    instruction_domain: str | None = INSTRUCTION_DOMAIN
    use_expected_score: bool = False
    fallback_reward: float | None = None
    timeout_s: float = 180.0
    max_items_per_request: int = 256
    reference_key: str | None = None

    def __post_init__(self) -> None:
        if (self.judge is None) == (self.url is None):
            raise InputError("JudgeReward needs exactly one of judge= (in-process) or url= (a patarm serve address)")
        self._client: JudgeClient | None = None
        if self.url is not None:
            self._client = JudgeClient(
                self.url,
                api_key=self.api_key,
                timeout_s=self.timeout_s,
                max_items_per_request=self.max_items_per_request,
            )

    def domains(self, count: int, columns: Mapping[str, Any]) -> list[str | None]:
        """The domain of each of ``count`` rows, from the dataset columns TRL passes."""
        keys = [k for k in (self.domain_key, *INSTRUCTION_FIELDS) if isinstance(columns.get(k), Sequence)]
        out = []
        for i in range(count):
            fields = {("domain" if k == self.domain_key else k): columns[k][i] for k in keys}
            out.append(
                data_domain(fields, default_domain=self.default_domain, instruction_domain=self.instruction_domain)
            )
        return out

    def references(self, count: int, columns: Mapping[str, Any]) -> list[str | None]:
        """The reference answer of each of ``count`` rows (``reference_key``'s column), or None each."""
        if self.reference_key is None:
            return [None] * count
        values = columns.get(self.reference_key)
        if not isinstance(values, Sequence) or isinstance(values, str) or len(values) != count:
            seen = sorted(k for k in columns if k not in ("trainer_state", "log_extra"))
            raise InputError(
                f"reference_key={self.reference_key!r}: the training dataset needs that column, one value per "
                f"row; columns seen: {seen}"
            )
        return [reference_text(v) for v in values]

    def scores(
        self,
        prompts: Sequence[Any],
        completions: Sequence[Any],
        domains: Sequence[str | None],
        references: Sequence[str | None] | None = None,
    ) -> list[float | None]:
        """The judge's number for each completion (None where no sample parsed)."""
        texts = [completion_text(c) for c in completions]
        chats = [prompt_messages(p) for p in prompts]
        refs = list(references) if references is not None else [None] * len(texts)
        rows = [PointwiseItem(p, t, d, r) for p, t, d, r in zip(chats, texts, domains, refs, strict=True)]
        results: Sequence[PointwiseResult | RemoteScore]
        if self._client is not None:
            items = [
                {"prompt": r.prompt, "response": r.response, "domain": r.domain, "reference": r.reference} for r in rows
            ]
            results = self._client.score(items)
        else:
            assert self.judge is not None
            results = self.judge.judge_many(rows)
        return [reward_value(r, use_expected_score=self.use_expected_score) for r in results]

    def __call__(
        self,
        prompts: Sequence[Any] = (),
        completions: Sequence[Any] = (),
        completion_ids: Any = None,
        log_metric: Callable[[str, float], None] | None = None,
        **columns: Any,
    ) -> list[float | None]:
        if len(prompts) != len(completions):
            raise InputError(f"got {len(prompts)} prompts for {len(completions)} completions; TRL sends one each")
        if not completions:
            return []
        count = len(completions)
        values = self.scores(prompts, completions, self.domains(count, columns), self.references(count, columns))
        known = [v for v in values if v is not None]
        missing = len(values) - len(known)
        if log_metric is not None:
            log_metric("judge/malformed_rate", missing / len(values))
            log_metric("judge/fallback_rate", missing / len(values) if self.fallback_reward is not None else 0.0)
            if known:
                log_metric("judge/mean_score", sum(known) / len(known))
        return [v if v is not None else self.fallback_reward for v in values]
