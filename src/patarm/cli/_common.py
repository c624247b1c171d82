"""Arguments shared by the commands that run a judge: backend, sampling, rubrics."""

from __future__ import annotations

import argparse
from typing import Any

from patarm.errors import ConfigError

__all__ = [
    "JUDGE_FIELDS",
    "add_backend_args",
    "add_judge_args",
    "add_progress_arg",
    "add_seed_arg",
    "backend_from_args",
    "check_address",
    "config_from_args",
    "engine_kwargs",
    "int_at_least",
    "load_function",
    "print_replicas",
    "replica_lines",
]


class int_at_least:
    """An argparse ``type``: an integer no smaller than ``minimum``; anything else is a usage error
    (a negative ``--limit`` would otherwise silently drop rows from the end)."""

    def __init__(self, minimum: int) -> None:
        self.minimum = minimum
        self.__name__ = f"integer >= {minimum}"  # argparse names the type in its message

    def __call__(self, text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected an integer >= {self.minimum}, got {text!r}") from None
        if value < self.minimum:
            raise argparse.ArgumentTypeError(f"expected an integer >= {self.minimum}, got {text!r}")
        return value


def add_backend_args(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("backend (where the judge model runs)")
    group.add_argument(
        "--backend",
        choices=["transformers", "openai", "vllm", "python", "tiny"],
        default="transformers",
        help="transformers: a local model folder or hub id already in the cache; openai: any OpenAI-compatible "
        "server (--base-url); vllm: vLLM's offline engine (extra patarm[vllm]); python: a function "
        "fn(prompt_text, seed) -> judge output, named by --model module:function or file.py:function (baselines, "
        "dry runs); tiny: a random tiny model built on the spot, for smoke tests (default: transformers)",
    )
    group.add_argument("--model", help="model path or name (for openai: the server's model name)")
    group.add_argument(
        "--base-url",
        action="append",
        metavar="URL",
        help="server URL for --backend openai, e.g. http://127.0.0.1:8000; several replicas of one model: repeat "
        "the option or separate URLs with commas (requests go to the least busy, a failing one rests)",
    )
    group.add_argument(
        "--batch-size", type=int_at_least(1), default=16, help="prompts per forward batch (transformers)"
    )
    group.add_argument(
        "--concurrency", type=int_at_least(1), default=8, help="requests in flight (openai; over all replicas)"
    )
    group.add_argument(
        "--engine-arg",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="vllm: a keyword for vllm.LLM, VALUE read as JSON when it parses (repeatable), e.g. "
        "--engine-arg enforce_eager=true --engine-arg dtype=float32 --engine-arg max_model_len=4096",
    )


def backend_from_args(args: argparse.Namespace) -> Any:
    """Build the backend the arguments name."""
    kind = args.backend
    if kind == "tiny":
        from patarm.backends import TransformersBackend
        from patarm.testing import tiny_model_and_tokenizer

        model, tokenizer = tiny_model_and_tokenizer(seed=0)
        return TransformersBackend(model, tokenizer, batch_size=args.batch_size)
    if not args.model:
        raise ConfigError(f"--backend {kind} needs --model")
    if kind == "python":
        from patarm.backends import FunctionBackend

        return FunctionBackend(load_function(args.model))
    if kind == "transformers":
        from patarm.backends import TransformersBackend

        return TransformersBackend.from_pretrained(args.model, batch_size=args.batch_size)
    if kind == "openai":
        if not args.base_url:
            raise ConfigError("--backend openai needs --base-url (e.g. http://127.0.0.1:8000)")
        from patarm.backends import OpenAIBackend

        urls = [args.base_url] if isinstance(args.base_url, str) else args.base_url
        return OpenAIBackend(urls, args.model, max_concurrency=args.concurrency)
    from patarm.backends import VLLMBackend

    return VLLMBackend(args.model, **engine_kwargs(args.engine_arg))


def replica_lines(backend: Any) -> list[str]:
    """One summary line per replica when ``backend`` spreads requests over several (URLs redacted);
    none otherwise, so a single-server run's summary is unchanged."""
    stats = getattr(backend, "replica_stats", None)
    replicas = stats() if callable(stats) else []
    if len(replicas) < 2:
        return []
    return [f"replica {r.line()}" for r in replicas]


def print_replicas(backend: Any, file: Any = None) -> None:
    """Print :func:`replica_lines` (to stdout, or ``file``)."""
    for line in replica_lines(backend):
        print(line, file=file)


def engine_kwargs(pairs: list[str]) -> dict[str, Any]:
    """``["enforce_eager=true", "dtype=float32"]`` -> ``{"enforce_eager": True, "dtype": "float32"}``.

    >>> engine_kwargs(["max_model_len=512", "dtype=float32"])
    {'max_model_len': 512, 'dtype': 'float32'}
    """
    import json

    out: dict[str, Any] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep or not key.isidentifier():
            raise ConfigError(f"--engine-arg {pair!r}: expected KEY=VALUE with KEY a Python name")
        try:
            out[key] = json.loads(raw)
        except json.JSONDecodeError:
            out[key] = raw
    return out


def load_function(spec: str) -> Any:
    """``module:function`` or ``path/to/file.py:function`` -> the function."""
    import importlib
    import importlib.util
    from pathlib import Path

    target, sep, name = spec.rpartition(":")
    if not sep or not target or not name:
        raise ConfigError(f"--model {spec!r}: expected module:function or file.py:function")
    if target.endswith(".py"):
        path = Path(target)
        if not path.exists():
            raise FileNotFoundError(f"{path}: no such file")
        module_spec = importlib.util.spec_from_file_location(path.stem, path)
        if module_spec is None or module_spec.loader is None:
            raise ConfigError(f"{path}: cannot be imported")
        module = importlib.util.module_from_spec(module_spec)
        try:
            module_spec.loader.exec_module(module)
        except SyntaxError as exc:  # the user's file: name its line, no traceback
            raise ConfigError(f"{path} line {exc.lineno}: not valid Python ({exc.msg})") from None
    else:
        module = importlib.import_module(target)
    fn = getattr(module, name, None)
    if not callable(fn):
        raise ConfigError(f"--model {spec!r}: {name!r} is not a function in {target!r}")
    return fn


# The JudgeConfig fields every judging command sets from its options (see patarm.cli._fields).
JUDGE_FIELDS = (
    "samples",
    "voting",
    "temperature",
    "top_p",
    "max_new_tokens",
    "seed",
    "scale",
    "tiers",
    "criteria_mode",
    "expected_score",
    "both_orders",
)


def add_judge_args(parser: argparse.ArgumentParser) -> None:
    from patarm.cli._fields import add_fields
    from patarm.judges import JudgeConfig

    group = parser.add_argument_group("judging")
    add_fields(
        group,
        JudgeConfig,
        JUDGE_FIELDS,
        short={"samples": "-k"},
        aliases={"both_orders": [("--one-order", False)]},
    )
    group.add_argument("--criteria-cache", help="JSONL file that keeps cached criteria across runs")
    group.add_argument("--rubric-dir", action="append", metavar="DIR", help="extra rubric folder (repeatable)")
    group.add_argument("--domain", help="judge every row in this domain (default: the row's, else routed)")
    group.add_argument(
        "--template-dir",
        metavar="DIR",
        help="folder of judge prompt templates (pointwise.j2, pairwise.j2, criteria.j2) that replace the "
        "built-in ones of the same name, e.g. a published checkpoint's own prompt format",
    )


def template_dir(args: argparse.Namespace) -> str | None:
    """``--template-dir``, checked to be a folder (an error naming the option otherwise)."""
    from pathlib import Path

    from patarm.errors import ConfigError

    folder = getattr(args, "template_dir", None)
    if folder is None:
        return None
    if not Path(folder).is_dir():
        raise ConfigError(f"--template-dir {folder}: no such folder")
    return str(folder)


def add_progress_arg(parser: argparse.ArgumentParser | argparse._ArgumentGroup) -> None:
    """``--progress/--no-progress`` (``dest`` ``progress``, on by default), as the commands whose
    options come from a settings object's ``progress`` field spell it; ``--quiet`` stays as a
    deprecated spelling of ``--no-progress``."""
    parser.add_argument(
        "--progress", action=argparse.BooleanOptionalAction, default=True, help="progress bars (default on)"
    )
    parser.add_argument(
        "--quiet", dest="progress", action="store_const", const=False, default=argparse.SUPPRESS,
        help="deprecated: use --no-progress",
    )  # fmt: skip


def add_seed_arg(parser: argparse.ArgumentParser | argparse._ArgumentGroup, help_text: str) -> None:
    """``--seed`` for a command that seeds something other than the judge (data, a demo run),
    with the judge's default seed, so every command's unseeded run is the same run."""
    from patarm.judges import JudgeConfig

    default = JudgeConfig.model_fields["seed"].default
    parser.add_argument("--seed", type=int, default=default, help=f"{help_text} (default {default})")


def config_from_args(args: argparse.Namespace) -> Any:
    from patarm.cli._fields import field_values
    from patarm.judges import JudgeConfig

    return JudgeConfig(**field_values(args, JUDGE_FIELDS))


def check_address(host: str, port: int) -> None:
    """A ValueError naming the option when the server could not listen on (``host``, ``port``):
    an address that does not resolve, a port in use or out of range, a privileged port."""
    import socket

    from patarm._sockets import bind

    if not 0 <= port <= 65535:
        raise ConfigError(f"--port {port}: expected 0 (any free port) to 65535")
    try:
        bind(host, port).close()
    except socket.gaierror as exc:
        raise ConfigError(f"--host {host!r}: not an address this machine can resolve ({exc.strerror})") from None
    except OSError as exc:
        raise ConfigError(f"--host {host!r} --port {port}: cannot listen there ({exc.strerror})") from None


REFERENCE_HELP = (
    "column holding each row's reference answer (a ground truth, a solution): shown to the judge in its own "
    "block, to compare the responses against; null in a row: no reference for that row; a row without the "
    "column is an error"
)


def add_reference_arg(parser: argparse.ArgumentParser | argparse._ArgumentGroup) -> None:
    """``--reference-col COLUMN``, the same option in every command that judges rows from a file
    (read with :func:`patarm.data.row_reference`); absent: no reference anywhere."""
    parser.add_argument("--reference-col", metavar="COLUMN", help=REFERENCE_HELP)
