"""The expected score of one rollout, from the log-probabilities at its score's tokens."""

from __future__ import annotations

import math
from collections.abc import Sequence

from patarm.backends import Completion, TokenLogprobs
from patarm.parsing import Scale, check_scale, final_answer_span
from patarm.voting import expected_score

__all__ = ["completion_expected_score", "numeral_distribution"]


def completion_expected_score(completion: Completion, scale: Scale, *, answer_tag: str = "answer") -> float | None:
    """Expected score over the whole numerals the log-probabilities give at the final answer, or None.

    None when the backend gave no log-probabilities, the output has no final answer, the tokens
    do not line up with the text at the score (e.g. a token that straddles the tag), or no mass
    falls on the scale. Numerals are read whole, over as many tokens as they span (see
    :func:`numeral_distribution`): where digits are tokens of their own, "10" is "1" then "0".
    """
    if not completion.tokens:
        return None
    span = final_answer_span(completion.text, answer_tag=answer_tag)
    if span is None:
        return None
    content = completion.text[span[0] : span[1]]
    start = span[0] + len(content) - len(content.lstrip())
    offset = 0
    for i, token in enumerate(completion.tokens):
        if offset == start:
            if not token.token.strip():
                return None
            distribution = numeral_distribution(completion.tokens[i:], scale)
            return expected_score(distribution, scale)
        offset += len(token.token)
        if offset > start:
            return None
    return None


def numeral_distribution(tokens: Sequence[TokenLogprobs], scale: Scale) -> dict[int, float]:
    """Probability of each whole number on ``scale`` that may start at ``tokens[0]`` (unnormalised).

    Walks the sampled tokens while they are all digits. At each step, every alternative is the
    sampled prefix plus that alternative's text: one that ends the numeral (a digit run followed
    by other text, or no digit at all) is a complete number; one made only of digits is complete
    when no number on the scale extends it, and otherwise (e.g. "1" on a 1-10 scale, which may
    become "10") is resolved only if it is the sampled token, by reading the next step. Mass on
    an unresolved prefix that the model did not take is left out, since its continuation is not
    known. A prefix's probability is the product of the sampled tokens' probabilities before it.

    >>> import math
    >>> from patarm.backends import TokenLogprobs
    >>> one = TokenLogprobs("1", math.log(0.5), {"1": math.log(0.5), "7": math.log(0.5)})
    >>> zero = TokenLogprobs("0", math.log(0.8), {"0": math.log(0.8), "</": math.log(0.2)})
    >>> {k: round(v, 6) for k, v in numeral_distribution([one, zero], (1, 10)).items()}
    {7: 0.5, 1: 0.1, 10: 0.4}
    """
    lo, hi = check_scale(scale)
    numbers = range(max(0, math.ceil(lo)), math.floor(hi) + 1)
    out: dict[int, float] = {}
    prefix, prefix_mass = "", 1.0
    for token in tokens:
        alternatives = dict(token.top)
        alternatives.setdefault(token.token, token.logprob)
        for text, logprob in alternatives.items():
            if math.isnan(logprob) or text == token.token:
                continue
            _add(out, prefix, text, prefix_mass * math.exp(logprob), numbers, resolved=False)
        sampled = -math.inf if math.isnan(token.logprob) else token.logprob
        if token.token.isdigit() and token.token.isascii() and _extendable(prefix + token.token, numbers):
            prefix, prefix_mass = prefix + token.token, prefix_mass * math.exp(sampled)
            continue
        # The numeral ends here; ``top`` may also hold other ids with the sampled text.
        ending = max(sampled, alternatives[token.token])
        _add(out, prefix, token.token, prefix_mass * math.exp(ending), numbers, resolved=True)
        break
    return out


def _add(out: dict[int, float], prefix: str, text: str, mass: float, numbers: range, *, resolved: bool) -> None:
    """Credit ``mass`` to the number that ``prefix + text`` spells, when it is one on the scale."""
    digits = len(text) - len(text.lstrip("0123456789"))
    whole = prefix + text[:digits]
    if not whole:
        return
    if digits == len(text) and not resolved and _extendable(whole, numbers):
        return  # may continue with more digits: not known
    if len(whole) > 1 and whole.startswith("0"):
        return  # not a plain numeral
    value = int(whole)
    if value in numbers:
        out[value] = out.get(value, 0.0) + mass


def _extendable(digits: str, numbers: range) -> bool:
    """Whether some number on the scale is ``digits`` followed by one or more digits."""
    if digits.startswith("0"):
        return False
    longest = len(str(numbers.stop - 1)) if numbers else 0
    value = int(digits)
    for extra in range(1, longest - len(digits) + 1):
        low, high = value * 10**extra, (value + 1) * 10**extra - 1
        if low <= numbers.stop - 1 and high >= numbers.start:
            return True
    return False
