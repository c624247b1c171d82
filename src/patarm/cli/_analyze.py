"""``patarm analyze``: a judge's accuracy against the number of votes k, Best-of-N selection
against random choice and an oracle, and a figure's mean and std over seeds.

Each subcommand judges through the one judging loop with any backend, keeps its judgments in
OUTPUT (rerun the same command to resume), and writes NAME.json, NAME.md and NAME.png there.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from patarm.cli._common import (
    add_backend_args,
    add_judge_args,
    add_progress_arg,
    backend_from_args,
    config_from_args,
    int_at_least,
    print_replicas,
    template_dir,
)
from patarm.errors import ConfigError

__all__ = ["add_parser"]

DEMO_PAIRS = 200
DEMO_ROWS = 100


def _output(args: argparse.Namespace) -> Path:
    output = Path(args.output)
    if output.exists() and not output.is_dir():
        raise ConfigError(f"--output {output}: is a file; name a folder for the report")
    return output


def _fingerprint(args: argparse.Namespace) -> dict[str, Any]:
    return {"backend": args.backend, "model": args.model, "rubric_dir": list(args.rubric_dir or ())}


def _judge(args: argparse.Namespace, backend: Any, seed: int | None = None) -> Any:
    from patarm.judges import PointwiseJudge
    from patarm.rubrics import CriteriaCache, RubricSet

    config = config_from_args(args)
    if seed is not None:
        config = config.model_copy(update={"seed": seed})
    criteria = CriteriaCache(args.criteria_cache) if args.criteria_cache else None
    rubrics = RubricSet(args.rubric_dir or ())
    if args.demo is not None:
        from patarm.demo import DEMO_RUBRIC

        rubrics.register(DEMO_RUBRIC)
    return PointwiseJudge(backend, config, rubrics=rubrics, criteria_cache=criteria, template_dir=template_dir(args))


def _source(args: argparse.Namespace) -> None:
    if (args.input is None) == (args.demo is None):
        raise ConfigError("give --input PATH, or --demo for the demo task's data (one of the two)")


def _pairs(args: argparse.Namespace, written: list[Path]) -> list[Any]:
    from patarm.audit import load_audit_data
    from patarm.store import check_distinct

    _source(args)
    if args.demo is not None:
        from patarm.analysis import demo_pairs

        return demo_pairs(args.demo)
    check_distinct({"--input": args.input}, {"--output": written})
    data = load_audit_data(args.input, benchmark=args.benchmark, skip_malformed=args.skip_malformed)
    if data.skipped:
        print(f"note: {sum(data.skipped.values())} malformed row(s) skipped: {data.skipped}")
    pairs = data.pairs[: args.limit] if args.limit is not None else data.pairs
    if not pairs:
        raise ConfigError(f"--input {args.input}: no pairs to analyse")
    return pairs


def _write(report: dict[str, Any], output: Path, name: str, plot: Any) -> None:
    from patarm.analysis import analysis_markdown
    from patarm.store import atomic_write

    output.mkdir(parents=True, exist_ok=True)
    markdown = analysis_markdown(report)
    with atomic_write(output / f"{name}.json") as f:
        json.dump(report, f, indent=2)
        f.write("\n")
    with atomic_write(output / f"{name}.md") as f:
        f.write(markdown)
    plot(report, output / f"{name}.png")
    print(markdown, end="")
    print(f"report: {output / (name + '.json')}, {output / (name + '.md')}; plot: {output / (name + '.png')}")


def _cache(args: argparse.Namespace, output: Path, name: str) -> Path:
    return Path(args.cache) if args.cache else output / name


def run_votes(args: argparse.Namespace) -> int:
    from patarm.analysis import analyze_votes
    from patarm.analysis.plots import plot_votes

    output = _output(args)
    cache = _cache(args, output, "judgments-votes.jsonl")
    pairs = _pairs(args, [cache, *(output / f"votes.{ext}" for ext in ("json", "md", "png"))])
    backend = backend_from_args(args)
    report = analyze_votes(
        pairs, _judge(args, backend), draws=args.draws, store=cache, settings=_fingerprint(args),
        chunk=args.chunk, progress=args.progress,
    )  # fmt: skip
    report.update(backend=args.backend, model=args.model, input=str(args.input), cache=str(cache))
    print_replicas(backend)
    _write(report, output, "votes", plot_votes)
    return 0


def run_seeds(args: argparse.Namespace) -> int:
    from patarm.analysis import analyze_seeds
    from patarm.analysis.plots import plot_seeds

    output = _output(args)
    if len(set(args.seeds)) != len(args.seeds):
        raise ConfigError(f"--seeds: each seed once, got {' '.join(map(str, args.seeds))}")
    stores = {seed: output / f"judgments-seed{seed}.jsonl" for seed in args.seeds}
    pairs = _pairs(args, [*stores.values(), *(output / f"seeds.{ext}" for ext in ("json", "md", "png"))])
    backend = backend_from_args(args)
    report = analyze_seeds(
        pairs, lambda seed: _judge(args, backend, seed), args.seeds, draws=args.draws, store_for_seed=stores.get,
        settings=_fingerprint(args), chunk=args.chunk, progress=args.progress,
    )  # fmt: skip
    report.update(backend=args.backend, model=args.model, input=str(args.input))
    print_replicas(backend)
    _write(report, output, "seeds", plot_seeds)
    return 0


def run_best_of_n(args: argparse.Namespace) -> int:
    from patarm.analysis import analyze_best_of_n, load_candidates
    from patarm.analysis.plots import plot_best_of_n
    from patarm.store import check_distinct

    output = _output(args)
    cache = _cache(args, output, "judgments-best-of-n.jsonl")
    written = [cache, *(output / f"best-of-n.{ext}" for ext in ("json", "md", "png"))]
    _source(args)
    if args.demo is not None:
        from patarm.analysis import demo_candidates

        rows = demo_candidates(args.demo, args.candidates)
    else:
        check_distinct({"--input": args.input}, {"--output": written})
        rows = load_candidates(args.input)
    rows = rows[: args.limit] if args.limit is not None else rows
    backend = backend_from_args(args)
    report = analyze_best_of_n(
        rows, _judge(args, backend), draws=args.draws, seed=args.seed, store=cache, settings=_fingerprint(args),
        chunk=args.chunk, progress=args.progress,
    )  # fmt: skip
    report.update(backend=args.backend, model=args.model, input=str(args.input), cache=str(cache))
    print_replicas(backend)
    _write(report, output, "best-of-n", plot_best_of_n)
    return 0


def _common(parser: argparse.ArgumentParser, *, pairs: bool, draws: int, draws_help: str) -> None:
    if pairs:
        parser.add_argument("--input", "-i", metavar="PATH", help="preference pairs (prompt, chosen, rejected), "
                            "or a benchmark file with --benchmark")  # fmt: skip
        parser.add_argument("--demo", type=int_at_least(1), nargs="?", const=DEMO_PAIRS, metavar="N",
                            help=f"analyse N held-out pairs of the demo task in place of --input (default N "
                            f"{DEMO_PAIRS}); with --backend python --model patarm.analysis:noisy_demo_judge, a "
                            "judge whose noise is known")  # fmt: skip
        parser.add_argument("--benchmark", choices=["rewardbench", "rewardbench2", "rmbench"],
                            help="read --input as this benchmark (a pair per chosen/rejected comparison)")  # fmt: skip
        parser.add_argument("--skip-malformed", action="store_true", help="leave malformed rows out (counted)")
    parser.add_argument("--limit", type=int_at_least(1), help="analyse only the first N rows (a quick, partial run)")
    parser.add_argument("--output", "-o", required=True, metavar="DIR", help="folder for the report, plot, judgments")
    parser.add_argument("--draws", type=int_at_least(0 if pairs else 1), default=draws, help=draws_help)
    parser.add_argument(
        "--chunk", type=int_at_least(1), default=32, help="responses judged and stored per step (default 32)"
    )
    parser.add_argument(
        "--chunk-items", dest="chunk", type=int_at_least(1), default=argparse.SUPPRESS, help="deprecated: use --chunk"
    )
    add_progress_arg(parser)
    add_backend_args(parser)
    add_judge_args(parser)


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "analyze",
        help="accuracy vs number of votes k, Best-of-N selection, mean and std over seeds",
        description=(
            "Analyses of a pointwise judge, with any backend. Each writes NAME.json, NAME.md and NAME.png into "
            "--output and keeps its judgments there as they come: rerun the same command to resume."
        ),
    )
    subs = parser.add_subparsers(dest="analysis", metavar="ANALYSIS", required=True)
    votes = subs.add_parser(
        "votes",
        help="pair accuracy against k = 1..K from one run of K samples per response (-k K)",
        description=(
            "Judge both responses of every pair once with -k K samples, then compute pair accuracy at every k = 1..K "
            "by voting (--voting) over the first k samples, and optionally averaged over --draws random k-subsets. "
            "Ties and failed judgments count as wrong. Judgments go to OUTPUT/judgments-votes.jsonl (or --cache)."
        ),
    )
    _common(votes, pairs=True, draws=0, draws_help="random k-subsets averaged per k, seeded by --seed (default 0: "
            "only the first k samples)")  # fmt: skip
    votes.add_argument("--cache", metavar="FILE", help="JSONL of judgments (default OUTPUT/judgments-votes.jsonl)")
    votes.set_defaults(func=run_votes)

    best = subs.add_parser(
        "best-of-n",
        help="how often the judge's top-scored candidate is correct, against random choice and an oracle",
        description=(
            'Input: JSONL rows {"prompt": str or messages, "responses": [N strings], "correct": [N booleans]} '
            'with optional "id" and "domain". Every candidate is judged pointwise (-k samples, --voting); for '
            "N' = 1..N the command draws --draws random N'-subsets per prompt and reports how often the top-scored "
            "candidate is correct (ties broken by a seeded random choice, counted), next to random choice and the "
            "oracle. A failed judgment ranks below every scored candidate."
        ),
    )
    best.add_argument("--input", "-i", metavar="PATH", help="the candidates file (JSONL, format above)")
    best.add_argument("--demo", type=int_at_least(1), nargs="?", const=DEMO_ROWS, metavar="ROWS",
                      help=f"analyse ROWS prompts of the demo task (default {DEMO_ROWS}) with --candidates reviews "
                      "each, correct when 4 or more of their 6 words are good, in place of --input")  # fmt: skip
    best.add_argument("--candidates", type=int_at_least(1), default=8, metavar="N",
                      help="with --demo: candidates per prompt (default 8)")  # fmt: skip
    _common(best, pairs=False, draws=20, draws_help="random N'-subsets per prompt and N' (default 20)")
    best.add_argument("--cache", metavar="FILE", help="JSONL of judgments (default OUTPUT/judgments-best-of-n.jsonl)")
    best.set_defaults(func=run_best_of_n)

    seeds = subs.add_parser(
        "seeds",
        help="pair accuracy (at every k = 1..K) under several seeds: mean, std and each seed's value",
        description=(
            "Run the votes analysis once per --seeds value (the judge's sampling seed; judgments in "
            "OUTPUT/judgments-seedS.jsonl) and report, for every k, the mean, the sample standard deviation and "
            "each seed's pair accuracy. With -k 1 this is the plain pointwise pair accuracy over seeds."
        ),
    )
    _common(seeds, pairs=True, draws=0, draws_help="random k-subsets averaged per k in each seed's run (default 0)")
    seeds.add_argument("--seeds", type=int, nargs="+", required=True, metavar="SEED", help="e.g. --seeds 0 1 2")
    seeds.set_defaults(func=run_seeds)
