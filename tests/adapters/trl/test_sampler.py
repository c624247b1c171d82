"""PairRepeatSampler and check_pair_batching: the prompt order TRL's GRPO trainer consumes.

The layout checked here is what makes PAR possible in TRL: every chunk (one generation
batch) holds whole pairs, chosen prompt then rejected prompt, each prompt repeated
``num_generations`` times in a row, and every process's slice of a chunk holds whole pairs.
"""

from __future__ import annotations

import pickle
from collections import Counter

import pytest
from accelerate.data_loader import BatchSamplerShard
from hypothesis import assume, given
from hypothesis import strategies as st
from torch.utils.data import BatchSampler

from patarm.adapters.trl import PairRepeatSampler, check_pair_batching


@st.composite
def paired_rows(draw: st.DrawFn, min_pairs: int = 1, max_pairs: int = 24) -> tuple[list[str], list[str]]:
    """Rows of ``n`` pairs in a random row order: ``(pair_ids, roles)``."""
    n = draw(st.integers(min_pairs, max_pairs))
    rows = draw(st.permutations([(f"p{k}", role) for k in range(n) for role in ("chosen", "rejected")]))
    return [r[0] for r in rows], [r[1] for r in rows]


def runs(order: list[int]) -> list[tuple[int, int]]:
    """``(index, length)`` of each run of equal consecutive indices."""
    out: list[tuple[int, int]] = []
    for index in order:
        if out and out[-1][0] == index:
            out[-1] = (index, out[-1][1] + 1)
        else:
            out.append((index, 1))
    return out


def chunk_pairs(chunk: list[int], ids: list[str], roles: list[str], generations: int, repeat_count: int) -> list[str]:
    """Check one chunk's layout; return its pair ids in order."""
    assert len(chunk) % repeat_count == 0
    size = len(chunk) // repeat_count
    copies = [chunk[k * size : (k + 1) * size] for k in range(repeat_count)]
    assert all(c == copies[0] for c in copies), "each chunk must repeat repeat_count times, identically"
    prompt_runs = runs(copies[0])
    assert all(length == generations for _, length in prompt_runs), prompt_runs
    prompts = [index for index, _ in prompt_runs]
    assert len(prompts) % 2 == 0
    pairs = []
    for first, second in zip(prompts[0::2], prompts[1::2], strict=True):
        assert ids[first] == ids[second], "the two prompts of a pair must sit side by side"
        assert (roles[first], roles[second]) == ("chosen", "rejected")
        pairs.append(ids[first])
    return pairs


settings_strategy = st.tuples(
    st.integers(1, 4),  # num_generations
    st.integers(1, 5),  # pairs per chunk
    st.integers(1, 3),  # repeat_count
)


@given(paired_rows(), settings_strategy, st.booleans(), st.integers(0, 2**32 - 1))
def test_chunks_hold_whole_pairs_each_pair_once_per_epoch(
    rows: tuple[list[str], list[str]], settings: tuple[int, int, int], shuffle: bool, seed: int
) -> None:
    ids, roles = rows
    generations, pairs_per_chunk, repeat_count = settings
    num_pairs = len(set(ids))
    assume(num_pairs >= pairs_per_chunk)
    sampler = PairRepeatSampler(
        ids,
        roles,
        num_generations=generations,
        prompts_per_chunk=2 * pairs_per_chunk,
        repeat_count=repeat_count,
        shuffle=shuffle,
        seed=seed,
    )
    order = list(sampler)
    assert len(order) == len(sampler)
    chunk_size = 2 * pairs_per_chunk * generations * repeat_count
    assert len(order) % chunk_size == 0
    visited = []
    for start in range(0, len(order), chunk_size):
        chunk = order[start : start + chunk_size]
        pairs = chunk_pairs(chunk, ids, roles, generations, repeat_count)
        assert len(pairs) == pairs_per_chunk
        visited += pairs
    assert len(visited) == len(set(visited)), "a pair was visited twice in one epoch"
    assert sampler.dropped_pairs == num_pairs % pairs_per_chunk
    assert len(visited) == num_pairs - sampler.dropped_pairs
    if num_pairs % pairs_per_chunk == 0:
        assert set(visited) == set(ids)
    if not shuffle:
        assert visited == list(dict.fromkeys(ids))[: len(visited)]  # first-seen order


@given(paired_rows(min_pairs=10), st.integers(1, 3), st.integers(0, 2**32 - 1))
def test_new_order_each_epoch_same_order_for_same_seed(
    rows: tuple[list[str], list[str]], generations: int, seed: int
) -> None:
    ids, roles = rows
    a = PairRepeatSampler(ids, roles, num_generations=generations, prompts_per_chunk=2, seed=seed)
    b = PairRepeatSampler(ids, roles, num_generations=generations, prompts_per_chunk=2, seed=seed)
    first_a, first_b = list(a), list(b)
    assert first_a == first_b
    second_a = list(a)
    assert second_a != first_a  # 10+ pairs: a repeat has chance below 1 in 3.6 million
    assert list(b) == second_a
    assert sorted(first_a) == sorted(second_a)  # same pairs, new order
    fixed = PairRepeatSampler(ids, roles, num_generations=generations, prompts_per_chunk=2, shuffle=False)
    assert list(fixed) == list(fixed)


@given(
    paired_rows(min_pairs=4, max_pairs=30),
    st.integers(1, 4),  # num_generations
    st.integers(1, 3),  # pairs per process per generation batch
    st.integers(1, 4),  # processes
    st.integers(1, 3),  # steps_per_generation
    st.integers(1, 2),  # num_iterations
)
def test_every_process_slice_holds_whole_pairs(
    rows: tuple[list[str], list[str]],
    generations: int,
    pairs_per_process: int,
    processes: int,
    steps_per_generation: int,
    iterations: int,
) -> None:
    """Shard the order as TRL + accelerate do (batches of per_device x steps_per_generation rows,
    batch k to process k mod P): every process batch holds whole pairs with all generations."""
    ids, roles = rows
    rows_per_process = pairs_per_process * 2 * generations
    assume(rows_per_process % steps_per_generation == 0)
    per_device = rows_per_process // steps_per_generation
    generation_batch = per_device * processes * steps_per_generation
    per_chunk, per_process = check_pair_batching(
        num_generations=generations,
        generation_batch_size=generation_batch,
        per_process_rows=per_device * steps_per_generation,
        num_processes=processes,
    )
    assert per_process == 2 * pairs_per_process and per_chunk == per_process * processes
    assume(len(set(ids)) >= per_chunk // 2)
    seen_per_generation: list[Counter[str]] = []
    for process in range(processes):
        # each process builds its own sampler from the same seed, as every rank does
        sampler = PairRepeatSampler(
            ids,
            roles,
            num_generations=generations,
            prompts_per_chunk=per_chunk,
            repeat_count=iterations * steps_per_generation,
            seed=7,
        )
        batches = BatchSampler(sampler, batch_size=per_device * steps_per_generation, drop_last=False)
        shard = list(BatchSamplerShard(batches, num_processes=processes, process_index=process))
        for k, batch in enumerate(shard):
            counts = Counter((ids[i], roles[i]) for i in batch)
            pairs = {pid for pid, _ in counts}
            assert all(counts[(pid, role)] == generations for pid in pairs for role in ("chosen", "rejected"))
            assert len(batch) == 2 * generations * len(pairs)
            if k % (iterations * steps_per_generation) == 0:  # a fresh generation batch
                while len(seen_per_generation) <= k:
                    seen_per_generation.append(Counter())
                seen_per_generation[k].update(pairs)
    for counter in seen_per_generation:
        assert all(v == 1 for v in counter.values()), "a pair landed on two processes in one generation batch"


@given(
    st.integers(1, 8),  # num_generations
    st.integers(1, 64),  # per_device_train_batch_size
    st.integers(1, 4),  # steps_per_generation
    st.integers(1, 4),  # processes
)
def test_check_pair_batching_accepts_exactly_the_settings_that_hold_whole_pairs(
    generations: int, per_device: int, steps_per_generation: int, processes: int
) -> None:
    rows = per_device * steps_per_generation
    generation_batch = rows * processes
    valid = rows % generations == 0 and (rows // generations) % 2 == 0
    if valid:
        per_chunk, per_process = check_pair_batching(
            num_generations=generations,
            generation_batch_size=generation_batch,
            per_process_rows=rows,
            num_processes=processes,
        )
        assert (per_chunk, per_process) == (generation_batch // generations, rows // generations)
    else:
        with pytest.raises(ValueError, match="per_device_train_batch_size"):
            check_pair_batching(
                num_generations=generations,
                generation_batch_size=generation_batch,
                per_process_rows=rows,
                num_processes=processes,
            )


@pytest.mark.parametrize(
    ("settings", "names"),
    [
        (dict(num_generations=0, generation_batch_size=8, per_process_rows=8), ["num_generations"]),
        (
            dict(num_generations=4, generation_batch_size=6, per_process_rows=6),
            ["generation_batch_size (6)", "num_generations (4)", "per_device_train_batch_size"],
        ),
        (
            dict(num_generations=4, generation_batch_size=24, per_process_rows=6, num_processes=4),
            ["not a multiple of num_generations", "per_device_train_batch_size"],
        ),
        (
            dict(num_generations=4, generation_batch_size=12, per_process_rows=12),
            ["3 judge prompt(s)", "even", "per_device_train_batch_size", "2 x num_generations = 8"],
        ),
        (
            dict(num_generations=2, generation_batch_size=16, per_process_rows=4, num_processes=2),
            ["does not split", "generation_batch_size", "= 8"],
        ),
    ],
)
def test_check_pair_batching_errors_name_the_setting(settings: dict[str, int], names: list[str]) -> None:
    with pytest.raises(ValueError) as error:
        check_pair_batching(**settings)
    for name in names:
        assert name in str(error.value)


def test_sampler_errors_name_the_problem() -> None:
    with pytest.raises(ValueError, match="prompts_per_chunk must be a positive even number"):
        PairRepeatSampler(["a", "a"], num_generations=2, prompts_per_chunk=3)
    with pytest.raises(ValueError, match="num_generations and repeat_count"):
        PairRepeatSampler(["a", "a"], num_generations=0, prompts_per_chunk=2)
    with pytest.raises(ValueError, match=r"1 pair\(s\) cannot fill one generation batch of 2 pairs"):
        PairRepeatSampler(["a", "a"], num_generations=2, prompts_per_chunk=4)
    with pytest.raises(ValueError, match="pair id 'lonely' names 1 row"):
        PairRepeatSampler(["a", "lonely", "a"], num_generations=2, prompts_per_chunk=2)
    with pytest.raises(ValueError, match=r"pair id 'a': both rows .* are chosen"):
        PairRepeatSampler(["a", "a"], ["chosen", "chosen"], num_generations=2, prompts_per_chunk=2)


def test_roles_decide_the_order_within_a_pair_and_the_sampler_pickles() -> None:
    sampler = PairRepeatSampler(
        ["a", "b", "a", "b"], ["rejected", "chosen", "chosen", "rejected"], num_generations=2, prompts_per_chunk=4,
        shuffle=False, repeat_count=2,
    )  # fmt: skip
    assert list(sampler) == [2, 2, 0, 0, 1, 1, 3, 3] * 2
    assert sampler.dropped_pairs == 0 and len(sampler) == 16
    assert list(pickle.loads(pickle.dumps(sampler))) == list(sampler)
