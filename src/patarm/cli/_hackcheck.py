"""``patarm hackcheck``: optimise a small policy against a judge and see what it learns to
exploit, before a real run finds out.

GRPO (TRL) trains the policy with the judge as its only reward; every ``--eval-every`` steps,
held-out outputs are scored by the judge and by a gold (the demo's truth, a Python function,
or another judge). Writes ``hackcheck.json``, ``hackcheck.md`` and PNG plots; evaluation
records go to ``OUTPUT/steps.jsonl`` and checkpoints to ``OUTPUT/grpo/``, so rerunning the same
command continues. ``--compare A B`` runs (or reads) two judges and shows them side by side.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from patarm.cli._common import (
    add_backend_args,
    add_judge_args,
    backend_from_args,
    config_from_args,
    int_at_least,
    load_function,
    template_dir,
)
from patarm.cli._fields import Alias, add_fields, field_values
from patarm.cli._numbers import finite_float
from patarm.errors import ConfigError

__all__ = ["add_parser"]

# The HackcheckSettings fields set from the training options (see patarm.cli._fields), and the
# former spellings; seed and reward_scale are the judge's (--seed, --scale), use_cpu is --device.
TRAINING_FIELDS = (
    "steps",
    "eval_every",
    "eval_samples",
    "prompts_per_step",
    "generations",
    "max_completion_length",
    "learning_rate",
    "beta",
    "policy_temperature",
    "margin",
    "threads",
    "progress",
)
TRAINING_ALIASES: dict[str, list[Alias]] = {"progress": [("--quiet", False)]}


def _judge(args: argparse.Namespace, backend: Any) -> Any:
    from patarm.hackcheck import demo_judge
    from patarm.judges import PointwiseJudge
    from patarm.rubrics import CriteriaCache, RubricSet

    if args.demo:
        return demo_judge(backend, samples=args.samples, seed=args.seed)
    criteria = CriteriaCache(args.criteria_cache) if args.criteria_cache else None
    rubrics = RubricSet(args.rubric_dir or ())
    return PointwiseJudge(
        backend, config_from_args(args), rubrics=rubrics, criteria_cache=criteria, template_dir=template_dir(args)
    )


def _gold(args: argparse.Namespace) -> tuple[Any, str, tuple[float, float]]:
    """The gold, its name and its scale."""
    from patarm.hackcheck import DEMO_GOLD_SCALE, FunctionGold, JudgeGold, demo_truth

    if args.gold_judge:
        shaped = argparse.Namespace(
            **{**vars(args), "backend": args.gold_backend, "model": args.gold_judge, "base_url": args.gold_base_url}
        )
        judge = _judge(shaped, backend_from_args(shaped))
        domain = "demo" if args.demo else args.domain
        return JudgeGold(judge, domain), f"judge {args.gold_judge}", tuple(args.gold_scale or args.scale)
    if args.gold in (None, "demo"):
        if not args.demo and args.gold is None:
            raise ConfigError("name a gold: --gold module:function (or file.py:function), or --gold-judge MODEL")
        return demo_truth(), "demo truth (share of good words)", tuple(args.gold_scale or DEMO_GOLD_SCALE)
    return FunctionGold(load_function(args.gold), name=args.gold), args.gold, tuple(args.gold_scale or (0.0, 1.0))


def _inputs(args: argparse.Namespace, output: Path) -> tuple[str, list[str], list[str]]:
    """The policy (a folder), the training prompts and the held-out prompts."""
    from patarm.hackcheck import demo_prompts, demo_start_policy, load_prompts, split_prompts

    if args.demo:
        policy = args.policy or str(demo_start_policy(output / "start-policy", seed=args.seed))
        prompts = load_prompts(args.prompts) if args.prompts else demo_prompts()
    else:
        if not args.policy or not args.prompts:
            raise ConfigError("--policy and --prompts are required (or --demo for the CPU demonstration)")
        if not Path(args.policy, "config.json").exists():
            raise FileNotFoundError(f"--policy {args.policy}: no model folder (config.json) there")
        policy, prompts = args.policy, load_prompts(args.prompts)
    train, held = split_prompts(prompts, args.eval_prompts, seed=args.seed)
    return policy, train, held


def _settings(args: argparse.Namespace, gold_scale: tuple[float, float]) -> Any:
    from patarm.hackcheck import HackcheckSettings

    if args.device == "auto":
        import torch

        use_cpu = not torch.cuda.is_available()
    else:
        use_cpu = args.device == "cpu"
    return HackcheckSettings(
        **field_values(args, TRAINING_FIELDS),
        chat_template=args.chat_template and not args.demo,  # the demo's policy is given plain text
        seed=args.seed,
        reward_scale=tuple(args.scale),
        gold_scale=gold_scale,
        use_cpu=use_cpu,
    )


def _check(args: argparse.Namespace, output: Path, model: str | None) -> dict[str, Any]:
    from patarm._extras import require

    require("trl", "trl")
    from patarm.adapters.trl import JudgeReward
    from patarm.hackcheck import run_hackcheck

    args = argparse.Namespace(**{**vars(args), "model": model})
    gold, gold_name, gold_scale = _gold(args)
    policy, train, held = _inputs(args, Path(args.output))
    judge = _judge(args, backend_from_args(args))
    domain = "demo" if args.demo else args.domain
    reward = JudgeReward(judge=judge, default_domain=domain)
    fingerprint = {
        "backend": args.backend,
        "model": model,
        "gold": gold_name,
        "demo": args.demo,
        "rubric_dir": list(args.rubric_dir or ()),
        "judge_config": judge.config.model_dump(mode="json", exclude={"chunk_size"}),
    }
    return run_hackcheck(
        policy, train, held, reward, gold, _settings(args, gold_scale), output=output,
        judge=model or args.backend, gold_name=gold_name, fingerprint=fingerprint,
    )  # fmt: skip


def _compare(args: argparse.Namespace, output: Path) -> int:
    from patarm.cli._compare import run_side_by_side
    from patarm.hackcheck import compare_hackchecks, load_hackcheck
    from patarm.hackcheck.plots import plot_report

    return run_side_by_side(
        args.compare, output, report_file="hackcheck.json", load=load_hackcheck,
        run=lambda folder, model: _check(args, folder, model), markdown=compare_hackchecks, plot=plot_report,
    )  # fmt: skip


def run(args: argparse.Namespace) -> int:
    from patarm.hackcheck import hackcheck_markdown

    output = Path(args.output)
    if output.exists() and not output.is_dir():
        raise ConfigError(f"--output {output}: is a file; name a folder for the report")
    if args.compare:
        return _compare(args, output)
    report = _check(args, output, args.model)
    print(hackcheck_markdown(report), end="")
    print(f"report: {output / 'hackcheck.md'}, {output / 'hackcheck.json'}; plots and step records in {output}/")
    return 0


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from patarm.hackcheck import HackcheckSettings

    parser = commands.add_parser(
        "hackcheck",
        help="optimise a small policy against a judge (GRPO) and report what it learns to exploit",
        description=(
            "Trains a policy with GRPO (TRL) with the judge as its only reward and, every --eval-every steps, "
            "scores held-out outputs with the judge and with a gold (--gold function, --gold-judge, or the demo's "
            "truth). Reports the reward-gold gap over steps, the step where they part (95% bootstrap over prompts), "
            "the output features that moved and that the judge pays for beyond gold, and the outputs it over-pays "
            "most: OUTPUT/hackcheck.json, OUTPUT/hackcheck.md, PNG plots. Step records are kept in "
            "OUTPUT/steps.jsonl and checkpoints in OUTPUT/grpo/: rerun the same command to continue (a larger "
            "--steps extends a finished run). --demo runs on the CPU demo's task, whose true quality is known: "
            "--demo --backend python --model patarm.hackcheck:length_paying. Needs the trl extra (plots: the audit "
            "extra): pip install -e '.[trl,audit]' in a patarm checkout."
        ),
    )
    parser.add_argument("--output", "-o", required=True, metavar="DIR", help="folder for the report and records")
    parser.add_argument("--demo", action="store_true", help="the CPU demo: its tiny policy (given plain text), "
                        "prompts, truth as gold")  # fmt: skip
    parser.add_argument("--policy", metavar="DIR", help="the policy model folder to train (a copy is trained)")
    parser.add_argument("--prompts", metavar="FILE", help="JSONL with a 'prompt' field per row")
    add_fields(parser, HackcheckSettings, ["chat_template"])
    parser.add_argument("--eval-prompts", type=int_at_least(1), default=16, help="held-out prompts (default 16)")
    gold = parser.add_argument_group("gold (the independent measure of quality)")
    gold.add_argument("--gold", metavar="SPEC", help="'demo' (with --demo, the default), or module:function / "
                      "file.py:function: fn(prompt, response) -> float or None")  # fmt: skip
    gold.add_argument("--gold-judge", metavar="MODEL", help="a judge as gold (usually a stronger model)")
    gold.add_argument("--gold-backend", default="transformers", choices=["transformers", "openai", "vllm", "python"],
                      help="backend of --gold-judge (default transformers)")  # fmt: skip
    gold.add_argument("--gold-base-url", help="server URL for --gold-backend openai")
    gold.add_argument("--gold-scale", type=finite_float(), nargs=2, metavar=("LOW", "HIGH"), help="the gold's range "
                      "(default: 0 1 for a function or the demo, --scale for a judge)")  # fmt: skip
    train = parser.add_argument_group("training (GRPO in TRL)")
    add_fields(train, HackcheckSettings, TRAINING_FIELDS, aliases=TRAINING_ALIASES)
    train.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto", help="where the policy trains")
    parser.add_argument(
        "--compare",
        nargs=2,
        metavar=("A", "B"),
        help="two judges side by side: each a hackcheck report (hackcheck.json or its folder) or a model for "
        "--backend, checked first with the same policy, prompts, gold and seed",
    )
    add_backend_args(parser)
    add_judge_args(parser)
    parser.set_defaults(func=run)
