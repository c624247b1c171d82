"""Reading and writing rows, and turning pairwise preference data into PaTaRM's corpora.

- files: :func:`read_rows`, :func:`iter_rows` (streaming; :func:`located_rows` with each row's
  line, :func:`row_location` for one row), :func:`write_rows`, :class:`JsonlWriter`;
- loaders: :func:`load_pairs` / :func:`iter_loaded` (texts, chat-message lists, RewardBench
  rows; malformed rows raise or are counted), :func:`derived_pair_id`;
- :class:`DomainLabeler`: given domain, else a router, with the label's source;
- :func:`add_noise`: seeded label flips for the robustness study;
- :func:`rl_rows` with :class:`RejectSampling`: the RL corpus; :class:`SFTFilter`,
  :func:`sft_pair_rows`: the SFT corpus from a teacher judge; :class:`PairStats`.
"""

from patarm.data._domains import DomainLabeler, DomainSource
from patarm.data._files import JsonlWriter, read_jsonl_ids, read_rows
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
from patarm.data._sft import SFT_DROP_REASONS, SFTFilter, SFTReport, margin_histogram, sft_pair_rows, teacher_target
from patarm.data._sink import write_rows
from patarm.data._stats import PairStats
from patarm.data._stream import UnreadableLine, iter_rows, located_rows, row_location

__all__ = [
    "DomainLabeler",
    "DomainSource",
    "JsonlWriter",
    "LoadReport",
    "LoadedPair",
    "MALFORMED_REASONS",
    "MalformedRowError",
    "NOISE_FIELDS",
    "PairColumns",
    "PairStats",
    "RLReport",
    "RejectSampling",
    "SFTFilter",
    "SFTReport",
    "SFT_DROP_REASONS",
    "UnreadableLine",
    "add_noise",
    "apply_flips",
    "correct_fraction",
    "derived_pair_id",
    "flip_count",
    "flip_indices",
    "iter_loaded",
    "iter_rows",
    "load_pairs",
    "located_rows",
    "margin_histogram",
    "noise_rounds",
    "pair_from_row",
    "read_jsonl_ids",
    "read_rows",
    "record_rounds",
    "rl_rows",
    "row_location",
    "sft_pair_rows",
    "teacher_target",
    "write_rows",
]
