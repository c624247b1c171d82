"""Server settings, typed and serialisable (``patarm serve`` is a thin layer over them)."""

from __future__ import annotations

from pydantic import ConfigDict, Field, SecretStr, field_validator, model_validator

from patarm._settings_model import SettingsModel
from patarm.errors import ConfigError
from patarm.policy_rewards import CHAT_TEMPLATES, INSTRUCTION_DOMAIN, SplitMode

__all__ = ["ServeSettings"]


class ServeSettings(SettingsModel):
    """How the judge server batches, bounds and answers requests.

    Batching: concurrent requests' items are joined into backend batches of at most
    ``max_batch_size`` items; a batch waits at most ``max_wait_ms`` after its oldest item arrived
    for more to come. ``workers`` backend calls run at once (in worker threads, off the event
    loop); keep 1 for local models (one GPU, one batch at a time) and raise it for HTTP backends.

    Bounds: at most ``max_queue`` items wait (more: 429); each request is answered within
    ``request_timeout_s`` (else 504; OpenRLHF's client gives up after 180 s); bodies over
    ``max_body_bytes``, more than ``max_items_per_request`` items, or a text over ``max_text_chars``
    characters: 413; JSON nested deeper than ``max_json_depth`` levels, or text holding a lone
    surrogate: 422 naming the field. Decoding, checking and splitting a request run in worker
    threads under the request's deadline, never on the event loop. With ``api_key`` set every
    endpoint needs it (401) but ``/health``, which then says only whether the server is up; its
    surrounding whitespace is dropped (a key read from a file ends with a newline that no client
    sends), and a blank key is refused.

    Connections (enforced below the app, in the server's HTTP protocol; see
    :mod:`patarm.serve._connections`): a client has ``header_timeout_s`` to send a request's headers
    (from connecting, or from the end of its previous answer) and ``body_timeout_s`` more for its body,
    else it is answered 408 and dropped; an idle kept-alive connection is closed after
    ``keep_alive_s``. At most ``max_connections`` are open at once (fewer when the open-file limit
    is lower): one more evicts the connection that has waited longest for its headers. At most
    ``max_requests_in_flight`` requests that carry a body are read or served at once (more: 503),
    which bounds the memory their bodies hold; ``GET /health`` is never counted.

    Cheap refusal: a JSON body is scanned before it is decoded, and the scan stops at the first
    array with more than ``max_items_per_request`` entries, string with more than ``max_text_chars``
    characters (every string, wherever it sits: a label's prompt is held to the query's limit) or
    value past the ``max_json_values``-th (413), or nesting past ``max_json_depth`` (422); so a
    refused body costs one pass over its bytes, never the objects it would have become.

    Health: ``/health`` turns 503 "stalled" when work is waiting or running and the backend has
    finished no batch for ``stall_timeout_s`` seconds.

    Rewards (``/get_reward``): the judge's score (its expected score with ``use_expected_score``),
    or ``fallback_reward`` (default: the low end of the judge's scale) when no sample parsed or the
    query could not be split; each fallback is counted in ``extra_logs``. ``normalize_rewards``
    maps rewards onto [0, 1] over the scale (``scores`` always are).

    Reading OpenRLHF's query: ``chat_template`` names the policy's template preset (``chatml``,
    ``llama3``, ``gemma``, ``none``), ``split`` the method (see :func:`patarm.policy_rewards.split_query`).
    Domains: ``default_domain`` for items the data does not place, ``instruction_domain`` for
    IFEval-style rows (None: route them like any other).

    >>> ServeSettings(max_batch_size=64, max_wait_ms=5).max_queue
    4096
    """

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    max_batch_size: int = Field(
        32, ge=1, description="items per judge call; a transformers backend runs them --batch-size at a time"
    )
    max_wait_ms: float = Field(10.0, ge=0, description="longest wait to fill a batch, in milliseconds")
    max_queue: int = Field(4096, ge=1, description="items allowed to wait; more get 429")
    workers: int = Field(1, ge=1, description="backend calls at once (raise only for HTTP backends)")
    request_timeout_s: float = Field(170.0, gt=0, description="seconds per request before 504")
    isolate_failures: bool = Field(
        True, description="a failed batch is retried request by request, so one bad request fails only itself"
    )
    api_key: SecretStr | None = Field(
        None, description="the key every request must carry (Authorization: Bearer or X-API-Key); none: open"
    )
    max_body_bytes: int = Field(8 * 1024 * 1024, ge=1024, description="request body limit in bytes")
    max_items_per_request: int = Field(
        1024, ge=1, description="entries per array of a body (items, queries, labels, ...); more: 413"
    )
    max_text_chars: int = Field(
        200_000,
        ge=1,
        description="characters per string of a body, wherever it sits (query, prompt, response, a label's "
        "prompt); more: 413",
    )
    fallback_reward: float | None = Field(
        None,
        description="reward when no judge sample parsed or the query cannot be split (default: the scale's low end)",
    )
    use_expected_score: bool = Field(False, description="reward = expected score from log-probabilities")
    normalize_rewards: bool = Field(False, description="rewards on [0, 1] over the score scale")
    default_domain: str | None = Field(
        None, description="the rubric domain of an item the data does not place (none: the router decides)"
    )
    instruction_domain: str | None = Field(
        INSTRUCTION_DOMAIN,
        description="the rubric domain of an item carrying instruction ids (IFEval-style); none: routed as any other",
    )
    chat_template: str = Field("chatml", description="the policy's chat template preset, to read OpenRLHF's query")
    split: SplitMode = Field(
        "auto",
        description="prefix: response = query minus its prompt; marker: the last assistant turn of the query; "
        "auto: prefix when the query starts with its prompt, else marker",
    )
    strip_thinking: bool = Field(True, description="drop a leading <think> block of the response before judging")
    max_json_depth: int = Field(32, ge=2, description="nesting levels of a JSON body at most; deeper: 422")
    stall_timeout_s: float = Field(
        600.0, gt=0, description="/health turns 503 when work waits and no backend call has finished for this long (s)"
    )
    max_json_values: int = Field(262_144, ge=16, description="JSON values per body; more: 413, before decoding")
    header_timeout_s: float = Field(
        10.0,
        gt=0,
        description="seconds a client has to send a request's headers; else 408 and the connection is closed",
    )
    body_timeout_s: float = Field(
        60.0, gt=0, description="seconds a client has to send a body after its headers; else 408"
    )
    keep_alive_s: float = Field(5.0, gt=0, description="seconds an idle kept-alive connection stays open")
    max_connections: int = Field(
        1024,
        ge=8,
        description="open connections at most (lowered to the open-file limit less 128); one more evicts the "
        "connection that has waited longest for its headers",
    )
    max_requests_in_flight: int = Field(
        256, ge=1, description="requests with a body read or served at once; more get 503 with Retry-After"
    )

    @field_validator("api_key", mode="after")
    @classmethod
    def _strip_key(cls, key: SecretStr | None) -> SecretStr | None:
        if key is None:
            return None
        value = key.get_secret_value().strip()
        if not value:
            raise ConfigError("the API key is blank: give a key, or None to serve without one")
        return SecretStr(value)

    @model_validator(mode="after")
    def _check(self) -> ServeSettings:
        if self.max_items_per_request > self.max_queue:
            raise ConfigError(
                f"max_items_per_request ({self.max_items_per_request}) must not exceed max_queue ({self.max_queue}): "
                "such a request could never be queued"
            )
        if self.chat_template not in CHAT_TEMPLATES:
            raise ConfigError(f"chat_template must be one of {sorted(CHAT_TEMPLATES)}, got {self.chat_template!r}")
        return self

    def public(self) -> dict[str, object]:
        """The settings without secrets, as ``/health`` reports them."""
        out = self.model_dump(mode="json", exclude={"api_key"})
        out["auth"] = self.api_key is not None
        return out
