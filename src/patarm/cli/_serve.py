"""``patarm serve``: a judge behind an HTTP API (extra ``serve``), for policy training.

OpenRLHF: ``--reward.remote_url http://HOST:PORT/get_reward``; verl: ``patarm.adapters.verl.compute_score``
with ``url``; TRL: ``patarm.adapters.trl.JudgeReward(url=...)``; slime: ``--rm-url http://HOST:PORT/slime/reward``
or ``--custom-rm-path patarm.adapters.slime.reward``; anything else: ``POST /v1/score``.
"""

from __future__ import annotations

import argparse
import ipaddress
import sys

from patarm._secrets import API_KEY_ENV
from patarm.cli._common import (
    add_backend_args,
    add_judge_args,
    backend_from_args,
    check_address,
    config_from_args,
    print_replicas,
    template_dir,
)
from patarm.cli._fields import Alias, add_fields, field_values

__all__ = ["add_parser"]

# The ServeSettings fields set from options (see patarm.cli._fields), and the former spellings.
SERVE_FIELDS = (
    "max_batch_size",
    "max_wait_ms",
    "max_queue",
    "workers",
    "request_timeout_s",
    "stall_timeout_s",
    "max_body_bytes",
    "max_items_per_request",
    "max_text_chars",
    "header_timeout_s",
    "body_timeout_s",
    "keep_alive_s",
    "max_connections",
    "max_requests_in_flight",
    "max_json_values",
)
REWARD_FIELDS = ("fallback_reward", "use_expected_score", "normalize_rewards", "split", "strip_thinking")
SERVE_ALIASES: dict[str, list[Alias]] = {
    "request_timeout_s": ["--timeout"],
    "max_items_per_request": ["--max-items"],
    "strip_thinking": [("--keep-thinking", False)],
}


def exposure_warning(host: str, has_key: bool, key_env: str | None = API_KEY_ENV) -> str | None:
    """A warning when ``host`` is reachable from other machines and no API key guards the server.

    ``key_env`` is the environment variable the server reads its key from (``--api-key-env``),
    named in the advice; None when it reads none.

    >>> exposure_warning("127.0.0.1", False) is None, exposure_warning("0.0.0.0", True) is None
    (True, True)
    >>> exposure_warning("0.0.0.0", False)[:40]
    'listening on 0.0.0.0 without an API key:'
    >>> exposure_warning("0.0.0.0", False, "JUDGE_KEY").split("; ")[1]
    'set the key in $JUDGE_KEY (or give --api-key-file) or bind 127.0.0.1'
    """
    if has_key or host == "localhost":
        return None
    try:
        if ipaddress.ip_address(host.strip("[]")).is_loopback:
            return None
    except ValueError:
        pass  # a host name: it may resolve to any address
    return (
        f"listening on {host} without an API key: anyone who can reach this address can use the judge; "
        + (
            f"set the key in ${key_env} (or give --api-key-file)"
            if key_env
            else "set a key (--api-key-env or --api-key-file)"
        )
        + " or bind 127.0.0.1"
    )


def run(args: argparse.Namespace) -> int:
    from patarm._extras import require

    require("fastapi", "serve")
    require("uvicorn", "serve")
    check_address(args.host, args.port)  # before a model is loaded, which can take minutes
    from patarm._secrets import key_variable, server_key

    # Stripped (a secret file ends with a newline); a blank one is refused here, before a model loads.
    key_env = None if args.api_key_file else (args.api_key_env or None)
    if key_env is not None and key_variable(key_env) != key_env:
        key_env = key_variable(key_env)  # the variable actually read, named in every message below
        print(
            f"patarm serve: warning: ${key_env} is deprecated; read the key from it this time, "
            f"but set ${API_KEY_ENV} (the variable patarm's clients send the key from)",
            file=sys.stderr,
        )
    key = server_key(file=args.api_key_file) if args.api_key_file else server_key(env=key_env)
    from patarm.judges import PointwiseJudge
    from patarm.policy_rewards import detect_chat_template
    from patarm.rubrics import CriteriaCache, RubricSet
    from patarm.serve import ServeSettings, create_app, serve

    template_name = args.chat_template
    if args.policy_tokenizer:
        from transformers import AutoTokenizer

        template_name = detect_chat_template(AutoTokenizer.from_pretrained(args.policy_tokenizer)).name
    settings = ServeSettings(
        api_key=key,
        default_domain=args.domain,
        instruction_domain=None if args.instruction_domain in ("", "none") else args.instruction_domain,
        chat_template=template_name,
        **field_values(args, SERVE_FIELDS + REWARD_FIELDS),
    )
    config = config_from_args(args)
    if args.use_expected_score and not config.expected_score:
        config = config.model_copy(update={"expected_score": True})
    rubrics = RubricSet(args.rubric_dir or ())
    cache = CriteriaCache(args.criteria_cache) if args.criteria_cache else None
    backend = backend_from_args(args)
    judge = PointwiseJudge(backend, config, rubrics=rubrics, criteria_cache=cache, template_dir=template_dir(args))
    app = create_app(judge, settings, model_name=args.model or args.backend)

    def announce(url: str) -> None:
        source = f"file {args.api_key_file}" if args.api_key_file else f"${key_env}"
        auth = f"API key from {source}" if key else "no API key"
        print(
            f"patarm serve: listening on {url} (backend {args.backend}, batches of up to {settings.max_batch_size}, "
            f"{auth}, chat template {template_name})",
            flush=True,
        )

    warning = exposure_warning(args.host, key is not None, key_env)
    if warning:
        print(f"patarm serve: warning: {warning}", file=sys.stderr, flush=True)
    serve(app, args.host, args.port, log_level=args.log_level, on_bound=announce)
    print_replicas(backend, file=sys.stderr)  # the judge replicas' counts, once the server has stopped
    return 0


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from patarm.policy_rewards import CHAT_TEMPLATES
    from patarm.serve import ServeSettings

    parser = commands.add_parser(
        "serve",
        help="serve a judge over HTTP: /v1/score, OpenRLHF's /get_reward, slime's /slime/reward, /health, /metrics "
        "(extra patarm[serve])",
        description=(
            "Serve a pointwise judge as a reward service. Concurrent requests are micro-batched into backend "
            "batches (--max-batch-size, --max-wait-ms); the queue is bounded (--max-queue, 429 when full), every "
            "request has a deadline (--request-timeout, 504), bodies and texts have size limits (413), and an API "
            "key can be required (--api-key-env, 401). POST /get_reward speaks OpenRLHF's remote reward protocol: "
            "the prompt and response are read back from its decoded query with the policy's chat template "
            "(--chat-template or --policy-tokenizer, --split); labels may carry a domain and a reference answer. "
            "POST /slime/reward speaks slime's (one {prompt, response, label} per request, the reward back). "
            "POST /v1/score takes typed items (with an optional reference answer) and returns score, criteria, "
            "rationale and malformed reason per item. --domain sets the "
            "domain for items whose data names none (else routed)."
        ),
    )
    net = parser.add_argument_group("server")
    net.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1; 0.0.0.0 for all)")
    net.add_argument("--port", type=int, default=8000, help="port (default 8000; 0 picks a free one, printed)")
    net.add_argument(
        "--api-key-env",
        default=API_KEY_ENV,
        help=f"environment variable holding the API key; when set, requests need it (default {API_KEY_ENV}, "
        "the variable patarm's clients send the key from; the former $PATARM_SERVE_API_KEY is still read, with "
        "a warning; surrounding whitespace is dropped, a blank value is an error)",
    )
    net.add_argument(
        "--api-key-file",
        help="file holding the API key (read instead of --api-key-env; a trailing newline is dropped, "
        "a blank file is an error)",
    )
    add_fields(net, ServeSettings, SERVE_FIELDS, aliases=SERVE_ALIASES)
    net.add_argument("--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"])
    rewards = parser.add_argument_group("rewards (OpenRLHF /get_reward, slime /slime/reward)")
    rewards.add_argument(
        "--instruction-domain",
        default="instruction_following",
        help="domain for IFEval-style rows (instruction_id_list in the label); 'none' routes them (default "
        "instruction_following)",
    )
    rewards.add_argument(
        "--chat-template",
        default=ServeSettings.model_fields["chat_template"].default,
        choices=list(CHAT_TEMPLATES),
        help="the POLICY's chat template family, to read OpenRLHF queries back (default chatml)",
    )
    rewards.add_argument(
        "--policy-tokenizer", help="detect the chat template from the policy's tokenizer (path or hub id in cache)"
    )
    add_fields(rewards, ServeSettings, REWARD_FIELDS, aliases=SERVE_ALIASES)
    add_backend_args(parser)
    add_judge_args(parser)
    parser.set_defaults(func=run)
