"""The expected score of one rollout, from the log-probabilities at its score token."""

from __future__ import annotations

from patarm.backends._base import Completion
from patarm.parsing import Scale, final_answer_span
from patarm.voting import expected_score

__all__ = ["completion_expected_score"]


def completion_expected_score(completion: Completion, scale: Scale, *, answer_tag: str = "answer") -> float | None:
    """Expected score over the alternatives at the first token of the final answer, or None.

    None when the backend gave no log-probabilities, the output has no final answer, or the
    tokens do not line up with the text at the score (e.g. a token that straddles the tag).
    Only the first score token is read: where digits are split into tokens, the mass on "1"
    also holds "10" and larger scores.
    """
    if not completion.tokens:
        return None
    span = final_answer_span(completion.text, answer_tag=answer_tag)
    if span is None:
        return None
    content = completion.text[span[0] : span[1]]
    start = span[0] + len(content) - len(content.lstrip())
    offset = 0
    for token in completion.tokens:
        if offset == start:
            if not token.token.strip():
                return None
            distribution = dict(token.top)
            distribution[token.token] = token.logprob
            return expected_score(distribution, scale, logprobs=True)
        offset += len(token.token)
        if offset > start:
            return None
    return None
