"""The FastAPI app: four routes over :class:`JudgeService`, JSON errors, the :class:`Guard` in front.

- ``POST /v1/score``: typed batch scoring (score, criteria, rationale, malformed reason, ...);
- ``POST /get_reward``: OpenRLHF's remote reward protocol;
- ``POST /slime/reward``: slime's remote reward protocol (:mod:`patarm.serve._slime`);
- ``GET /health``: 200 while the judge answers, 503 when the backend makes no progress (no API key
  needed; without the key it says only ``{"status": ...}``);
- ``GET /metrics``: Prometheus text format (requests, errors, batch sizes, latency, malformed);
- ``GET /metrics.json``: the same counters as JSON, with latency percentiles.

Errors are ``{"error": code, "message": text}`` (``error_id`` on 500s, matching a log line;
``detail`` on some 422s): 400 bad_request, 401 unauthorized, 404 not_found, 405
method_not_allowed, 413 too_large, 422 invalid_request, 429 queue_full (with Retry-After),
500 backend_error / internal_error, 503 unavailable, 504 timeout. Each is counted in the
metrics under its code. Bodies are decoded and checked by the service, off the event loop.

>>> from patarm.backends import FunctionBackend
>>> from patarm.judges import PointwiseJudge
>>> app = create_app(PointwiseJudge(FunctionBackend(lambda prompt, seed: "<answer>7</answer>")))
>>> sorted(r.path for r in app.routes if r.path.startswith(("/v1", "/get", "/health", "/metrics")))
['/get_reward', '/health', '/metrics', '/metrics.json', '/v1/score']
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from patarm._extras import require
from patarm._secrets import protect
from patarm._version import __version__
from patarm.judges import PointwiseJudge
from patarm.policy_rewards import ChatTemplate
from patarm.serve._body import validation_message
from patarm.serve._guard import Guard
from patarm.serve._models import ErrorBody, RewardRequest, RewardResponse, ScoreRequest, ScoreResponse
from patarm.serve._prometheus import metrics_registry
from patarm.serve._service import ClientGone, JudgeService, ServeError
from patarm.serve._settings import ServeSettings
from patarm.serve._slime import SLIME_ROUTE, SlimeRewardBatch, slime_reward_json

if TYPE_CHECKING:
    from fastapi import FastAPI

__all__ = ["create_app"]

ROUTES = ("/v1/score", "/get_reward", SLIME_ROUTE, "/health", "/metrics", "/metrics.json")
_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody} for code in (400, 401, 413, 422, 429, 500, 503, 504)
}
_HTTP_CODES = {400: "bad_request", 404: "not_found", 405: "method_not_allowed", 413: "too_large"}


def _body_schema(model: type[ScoreRequest] | type[RewardRequest] | type[SlimeRewardBatch]) -> dict[str, Any]:
    """The request body in the OpenAPI document (the routes read the raw body themselves)."""
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": model.model_json_schema()}}}}


async def _gone(receive: Any) -> None:
    """Returns when the client disconnects (the body has been read, so only that can arrive)."""
    while True:
        message = await receive()
        if message.get("type") == "http.disconnect":
            return


def create_app(
    judge: PointwiseJudge,
    settings: ServeSettings | None = None,
    *,
    chat_template: ChatTemplate | None = None,
    model_name: str | None = None,
) -> "FastAPI":
    """The judge server as an ASGI app (run it with uvicorn, or :func:`patarm.serve.serve`).

    ``chat_template`` overrides ``settings.chat_template`` with a template of your own.
    Needs the ``serve`` extra (FastAPI).
    """
    require("fastapi", "serve")
    from fastapi import FastAPI, Request
    from fastapi.exceptions import RequestValidationError
    from fastapi.responses import JSONResponse, Response
    from starlette.exceptions import HTTPException

    settings = settings or ServeSettings()
    service = JudgeService(judge, settings, chat_template=chat_template, model_name=model_name)
    key = settings.api_key.get_secret_value() if settings.api_key is not None else None
    protect(key)  # no log line of this process shows the key, or any credential in a URL
    registry = metrics_registry(service)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        protect(key)  # again, after the server configured its loggers
        await service.start()
        try:
            yield
        finally:
            await service.close()

    app = FastAPI(
        title="patarm judge server",
        version=__version__,
        description="A pointwise generative judge (PaTaRM) as a reward service.",
        lifespan=lifespan,
    )
    app.state.service = service

    @app.exception_handler(ServeError)
    async def serve_error(request: Request, exc: ServeError) -> Response:
        service.metrics.errors[exc.code] += 1
        return JSONResponse(exc.body(), exc.status, headers=exc.headers)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        code = _HTTP_CODES.get(exc.status_code, "http_error")
        service.metrics.errors[code] += 1
        message = f"{request.method} {request.url.path}: {exc.detail}"
        return JSONResponse({"error": code, "message": message}, exc.status_code, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        service.metrics.errors["invalid_request"] += 1
        errors = [dict(e) for e in exc.errors()]
        detail = [{"loc": list(e.get("loc", ())), "msg": str(e.get("msg", "")), "type": e.get("type")} for e in errors]
        return JSONResponse({"error": "invalid_request", "message": validation_message(errors), "detail": detail}, 422)

    @app.exception_handler(ClientGone)
    async def client_gone(request: Request, exc: ClientGone) -> Response:
        return Response(status_code=499)  # nobody is listening; the status only shows in the counters

    @app.post("/v1/score", response_model=ScoreResponse, responses=_ERRORS, openapi_extra=_body_schema(ScoreRequest))
    async def score(request: Request) -> Response:
        """Judge a batch of (prompt, response) items; one result per item, in order."""
        body = await service.score_json(await request.body(), lambda: _gone(request.receive))
        return Response(body, media_type="application/json")

    @app.post(
        "/get_reward", response_model=RewardResponse, responses=_ERRORS, openapi_extra=_body_schema(RewardRequest)
    )
    async def get_reward(request: Request) -> Response:
        """OpenRLHF's remote reward protocol: rewards for decoded prompt + response queries."""
        body = await service.reward_json(await request.body(), lambda: _gone(request.receive))
        return Response(body, media_type="application/json")

    @app.post(SLIME_ROUTE, responses=_ERRORS, openapi_extra=_body_schema(SlimeRewardBatch))
    async def slime_reward(request: Request) -> Response:
        """slime's remote reward protocol: the reward of one sample (a bare number; an object with ``?fields=1``)."""
        fields = request.query_params.get("fields", "").lower() in ("1", "true", "yes")
        body = await slime_reward_json(service, await request.body(), fields, lambda: _gone(request.receive))
        return Response(body, media_type="application/json")

    @app.get("/health")
    async def health(request: Request) -> Response:
        """200 while the judge makes progress; 503 when it made none for ``stall_timeout_s``."""
        status, body = service.health(detailed=bool(request.scope.get("state", {}).get("authorized", True)))
        return JSONResponse(body, status)

    @app.get("/metrics")
    async def metrics() -> Response:
        """Prometheus text format: requests, errors, batch sizes, latency, malformed judgments."""
        from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    @app.get("/metrics.json")
    async def metrics_json() -> dict[str, Any]:
        """The same counters as JSON, with latency percentiles."""
        return service.metrics_snapshot()

    app.add_middleware(
        Guard,
        metrics=service.metrics,
        api_key=key,
        max_body_bytes=settings.max_body_bytes,
        routes=ROUTES,
        timed=("/v1/score", "/get_reward", SLIME_ROUTE),
    )
    return app
