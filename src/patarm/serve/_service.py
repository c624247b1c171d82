"""What the server does, without the web framework: validate requests, batch them through the
judge, turn judgments into API results and rewards. The routes in ``_app`` only call this.

>>> import asyncio
>>> from patarm.backends import FunctionBackend
>>> from patarm.judges import PointwiseJudge
>>> service = JudgeService(PointwiseJudge(FunctionBackend(lambda prompt, seed: "<answer>6</answer>")))
>>> async def demo():
...     await service.start()
...     request = RewardRequest(query=["<|im_start|>user\\nHi<|im_end|>\\n<|im_start|>assistant\\nHello<|im_end|>"])
...     try:
...         return await service.reward(request)
...     finally:
...         await service.close()
>>> asyncio.run(demo()).rewards
[6.0]
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from patarm.judges import PointwiseItem, PointwiseJudge, PointwiseResult
from patarm.policy import (
    CHAT_TEMPLATES,
    ChatTemplate,
    QuerySplitError,
    data_domain,
    label_fields,
    reward_value,
    split_query,
)
from patarm.prompts import PromptInput
from patarm.serve._batcher import (
    BatcherClosedError,
    BatchFailedError,
    JudgeTimeoutError,
    MicroBatcher,
    QueueFullError,
)
from patarm.serve._metrics import ServerMetrics
from patarm.serve._models import RewardRequest, RewardResponse, ScoreRequest, ScoreResponse, score_result
from patarm.serve._settings import ServeSettings

__all__ = ["ClientGone", "JudgeService", "ServeError"]

logger = logging.getLogger("patarm.serve")


class ServeError(Exception):
    """An error answer: HTTP status, stable code, message (and extra headers)."""

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


class ClientGone(Exception):
    """The client disconnected before its answer was ready; its work was dropped."""


class JudgeService:
    """The judge behind a micro-batcher, with the server's limits, counters and reward rules."""

    def __init__(
        self,
        judge: PointwiseJudge,
        settings: ServeSettings | None = None,
        *,
        chat_template: ChatTemplate | None = None,
        model_name: str | None = None,
    ) -> None:
        self.judge = judge
        self.settings = settings or ServeSettings()
        self.template = chat_template or CHAT_TEMPLATES[self.settings.chat_template]
        self.model_name = model_name
        self.metrics = ServerMetrics()
        s = self.settings
        self.scale = judge.config.scale
        self.fallback = s.fallback_reward if s.fallback_reward is not None else self.scale[0]
        if s.default_domain is not None:
            judge.rubrics.check(s.default_domain)
        if s.instruction_domain is not None and s.instruction_domain not in judge.rubrics:
            raise ValueError(f"instruction_domain {s.instruction_domain!r} is not a known rubric domain")
        self.batcher: MicroBatcher[PointwiseItem, PointwiseResult] = MicroBatcher(
            judge.judge_many,
            max_batch_size=s.max_batch_size,
            max_wait_s=s.max_wait_ms / 1000,
            max_queue=s.max_queue,
            workers=s.workers,
            isolate_failures=s.isolate_failures,
            on_batch=self.metrics.record_batch,
        )

    async def start(self) -> None:
        await self.batcher.start()

    async def close(self) -> None:
        await self.batcher.close()

    # -- checks ----------------------------------------------------------------------------

    def _count(self, count: int) -> None:
        limit = self.settings.max_items_per_request
        if count > limit:
            self.metrics.errors["too_large"] += 1
            raise ServeError(413, "too_large", f"{count} items in one request; the limit is {limit}: split it")

    def _text(self, text: str, where: str) -> None:
        limit = self.settings.max_text_chars
        if len(text) > limit:
            self.metrics.errors["too_large"] += 1
            raise ServeError(413, "too_large", f"{where} has {len(text)} characters; the limit is {limit}")

    def _domain(self, domain: str | None, where: str) -> str | None:
        if domain is not None and domain not in self.judge.rubrics:
            self.metrics.errors["invalid"] += 1
            known = ", ".join(self.judge.rubrics.domains())
            raise ServeError(422, "invalid_request", f"{where}: unknown domain {domain!r} (known: {known})")
        return domain

    # -- judging ---------------------------------------------------------------------------

    async def _judge(
        self, items: list[PointwiseItem], gone: Callable[[], Awaitable[None]] | None
    ) -> list[PointwiseResult]:
        """Results for ``items`` through the batcher; errors become :class:`ServeError`."""
        self.metrics.items += len(items)
        job = asyncio.ensure_future(self.batcher.submit(items, timeout=self.settings.request_timeout_s))
        watch = asyncio.ensure_future(gone()) if gone is not None else None
        try:
            await asyncio.wait({job} if watch is None else {job, watch}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (job, watch):
                if task is not None and not task.done():
                    task.cancel()
        if not job.done() or job.cancelled():
            with contextlib.suppress(BaseException):
                await job
            self.metrics.errors["disconnected"] += 1
            raise ClientGone()
        try:
            return job.result()
        except QueueFullError as exc:
            self.metrics.errors["queue_full"] += 1
            raise ServeError(429, "queue_full", f"{exc}; retry shortly", {"Retry-After": "1"}) from None
        except JudgeTimeoutError as exc:
            self.metrics.errors["timeout"] += 1
            raise ServeError(504, "timeout", str(exc)) from None
        except BatchFailedError as exc:
            self.metrics.errors["backend_error"] += 1
            logger.error("%s", exc)
            raise ServeError(500, "backend_error", str(exc)) from None
        except BatcherClosedError as exc:
            self.metrics.errors["unavailable"] += 1
            raise ServeError(503, "unavailable", str(exc)) from None

    async def score(self, request: ScoreRequest, gone: Callable[[], Awaitable[None]] | None = None) -> ScoreResponse:
        """``POST /v1/score``."""
        self._count(len(request.items))
        items = []
        for i, item in enumerate(request.items):
            prompt: PromptInput = item.prompt
            texts = [item.prompt] if isinstance(item.prompt, str) else [m.content for m in item.prompt]
            for text in (*texts, item.response):
                self._text(text, f"items[{i}]")
            items.append(PointwiseItem(prompt, item.response, self._domain(item.domain, f"items[{i}].domain")))
        results = await self._judge(items, gone)
        self.metrics.record_results(len(results), sum(r.score is None for r in results))
        return ScoreResponse(
            results=[score_result(r, include_samples=request.include_samples) for r in results], scale=self.scale
        )

    def _reward_item(self, i: int, query: str, prompt: str | None, label: Any) -> PointwiseItem | None:
        self._text(query, f"query[{i}]")
        fields = label_fields(label)
        s = self.settings
        domain = data_domain(
            fields,
            default_domain=s.default_domain,
            instruction_domain=s.instruction_domain,
            known=self.judge.rubrics,
        )
        domain = self._domain(domain, f"labels[{i}]")
        try:
            split = split_query(query, prompt, template=self.template, mode=s.split, strip_thinking=s.strip_thinking)
        except QuerySplitError as exc:
            logger.warning("query %d: %s; it gets the fallback reward", i, exc)
            return None
        original = fields.get("prompt")
        judged_prompt: PromptInput = original if isinstance(original, str) and original.strip() else split.prompt
        return PointwiseItem(judged_prompt, split.response, domain)

    async def reward(self, request: RewardRequest, gone: Callable[[], Awaitable[None]] | None = None) -> RewardResponse:
        """``POST /get_reward`` (OpenRLHF's protocol)."""
        count = len(request.query)
        self._count(count)
        for name, values in (("prompts", request.prompts), ("labels", request.labels)):
            if values is not None and len(values) != count:
                self.metrics.errors["invalid"] += 1
                raise ServeError(
                    422, "invalid_request", f"{name} has {len(values)} entries for {count} queries: give one per query"
                )
        prompts: Sequence[str | None] = request.prompts or [None] * count
        labels: Sequence[Any] = request.labels or [None] * count
        rows = enumerate(zip(request.query, prompts, labels, strict=True))
        items = [self._reward_item(i, query, prompt, label) for i, (query, prompt, label) in rows]
        judged = [item for item in items if item is not None]
        results = iter(await self._judge(judged, gone) if judged else [])
        lo, hi = self.scale
        rewards, scores, malformed, fallback, split_failed = [], [], [], [], []
        for item in items:
            result = next(results) if item is not None else None
            value = reward_value(result, use_expected_score=self.settings.use_expected_score) if result else None
            reward = self.fallback if value is None else value
            unit = min(1.0, max(0.0, (reward - lo) / (hi - lo)))
            rewards.append(unit if self.settings.normalize_rewards else float(reward))
            scores.append(unit)
            malformed.append(float(result is not None and result.score is None))
            fallback.append(float(value is None))
            split_failed.append(float(item is None))
        self.metrics.record_results(len(judged), int(sum(malformed)))
        self.metrics.fallbacks += int(sum(fallback))
        self.metrics.split_failures += int(sum(split_failed))
        extra = {"judge_malformed": malformed, "judge_fallback": fallback, "judge_split_failed": split_failed}
        return RewardResponse(rewards=rewards, scores=scores, extra_logs=extra)

    # -- status ----------------------------------------------------------------------------

    def health(self) -> tuple[int, dict[str, Any]]:
        """``GET /health``: 200 "ok", or 503 "stalled" when a backend call has run past ``stall_after_s``."""
        oldest = self.batcher.oldest_running_s()
        stalled = oldest > self.settings.stall_after_s
        return 503 if stalled else 200, {
            "status": "stalled" if stalled else "ok",
            "model": self.model_name,
            "queued_items": self.batcher.queued,
            "running_batches": self.batcher.running,
            "oldest_batch_s": round(oldest, 3),
            "scale": list(self.scale),
            "domains": self.judge.rubrics.domains(),
            "chat_template": self.template.name,
            "fallback_reward": self.fallback,
            "settings": self.settings.public(),
        }

    def metrics_snapshot(self) -> dict[str, Any]:
        """``GET /metrics``."""
        return self.metrics.snapshot(queued=self.batcher.queued, running=self.batcher.running)
