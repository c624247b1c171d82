"""What an audit judges for each pair: the originals, their plain and markdown renderings,
the rejected response under each attack and its length-matched control, and (pairwise) the
pair itself in both orders. Every probe of a pair carries the pair's reference answer, so a
rewritten response is judged against the same reference as the original.

>>> from patarm.audit._pairs import AuditPair
>>> probes = audit_probes([AuditPair("1", "2+2?", "4", "5")], high=10, pairwise=False)
>>> sorted({p.kind for p in probes}), len({p.key for p in probes})
(['point'], 18)
"""

from __future__ import annotations

from collections.abc import Sequence

from patarm.audit._collect import Probe
from patarm.audit._pairs import AuditPair
from patarm.audit._rewrites import ATTACKS, apply_attack, plain, styled

__all__ = ["audit_probes"]


def audit_probes(pairs: Sequence[AuditPair], *, high: float, pairwise: bool) -> list[Probe]:
    """Every probe the audit's checks read, in a fixed order (duplicates are judged once)."""
    out: list[Probe] = []
    for pair in pairs:
        texts = [pair.chosen, pair.rejected]
        for text in (pair.chosen, pair.rejected):
            texts += [plain(text), styled(text)]
        for attack in ATTACKS:
            texts += [apply_attack(pair.rejected, attack, high=high, neutral=n) for n in (False, True)]
        out += [Probe("point", pair.prompt, (t,), pair.domain, pair.reference) for t in texts]
        if pairwise:
            out.append(Probe("pair", pair.prompt, (pair.chosen, pair.rejected), pair.domain, pair.reference))
    return out
