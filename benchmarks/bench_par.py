"""PAR over one million rollouts: the vectorised batch form against Python loops, same run.

    python benchmarks/bench_par.py [--pairs 62500] [--rollouts 8] [--repeats 3]

Scores are integers 1-10 with 5% malformed (what a parsed 1-10 judge gives), then again
as non-integral scores (what averaged or expected scores give; the batch form sorts them).
"""

from __future__ import annotations

import argparse
import functools
import time
from collections.abc import Callable

import numpy as np

from patarm.rewards import PARBatch, graded_delta, par_batch, par_rewards


def loop_baseline(scores: list[float | None], pair_ids: list[int], roles: list[str]) -> list[float]:
    """A straightforward per-rollout loop: group by pair and side, take means, reward each rollout."""
    delta = graded_delta()
    groups: dict[tuple[int, str], list[float]] = {}
    for s, p, r in zip(scores, pair_ids, roles, strict=True):
        if s is not None:
            groups.setdefault((p, r), []).append(s)
    means = {k: sum(v) / len(v) for k, v in groups.items()}
    out = []
    for s, p, r in zip(scores, pair_ids, roles, strict=True):
        partner = means.get((p, "rejected" if r == "chosen" else "chosen"))
        own = means.get((p, r))
        if s is None or partner is None or own is None:
            out.append(0.0)
        elif r == "chosen":
            out.append(delta(s - partner) if s > partner else 0.0)
        else:
            out.append(delta(partner - s) if s < partner else 0.0)
    return out


def per_pair_api(scores: list[float | None], num_pairs: int, rollouts: int) -> list[float]:
    """The library's per-pair form, called once per pair (rows are laid out pair by pair)."""
    out: list[float] = []
    step = 2 * rollouts
    for p in range(num_pairs):
        block = scores[p * step : (p + 1) * step]
        chosen, rejected = par_rewards(block[:rollouts], block[rollouts:])
        out += chosen + rejected
    return out


def best_of(repeats: int, fn: Callable[[], object]) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pairs", type=int, default=62_500)
    parser.add_argument("--rollouts", type=int, default=8, help="rollouts per side of a pair")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    rng = np.random.default_rng(0)
    n = args.pairs * 2 * args.rollouts
    pair_ids = np.repeat(np.arange(args.pairs), 2 * args.rollouts)
    roles_bool = np.tile(np.repeat([True, False], args.rollouts), args.pairs)
    roles = ["chosen" if r else "rejected" for r in roles_bool]
    pair_list = pair_ids.tolist()
    print(f"{n:,} rollouts = {args.pairs:,} pairs x 2 sides x {args.rollouts} rollouts; best of {args.repeats}")
    print(f"{'scores':<14}{'form':<34}{'seconds':>9}{'speed-up':>10}")
    for label, values in (
        ("integer 1-10", rng.integers(1, 11, n).astype(np.float64)),
        ("non-integral", rng.uniform(1, 10, n)),
    ):
        values[rng.random(n) < 0.05] = np.nan
        as_list: list[float | None] = [None if np.isnan(v) else float(v) for v in values]
        t_loop, ref = best_of(args.repeats, functools.partial(loop_baseline, as_list, pair_list, roles))
        t_pair, per_pair = best_of(args.repeats, functools.partial(per_pair_api, as_list, args.pairs, args.rollouts))
        t_vec, out = best_of(args.repeats, functools.partial(par_batch, values, pair_ids, roles_bool))
        assert isinstance(out, PARBatch)
        assert out.par.tolist() == per_pair, "batch form differs from the per-pair form"
        agree = np.allclose(out.par, np.asarray(ref))
        rows = (
            ("per-rollout Python loop (baseline)", t_loop),
            ("per-pair par_rewards", t_pair),
            ("par_batch (numpy, vectorised)", t_vec),
        )
        for form, t in rows:
            print(f"{label:<14}{form:<34}{t:>9.3f}{t_loop / t:>9.1f}x")
        print(f"{'':<14}batch == per-pair exactly: True; == loop baseline (allclose): {agree}")


if __name__ == "__main__":
    main()
