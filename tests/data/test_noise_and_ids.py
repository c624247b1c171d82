from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from patarm.data import add_noise, derived_pair_id
from patarm.data._noise import apply_flips, flip_count
from patarm.types import PreferencePair


def make_pairs(n: int) -> list[PreferencePair]:
    return [PreferencePair(pair_id=f"p{i}", prompt=f"q{i}", chosen=f"good {i}", rejected=f"bad {i}") for i in range(n)]


@given(n=st.integers(0, 60), fraction=st.floats(0, 1), seed=st.integers(0, 2**32))
def test_flips_exactly_round_fraction_n_and_is_reproducible(n: int, fraction: float, seed: int) -> None:
    pairs = make_pairs(n)
    noisy, flipped = add_noise(pairs, fraction, seed=seed)
    assert len(flipped) == round(fraction * n) == flip_count(n, fraction)
    swapped = [p.pair_id for p, q in zip(pairs, noisy, strict=True) if p != q]
    assert swapped == flipped
    assert all(q.chosen == p.rejected and q.rejected == p.chosen for p, q in zip(pairs, noisy, strict=True) if p != q)
    assert add_noise(pairs, fraction, seed=seed) == (noisy, flipped)
    assert apply_flips(noisy, flipped) == pairs


def test_different_seeds_pick_different_pairs() -> None:
    pairs = make_pairs(100)
    assert add_noise(pairs, 0.2, seed=1)[1] != add_noise(pairs, 0.2, seed=2)[1]


texts = st.text(max_size=20)


@given(prompt=texts, chosen=texts, rejected=texts)
def test_derived_ids_are_stable(prompt: str, chosen: str, rejected: str) -> None:
    first = derived_pair_id(prompt, chosen, rejected)
    assert first == derived_pair_id(prompt, chosen, rejected)
    assert len(first) == 16 and int(first, 16) >= 0


@given(a=st.tuples(texts, texts, texts), b=st.tuples(texts, texts, texts))
def test_derived_ids_differ_for_distinct_content(a: tuple[str, str, str], b: tuple[str, str, str]) -> None:
    assert (derived_pair_id(*a) == derived_pair_id(*b)) == (a == b)


def test_known_id_does_not_drift() -> None:
    assert derived_pair_id("2+2?", "4", "5") == "541b15c1d8e4527c"  # a change here re-keys every corpus
