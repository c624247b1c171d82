"""What the template guards cost: the judge's pointwise prompt rendered in the guarded sandbox
against Jinja's plain immutable sandbox, same template and context, same run; and how fast a
template bomb is refused.

    python benchmarks/bench_template_guard.py --renders 3000 --repeats 5

Prints microseconds per render for both, their ratio (guarded / plain; best of ``repeats``),
and the time to refuse ``{{ 'x'|center(10**9) }}`` (the plain sandbox builds 1 GB there, so
it is not run).
"""

from __future__ import annotations

import argparse
import contextlib
import time

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment

from patarm.prompts import JudgePrompts
from patarm.prompts._builder import TEMPLATE_DIR
from patarm.rubrics._sandbox import TemplateLimitError, sandboxed_environment


def _best(render: object, context: dict[str, object], renders: int, repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(renders):
            render(**context)  # type: ignore[operator]
        best = min(best, (time.perf_counter() - start) / renders)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--renders", type=int, default=3000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    context = JudgePrompts()._context("Say hi. " * 200, "chat", None)
    context["response"] = "Hello there. " * 500
    loader = jinja2.FileSystemLoader([str(TEMPLATE_DIR)])
    plain_env = ImmutableSandboxedEnvironment(
        loader=loader, undefined=jinja2.StrictUndefined, autoescape=False, trim_blocks=True, lstrip_blocks=True
    )
    plain_env.globals.clear()
    plain = plain_env.get_template("pointwise.j2")
    guarded = sandboxed_environment(loader, trim_blocks=True, lstrip_blocks=True).get_template("pointwise.j2")
    same = plain.render(**context) == guarded.render(**context)

    plain_s = _best(plain.render, context, args.renders, args.repeats)
    guarded_s = _best(guarded.render, context, args.renders, args.repeats)
    bomb = sandboxed_environment().from_string("{{ 'x'|center(10**9) }}")
    start = time.perf_counter()
    with contextlib.suppress(TemplateLimitError):
        bomb.render()
    refused_s = time.perf_counter() - start

    print(f"pointwise prompt, {len(guarded.render(**context))} characters; identical output: {same}")
    print(f"plain sandbox:   {plain_s * 1e6:8.1f} us/render")
    print(f"guarded sandbox: {guarded_s * 1e6:8.1f} us/render")
    print(f"guarded / plain: {guarded_s / plain_s:8.2f}x")
    print(f"center(10**9) refused in {refused_s * 1e6:.0f} us")


if __name__ == "__main__":
    main()
