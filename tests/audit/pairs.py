"""Test pairs for the audit: the chosen response holds one or two more "good" words than the
rejected one; in half of the pairs the chosen response is the longer one (filler words)."""

from __future__ import annotations

import random

from patarm.audit import AuditData, AuditPair

FILLER = "padding words that carry no quality signal at all"


def make_pairs(count: int = 40, seed: int = 0) -> list[AuditPair]:
    rng = random.Random(seed)
    out = []
    for i in range(count):
        low = rng.randint(0, 2)
        high = low + rng.randint(1, 2)
        chosen = " ".join(["good"] * high + ["okay"] * (4 - high))
        rejected = " ".join(["good"] * low + ["okay"] * (4 - low))
        pad = " ".join([FILLER] * rng.randint(2, 4))
        if i % 2:
            chosen = f"{chosen} {pad}"
        else:
            rejected = f"{rejected} {pad}"
        out.append(AuditPair(f"p{i}", f"Question {i}?", chosen, rejected, "chat"))
    return out


def make_data(count: int = 40, seed: int = 0) -> AuditData:
    return AuditData(make_pairs(count, seed), "test-pairs")
