"""The bookkeeping of a pair rendezvous, without any waiting: which rollouts of a pair
have arrived, and each rollout's PAR + format reward once both sides are in.

Stacks that hand the reward one trajectory at a time (verl's reward loop, OpenRLHF's
``reward_func``) need the partner side's scores before a rollout's PAR is known. Each
arrival names its pair, its side, its parsed score and (optionally) a group token, the
id the stack gives to the n rollouts of one prompt (verl's ``uid``). A pair is resolved
when both sides hold ``rollouts_per_side`` rollouts; rewards then equal the core's
:func:`patarm.rewards.total_rewards` over those scores.

- A rollout beyond ``rollouts_per_side`` on its side (a padded duplicate, or the same
  pair twice in one step under one token) is an *extra*: it does not move the means, it is
  scored against the partner side once the pair resolves, and it is counted.
- A rollout whose side already holds a different group token starts a new entry for the
  pair (the pair again, in a later step).
- An arrival that gives up (a timeout in the waiting layer) gets the fallback reward,
  ``fallback_par + format``, and is counted; an entry nobody waits on any more is dropped.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import asdict, dataclass, field, replace

from patarm._scores import sorted_mean
from patarm.rewards import Delta, FormatReward, PARSettings, par_rewards
from patarm.sampling import normalize_role
from patarm.types import ROLES, Role

__all__ = [
    "Arrival",
    "PairBook",
    "RendezvousStats",
    "Role",
    "RolloutReward",
    "fallback_reward",
]


@dataclass(frozen=True)
class RolloutReward:
    """The reward of one rollout, and what it was computed from (for the stack's metrics)."""

    reward: float
    par: float
    format: float
    score: float | None
    partner_mean: float | None
    own_mean: float | None
    pair_correct: float  # 1.0 when the chosen mean beats the rejected mean, else 0.0
    margin: float  # chosen mean - rejected mean (0.0 when a side has no well-formed rollout)
    timed_out: bool = False
    extra: bool = False
    side_mean_reward: float | None = None  # mean total reward of the side's first n rollouts

    def to_info(self, prefix: str = "par_") -> dict[str, float]:
        """Flat float fields, the same keys for every rollout (verl stacks them in arrays)."""
        return {
            f"{prefix}reward": self.reward,
            f"{prefix}par": self.par,
            f"{prefix}format": self.format,
            f"{prefix}score": float("nan") if self.score is None else self.score,
            f"{prefix}malformed": float(self.score is None),
            f"{prefix}pair_correct": self.pair_correct,
            f"{prefix}margin": self.margin,
            f"{prefix}timeout": float(self.timed_out),
            f"{prefix}extra": float(self.extra),
        }


@dataclass
class RendezvousStats:
    """Running counts since the book was made: never silent about a timeout or an extra."""

    arrivals: int = 0
    resolved_pairs: int = 0
    extras: int = 0
    timeouts: int = 0
    dropped_entries: int = 0
    open_entries: int = 0  # filled in by PairBook.stats() from the open entries

    def to_metrics(self, prefix: str = "rendezvous/") -> dict[str, float]:
        return {f"{prefix}{k}": float(v) for k, v in asdict(self).items()}


@dataclass
class _Side:
    group: Hashable | None = None
    scores: list[float | None] = field(default_factory=list)
    extras: list[float | None] = field(default_factory=list)


@dataclass
class _Entry:
    pair_id: Hashable
    serial: int
    chosen: _Side = field(default_factory=_Side)
    rejected: _Side = field(default_factory=_Side)
    waiting: int = 0
    rewards: dict[tuple[Role, int, bool], RolloutReward] | None = None

    def side(self, role: Role) -> _Side:
        return self.chosen if role == "chosen" else self.rejected


@dataclass(frozen=True)
class Arrival:
    """A ticket for one submitted rollout: its entry, side, and place on that side."""

    pair_id: Hashable
    serial: int
    role: Role
    index: int
    extra: bool


class PairBook:
    """Not thread-safe: the waiting layer (:class:`patarm.rendezvous.PairRendezvous`) locks it.

    ``keep_resolved``: how many resolved sides (pair, group, role) the book remembers, so
    that a late duplicate of one (batch padding) is scored as an extra, not a new entry.
    """

    def __init__(self, settings: PARSettings, keep_resolved: int = 4096) -> None:
        self.settings = settings
        self.rollouts_per_side = settings.require_rollouts("the rendezvous waits for that many rollouts per side")
        self.delta: Delta = settings.delta
        self.format_reward: FormatReward = settings.format_reward
        self.fallback_par = settings.fallback_par
        self.keep_resolved = int(keep_resolved)
        self._counts = RendezvousStats()
        self._open: dict[Hashable, list[_Entry]] = {}
        self._resolved: OrderedDict[tuple[Hashable, Hashable, Role], _Entry] = OrderedDict()
        self._serial = 0
        self._live: dict[int, _Entry] = {}  # entries some arrival still waits on, by serial

    @property
    def resolved_pairs(self) -> int:
        return self._counts.resolved_pairs

    @property
    def timeouts(self) -> int:
        return self._counts.timeouts

    def stats(self) -> RendezvousStats:
        """A snapshot of the counts, with the pairs still waiting for a side."""
        return replace(self._counts, open_entries=sum(map(len, self._open.values())))

    # -- arrivals -------------------------------------------------------------------------
    def add(self, pair_id: Hashable, role: object, score: float | None, group: Hashable | None = None) -> Arrival:
        """Record one rollout. Resolves its entry when this completes both sides."""
        side_role = normalize_role(role, f"pair {pair_id!r}")
        if score is not None and score != score:
            score = None
        self._counts.arrivals += 1
        if group is not None:
            done = self._resolved.get((pair_id, group, side_role))
            if done is not None:  # a late duplicate of a resolved side (e.g. batch padding)
                return self._add_extra(done, side_role, score)
        entry = self._entry_for(pair_id, side_role, group)
        side = entry.side(side_role)
        if side.group is None:
            side.group = group
        entry.waiting += 1
        if len(side.scores) < self.rollouts_per_side:
            side.scores.append(score)
            arrival = Arrival(pair_id, entry.serial, side_role, len(side.scores) - 1, False)
        else:
            side.extras.append(score)
            self._counts.extras += 1
            arrival = Arrival(pair_id, entry.serial, side_role, len(side.extras) - 1, True)
        if self._complete(entry):
            self._resolve(entry)
        return arrival

    def _add_extra(self, entry: _Entry, role: Role, score: float | None) -> Arrival:
        side = entry.side(role)
        side.extras.append(score)
        self._counts.extras += 1
        entry.waiting += 1
        self._live[entry.serial] = entry
        arrival = Arrival(entry.pair_id, entry.serial, role, len(side.extras) - 1, True)
        assert entry.rewards is not None
        entry.rewards[(role, arrival.index, True)] = self._extra_reward(entry, role, score)
        return arrival

    def _entry_for(self, pair_id: Hashable, role: Role, group: Hashable | None) -> _Entry:
        """The open entry this rollout belongs to, or a new one."""
        entries = self._open.setdefault(pair_id, [])
        for entry in entries:
            side = entry.side(role)
            if group is not None:
                if side.group == group or (side.group is None and not side.scores):
                    return entry
            elif side.group is None and len(side.scores) < self.rollouts_per_side:
                return entry
        self._serial += 1
        entry = _Entry(pair_id, self._serial)
        entries.append(entry)
        self._live[entry.serial] = entry
        return entry

    def _complete(self, entry: _Entry) -> bool:
        n = self.rollouts_per_side
        return entry.rewards is None and len(entry.chosen.scores) == n and len(entry.rejected.scores) == n

    # -- resolution -----------------------------------------------------------------------
    def _resolve(self, entry: _Entry) -> None:
        """Every reward of a complete pair: the core's PAR plus the format reward."""
        chosen, rejected = entry.chosen.scores, entry.rejected.scores
        par_c, par_r = par_rewards(chosen, rejected, self.delta)
        m_c, m_r = sorted_mean(_good(chosen)), sorted_mean(_good(rejected))
        correct, margin = _pair_figures(m_c, m_r)
        rewards: dict[tuple[Role, int, bool], RolloutReward] = {}
        for role, scores, pars, own, partner in (
            ("chosen", chosen, par_c, m_c, m_r),
            ("rejected", rejected, par_r, m_r, m_c),
        ):
            fmts = [self.format_reward(s) for s in scores]
            totals = [p + f for p, f in zip(pars, fmts, strict=True)]  # as total_rewards adds them
            side_mean = sum(sorted(totals)) / len(totals)
            for i, (score, par, fmt, total) in enumerate(zip(scores, pars, fmts, totals, strict=True)):
                rewards[(role, i, False)] = RolloutReward(  # type: ignore[index]
                    total, par, fmt, score, partner, own, correct, margin, side_mean_reward=side_mean
                )
        entry.rewards = rewards
        for role in ROLES:
            for i, score in enumerate(entry.side(role).extras):
                rewards[(role, i, True)] = self._extra_reward(entry, role, score)
        self._counts.resolved_pairs += 1
        self._close(entry)
        for role in ROLES:
            group = entry.side(role).group
            if group is not None:
                self._resolved[(entry.pair_id, group, role)] = entry
        while len(self._resolved) > self.keep_resolved:
            self._resolved.popitem(last=False)

    def _extra_reward(self, entry: _Entry, role: Role, score: float | None) -> RolloutReward:
        """An extra rollout, scored by the core's PAR against the partner side; it moves no mean.

        Its own side's first n decide whether that side has a mean at all (no well-formed
        rollout there: no PAR, as for the side's other rollouts).
        """
        m_c, m_r = sorted_mean(_good(entry.chosen.scores)), sorted_mean(_good(entry.rejected.scores))
        correct, margin = _pair_figures(m_c, m_r)
        if role == "chosen":
            par, partner, own = par_rewards([score], entry.rejected.scores, self.delta)[0][0], m_r, m_c
        else:
            par, partner, own = par_rewards(entry.chosen.scores, [score], self.delta)[1][0], m_c, m_r
        if own is None:
            par = 0.0
        fmt = self.format_reward(score)
        return RolloutReward(par + fmt, par, fmt, score, partner, own, correct, margin, extra=True)

    def _close(self, entry: _Entry) -> None:
        """Take an open entry off its pair's list (an entry is closed once: resolved or dropped)."""
        entries = self._open[entry.pair_id]
        entries.remove(entry)
        if not entries:
            del self._open[entry.pair_id]

    # -- leaving --------------------------------------------------------------------------
    def result(self, arrival: Arrival) -> RolloutReward | None:
        """The arrival's reward once its pair resolved (None while it is open)."""
        entry = self._find(arrival)
        if entry is None or entry.rewards is None:
            return None
        return entry.rewards.get((arrival.role, arrival.index, arrival.extra))

    def collect(self, arrival: Arrival) -> RolloutReward | None:
        """:meth:`result`, and the arrival stops waiting (call once per arrival)."""
        reward = self.result(arrival)
        if reward is not None:
            entry = self._find(arrival)
            if entry is not None:
                self._leave(entry)
        return reward

    def give_up(self, arrival: Arrival) -> RolloutReward:
        """The fallback reward for an arrival whose partner did not come in time (counted).

        If the pair resolved meanwhile, its real reward is returned instead.
        """
        reward = self.collect(arrival)
        if reward is not None:
            return reward
        entry = self._find(arrival)
        score = None
        if entry is not None:
            side = entry.side(arrival.role)
            score = (side.extras if arrival.extra else side.scores)[arrival.index]
            self._leave(entry)
            if entry.waiting <= 0 and entry.rewards is None:
                self._close(entry)
                self._counts.dropped_entries += 1
        self._counts.timeouts += 1
        return fallback_reward(score, self.format_reward, self.fallback_par, extra=arrival.extra)

    def _find(self, arrival: Arrival) -> _Entry | None:
        return self._live.get(arrival.serial)

    def _leave(self, entry: _Entry) -> None:
        """One arrival stops waiting on a live entry; the entry stops being live when none waits."""
        entry.waiting -= 1
        if entry.waiting <= 0:
            del self._live[entry.serial]


def _good(scores: list[float | None]) -> list[float]:
    return [s for s in scores if s is not None]


def _pair_figures(m_c: float | None, m_r: float | None) -> tuple[float, float]:
    if m_c is None or m_r is None:
        return 0.0, 0.0
    return float(m_c > m_r), m_c - m_r


def fallback_reward(
    score: float | None, format_reward: FormatReward, fallback_par: float = 0.0, *, extra: bool = False
) -> RolloutReward:
    """The reward of a rollout that never met its partner: ``fallback_par`` (if well-formed) + format."""
    fmt = format_reward(score)
    par = fallback_par if score is not None else 0.0
    return RolloutReward(par + fmt, par, fmt, score, None, None, 0.0, 0.0, timed_out=True, extra=extra)
