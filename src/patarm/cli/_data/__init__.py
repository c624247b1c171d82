"""``patarm data``: pairwise preference datasets -> PaTaRM's pair files, SFT and RL corpora.

Subcommands, one module each: ``convert`` and ``add-noise`` (:mod:`._convert`), ``build-rl``
(:mod:`._rl`), ``build-sft`` (:mod:`._sft`), ``build-verl`` / ``build-openrlhf``
(:mod:`._stacks`), ``stats`` (:mod:`._stats`), ``intersect`` (:mod:`._intersect`); ``build-sft
--mode pairwise`` runs in :mod:`._sft` too. Each parses its options, calls one library
function of :mod:`patarm.data`, and prints how many rows it read, kept and skipped per reason.
"""

from __future__ import annotations

import argparse

from patarm.cli._data import _convert, _intersect, _rl, _sft, _stacks, _stats

__all__ = ["add_parser"]


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
    _convert.add_convert_parsers(sub)
    _rl.add_parser(sub)
    _sft.add_parser(sub)
    _stacks.add_stack_parsers(sub)
    _stats.add_parser(sub)
    _intersect.add_parser(sub)
