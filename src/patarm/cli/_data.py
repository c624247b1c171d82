"""``patarm data``: pairwise preference datasets -> PaTaRM's pair files, SFT and RL corpora.

Subcommands: ``convert`` (any supported shape -> normalised pairs with domains), ``add-noise``
(seeded label flips), ``build-rl`` (one judge-prompt row per side, reject-sampling filter),
``build-sft`` (teacher judge, margin filter, resumable), ``build-verl`` / ``build-openrlhf``
(PAR training data for those stacks), ``stats``. Every command prints how many rows it read,
kept and skipped per reason.
"""

from __future__ import annotations

import argparse
import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from patarm.cli._common import (
    add_backend_args,
    add_judge_args,
    backend_from_args,
    config_from_args,
    int_at_least,
)
from patarm.types import RowError

__all__ = ["add_parser"]


def _columns(args: argparse.Namespace) -> Any:
    from patarm.data import PairColumns

    defaults = PairColumns()
    return PairColumns(
        prompt=args.prompt_col,
        chosen=args.chosen_col,
        rejected=args.rejected_col,
        ids=(args.id_col,) if args.id_col else defaults.ids,
        domain=args.domain_col or None,
        sources=(args.source_col,) if args.source_col else defaults.sources,
    )


def _loaded(args: argparse.Namespace, report: Any) -> Iterator[Any]:
    from itertools import islice

    from patarm.data import iter_loaded, iter_rows

    rows = iter_rows(args.input, split=args.split, skip_unreadable=args.skip_malformed)
    if args.limit is not None:
        rows = islice(rows, args.limit)
    return iter_loaded(rows, _columns(args), skip=args.skip_malformed, report=report)


def _print(lines: list[str]) -> None:
    for line in lines:
        print(line)


def _labeler(args: argparse.Namespace, rubrics: Any, backend: Any = None) -> Any:
    from patarm.data import DomainLabeler
    from patarm.rubrics import HeuristicRouter, LLMRouter

    if args.router == "llm":
        model = backend if backend is not None else backend_from_args(args)
        return DomainLabeler(LLMRouter(model, rubrics.domains()), "llm", rubrics)
    return DomainLabeler(HeuristicRouter(), "heuristic", rubrics)


def _pair_row(pair: Any, domain: str | None, source: str | None) -> dict[str, Any]:
    row: dict[str, Any] = pair.model_dump(mode="json")
    row["domain"], row["domain_source"] = domain, source
    return row


def _jsonl_output(path: str) -> None:
    if Path(path).suffix.lower() not in (".jsonl", ".ndjson"):
        raise ValueError(f"{path}: pair files are written as JSON lines; name the output .jsonl")


def run_convert(args: argparse.Namespace) -> int:
    from patarm.data import LoadReport, write_rows
    from patarm.rubrics import RubricSet

    _jsonl_output(args.output)
    report = LoadReport()
    labeler = _labeler(args, RubricSet(args.rubric_dir or ()))

    def rows() -> Iterator[dict[str, Any]]:
        for item in _loaded(args, report):
            yield _pair_row(item.pair, *labeler.label(item.pair))

    write_rows(args.output, rows())
    _print(report.lines())
    _print([f"domain {d} ({s}): {n}" for (d, s), n in sorted(labeler.counts.items())])
    print(f"output: {args.output}")
    return 0


def run_add_noise(args: argparse.Namespace) -> int:
    """Stream the pairs twice: once to count them (the flips depend on n), once to write.

    Each row keeps its rounds (``flip_rounds``, ``flipped``: see :func:`patarm.data.noise_rounds`):
    a new round on noised data needs ``--stack``; ``--undo`` peels the last round off."""
    from patarm.data import LoadReport, apply_flips, flip_indices, noise_rounds, record_rounds, write_rows

    _jsonl_output(args.output)
    report = LoadReport()
    changed = rounds_before = 0
    flips: set[int] = set()
    if not args.undo:
        count = 0
        for item in _loaded(args, LoadReport()):
            if noise_rounds(item.row, item.index) and not args.stack:
                raise RowError(item.index, "flip_rounds", _NOISED, item.row.get("flip_rounds", item.row.get("flipped")))
            count += 1
        flips = set(flip_indices(count, args.flip, args.seed))

    def rows() -> Iterator[dict[str, Any]]:
        nonlocal changed, rounds_before
        for position, item in enumerate(_loaded(args, report)):
            rounds = noise_rounds(item.row, item.index)
            rounds_before = max(rounds_before, len(rounds))
            if args.undo:
                if not rounds:
                    raise RowError(item.index, "flip_rounds", _NOT_NOISED, None)
                swap = rounds.pop()
            else:
                swap = position in flips
                rounds.append(swap)
            pair = apply_flips([item.pair], [item.pair.pair_id])[0] if swap else item.pair
            changed += swap
            row = _pair_row(pair, pair.domain, item.row.get("domain_source"))
            record_rounds(row, rounds)
            yield row

    total = write_rows(args.output, rows())
    _print(report.lines())
    if args.undo:
        print(f"pairs restored: {changed} of {total} (round {rounds_before} undone; {rounds_before - 1} left)")
    else:
        print(f"pairs flipped: {changed} of {total} (noise round {rounds_before + 1})")
    print(f"output: {args.output}")
    return 0


_NOISED = "a pair without label noise: this data is noised already (pass --stack to add a round, --undo to remove one)"
_NOT_NOISED = "a noised pair (add-noise records 'flip_rounds' on every row): nothing to undo"


def _prompts(args: argparse.Namespace, rubrics: Any) -> Any:
    from patarm.prompts import JudgePrompts

    return JudgePrompts(rubrics, scale=tuple(args.scale), tiers=args.tiers)


def _with_sampled_correctness(
    args: argparse.Namespace, loaded: Iterator[Any], backend: Any, rubrics: Any, labeler: Any, column: str
) -> Iterator[Any]:
    """Judge each pair ``--rollouts`` times with the sampler model and write the share of
    rollouts that rank chosen strictly above rejected into the row's ``column``.

    A rollout is sample i of the chosen side against sample i of the rejected side; a
    malformed score makes it incorrect. Results are appended to the rollout cache as they
    come, so a rerun samples only the pairs not there yet.
    """
    from itertools import islice

    from patarm.data import JsonlWriter
    from patarm.judges import JudgeConfig, PointwiseItem, PointwiseJudge

    cache = Path(args.rollout_cache) if args.rollout_cache else Path(args.output).with_suffix(".rollouts.jsonl")
    done = _read_rollouts(cache)
    config = JudgeConfig(
        scale=tuple(args.scale),
        tiers=args.tiers,
        samples=args.rollouts,
        temperature=args.rollout_temperature,
        max_new_tokens=args.max_new_tokens,
        seed=args.seed,
    )
    judge = PointwiseJudge(backend, config, rubrics=rubrics)
    source = iter(loaded)  # one iterator, consumed chunk by chunk
    with JsonlWriter(cache) as out:
        while chunk := list(islice(source, max(1, args.chunk_pairs))):
            todo = [item for item in chunk if item.pair.pair_id not in done]
            items = [
                PointwiseItem(item.pair.prompt, item.pair.response(role), labeler.label(item.pair)[0])
                for item in todo
                for role in ("chosen", "rejected")
            ]
            results = judge.judge_many(items) if items else []
            for k, item in enumerate(todo):
                chosen, rejected = results[2 * k], results[2 * k + 1]
                correct = [
                    c.score is not None and r.score is not None and c.score > r.score
                    for c, r in zip(chosen.samples, rejected.samples, strict=True)
                ]
                done[item.pair.pair_id] = correct
                out.write({"id": item.pair.pair_id, "correct": correct})
            for item in chunk:
                item.row[column] = done[item.pair.pair_id]
                yield item


def _read_rollouts(path: Path) -> dict[str, list[bool]]:
    found: dict[str, list[bool]] = {}
    if not path.exists():
        return found
    with path.open("rb") as f:
        for line in f:
            try:
                record = json.loads(line)
                found[str(record["id"])] = [bool(v) for v in record["correct"]]
            except (ValueError, KeyError, TypeError, RecursionError):
                continue  # a line cut short by an interrupted run: that pair is sampled again
    return found


def run_build_rl(args: argparse.Namespace) -> int:
    from tqdm.auto import tqdm

    from patarm.data import LoadReport, RejectSampling, RLReport, rl_rows, write_rows
    from patarm.rubrics import RubricSet

    rubrics = RubricSet(args.rubric_dir or ())
    report, rl = LoadReport(), RLReport()
    low, high = args.keep_range
    if not 0.0 <= low <= high <= 1.0:
        raise ValueError(f"--keep-range {low} {high}: expected 0 <= LOW <= HIGH <= 1")
    if args.rollouts is not None and args.correct_column:
        raise ValueError("give either --correct-column (correctness already in the data) or --rollouts (sample it)")
    if args.rollouts is not None and args.rollouts < 1:
        raise ValueError(f"--rollouts must be >= 1, got {args.rollouts}")
    column = args.correct_column or "correct_fraction"
    sampling = RejectSampling(low, high, column) if (args.correct_column or args.rollouts) else None
    # one model for the sampler and an LLM router; none when neither needs one
    backend = backend_from_args(args) if args.rollouts is not None or args.router == "llm" else None
    labeler = _labeler(args, rubrics, backend)
    loaded: Iterator[Any] = tqdm(_loaded(args, report), desc="pairs", unit="pair", disable=args.quiet)
    if args.rollouts is not None:  # its own labeler, so that the printed domain counts are not doubled
        loaded = _with_sampled_correctness(args, loaded, backend, rubrics, _labeler(args, rubrics, backend), column)
    rows = rl_rows(
        loaded,
        prompts=_prompts(args, rubrics),
        labeler=labeler,
        reject_sampling=sampling,
        report=rl,
        conversational=not args.text_prompts,
    )
    write_rows(args.output, rows)
    _print(report.lines())
    if sampling is not None:
        print(f"reject sampling on {sampling.column!r}: keep {low:g} <= correct fraction <= {high:g}")
    print(f"pairs kept: {rl.kept}, dropped (correct fraction out of range): {rl.dropped.get('out_of_range', 0)}")
    _print([f"domain {d} ({s}): {n}" for (d, s), n in sorted(labeler.counts.items())])
    print(f"rows written: {rl.rows}")
    print(f"output: {args.output}")
    return 0


def _cache_offsets(path: Path) -> dict[str, int]:
    """Byte offset of each pair's teacher record in the cache (the last one wins); a line cut
    short by an interrupted run is ignored, so that pair is judged again."""
    offsets: dict[str, int] = {}
    if not path.exists():
        return offsets
    with path.open("rb") as f:
        offset = 0
        for line in f:
            with contextlib.suppress(ValueError, KeyError, TypeError, RecursionError):
                offsets[str(json.loads(line)["id"])] = offset
            offset += len(line)
    return offsets


def run_build_sft(args: argparse.Namespace) -> int:
    """Stream the pairs in chunks: judge those not in the teacher cache, append them to it,
    and write each chunk's SFT rows; cached judgments are read back by offset, one at a time."""
    from itertools import islice

    from tqdm.auto import tqdm

    from patarm.data import JsonlWriter, LoadReport, SFTFilter, SFTReport, margin_histogram, sft_pair_rows, write_rows
    from patarm.judges import PointwiseItem, PointwiseJudge, PointwiseResult
    from patarm.rubrics import RubricSet

    output = Path(args.output)
    cache = Path(args.teacher_cache) if args.teacher_cache else output.with_suffix(".teacher.jsonl")
    histogram = Path(args.histogram) if args.histogram else output.with_suffix(".margins.png")
    report = LoadReport()
    rubrics = RubricSet(args.rubric_dir or ())
    backend = backend_from_args(args)
    labeler = _labeler(args, rubrics, backend)
    offsets = _cache_offsets(cache)
    judge = PointwiseJudge(backend, config_from_args(args), rubrics=rubrics)
    sft, keep = SFTReport(), SFTFilter(args.margin)
    judged_now = from_cache = 0

    def rows() -> Iterator[dict[str, Any]]:
        nonlocal judged_now, from_cache
        source = iter(_loaded(args, report))
        with (
            JsonlWriter(cache) as out,
            cache.open("rb") as reader,
            tqdm(desc="teacher", unit="pair", disable=args.quiet) as bar,
        ):
            while chunk := list(islice(source, max(1, args.chunk_pairs))):
                domains = [args.domain or labeler.label(item.pair)[0] for item in chunk]
                todo = [k for k, item in enumerate(chunk) if item.pair.pair_id not in offsets]
                items = [
                    PointwiseItem(chunk[k].pair.prompt, chunk[k].pair.response(role), domains[k])
                    for k in todo
                    for role in ("chosen", "rejected")
                ]
                results = iter(judge.judge_many(items)) if items else iter(())
                fresh = {k: (next(results), next(results)) for k in todo}
                for k, (chosen, rejected) in fresh.items():
                    record = {"id": chunk[k].pair.pair_id, "chosen": chosen.model_dump(mode="json")}
                    record["rejected"] = rejected.model_dump(mode="json")
                    out.write(record)
                judged_now += len(fresh)
                for k, (item, domain) in enumerate(zip(chunk, domains, strict=True)):
                    if k in fresh:
                        chosen, rejected = fresh[k]
                    else:
                        reader.seek(offsets[item.pair.pair_id])
                        record = json.loads(reader.readline())
                        chosen, rejected = PointwiseResult(**record["chosen"]), PointwiseResult(**record["rejected"])
                        from_cache += 1
                    margin, reason = keep.verdict(chosen, rejected)
                    sft.add(margin, reason)
                    if reason is None:
                        yield from sft_pair_rows(
                            item.pair, domain, chosen, rejected, judge.prompts, conversational=not args.text_prompts
                        )
                bar.update(len(chunk))

    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.touch()
    write_rows(output, rows())
    _print(report.lines())
    try:
        margin_histogram(sft.margins, histogram, threshold=args.margin)
    except ImportError as exc:  # matplotlib missing: the corpus is written, the picture is not
        print(f"note: no margin histogram: {exc}")
        histogram = Path("(not written)")
    print(f"teacher judged: {judged_now} pair(s) now, {from_cache} from {cache}")
    _print(sft.lines())
    print(f"margin threshold: keep chosen - rejected > {args.margin:g}")
    print(f"output: {output}\nteacher judgments: {cache}\nmargin histogram: {histogram}")
    return 0


def _stack_pairs(args: argparse.Namespace) -> tuple[list[Any], Any, Any]:
    """Pairs with their domains labelled, the judge prompts, and the load report."""
    from patarm.data import LoadReport
    from patarm.rubrics import RubricSet

    report = LoadReport()
    rubrics = RubricSet(args.rubric_dir or ())
    labeler = _labeler(args, rubrics)
    pairs = [labeler.apply(item.pair)[0] for item in _loaded(args, report)]
    return pairs, _prompts(args, rubrics), report


def run_build_verl(args: argparse.Namespace) -> int:
    from patarm.adapters.verl import verl_rows
    from patarm.data import write_rows

    if not args.output.endswith(".parquet"):
        raise ValueError(f"{args.output}: verl reads Parquet; name the output .parquet")
    pairs, prompts, report = _stack_pairs(args)
    total = write_rows(args.output, verl_rows(pairs, prompts, data_source=args.data_source))
    _print(report.lines())
    print(f"verl rows: {total} ({len(pairs)} pairs, chosen then rejected, pair-adjacent)")
    print(f"output: {args.output}")
    print(
        "train with: data.custom_cls.path=pkg://patarm.adapters.verl data.custom_cls.name=PairShuffledDataset "
        "data.shuffle=False reward.reward_manager.name=patarm_par (an even data.train_batch_size)"
    )
    return 0


def run_build_openrlhf(args: argparse.Namespace) -> int:
    from patarm.adapters.openrlhf import PAIR_AGENT_PATH, REWARD_FUNC_PATH, openrlhf_rows
    from patarm.data import write_rows

    _jsonl_output(args.output)
    pairs, prompts, report = _stack_pairs(args)
    total = write_rows(args.output, openrlhf_rows(pairs, prompts, mode=args.mode))
    _print(report.lines())
    print(f"OpenRLHF rows ({args.mode}): {total} ({len(pairs)} pairs)")
    print(f"output: {args.output}")
    if args.mode == "pair-row":
        print(f"train with: --train.agent_func_path {PAIR_AGENT_PATH} --rollout.n_samples_per_prompt 2n")
    else:
        print(f"train with: --reward.remote_url {REWARD_FUNC_PATH} (pairing not guaranteed: see README)")
    print("and: --data.input_key input --data.label_key label --data.apply_chat_template")
    return 0


def run_stats(args: argparse.Namespace) -> int:
    from patarm.data import LoadReport, PairStats
    from patarm.rubrics import RubricSet

    report, stats = LoadReport(), PairStats()
    labeler = _labeler(args, RubricSet(args.rubric_dir or ()))
    for item in _loaded(args, report):
        domain, source = labeler.label(item.pair)
        stats.add(item.pair, domain, item.row.get("domain_source") or source)
    _print(report.lines())
    summary = stats.summary()
    if args.json:
        print(json.dumps(summary, indent=2))
        return 0
    print(f"pairs: {summary['pairs']}")
    for key in ("domains", "domain_sources", "sources"):
        print(f"{key}: " + (", ".join(f"{k} {v}" for k, v in summary[key].items()) or "-"))
    for side in ("chosen", "rejected"):
        dist = summary[f"{side}_chars"]
        print(f"{side} length (chars): mean {dist['mean']:.1f}, median {dist['median']:.1f}")
    print(f"chosen longer than rejected: {summary['chosen_longer_share']:.1%} of pairs")
    print(f"duplicate pairs: {summary['duplicate_pairs']}, repeated prompts: {summary['repeated_prompts']}")
    return 0


def _input_args(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("input (JSONL, JSON, CSV, Parquet, or a datasets folder saved to disk)")
    group.add_argument("--input", "-i", required=True, help="pairwise preference rows")
    group.add_argument("--split", help="split of a saved DatasetDict")
    group.add_argument("--limit", type=int_at_least(0), help="read only the first N rows")
    group.add_argument("--prompt-col", default="prompt", help="prompt column (text rows; default prompt)")
    group.add_argument("--chosen-col", default="chosen", help="text or chat-message list (default chosen)")
    group.add_argument("--rejected-col", default="rejected", help="text or chat-message list (default rejected)")
    group.add_argument("--id-col", help="id column (default: pair_id, else id, else a hash of the content)")
    group.add_argument("--domain-col", default="domain", help="domain column; '' to ignore (default domain)")
    group.add_argument("--source-col", help="source column (default: source, else subset)")
    group.add_argument(
        "--skip-malformed",
        action="store_true",
        help="skip malformed rows and count them per reason (default: stop at the first, naming row and field)",
    )


def _shared_args(
    parser: argparse.ArgumentParser, output: str | None, *, prompts: bool = False, routed: bool = True
) -> None:
    """The options the ``patarm data`` commands share: the input; ``--output`` (its help is
    ``output``; None: no output); with ``prompts``, the judge-prompt settings; with ``routed``,
    domain routing and the backend an LLM router runs on."""
    _input_args(parser)
    if output is not None:
        parser.add_argument("--output", "-o", required=True, help=output)
    if prompts:
        parser.add_argument("--tiers", choices=["primary", "generated", "both"], default="both")
        parser.add_argument("--scale", type=float, nargs=2, default=(1, 10), metavar=("LOW", "HIGH"))
    if routed:
        parser.add_argument(
            "--router",
            choices=["heuristic", "llm"],
            default="heuristic",
            help="domain of a pair without one: keyword rules, or a model through --backend (default heuristic)",
        )
        parser.add_argument("--rubric-dir", action="append", metavar="DIR", help="extra rubric folder (repeatable)")
        add_backend_args(parser)


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "data",
        help="turn pairwise preference datasets into PaTaRM's SFT and RL corpora",
        description=(
            "Load pairs from prompt/chosen/rejected texts, chat-message lists (Skywork, UltraFeedback-binarized) "
            "or RewardBench rows; label domains; add label noise; build the RL and SFT corpora; report statistics."
        ),
    )
    sub = parser.add_subparsers(dest="data_command", metavar="SUBCOMMAND", required=True)

    convert = sub.add_parser("convert", help="normalise pairs to JSONL with domains and their sources")
    _shared_args(convert, "JSONL of pairs")
    convert.set_defaults(func=run_convert)

    noise = sub.add_parser(
        "add-noise",
        help="swap chosen and rejected on a seeded share of pairs (field 'flipped' records which)",
        description=(
            "Flip exactly round(FRACTION x n) pairs chosen by SEED. Every row records its noise rounds "
            "('flip_rounds', and 'flipped': whether its labels now differ from the original). Noised data takes "
            "another round only with --stack; --undo removes the last round."
        ),
    )
    _shared_args(noise, "JSONL of pairs with 'flipped' and 'flip_rounds' fields", routed=False)
    noise.add_argument("--flip", type=float, default=0.0, metavar="FRACTION", help="share of pairs to flip, 0..1")
    noise.add_argument("--seed", type=int, default=0)
    noise.add_argument("--undo", action="store_true", help="undo the last noise round (swap back what it swapped)")
    noise.add_argument("--stack", action="store_true", help="add a round to data noised already (refused without it)")
    noise.set_defaults(func=run_add_noise)

    rl = sub.add_parser(
        "build-rl",
        help="RL rows: one judge prompt per (pair, side), with the reject-sampling filter",
        description=(
            "Write one row per side {prompt, pair_id, role, domain, domain_source}, chosen then rejected, as "
            "Parquet or JSONL. With --correct-column, keep only pairs whose share of correct sampler rollouts "
            "(a fraction or a list of booleans in that column) lies in --keep-range; or, with --rollouts N, sample "
            "that correctness here: the sampler model (the --backend options) judges both sides N times, and a "
            "rollout is correct when chosen scores strictly above rejected (cached to --rollout-cache, resumable)."
        ),
    )
    _shared_args(rl, ".parquet or .jsonl", prompts=True)
    rl.add_argument("--correct-column", help="per-pair correctness of sampler rollouts (enables the filter)")
    rl.add_argument(
        "--keep-range", type=float, nargs=2, default=(1 / 8, 6 / 8), metavar=("LOW", "HIGH"), help="default 1/8 6/8"
    )
    rl.add_argument("--text-prompts", action="store_true", help="prompts as plain text instead of chat messages")
    rl.add_argument("--quiet", action="store_true", help="no progress bar")
    rl.add_argument("--rollouts", type=int, help="sample N judge rollouts per pair with the --backend model")
    rl.add_argument("--rollout-temperature", type=float, default=1.0, help="sampling temperature (default 1.0)")
    rl.add_argument("--max-new-tokens", type=int, default=1024, help="per rollout (default 1024)")
    rl.add_argument("--seed", type=int, default=0, help="sampling seed (default 0)")
    rl.add_argument("--rollout-cache", help="JSONL of sampled correctness (default: OUTPUT with .rollouts.jsonl)")
    rl.add_argument("--chunk-pairs", type=int, default=16, help="pairs sampled and cached per step (default 16)")
    rl.set_defaults(func=run_build_rl)

    sft = sub.add_parser(
        "build-sft",
        help="SFT rows: a teacher judge scores both sides; keep pairs whose margin is larger than --margin",
        description=(
            "The teacher's judgments are appended to --teacher-cache as they come; a rerun judges only the pairs "
            "not there yet (delete the cache after changing the teacher or its settings). Pairs are dropped for "
            "malformed teacher output, wrong order (rejected scored higher) or a margin <= --margin."
        ),
    )
    _shared_args(sft, "SFT rows {prompt, completion, ...}: .jsonl or .parquet", routed=False)
    sft.add_argument("--margin", type=float, default=2.0, help="keep pairs with chosen - rejected > MARGIN (default 2)")
    sft.add_argument("--teacher-cache", help="JSONL of teacher judgments (default: OUTPUT with .teacher.jsonl)")
    sft.add_argument("--histogram", help="margin histogram PNG (default: OUTPUT with .margins.png)")
    sft.add_argument("--chunk-pairs", type=int, default=16, help="pairs judged and cached per step (default 16)")
    sft.add_argument("--text-prompts", action="store_true", help="prompt and completion as plain text")
    sft.add_argument("--quiet", action="store_true", help="no progress bar")
    sft.add_argument(
        "--router", choices=["heuristic", "llm"], default="heuristic", help="domain routing (llm: the teacher)"
    )
    add_backend_args(sft)
    add_judge_args(sft)
    sft.set_defaults(func=run_build_sft)

    verl = sub.add_parser(
        "build-verl",
        help="verl parquet for PAR: two judge-prompt rows per pair, pair-adjacent",
        description=(
            "Columns data_source, prompt (chat messages), ability (the domain), reward_model and extra_info "
            "{pair_id, role, domain, index}; rows chosen then rejected. Train with PairShuffledDataset and "
            "the patarm_par reward manager."
        ),
    )
    _shared_args(verl, ".parquet", prompts=True)
    verl.add_argument("--data-source", default="patarm", help="data_source column (default patarm)")
    verl.set_defaults(func=run_build_verl)

    orl = sub.add_parser(
        "build-openrlhf",
        help="OpenRLHF JSONL for PAR: pair rows (pairing guaranteed) or side rows",
        description=(
            "Rows {input, label}: input is the judge prompt as chat messages, label a JSON string. pair-row: one "
            "row per pair, both judge prompts in the label, for patarm's pair agent. side-row: one row per side, "
            "for patarm's reward_func.py."
        ),
    )
    _shared_args(orl, ".jsonl", prompts=True)
    orl.add_argument("--mode", choices=["pair-row", "side-row"], default="pair-row", help="default pair-row")
    orl.set_defaults(func=run_build_openrlhf)

    stats = sub.add_parser("stats", help="counts by domain and source, chosen vs rejected lengths, duplicates")
    _shared_args(stats, None)
    stats.add_argument("--json", action="store_true", help="print the summary as JSON")
    stats.set_defaults(func=run_stats)
