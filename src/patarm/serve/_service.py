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
import dataclasses
import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from patarm.errors import ClientGone, InputError, PatarmError, ServeError  # noqa: F401  (defined in patarm.errors, re-exported here)
from patarm.judges import PointwiseItem, PointwiseJudge, PointwiseResult
from patarm.policy_rewards import (
    CHAT_TEMPLATES,
    ChatTemplate,
    QuerySplitError,
    data_domain,
    label_fields,
    label_reference,
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
from patarm.serve._body import BadBody, replace_surrogates, validation_message
from patarm.serve._guard import error_id, log_failure
from patarm.serve._metrics import ServerMetrics
from patarm.serve._models import RewardRequest, RewardResponse, ScoreRequest, ScoreResponse, score_result
from patarm.serve._scan import JsonScan, OverLimit, read_json
from patarm.serve._settings import ServeSettings

__all__ = ["ClientGone", "JudgeService", "ServeError"]

logger = logging.getLogger("patarm.serve")
M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")
# Threads that decode, check and split requests (off the event loop, each under its request's deadline).
PREP_WORKERS = 4


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
        self._prep: ThreadPoolExecutor | None = None
        s = self.settings
        self.scale = judge.config.scale
        self.fallback = s.fallback_reward if s.fallback_reward is not None else self.scale[0]
        if s.default_domain is not None:
            judge.rubrics.check(s.default_domain)
        if s.instruction_domain is not None and s.instruction_domain not in judge.rubrics:
            raise InputError(f"instruction_domain {s.instruction_domain!r} is not a known rubric domain")
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
        if self._prep is None:
            self._prep = ThreadPoolExecutor(PREP_WORKERS, thread_name_prefix="patarm-prep")
        await self.batcher.start()

    async def close(self) -> None:
        await self.batcher.close()
        if self._prep is not None:  # a thread still busy on a hostile text finishes on its own
            self._prep.shutdown(wait=False, cancel_futures=True)
            self._prep = None

    def _secrets(self) -> list[str]:
        key = self.settings.api_key
        return [key.get_secret_value()] if key is not None else []

    # -- off the event loop ----------------------------------------------------------------

    def _deadline(self) -> float:
        return asyncio.get_running_loop().time() + self.settings.request_timeout_s

    async def _offload(self, deadline: float, fn: Callable[..., T], *args: Any) -> T:
        """``fn(*args)`` in a preparation thread, given up (504) at ``deadline``; the event loop stays free."""
        loop = asyncio.get_running_loop()
        if self._prep is None:
            raise ServeError(503, "unavailable", "the judge server is not running")
        future = loop.run_in_executor(self._prep, fn, *args)
        try:
            return await asyncio.wait_for(future, max(deadline - loop.time(), 0.0))
        except asyncio.TimeoutError:
            limit = self.settings.request_timeout_s
            raise ServeError(504, "timeout", f"the request was not read within {limit:g} s; it was dropped") from None

    def json_scan(self) -> JsonScan:
        """A fresh measure of JSON text against this server's limits (one per body, one per JSON label)."""
        s = self.settings
        return JsonScan(
            max_items=s.max_items_per_request,
            max_chars=s.max_text_chars,
            max_depth=s.max_json_depth,
            max_values=s.max_json_values,
        )

    def _scanned(self, text: str, where: tuple[str | int, ...]) -> None:
        """``text`` (JSON inside a field) measured like a body: 413 / 422 at the first excess."""
        try:
            self.json_scan().scan(text, where)
        except OverLimit as exc:
            raise ServeError(413, "too_large", str(exc)) from None
        except BadBody as exc:
            raise ServeError(422, "invalid_request", f"invalid request: {exc}") from None

    def _read(self, raw: bytes, model: type[M]) -> M:
        """A JSON body as ``model`` (in a preparation thread): measured before it is decoded, so a body over
        a count or length limit is refused (413) after one pass over its text, never built; any other
        problem is a 422 naming the field."""
        try:
            value = read_json(raw, self.json_scan())
        except OverLimit as exc:
            raise ServeError(413, "too_large", str(exc)) from None
        except BadBody as exc:
            raise ServeError(422, "invalid_request", f"invalid request: {exc}") from None
        try:
            return model.model_validate(value)
        except ValidationError as exc:
            errors: list[dict[str, Any]] = [dict(e) for e in exc.errors()]
            detail = [
                {"loc": list(e.get("loc", ())), "msg": str(e.get("msg", "")), "type": e.get("type")} for e in errors
            ]
            raise ServeError(422, "invalid_request", validation_message(errors), detail=detail) from None

    @staticmethod
    def _dump(response: BaseModel) -> bytes:
        """The response as UTF-8 JSON; lone surrogates in judge output become U+FFFD."""
        text = json.dumps(response.model_dump(mode="json"), ensure_ascii=False, allow_nan=False)
        return replace_surrogates(text).encode("utf-8")

    # -- checks ----------------------------------------------------------------------------

    def _count(self, count: int) -> None:
        limit = self.settings.max_items_per_request
        if count > limit:
            raise ServeError(413, "too_large", f"{count} items in one request; the limit is {limit}: split it")

    def _text(self, text: str, where: str) -> None:
        limit = self.settings.max_text_chars
        if len(text) > limit:
            raise ServeError(413, "too_large", f"{where} has {len(text)} characters; the limit is {limit}")

    def _domain(self, domain: str | None, where: str) -> str | None:
        if domain is not None and domain not in self.judge.rubrics:
            known = ", ".join(self.judge.rubrics.domains())
            raise ServeError(422, "invalid_request", f"{where}: unknown domain {domain!r} (known: {known})")
        return domain

    # -- judging ---------------------------------------------------------------------------

    async def _judge(
        self, items: list[PointwiseItem], gone: Callable[[], Awaitable[None]] | None, deadline: float
    ) -> list[PointwiseResult]:
        """Results for ``items`` through the batcher; errors become :class:`ServeError`."""
        self.metrics.items += len(items)
        remaining = max(deadline - asyncio.get_running_loop().time(), 0.001)
        job = asyncio.ensure_future(self.batcher.submit(items, timeout=remaining))
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
            raise ServeError(429, "queue_full", f"{exc}; retry shortly", {"Retry-After": "1"}) from None
        except JudgeTimeoutError as exc:
            where = "judging" if exc.started else "waiting in the queue"
            limit = self.settings.request_timeout_s
            message = f"the judge did not answer within {limit:g} s (still {where}); the request was dropped"
            raise ServeError(504, "timeout", message) from None
        except BatchFailedError as exc:  # its text may hold tokens or paths: the log gets it, the client an id
            ident = error_id()
            log_failure(ident, "the judge backend failed", exc.__cause__ or exc, self._secrets())
            message = f"the judge backend failed (error id {ident}); the server log has the details"
            raise ServeError(500, "backend_error", message, ident=ident) from None
        except BatcherClosedError as exc:
            raise ServeError(503, "unavailable", str(exc)) from None

    async def score(
        self, request: ScoreRequest | bytes, gone: Callable[[], Awaitable[None]] | None = None
    ) -> ScoreResponse:
        """``POST /v1/score`` (``request`` typed, or the raw JSON body)."""
        deadline = self._deadline()
        typed: ScoreRequest = (
            await self._offload(deadline, self._read, request, ScoreRequest) if isinstance(request, bytes) else request
        )
        items = await self._offload(deadline, self._score_items, typed)
        results = await self._judge(items, gone, deadline)
        self.metrics.record_results(len(results), sum(r.score is None for r in results))
        return ScoreResponse(
            results=[score_result(r, include_samples=typed.include_samples) for r in results], scale=self.scale
        )

    async def score_json(self, raw: bytes, gone: Callable[[], Awaitable[None]] | None = None) -> bytes:
        """``POST /v1/score`` from raw body to raw answer (decoding and encoding off the event loop)."""
        deadline = self._deadline()
        return await self._offload(deadline, self._dump, await self.score(raw, gone))

    async def reward_json(self, raw: bytes, gone: Callable[[], Awaitable[None]] | None = None) -> bytes:
        """``POST /get_reward`` from raw body to raw answer."""
        deadline = self._deadline()
        return await self._offload(deadline, self._dump, await self.reward(raw, gone))

    def _score_items(self, request: ScoreRequest) -> list[PointwiseItem]:
        self._count(len(request.items))
        items = []
        for i, item in enumerate(request.items):
            prompt: PromptInput = item.prompt
            texts = [item.prompt] if isinstance(item.prompt, str) else [m.content for m in item.prompt]
            for text in (*texts, item.response, item.reference or ""):
                self._text(text, f"items[{i}]")
            domain = self._domain(item.domain, f"items[{i}].domain")
            items.append(PointwiseItem(prompt, item.response, domain, item.reference))
        return items

    def _reward_item(self, i: int, query: str, prompt: str | None, label: Any) -> PointwiseItem | None:
        self._text(query, f"query[{i}]")
        if prompt is not None:
            self._text(prompt, f"prompts[{i}]")
        if isinstance(label, str):
            self._text(label, f"labels[{i}]")
            if label.lstrip().startswith("{"):  # JSON decoded below: measured first, like the body
                self._scanned(label, ("labels", i))
        fields = label_fields(label)
        if isinstance(fields.get("prompt"), str):  # it replaces the query's prompt before the judge: the same limit
            self._text(fields["prompt"], f"labels[{i}].prompt")
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
        reference = label_reference(fields, known=self.judge.rubrics)
        if reference is not None:
            self._text(reference, f"labels[{i}]")
        return PointwiseItem(judged_prompt, split.response, domain, reference)

    def _reward_items(self, request: RewardRequest) -> list[PointwiseItem | None]:
        count = len(request.query)
        self._count(count)
        for name, values in (("prompts", request.prompts), ("labels", request.labels)):
            if values is not None and len(values) != count:
                raise ServeError(
                    422, "invalid_request", f"{name} has {len(values)} entries for {count} queries: give one per query"
                )
        prompts: Sequence[str | None] = request.prompts or [None] * count
        labels: Sequence[Any] = request.labels or [None] * count
        rows = enumerate(zip(request.query, prompts, labels, strict=True))
        return [self._reward_item(i, query, prompt, label) for i, (query, prompt, label) in rows]

    async def reward(
        self, request: RewardRequest | bytes, gone: Callable[[], Awaitable[None]] | None = None
    ) -> RewardResponse:
        """``POST /get_reward`` (OpenRLHF's protocol; ``request`` typed, or the raw JSON body)."""
        deadline = self._deadline()
        typed: RewardRequest = (
            await self._offload(deadline, self._read, request, RewardRequest) if isinstance(request, bytes) else request
        )
        items = await self._offload(deadline, self._reward_items, typed)
        judged = [item for item in items if item is not None]
        results = iter(await self._judge(judged, gone, deadline) if judged else [])
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

    def health(self, *, detailed: bool = True) -> tuple[int, dict[str, Any]]:
        """``GET /health``: 200 "ok", or 503 "stalled" when work waits or runs and the backend has
        finished nothing for ``stall_timeout_s``; without ``detailed`` only that status."""
        stalled_s = self.batcher.stalled_s()
        stalled = stalled_s > self.settings.stall_timeout_s
        status = "stalled" if stalled else "ok"
        if not detailed:
            return 503 if stalled else 200, {"status": status}
        oldest = self.batcher.oldest_running_s()
        return 503 if stalled else 200, {
            "status": status,
            "no_progress_s": round(stalled_s, 3),
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
        """``GET /metrics.json``: the counters, and, when the judge's backend spreads requests over
        several replicas, one entry per replica under ``replicas`` (as ``/metrics`` has them)."""
        snapshot = self.metrics.snapshot(queued=self.batcher.queued, running=self.batcher.running)
        stats = getattr(getattr(self.judge, "backend", None), "replica_stats", None)
        if callable(stats):
            snapshot["replicas"] = [dataclasses.asdict(replica) for replica in stats()]
        return snapshot
