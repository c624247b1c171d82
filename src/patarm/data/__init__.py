"""Reading and writing rows, and turning pairwise preference data into PaTaRM's corpora.

- files: :func:`read_rows`, :func:`iter_rows` (streaming; :func:`located_rows` with each row's
  line, :func:`row_location` for one row), :func:`write_rows` (atomic), :class:`PairSource` (a
  pair file and how to read it);
- loaders: :func:`load_pairs` / :func:`iter_loaded` (texts, chat-message lists, RewardBench
  rows; malformed rows raise or are counted; sources excluded by name, counted,
  :data:`PAPER_EXCLUDED_SOURCES` the paper's rule), :func:`derived_pair_id`;
- :class:`DomainLabeler`: given domain, else a router, with the label's source;
- :func:`add_noise`: seeded label flips for the robustness study;
- :func:`judge_rows`: one judge-prompt row per (pair, side), the rows every RL stack trains on;
- :func:`rl_rows` with :class:`RejectSampling`: the RL corpus; :class:`SFTFilter`,
  :func:`sft_pair_rows`: the SFT corpus from a teacher judge; :class:`PairStats`;
- whole commands as calls: :func:`convert_pairs`, :func:`noise_pairs`, :func:`build_rl`
  (with :class:`RolloutSampling`: correctness sampled and cached), :func:`build_sft` (teacher
  judgments cached), :func:`build_pairwise_sft` (the pairwise-format corpus, both orders,
  :class:`PairwiseSFTFilter`), :func:`intersect_corpora` (the pairs corpora share); caches are
  :class:`~patarm.store.JsonlStore` files, outputs atomic.
"""

from patarm._stream import iter_rows
from patarm.data._convert import NoiseResult, convert_pairs, noise_pairs
from patarm.data._domains import DomainLabeler, DomainSource
from patarm.data._files import read_rows
from patarm.data._intersect import CorpusCounts, Intersection, intersect_corpora
from patarm.data._judge_rows import judge_rows
from patarm.data._loaders import (
    PAPER_EXCLUDED_SOURCES,
    LoadedPair,
    LoadReport,
    MalformedRowError,
    PairColumns,
    derived_pair_id,
    iter_loaded,
    load_pairs,
    pair_from_row,
)
from patarm.data._noise import add_noise
from patarm.data._pairwise_sft import PAIRWISE_SFT_DROP_REASONS, PairwiseSFTFilter, PairwiseSFTReport, pairwise_sft_rows
from patarm.data._pairwise_sft_corpus import build_pairwise_sft
from patarm.data._references import row_reference
from patarm.data._rl import RejectSampling, RLReport, rl_rows
from patarm.data._rl_corpus import RolloutSampling, build_rl
from patarm.data._sft import SFTFilter, SFTReport
from patarm.data._sft_corpus import SFTBuild, build_sft
from patarm.data._sink import write_rows
from patarm.data._source import PairSource
from patarm.data._stats import PairStats

__all__ = [
    "PAIRWISE_SFT_DROP_REASONS",
    "PAPER_EXCLUDED_SOURCES",
    "CorpusCounts",
    "DomainLabeler",
    "DomainSource",
    "Intersection",
    "LoadReport",
    "LoadedPair",
    "MalformedRowError",
    "NoiseResult",
    "PairColumns",
    "PairSource",
    "PairStats",
    "PairwiseSFTFilter",
    "PairwiseSFTReport",
    "RLReport",
    "RejectSampling",
    "RolloutSampling",
    "SFTBuild",
    "SFTFilter",
    "SFTReport",
    "add_noise",
    "build_pairwise_sft",
    "build_rl",
    "build_sft",
    "convert_pairs",
    "derived_pair_id",
    "intersect_corpora",
    "iter_loaded",
    "iter_rows",
    "judge_rows",
    "load_pairs",
    "noise_pairs",
    "pair_from_row",
    "pairwise_sft_rows",
    "read_rows",
    "rl_rows",
    "row_reference",
    "write_rows",
]
