"""A bundled example that exercises parser, PAR and voting end to end, without a model.

Four judge rollouts for the chosen response of one pair and four for the rejected one,
written the way a judge writes them (thinking, criteria, rationale, final tag), including
a malformed rollout on each side.
"""

from __future__ import annotations

from dataclasses import dataclass

from patarm.parsing import parse_judgment
from patarm.rewards import par_batch, total_rewards
from patarm.types import Judgment, PreferencePair
from patarm.voting import mean_vote

__all__ = ["EXAMPLE_PAIR", "EXAMPLE_ROLLOUTS", "SelfCheck", "run_selfcheck"]

EXAMPLE_PAIR = PreferencePair(
    pair_id="selfcheck-0",
    prompt="What is 17 * 24? Show your work.",
    chosen="17 * 24 = 17 * 20 + 17 * 4 = 340 + 68 = 408.",
    rejected="17 * 24 is about 400, so the answer is 398.",
    domain="math",
    source="patarm-selfcheck",
)


def _rollout(think: str, score: str, rationale: str) -> str:
    return (
        f"<think>{think}</think>\n"
        "<criteria>Correctness: the product must be exact. Logic: the decomposition must be valid.</criteria>\n"
        f"<rationale>{rationale}</rationale>\n<answer>{score}</answer>"
    )


EXAMPLE_ROLLOUTS: dict[str, list[str]] = {
    "chosen": [
        _rollout("20*17=340, 4*17=68, sum 408. Correct.", "9", "Exact and clearly decomposed."),
        _rollout("Checks out: 408.", "8", "Right answer, terse steps."),
        _rollout("Correct. <answer>2</answer> was a typo in my head.", "10", "Fully correct with shown work."),
        "<think>Correct, 408.</think> The answer is correct. Score: nine",  # no final tag
    ],
    "rejected": [
        _rollout("17*24=408, not 398.", "2", "Wrong final answer; rough estimate only."),
        _rollout("Wrong.", "3", "Incorrect result, no real working."),
        _rollout("Estimate reasonable but result wrong.", "5", "Approximate reasoning, wrong answer."),
        _rollout("Wrong answer.", "11", "Out of scale on purpose."),  # outside 1-10
    ],
}


@dataclass(frozen=True)
class SelfCheck:
    judgments: dict[str, list[Judgment]]
    rewards: dict[str, list[float]]
    ok: bool
    problems: list[str]


def run_selfcheck() -> SelfCheck:
    """Parse the bundled rollouts, score them with PAR both ways, and check the results agree."""
    judgments = {side: [parse_judgment(t) for t in texts] for side, texts in EXAMPLE_ROLLOUTS.items()}
    chosen_scores = [j.score for j in judgments["chosen"]]
    rejected_scores = [j.score for j in judgments["rejected"]]
    chosen_total, rejected_total = total_rewards(chosen_scores, rejected_scores)
    batch = par_batch(
        chosen_scores + rejected_scores,
        pair_ids=[EXAMPLE_PAIR.pair_id] * 8,
        roles=["chosen"] * 4 + ["rejected"] * 4,
    )
    problems: list[str] = []
    if batch.total.tolist() != chosen_total + rejected_total:
        problems.append("batch PAR differs from per-pair PAR")
    if [j.score for j in judgments["chosen"]] != [9.0, 8.0, 10.0, None]:
        problems.append(f"chosen scores parsed as {chosen_scores}")
    if [j.score for j in judgments["rejected"]] != [2.0, 3.0, 5.0, None]:
        problems.append(f"rejected scores parsed as {rejected_scores}")
    m_c, m_r = mean_vote(chosen_scores), mean_vote(rejected_scores)
    if m_c is None or m_r is None or not m_c > m_r:
        problems.append("the chosen response did not win on average")
    return SelfCheck(
        judgments=judgments,
        rewards={"chosen": chosen_total, "rejected": rejected_total},
        ok=not problems,
        problems=problems,
    )
