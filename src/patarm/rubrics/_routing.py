"""Which domain a prompt belongs to: the row's own domain when given, else a router.

:class:`HeuristicRouter` is transparent (each decision names the rule that fired) and
checks, in order: code, math, safety, instruction constraints, else chat. Any callable
``prompt text -> domain name`` can replace it, e.g. :class:`LLMRouter`, which asks a model.

>>> HeuristicRouter().route("Write a Python function that reverses a list.")
Route(domain='code', rule='code: programming language or code request')
>>> HeuristicRouter()("Answer in exactly three bullet points: why is the sky blue?")
'instruction_following'
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from patarm.backends import Backend, SamplingParams
from patarm.errors import ConfigError
from patarm.parsing import escape_tags, final_answer_span
from patarm.rubrics._rubric import RubricSet, UnknownDomainError

__all__ = ["HeuristicRouter", "LLMRouter", "Route", "Router", "resolve_domain"]

Router = Callable[[str], str]

_WINDOW = 20_000
"""How many characters :class:`HeuristicRouter` reads at each end of a long prompt."""

# The characters that case-insensitive matching of an ASCII keyword takes, beyond ``str.lower``.
_FOLD = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"})


def _folded(text: str) -> str:
    """``text`` lower-cased as the rules read it: the same matches as case-insensitive
    patterns on the original (the keyword patterns are ASCII), several times faster."""
    return text.translate(_FOLD).lower()


# (domain, rule, pattern, whether the pattern reads the folded text: the case-insensitive ones)
_RULES: list[tuple[str, str, re.Pattern[str], bool]] = [
    (
        "code",
        "code: a code block or code syntax",
        # A line's indent is [^\S\n]* (spaces but not a newline): with \s*, every line start of
        # a run of newlines would rescan the rest of the run (quadratic).
        re.compile(r"```|^[^\S\n]*(def |class |import |#include|public static|function\s*\w*\()|;\s*$", re.MULTILINE),
        False,
    ),
    (
        "code",
        "code: programming language or code request",
        re.compile(
            r"\b(python|javascript|typescript|java|c\+\+|c#|golang|rust|sql|bash|regex|html|css|"
            r"function|algorithm|compile|debug|stack trace|api|script|program)\b",
        ),
        True,
    ),
    (
        "math",
        "math: formula or arithmetic",
        re.compile(r"\\frac|\\sqrt|\$[^$]+\$|\d\s*[-+*/^=]\s*\d|\b\d+\s*%|\bx\s*\^\s*\d"),
        False,
    ),
    (
        "math",
        "math: mathematical wording",
        re.compile(
            r"\b(solve|equation|integral|derivative|probability|prove|theorem|calculate|compute|sum of|"
            r"how many|remainder|divisible|polynomial|geometry|triangle|fraction)\b",
        ),
        True,
    ),
    (
        "safety",
        "safety: potentially harmful request",
        re.compile(
            r"\b(kill|murder|weapon|bomb|explosive|poison|suicide|self-harm|drugs?|meth|hack(ing)?|malware|"
            r"steal|shoplift|launder|counterfeit|terroris\w*|racist|slur|harass\w*|stalk\w*|abuse)\b",
        ),
        True,
    ),
    (
        "instruction_following",
        "instruction_following: explicit constraint on form or content",
        re.compile(
            r"\b(exactly \w+|at (least|most) \w+ (words|sentences|paragraphs|bullet)|no more than|fewer than|"
            r"in (all )?(lowercase|uppercase|capital letters)|bullet points?|json format|in json|"
            r"do not (use|mention|include)|without (using|the word)|end (your|the) (response|answer) with|"
            r"wrap (your|the) (entire )?(response|answer)|number of (words|paragraphs)|title in)\b",
        ),
        True,
    ),
]


@dataclass(frozen=True)
class Route:
    """A routing decision and the rule that made it."""

    domain: str
    rule: str


@dataclass(frozen=True)
class HeuristicRouter:
    """Keyword and syntax rules; transparent and replaceable.

    The rules read the first and the last ``window`` characters of a prompt, each as a text
    of its own (a keyword cut in two by a window's edge is not seen; one at the edge may be
    read as a whole word), and nothing in between: a task shows at the start or the end of
    a prompt (the instruction, a code block, a question after a long document), and the
    cost of routing stays bounded whatever the prompt's length. A prompt of up to
    ``2 * window`` characters is read whole; ``window=None`` reads every prompt whole, in
    time linear in its length (the rules are patterns whose quantified runs are each
    followed by a disjoint class).
    """

    default: str = "chat"
    window: int | None = _WINDOW

    def __post_init__(self) -> None:
        if self.window is not None and (isinstance(self.window, bool) or self.window < 1):
            raise ConfigError(f"window must be a positive number of characters or None, got {self.window!r}")

    def read(self, prompt: str) -> tuple[str, ...]:
        """The texts the rules read: the whole prompt, or its first and last ``window`` characters."""
        if self.window is None or len(prompt) <= 2 * self.window:
            return (prompt,)
        return (prompt[: self.window], prompt[-self.window :])

    def route(self, prompt: str) -> Route:
        texts = [(text, _folded(text)) for text in self.read(prompt)]
        for domain, rule, pattern, fold in _RULES:
            if any(pattern.search(folded if fold else text) for text, folded in texts):
                return Route(domain, rule)
        return Route(self.default, f"{self.default}: no other rule matched")

    def __call__(self, prompt: str) -> str:
        return self.route(prompt).domain


class LLMRouter:
    """Asks a model to name the domain (``<answer>domain</answer>``); falls back to the
    heuristic when the answer is not a known domain, and counts how often it did."""

    def __init__(
        self,
        backend: Backend,
        domains: Sequence[str],
        *,
        params: SamplingParams | None = None,
        fallback: Router | None = None,
    ) -> None:
        self.backend = backend
        self.domains = list(domains)
        self.params = params or SamplingParams(n=1, temperature=0.0, max_new_tokens=64)
        self.fallback = fallback or HeuristicRouter()
        self.fallbacks = 0

    def prompt_for(self, prompt: str) -> str:
        options = ", ".join(self.domains)
        return (
            f"Classify the task of the user prompt below into one of these domains: {options}.\n"
            f"<prompt>\n{escape_tags(prompt, ('prompt', 'answer', 'think'))}\n</prompt>\n"
            "Reply with the domain name only, as <answer>DOMAIN</answer>."
        )

    def __call__(self, prompt: str) -> str:
        text = self.backend.generate([self.prompt_for(prompt)], self.params)[0][0].text
        span = final_answer_span(text)
        answer = text[span[0] : span[1]].strip().lower() if span else ""
        if answer in self.domains:
            return answer
        self.fallbacks += 1
        return self.fallback(prompt)


def resolve_domain(given: str | None, prompt: str, rubrics: RubricSet, router: Router | None = None) -> str:
    """The row's own domain if given (it must be known), else the router's choice."""
    if given is not None and given != "":
        return rubrics.check(given)
    domain = (router or HeuristicRouter())(prompt)
    if domain not in rubrics:
        raise UnknownDomainError(domain, rubrics.domains())
    return domain
