"""The audit's checks, each a pure function of the pairs and their judgments.

Decisions follow one policy: the chosen response's outcome is ``compare(chosen, rejected,
failures="wrong")``, so a failed judgment never raises a score (it makes its comparison wrong
and is counted as malformed). Every figure carries its n and a 95% interval (Wilson for
rates, a seeded percentile bootstrap over pairs or responses for means, differences and
correlations). Lengths are in characters.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from patarm._stats import Figure, bootstrap, mean, spearman, wilson
from patarm.audit._collect import Judged
from patarm.audit._pairs import AuditPair
from patarm.audit._rewrites import ATTACKS, apply_attack, plain, styled
from patarm.audit._thresholds import (
    Thresholds,
    Verdict,
    verdict_at_least,
    verdict_at_most,
    verdict_distance_at_most,
    worst,
)
from patarm.eval import compare

__all__ = ["CHECKS", "AuditInputs", "run_checks"]

CHECKS = ("accuracy", "length", "style", "injection", "position", "consistency", "scale")
_RANK = {"loss": 0, "tie": 1, "win": 2}
_CALIBRATION_BINS = 5


@dataclass
class AuditInputs:
    """What the checks read: pairs, their judgments, the scale and the thresholds."""

    pairs: Sequence[AuditPair]
    judged: Judged
    scale: tuple[float, float] = (1.0, 10.0)
    thresholds: Thresholds = field(default_factory=Thresholds)
    seed: int = 0
    pairwise: bool = True
    rmbench_rows: Sequence[Any] = ()

    @property
    def span(self) -> float:
        return self.scale[1] - self.scale[0]

    def point(self, pair: AuditPair, text: str) -> dict[str, Any]:
        return self.judged.point(pair.prompt, text, pair.domain, pair.reference)

    def score(self, pair: AuditPair, text: str) -> float | None:
        value: float | None = self.point(pair, text).get("score")
        return value

    def outcome(self, pair: AuditPair, rejected: str | None = None) -> str:
        rej = self.score(pair, pair.rejected if rejected is None else rejected)
        return compare(self.score(pair, pair.chosen), rej, failures="wrong")


def _check(name: str, title: str, verdict: Verdict, figures: dict[str, Figure], **details: Any) -> dict[str, Any]:
    return {
        "check": name,
        "title": title,
        "verdict": verdict,
        "figures": {k: f.as_dict() for k, f in figures.items()},
        **details,
    }


def accuracy_check(a: AuditInputs) -> dict[str, Any]:
    """Pair accuracy, tie rate, and malformed samples by domain."""
    t = a.thresholds
    outcomes = [a.outcome(p) for p in a.pairs]
    both = [p for p in a.pairs if a.score(p, p.chosen) is not None and a.score(p, p.rejected) is not None]
    acc = wilson(outcomes.count("win"), len(outcomes))
    ties = wilson(outcomes.count("tie"), len(both))
    malformed: dict[str, list[int]] = {}
    by_domain: dict[str, list[int]] = {}
    for pair, outcome in zip(a.pairs, outcomes, strict=True):
        for text in (pair.chosen, pair.rejected):
            rec = a.point(pair, text)
            counts = malformed.setdefault(rec.get("domain") or "-", [0, 0])
            counts[0] += int(rec.get("malformed", 0))
            counts[1] += len(rec.get("sample_scores", []))
        dom = by_domain.setdefault(a.point(pair, pair.chosen).get("domain") or "-", [0, 0])
        dom[0] += outcome == "win"
        dom[1] += 1
    mal_all = wilson(sum(m for m, _ in malformed.values()), sum(n for _, n in malformed.values()))
    verdict = worst(
        verdict_at_least(acc.value, acc.high, t.accuracy_min),
        verdict_at_most(ties.value, ties.low, t.tie_rate_max),
        verdict_at_most(mal_all.value, mal_all.low, t.malformed_max),
    )
    return _check(
        "accuracy",
        "Accuracy and ties",
        verdict,
        {"accuracy": acc, "tie_rate": ties, "malformed_rate": mal_all},
        by_domain={
            d: {"accuracy": wilson(w, n).as_dict(), "malformed_rate": wilson(*malformed.get(d, [0, 0])).as_dict()}
            for d, (w, n) in sorted(by_domain.items())
        },
    )


def _rmbench_split(a: AuditInputs) -> dict[str, Any] | None:
    """RM-Bench's hard / normal / easy accuracies from the rows' 3 x 3 style matrix."""
    if not a.rmbench_rows:
        return None
    from patarm.eval import RowScores, score_rmbench

    by_key = {p.row: p for p in a.pairs}
    rows = []
    for row in a.rmbench_rows:
        pair = by_key.get(row.key)
        if pair is None:
            continue
        rows.append(
            RowScores(
                row.id,
                tuple(a.score(pair, t) for t in row.chosen),
                tuple(a.score(pair, t) for t in row.rejected),
                domain=row.part or row.domain,
            )
        )
    if not rows:
        return None
    out = {}
    for part in ("hard", "normal", "easy"):

        def stat(units: Sequence[RowScores], part: str = part) -> float | None:
            value: float | None = getattr(score_rmbench(units, failures="wrong"), part)
            return value

        out[part] = bootstrap(rows, stat, seed=a.seed, resamples=200).as_dict()
    return out


def length_check(a: AuditInputs) -> dict[str, Any]:
    """Accuracy when the chosen response is longer vs shorter; score-length correlation at a
    fixed preference (among chosen responses, among rejected ones)."""
    units = [
        (len(p.chosen) > len(p.rejected), a.outcome(p) == "win") for p in a.pairs if len(p.chosen) != len(p.rejected)
    ]
    longer = [won for is_longer, won in units if is_longer]
    shorter = [won for is_longer, won in units if not is_longer]

    def gap(sample: Sequence[tuple[bool, bool]]) -> float | None:
        lo = [w for i, w in sample if i]
        sh = [w for i, w in sample if not i]
        return mean(lo) - mean(sh) if lo and sh else None

    diff = bootstrap(units, gap, seed=a.seed)
    figures = {
        "accuracy_chosen_longer": wilson(sum(longer), len(longer)),
        "accuracy_chosen_shorter": wilson(sum(shorter), len(shorter)),
        "accuracy_gap": diff,
    }
    for side in ("chosen", "rejected"):
        points = [(float(len(getattr(p, side))), s) for p in a.pairs if (s := a.score(p, getattr(p, side))) is not None]
        figures[f"spearman_{side}"] = bootstrap(points, spearman, seed=a.seed)
    verdict = verdict_distance_at_most(diff, a.thresholds.length_gap_max)
    scatter = [
        {"length": len(getattr(p, side)), "score": a.score(p, getattr(p, side)), "side": side}
        for p in a.pairs
        for side in ("chosen", "rejected")
    ]
    return _check("length", "Length bias", verdict, figures, rmbench=_rmbench_split(a), points=scatter)


def style_check(a: AuditInputs) -> dict[str, Any]:
    """Mean score shift when a response is rendered with markdown instead of plain text."""
    shifts = []
    seen = set()
    for p in a.pairs:
        for text in (p.chosen, p.rejected):
            if (repr(p.prompt), text) in seen:
                continue
            seen.add((repr(p.prompt), text))
            flat, rich = a.score(p, plain(text)), a.score(p, styled(text))
            if flat is not None and rich is not None:
                shifts.append(rich - flat)
    shift = bootstrap(shifts, mean, seed=a.seed)
    verdict = verdict_distance_at_most(shift, a.thresholds.style_shift_max * a.span)
    return _check("style", "Style bias (markdown vs plain)", verdict, {"mean_shift": shift})


def injection_check(a: AuditInputs) -> dict[str, Any]:
    """Per attack: the share of pairs (won or tied before) whose decision moves toward the
    attacked rejected response, against the same share for a length-matched control."""
    high = a.scale[1]
    flippable = [p for p in a.pairs if a.outcome(p) != "loss"]
    attacks = {}
    worst_excess: Figure = Figure.empty(len(flippable))
    for attack in ATTACKS:
        units = []
        failed = 0
        for p in flippable:
            before = _RANK[a.outcome(p)]
            flips = []
            for neutral in (False, True):
                text = apply_attack(p.rejected, attack, high=high, neutral=neutral)
                if a.score(p, text) is None:  # a failed judgment never raises a score
                    failed += not neutral
                    flips.append(False)
                else:
                    flips.append(_RANK[a.outcome(p, text)] < before)
            units.append((flips[0], flips[1]))
        excess = bootstrap(units, lambda u: mean([x - y for x, y in u]), seed=a.seed)
        attacks[attack.name] = {
            "kind": attack.kind,
            "where": attack.where,
            "flip_rate": wilson(sum(x for x, _ in units), len(units)).as_dict(),
            "control_flip_rate": wilson(sum(y for _, y in units), len(units)).as_dict(),
            "excess": excess.as_dict(),
            "malformed": failed,
        }
        if excess.value is not None and (worst_excess.value is None or excess.value > worst_excess.value):
            worst_excess = excess
    verdict = verdict_at_most(worst_excess.value, worst_excess.low, a.thresholds.injection_excess_max)
    return _check("injection", "Injection and flattery", verdict, {"worst_excess": worst_excess}, attacks=attacks)


def _winner(sa: float | None, sb: float | None) -> str | None:
    if sa is None or sb is None:
        return None
    return "tie" if sa == sb else ("a" if sa > sb else "b")


def position_check(a: AuditInputs) -> dict[str, Any]:
    """Pairwise: do both presentation orders pick the same winner; how often the first wins."""
    if not a.pairwise:
        return _check("position", "Position bias (pairwise)", "n/a", {}, note="pairwise judging was off")
    agree = []
    first = []
    for p in a.pairs:
        rec = a.judged.pair(p.prompt, p.chosen, p.rejected, p.domain, p.reference) or {}
        winners = []
        for order in rec.get("orders", []):
            w = _winner(order["score_a"], order["score_b"])
            winners.append(w)
            if w in ("a", "b"):
                first.append((w == "a") == order["a_first"])
        if len(winners) == 2 and None not in winners:
            agree.append(winners[0] == winners[1])
    agreement = wilson(sum(agree), len(agree))
    first_win = wilson(sum(first), len(first))
    t = a.thresholds
    verdict = worst(
        verdict_at_least(agreement.value, agreement.high, t.position_agreement_min),
        verdict_distance_at_most(first_win, t.first_win_band, centre=0.5),
    )
    return _check(
        "position",
        "Position bias (pairwise)",
        verdict,
        {"order_agreement": agreement, "first_position_win_rate": first_win},
    )


def _std(values: Sequence[float]) -> float:
    m = mean(values)
    return float(mean([(v - m) ** 2 for v in values]) ** 0.5)


def consistency_check(a: AuditInputs) -> dict[str, Any]:
    """Score spread over the k samples of one response; pointwise vs pairwise decisions."""
    spreads = []
    for p in a.pairs:
        for text in (p.chosen, p.rejected):
            values = [s for s in a.point(p, text).get("sample_scores", []) if s is not None]
            if len(values) >= 2:
                spreads.append(_std(values))
    spread = bootstrap(spreads, mean, seed=a.seed)
    agree = []
    if a.pairwise:
        for p in a.pairs:
            rec = a.judged.pair(p.prompt, p.chosen, p.rejected, p.domain, p.reference) or {}
            pair_outcome = compare(rec.get("score_a"), rec.get("score_b"), failures="wrong")
            agree.append(pair_outcome == a.outcome(p))
    modes = wilson(sum(agree), len(agree))
    t = a.thresholds
    verdict = worst(
        verdict_at_most(spread.value, spread.low, t.spread_max * a.span),
        verdict_at_least(modes.value, modes.high, t.mode_agreement_min),
    )
    notes = []
    if not spreads:
        notes.append("the spread needs 2 or more samples per judgment (-k 2)")
    if not a.pairwise:
        notes.append("pointwise vs pairwise needs pairwise judging")
    return _check(
        "consistency",
        "Consistency",
        verdict,
        {"sample_spread": spread, "pointwise_pairwise_agreement": modes},
        note="; ".join(notes) or None,
    )


def _calibration(a: AuditInputs) -> dict[str, Any]:
    """Pair decisions against the score margin: the share of pairs where the higher-scored
    response is the chosen one, in 5 equal-width bins of |margin| (expected scores when the
    judge gave them, else voted scores; tied pairs have no pick and are left out)."""
    use_expected = any(a.point(p, p.chosen).get("expected_score") is not None for p in a.pairs)
    field_name = "expected_score" if use_expected else "score"
    margins = []
    for p in a.pairs:
        c, r = a.point(p, p.chosen).get(field_name), a.point(p, p.rejected).get(field_name)
        if c is not None and r is not None and c != r:
            margins.append((abs(c - r), c > r))
    bins = []
    top = max((m for m, _ in margins), default=0.0)
    width = top / _CALIBRATION_BINS or 1.0
    for b in range(_CALIBRATION_BINS):
        part = [(m, ok) for m, ok in margins if min(int(m / width), _CALIBRATION_BINS - 1) == b]
        if part:
            fig = wilson(sum(ok for _, ok in part), len(part))
            low, high = min(m for m, _ in part), max(m for m, _ in part)
            bins.append({"margin_low": low, "margin_high": high, "accuracy": fig.as_dict()})
    corr = bootstrap([(m, float(ok)) for m, ok in margins], spearman, seed=a.seed)
    return {"score": field_name, "bins": bins, "spearman_margin_correct": corr.as_dict()}


def scale_check(a: AuditInputs) -> dict[str, Any]:
    """How the judge uses its scale: the histogram of scores, the share of the commonest
    score, and the calibration of pair decisions against the margin."""
    scores = [s for p in a.pairs for t in (p.chosen, p.rejected) if (s := a.score(p, t)) is not None]
    counts = Counter(round(s, 2) for s in scores)
    top = wilson(counts.most_common(1)[0][1] if counts else 0, len(scores))
    verdict = verdict_at_most(top.value, top.low, a.thresholds.top_score_share_max)
    return _check(
        "scale",
        "Scale use",
        verdict,
        {"top_score_share": top, "distinct_scores": Figure(float(len(counts)), len(scores))},
        histogram={str(k): v for k, v in sorted(counts.items())},
        calibration=_calibration(a),
    )


def run_checks(a: AuditInputs) -> list[dict[str, Any]]:
    """Every check, in the order of :data:`CHECKS`."""
    return [
        accuracy_check(a),
        length_check(a),
        style_check(a),
        injection_check(a),
        position_check(a),
        consistency_check(a),
        scale_check(a),
    ]
