"""``patarm serve``: a pointwise judge behind an HTTP API, for policy training (extra ``serve``).

- :func:`create_app`: the FastAPI app (``/v1/score``, OpenRLHF's ``/get_reward``, ``/health``, ``/metrics``
  in Prometheus text format, ``/metrics.json``);
- :class:`ServeSettings`: batching, limits, auth, reward and query-splitting settings;
- :func:`serve`, :class:`ServerThread`: run it in the foreground or a background thread;
- :class:`JudgeService`: the same logic without the web framework (its batching,
  ``patarm.serve._batcher.MicroBatcher``, and its errors, in :mod:`patarm.errors`, are internals);
- load clients for tests and benchmarks live in :mod:`patarm.testing.load`.

FastAPI and uvicorn are imported only when an app is built or run; without them that raises
:class:`patarm.MissingExtraError` naming ``patarm[serve]``.

>>> from patarm.backends import FunctionBackend
>>> from patarm.judges import PointwiseJudge
>>> app = create_app(PointwiseJudge(FunctionBackend(lambda prompt, seed: "<answer>7</answer>")))
>>> with ServerThread(app) as server:  # doctest: +SKIP
...     print(server.url)              # then POST {server.url}/v1/score
"""

from patarm.serve._app import create_app
from patarm.serve._models import (
    ErrorBody,
    RewardRequest,
    RewardResponse,
    ScoreItem,
    ScoreRequest,
    ScoreResponse,
    ScoreResult,
)
from patarm.serve._run import ServerThread, serve
from patarm.serve._service import JudgeService, ServeError
from patarm.serve._settings import ServeSettings

__all__ = [
    "ErrorBody",
    "JudgeService",
    "RewardRequest",
    "RewardResponse",
    "ScoreItem",
    "ScoreRequest",
    "ScoreResponse",
    "ScoreResult",
    "ServeError",
    "ServeSettings",
    "ServerThread",
    "create_app",
    "serve",
]
