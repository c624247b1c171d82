"""The FastAPI app: four routes over :class:`JudgeService`, JSON errors, the :class:`Guard` in front.

- ``POST /v1/score``: typed batch scoring (score, criteria, rationale, malformed reason, ...);
- ``POST /get_reward``: OpenRLHF's remote reward protocol;
- ``GET /health``: 200 while the judge answers (no API key needed), 503 when a backend call stalls;
- ``GET /metrics``: counters, batch sizes, latency percentiles, malformed rate (JSON).

Errors are ``{"error": code, "message": text}``: 401 unauthorized, 413 too_large,
422 invalid_request, 429 queue_full (with Retry-After), 500 backend_error, 503 unavailable,
504 timeout.

>>> from patarm.backends import FunctionBackend
>>> from patarm.judges import PointwiseJudge
>>> app = create_app(PointwiseJudge(FunctionBackend(lambda prompt, seed: "<answer>7</answer>")))
>>> sorted(r.path for r in app.routes if r.path.startswith(("/v1", "/get", "/health", "/metrics")))
['/get_reward', '/health', '/metrics', '/v1/score']
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from patarm._extras import require
from patarm._version import __version__
from patarm.judges import PointwiseJudge
from patarm.policy import ChatTemplate
from patarm.serve._guard import Guard
from patarm.serve._models import ErrorBody, RewardRequest, RewardResponse, ScoreRequest, ScoreResponse
from patarm.serve._service import ClientGone, JudgeService, ServeError
from patarm.serve._settings import ServeSettings

if TYPE_CHECKING:
    from fastapi import FastAPI

__all__ = ["create_app", "validation_message"]

ROUTES = ("/v1/score", "/get_reward", "/health", "/metrics")
_ERRORS: dict[int | str, dict[str, Any]] = {code: {"model": ErrorBody} for code in (401, 413, 422, 429, 500, 503, 504)}


def validation_message(errors: list[dict[str, Any]], shown: int = 5) -> str:
    """pydantic / FastAPI validation errors as one readable line naming each field.

    >>> validation_message([{"loc": ("body", "items", 0, "response"), "msg": "Field required"}])
    'invalid request: items.0.response: Field required'
    """
    parts = []
    for error in errors[:shown]:
        where = ".".join(str(x) for x in error.get("loc", ()) if x != "body") or "body"
        parts.append(f"{where}: {error.get('msg', 'invalid value')}")
    more = f" (and {len(errors) - shown} more)" if len(errors) > shown else ""
    return "invalid request: " + "; ".join(parts) + more


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

    settings = settings or ServeSettings()
    service = JudgeService(judge, settings, chat_template=chat_template, model_name=model_name)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
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
        return JSONResponse({"error": exc.code, "message": exc.message}, exc.status, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        service.metrics.errors["invalid"] += 1
        errors = [dict(e) for e in exc.errors()]
        detail = [{"loc": list(e.get("loc", ())), "msg": str(e.get("msg", "")), "type": e.get("type")} for e in errors]
        return JSONResponse({"error": "invalid_request", "message": validation_message(errors), "detail": detail}, 422)

    @app.exception_handler(ClientGone)
    async def client_gone(request: Request, exc: ClientGone) -> Response:
        return Response(status_code=499)  # nobody is listening; the status only shows in the counters

    @app.post("/v1/score", response_model=ScoreResponse, responses=_ERRORS)
    async def score(body: ScoreRequest, request: Request) -> ScoreResponse:
        """Judge a batch of (prompt, response) items; one result per item, in order."""
        return await service.score(body, lambda: _gone(request.receive))

    @app.post("/get_reward", response_model=RewardResponse, responses=_ERRORS)
    async def get_reward(body: RewardRequest, request: Request) -> RewardResponse:
        """OpenRLHF's remote reward protocol: rewards for decoded prompt + response queries."""
        return await service.reward(body, lambda: _gone(request.receive))

    @app.get("/health")
    async def health() -> Response:
        """200 while the judge answers; 503 when a backend call has run past ``stall_after_s``."""
        status, body = service.health()
        return JSONResponse(body, status)

    @app.get("/metrics")
    async def metrics() -> dict[str, Any]:
        """Requests, batch sizes, latency percentiles, malformed rate."""
        return service.metrics_snapshot()

    app.add_middleware(
        Guard,
        metrics=service.metrics,
        api_key=settings.api_key.get_secret_value() if settings.api_key is not None else None,
        max_body_bytes=settings.max_body_bytes,
        routes=ROUTES,
        timed=("/v1/score", "/get_reward"),
    )
    return app
