"""Reading and writing rows, and turning pairwise preference data into PaTaRM's corpora.

- files: :func:`read_rows`, :func:`iter_rows` (streaming; :func:`located_rows` with each row's
  line, :func:`row_location` for one row), :func:`write_rows` (atomic), :class:`PairSource` (a
  pair file and how to read it);
- loaders: :func:`load_pairs` / :func:`iter_loaded` (texts, chat-message lists, RewardBench
  rows; malformed rows raise or are counted), :func:`derived_pair_id`;
- :class:`DomainLabeler`: given domain, else a router, with the label's source;
- :func:`add_noise`: seeded label flips for the robustness study;
- :func:`judge_rows`: one judge-prompt row per (pair, side), the rows every RL stack trains on;
- :func:`rl_rows` with :class:`RejectSampling`: the RL corpus; :class:`SFTFilter`,
  :func:`sft_pair_rows`: the SFT corpus from a teacher judge; :class:`PairStats`;
- whole commands as calls: :func:`convert_pairs`, :func:`noise_pairs`, :func:`build_rl`
  (with :class:`RolloutSampling`: correctness sampled and cached), :func:`build_sft` (teacher
  judgments cached); caches are :class:`~patarm.store.JsonlStore` files, outputs atomic.
"""

from patarm.data._convert import NoiseResult, convert_pairs, jsonl_output, noise_pairs, pair_record
from patarm.data._domains import DomainLabeler, DomainSource
from patarm.data._files import read_rows
from patarm.data._judge_rows import judge_rows
from patarm.data._loaders import (
    MALFORMED_REASONS,
    LoadedPair,
    LoadReport,
    MalformedRowError,
    PairColumns,
    derived_pair_id,
    iter_loaded,
    load_pairs,
    pair_from_row,
)
from patarm.data._noise import (
    NOISE_FIELDS,
    add_noise,
    apply_flips,
    flip_count,
    flip_indices,
    noise_rounds,
    record_rounds,
)
from patarm.data._rl import RejectSampling, RLReport, correct_fraction, rl_rows
from patarm.data._rl_corpus import ROLLOUT_STORE_KIND, RolloutSampling, build_rl, sampled_correctness
from patarm.data._sft import SFT_DROP_REASONS, SFTFilter, SFTReport, margin_histogram, sft_pair_rows, teacher_target
from patarm.data._sft_corpus import TEACHER_STORE_KIND, SFTBuild, build_sft, teacher_judgments
from patarm.data._sink import write_rows
from patarm.data._source import PairSource
from patarm.data._stats import PairStats
from patarm.data._stream import UnreadableLine, iter_rows, located_rows, row_location

__all__ = [
    "DomainLabeler",
    "DomainSource",
    "LoadReport",
    "LoadedPair",
    "MALFORMED_REASONS",
    "MalformedRowError",
    "NoiseResult",
    "NOISE_FIELDS",
    "PairColumns",
    "PairSource",
    "PairStats",
    "RLReport",
    "ROLLOUT_STORE_KIND",
    "RejectSampling",
    "RolloutSampling",
    "SFTBuild",
    "SFTFilter",
    "SFTReport",
    "SFT_DROP_REASONS",
    "TEACHER_STORE_KIND",
    "UnreadableLine",
    "add_noise",
    "apply_flips",
    "build_rl",
    "build_sft",
    "convert_pairs",
    "correct_fraction",
    "derived_pair_id",
    "flip_count",
    "flip_indices",
    "iter_loaded",
    "judge_rows",
    "iter_rows",
    "jsonl_output",
    "load_pairs",
    "located_rows",
    "margin_histogram",
    "noise_pairs",
    "noise_rounds",
    "pair_from_row",
    "pair_record",
    "read_rows",
    "record_rounds",
    "rl_rows",
    "sampled_correctness",
    "row_location",
    "sft_pair_rows",
    "teacher_judgments",
    "teacher_target",
    "write_rows",
]
