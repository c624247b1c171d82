"""What a template may build and how long it may render: the sandbox's cost bounds.

Jinja's sandbox stops a template from reaching Python internals, but not from spending
memory and time: ``{{ 'a' * 10**9 }}``, ``{{ 'x'|center(10**9) }}`` or two nested loops over
a long string would take gigabytes or minutes, and under ``patarm serve`` the first request
for such a domain would hold the judge. :class:`GuardedEnvironment` (the environment
:func:`patarm.rubrics._sandbox.sandboxed_environment` returns) checks, before it builds
anything, that

- a string, list or tuple made by ``*``, ``+``, ``~``, ``%``, ``str.format``, a width filter
  (``center``, ``indent``, ``wordwrap``, ``format``, ``replace``, ``join``, ``batch``,
  ``slice``, ``tojson``) or a width method (``ljust``, ``rjust``, ``zfill``, ``center``,
  ``expandtabs``, ``replace``, ``join``, ``translate``) stays within
  :attr:`RenderLimits.max_chars` characters or :attr:`RenderLimits.max_items` items;
- an integer made by ``*`` or ``**`` stays within :attr:`RenderLimits.max_int_bits` bits;
- a filter that does per-word Python work (``title``, ``urlize``, ...), which no deadline can
  interrupt, gets at most :attr:`RenderLimits.max_slow_filter_chars` characters;
- ``list``, ``sort`` and ``sum`` build at most :attr:`RenderLimits.max_items` items;
- one render runs at most :attr:`RenderLimits.max_iterations` loop iterations in all, writes
  at most ``max_chars`` characters, and ends within :attr:`RenderLimits.timeout_s` seconds
  (checked at every loop iteration, call and output chunk, so nested loops stop too).

A template over a bound raises :class:`TemplateLimitError` (a ``jinja2.SecurityError``),
which the callers report with the template's file name, as any other sandbox refusal.

>>> env = GuardedEnvironment()
>>> env.from_string("{{ 'ab' * 2 }}").render()
'abab'
>>> env.from_string("{{ 'a' * 10**9 }}").render()
Traceback (most recent call last):
...
patarm.rubrics._limits.TemplateLimitError: a string of 1000000000 characters is over the limit of 8000000
"""

from __future__ import annotations

import contextvars
import re
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import jinja2
from jinja2 import nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.visitor import NodeTransformer

__all__ = ["GuardedEnvironment", "GuardedTemplate", "RenderLimits", "TemplateLimitError"]

_DIGITS = re.compile(r"\d+")


class TemplateLimitError(jinja2.exceptions.SecurityError):
    """A template asked for more memory or time than :class:`RenderLimits` allows."""


@dataclass(frozen=True)
class RenderLimits:
    """The bounds one template render lives within (far above what a prompt or rubric needs).

    Args:
        max_chars: Longest string a template may build, and longest output of one render.
        max_items: Longest list or tuple a template may build.
        max_int_bits: Largest integer (in bits) ``*`` and ``**`` may build.
        max_slow_filter_chars: Longest text given to a filter that does per-word Python work
            (``title``, ``wordcount``, ``wordwrap``, ``urlize``, ``urlencode``, ``striptags``):
            such a call cannot be interrupted, so its input is bounded instead.
        max_iterations: Loop iterations in one render, all loops together.
        timeout_s: Seconds one render may take.
    """

    max_chars: int = 8_000_000
    max_items: int = 1_000_000
    max_int_bits: int = 1 << 16
    max_slow_filter_chars: int = 500_000
    max_iterations: int = 1_000_000
    timeout_s: float = 5.0


@dataclass
class _Budget:
    """What one render has spent so far."""

    limits: RenderLimits
    deadline: float = field(init=False)
    iterations: int = 0
    output: int = 0

    def __post_init__(self) -> None:
        self.deadline = time.monotonic() + self.limits.timeout_s

    def tick(self) -> None:
        if time.monotonic() > self.deadline:
            raise TemplateLimitError(f"the render took longer than the limit of {self.limits.timeout_s:g} s")

    def iteration(self) -> None:
        self.iterations += 1
        if self.iterations > self.limits.max_iterations:
            raise TemplateLimitError(f"more than {self.limits.max_iterations} loop iterations in one render")
        self.tick()

    def write(self, chunk: str) -> None:
        self.output += len(chunk)
        if self.output > self.limits.max_chars:
            raise TemplateLimitError(f"the output is over the limit of {self.limits.max_chars} characters")
        self.tick()


# The budget of the render in progress on this thread (set around each step of a render).
_ACTIVE: contextvars.ContextVar[_Budget | None] = contextvars.ContextVar("patarm_render_budget", default=None)


class GuardedTemplate(jinja2.Template):
    """A template whose render is streamed through its budget (output size, deadline)."""

    environment: GuardedEnvironment

    def render(self, *args: Any, **kwargs: Any) -> str:
        budget = _Budget(self.environment.limits)
        limit, deadline, clock = budget.limits.max_chars, budget.deadline, time.monotonic
        token = _ACTIVE.set(budget)  # a render runs to its end here: one budget for all of it
        try:
            out = []
            size = 0
            for chunk in _template_errors(super().generate(*args, **kwargs)):
                size += len(chunk)
                if size > limit or clock() > deadline:  # the same checks as budget.write, inline
                    budget.output = size - len(chunk)
                    budget.write(chunk)
                out.append(chunk)
            return "".join(out)
        finally:
            _ACTIVE.reset(token)

    def generate(self, *args: Any, **kwargs: Any) -> Iterator[str]:
        budget = _Budget(self.environment.limits)
        chunks = _template_errors(super().generate(*args, **kwargs))
        while True:
            token = _ACTIVE.set(budget)  # the caller runs between chunks: set the budget per step
            try:
                chunk = next(chunks)
            except StopIteration:
                return
            finally:
                _ACTIVE.reset(token)
            budget.write(chunk)
            yield chunk


def _template_errors(chunks: Iterator[str]) -> Iterator[str]:
    """``chunks``, with any exception the template raises turned into a Jinja template error."""
    try:
        yield from chunks
    except RecursionError:
        raise TemplateLimitError("the template calls itself too deeply") from None
    except jinja2.TemplateError:
        raise
    except Exception as exc:  # 1/0, int('x'), a too long int to print: the template's fault
        raise jinja2.TemplateRuntimeError(f"{type(exc).__name__}: {exc}") from exc


class _GuardLoopsAndConcat(NodeTransformer):
    """Route every ``{% for %}`` iterable and every ``~`` through the environment's guards."""

    def __init__(self, environment: jinja2.Environment) -> None:
        self.environment = environment

    def _call(self, name: str, arg: nodes.Node, lineno: int) -> nodes.Call:
        func = nodes.EnvironmentAttribute(name, lineno=lineno)
        call = nodes.Call(func, [arg], [], None, None, lineno=lineno)
        call.set_environment(self.environment)
        return call

    def visit_For(self, node: nodes.For) -> nodes.Node:
        self.generic_visit(node)  # transforms the children in place
        node.iter = self._call("guarded_iter", node.iter, node.lineno)
        return node

    def visit_Concat(self, node: nodes.Concat) -> nodes.Node:
        self.generic_visit(node)
        return self._call("guarded_concat", nodes.Tuple(node.nodes, "load", lineno=node.lineno), node.lineno)


class GuardedEnvironment(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox with :class:`RenderLimits` on size and time (module docstring)."""

    template_class = GuardedTemplate
    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def __init__(self, *args: Any, limits: RenderLimits | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.limits = limits or RenderLimits()
        for name, check in _FILTER_CHECKS.items():
            if name in self.filters:
                self.filters[name] = _GuardedFilter(self, self.filters[name], check)

    # -- budget ---------------------------------------------------------------------------
    def _budget(self) -> _Budget:
        return _ACTIVE.get() or _Budget(self.limits)

    def chars(self, size: int) -> None:
        """Refuse a string of ``size`` characters over the limit."""
        if size > self.limits.max_chars:
            raise TemplateLimitError(f"a string of {size} characters is over the limit of {self.limits.max_chars}")

    def items(self, size: int) -> None:
        """Refuse a sequence of ``size`` items over the limit."""
        if size > self.limits.max_items:
            raise TemplateLimitError(f"a sequence of {size} items is over the limit of {self.limits.max_items}")

    def _sized(self, value: Any, size: int) -> None:
        if isinstance(value, (str, bytes)):
            self.chars(size)
        else:
            self.items(size)

    # -- parsing: loops and ~ go through the guards ----------------------------------------
    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        tree = super()._parse(source, name, filename)
        guarded: nodes.Template = _GuardLoopsAndConcat(self).visit(tree)
        return guarded

    def guarded_iter(self, iterable: Any) -> Iterator[Any]:
        """The loop's items, each one counted against the render's budget."""
        items = iter(iterable)
        budget = self._budget()

        def counted() -> Iterator[Any]:
            for item in items:
                budget.iteration()
                yield item

        return counted()

    def guarded_concat(self, parts: tuple[Any, ...]) -> str:
        """``a ~ b ~ ...`` with the result's length checked before it is built."""
        texts = [str(p) for p in parts]
        self.chars(sum(map(len, texts)))
        return "".join(texts)

    # -- operators and calls ----------------------------------------------------------------
    def call_binop(self, context: jinja2.runtime.Context, operator: str, left: Any, right: Any) -> Any:
        self._budget().tick()
        if operator == "*":
            self._check_mul(left, right)
        elif operator == "**":
            self._check_pow(left, right)
        elif operator == "+" and _is_seq(left) and _is_seq(right):
            self._sized(left, len(left) + len(right))
        elif operator == "%" and isinstance(left, str):
            values = right if isinstance(right, tuple) else (right,)
            self.chars(_printf_estimate(left, values))
        return super().call_binop(context, operator, left, right)

    def _check_mul(self, left: Any, right: Any) -> None:
        if _is_int(left) and _is_int(right):
            bits = left.bit_length() + right.bit_length()
            if bits > self.limits.max_int_bits:
                raise TemplateLimitError(f"an integer of {bits} bits is over the limit of {self.limits.max_int_bits}")
            return
        seq, times = (left, right) if _is_int(right) else (right, left)
        if _is_seq(seq) and _is_int(times):
            self._sized(seq, len(seq) * max(times, 0))

    def _check_pow(self, base: Any, exponent: Any) -> None:
        if _is_int(base) and _is_int(exponent) and exponent > 0 and abs(base) > 1:
            bits = exponent * (abs(base).bit_length() - 1)
            if bits > self.limits.max_int_bits:
                raise TemplateLimitError(
                    f"an integer of about {bits} bits is over the limit of {self.limits.max_int_bits}"
                )

    def call(__self, __context: jinja2.runtime.Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        """Every call a template makes (macros too) checks the deadline; a width method of a
        string checks the size of what it would build."""
        __self._budget().tick()
        owner = getattr(__obj, "__self__", None)
        if isinstance(owner, str) and not isinstance(__obj, type):
            name = getattr(__obj, "__name__", "")
            if name == "join" and args:
                args = (_listed(__self, args[0]), *args[1:])
            check = _STR_METHOD_CHECKS.get(name)
            if check is not None:
                __self.chars(check(owner, args, kwargs))
        return super().call(__context, __obj, *args, **kwargs)

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        """``str.format`` / ``format_map`` with the result's size estimated before it is built."""
        wrapped = super().wrap_str_format(value)
        if wrapped is None:
            return None
        text: str = value.__self__
        is_map = value.__name__ == "format_map"

        def checked(*args: Any, **kwargs: Any) -> str:
            values: list[Any] = list(args) + list(kwargs.values())
            if is_map and args and isinstance(args[0], Mapping):
                values = list(args[0].values())
            self.chars(_format_estimate(text, values))
            return wrapped(*args, **kwargs)

        return checked


class _GuardedFilter:
    """A filter whose arguments are checked before it runs (a class, not a closure, so an
    environment holding it pickles, as Ray and multiprocessing need)."""

    def __init__(self, env: GuardedEnvironment, filter_: Callable[..., Any], check: _FilterCheck) -> None:
        self.env, self.filter, self.check = env, filter_, check
        self.__name__ = getattr(filter_, "__name__", "filter")
        pass_arg = jinja2.utils._PassArg.from_obj(filter_)
        self.lead = 0 if pass_arg is None else 1  # the context / eval context / environment comes first
        if pass_arg is not None:
            self.jinja_pass_arg = pass_arg

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.env._budget().tick()
        if len(args) > self.lead:
            value = self.check(self.env, args[self.lead], args[self.lead + 1 :], kwargs)
            args = (*args[: self.lead], value, *args[self.lead + 1 :])
        return self.filter(*args, **kwargs)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_seq(value: Any) -> bool:
    return isinstance(value, (str, bytes, list, tuple))


def _arg(args: tuple[Any, ...], kwargs: Mapping[str, Any], index: int, name: str, default: Any) -> Any:
    if len(args) > index:
        return args[index]
    return kwargs.get(name, default)


def _int_arg(args: tuple[Any, ...], kwargs: Mapping[str, Any], index: int, name: str, default: int) -> int:
    value = _arg(args, kwargs, index, name, default)
    return value if _is_int(value) else default


def _longest(values: Iterable[Any]) -> int:
    return max((len(str(v)) for v in values), default=0)


def _format_estimate(text: str, values: list[Any]) -> int:
    """An upper bound on ``text.format(*values)``'s length: every field as wide as the widest
    value or the widest number written in the format (a width or a precision); a nested
    ``{:{w}}`` takes its width from the values, so their integers count too."""
    fields = text.count("{")
    numbers = [int(d) for d in _DIGITS.findall(text)]
    if fields and any(_is_int(v) for v in values):
        numbers += [abs(v) for v in values if _is_int(v)]
    widest = max([_longest(values), *numbers, 0])
    return len(text) + fields * widest


def _printf_estimate(text: str, values: tuple[Any, ...]) -> int:
    """An upper bound on ``text % values``'s length (the same reasoning as for ``format``; a
    ``*`` width takes an integer from the values)."""
    fields = text.count("%")
    numbers = [int(d) for d in _DIGITS.findall(text)]
    if "*" in text:
        numbers += [abs(v) for v in values if _is_int(v)]
    widest = max([_longest(values), *numbers, 0])
    return len(text) + fields * widest


def _replace_size(text: Any, old: Any, new: Any, count: Any) -> int:
    if not (isinstance(text, str) and isinstance(old, str) and isinstance(new, str)):
        return len(str(text))
    hits = len(text) + 1 if old == "" else text.count(old)
    if _is_int(count) and count >= 0:
        hits = min(hits, count)
    return len(text) + hits * max(len(new) - len(old), 0)


def _join_size(separator: str, items: Any) -> int:
    parts = [str(p) for p in items] if isinstance(items, (list, tuple, str, Mapping)) else []
    return sum(map(len, parts)) + len(separator) * max(len(parts) - 1, 0)


def _width(text: str, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> int:
    return max(len(text), _int_arg(args, kwargs, 0, "width", 0))


def _tabs(text: str, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> int:
    return len(text) + text.count("\t") * max(_int_arg(args, kwargs, 0, "tabsize", 8), 0)


def _translate(text: str, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> int:
    table = _arg(args, kwargs, 0, "table", None)
    longest = _longest(table.values()) if isinstance(table, Mapping) else 1
    return len(text) * max(longest, 1)


_STR_METHOD_CHECKS: dict[str, Callable[[str, tuple[Any, ...], Mapping[str, Any]], int]] = {
    "center": _width,
    "ljust": _width,
    "rjust": _width,
    "zfill": _width,
    "expandtabs": _tabs,
    "replace": lambda s, a, k: _replace_size(
        s, _arg(a, k, 0, "old", ""), _arg(a, k, 1, "new", ""), _arg(a, k, 2, "count", -1)
    ),
    "join": lambda s, a, k: _join_size(s, _arg(a, k, 0, "iterable", ())),
    "translate": _translate,
}

# A filter's check: refuses what would be over a limit, else returns the value to filter
# (an iterator read into a list first, so its size is known).
_FilterCheck = Callable[[GuardedEnvironment, Any, tuple[Any, ...], Mapping[str, Any]], Any]


def _listed(env: GuardedEnvironment, value: Any) -> Any:
    """``value``, an iterator read into a list (its length checked as it is read)."""
    if isinstance(value, (str, bytes, list, tuple, Mapping)) or not isinstance(value, Iterable):
        return value
    items: list[Any] = []
    for item in value:
        items.append(item)
        env.items(len(items))
    return items


def _center(env: GuardedEnvironment, value: Any, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> Any:
    env.chars(max(len(str(value)), _int_arg(args, kwargs, 0, "width", 80)))
    return value


def _indent(env: GuardedEnvironment, value: Any, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> Any:
    width = _arg(args, kwargs, 0, "width", 4)
    step = len(width) if isinstance(width, str) else (width if _is_int(width) else 4)
    text = str(value)
    env.chars(len(text) + (text.count("\n") + 1) * max(step, 0))
    return value


def _wordwrap(env: GuardedEnvironment, value: Any, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> Any:
    _slow(env, value, args, kwargs)
    width = max(_int_arg(args, kwargs, 0, "width", 79), 1)
    wrap = _arg(args, kwargs, 2, "wrapstring", None)
    text = str(value)
    breaks = len(text) // width + text.count("\n") + 1
    env.chars(len(text) + breaks * len(wrap if isinstance(wrap, str) else "\n"))
    return value


def _format(env: GuardedEnvironment, value: Any, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> Any:
    if isinstance(value, str):
        env.chars(_printf_estimate(value, (*args, *kwargs.values())))
    return value


def _replace(env: GuardedEnvironment, value: Any, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> Any:
    old, new = _arg(args, kwargs, 0, "old", ""), _arg(args, kwargs, 1, "new", "")
    env.chars(_replace_size(str(value), str(old), str(new), _arg(args, kwargs, 2, "count", None)))
    return value


def _join(env: GuardedEnvironment, value: Any, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> Any:
    value = _listed(env, value)
    if _arg(args, kwargs, 1, "attribute", None) is None:
        env.chars(_join_size(str(_arg(args, kwargs, 0, "d", "")), value))
    return value


def _batch(env: GuardedEnvironment, value: Any, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> Any:
    env.items(_int_arg(args, kwargs, 0, "linecount", 0))
    return value


def _slice(env: GuardedEnvironment, value: Any, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> Any:
    env.items(_int_arg(args, kwargs, 0, "slices", 0))
    return value


def _tojson(env: GuardedEnvironment, value: Any, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> Any:
    indent = _arg(args, kwargs, 0, "indent", None)
    step = len(indent) if isinstance(indent, str) else (indent if _is_int(indent) else 0)
    if step > _LONGEST_INDENT:
        raise TemplateLimitError(f"tojson's indent of {step} is over the limit of {_LONGEST_INDENT}")
    return value


_LONGEST_INDENT = 64


def _slow(env: GuardedEnvironment, value: Any, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> Any:
    size = len(value) if isinstance(value, str) else len(str(value))
    if size > env.limits.max_slow_filter_chars:
        raise TemplateLimitError(
            f"a text of {size} characters is over the limit of {env.limits.max_slow_filter_chars} for this filter"
        )
    return value


def _sequence(env: GuardedEnvironment, value: Any, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> Any:
    value = _listed(env, value)
    if isinstance(value, (str, bytes, list, tuple)):
        env.items(len(value))
    return value


def _sum(env: GuardedEnvironment, value: Any, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> Any:
    value = _listed(env, value)
    start = _arg(args, kwargs, 1, "start", 0)
    if _is_seq(start) and isinstance(value, (list, tuple)):
        # joining sequences with + copies the running total at each step: quadratic work
        total = len(start) + sum(len(v) for v in value if _is_seq(v))
        env.items(total)
        env.items(total * len(value) // _SUM_COPIES)
    return value


_SUM_COPIES = 64  # sum(start=[]) may copy its running total this many times the item limit


_FILTER_CHECKS: dict[str, _FilterCheck] = {
    "center": _center,
    "indent": _indent,
    "wordwrap": _wordwrap,
    "format": _format,
    "replace": _replace,
    "join": _join,
    "batch": _batch,
    "slice": _slice,
    "tojson": _tojson,
    "title": _slow,
    "wordcount": _slow,
    "urlize": _slow,
    "urlencode": _slow,
    "striptags": _slow,
    "list": _sequence,
    "sort": _sequence,
    "sum": _sum,
}
