"""Templates cannot spend unbounded memory or time: every bomb is refused early, with its file named."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from patarm.prompts import JudgePrompts
from patarm.rubrics import RubricSet
from patarm.rubrics._sandbox import RenderLimits, TemplateLimitError, sandboxed_environment

# Each of these builds 100 MB to several GB, or runs for minutes, in a plain Jinja sandbox.
BOMBS = {
    "str_mul": "{{ 'a' * 10**8 }}",
    "list_mul": "{{ ['a'] * 10**8 }}",
    "str_plus": "{% macro f(s, n) %}{{ f(s + s, n - 1) if n else s|length }}{% endmacro %}{{ f('a', 40) }}",
    "concat": "{% macro f(s, n) %}{{ f(s ~ s, n - 1) if n else s|length }}{% endmacro %}{{ f('a', 40) }}",
    "int_pow": "{{ 2 ** 1000000000 }}",
    "int_mul": "{{ (2 ** 60000) * (2 ** 60000) }}",
    "center": "{{ 'x'|center(10**9) }}",
    "indent": "{{ ('a\n' * 1000)|indent(10**6) }}",
    "wordwrap": "{{ ('a' * 100000)|wordwrap(1, wrapstring='x' * 10000) }}",
    "format_filter": "{{ '%1000000000s'|format('a') }}",
    "percent": "{{ '%1000000000s' % 'a' }}",
    "percent_star": "{{ '%*s' % (10**9, 'a') }}",
    "str_format": "{{ '{:>1000000000}'.format('a') }}",
    "str_format_nested": "{{ '{:{}}'.format('a', 10**9) }}",
    "join_filter": "{{ ('a' * 10000)|join('b' * 10000) }}",
    "join_method": "{{ ('b' * 10000).join('a' * 10000) }}",
    "replace_filter": "{{ ('a' * 10000)|replace('a', 'b' * 100000) }}",
    "replace_method": "{{ ('a' * 10000).replace('a', 'b' * 100000) }}",
    "ljust": "{{ 'a'.ljust(10**9) }}",
    "rjust": "{{ 'a'.rjust(10**9) }}",
    "zfill": "{{ 'a'.zfill(10**9) }}",
    "center_method": "{{ 'a'.center(10**9) }}",
    "expandtabs": "{{ ('\t' * 1000).expandtabs(10**6) }}",
    "batch": "{{ [1]|batch(10**9, 0)|list }}",
    "slice": "{{ [1]|slice(10**9)|list }}",
    "nested_loops": "{% set s = 'a' * 100000 %}{% for a in s %}{% for b in s %}{% endfor %}{% endfor %}",
    "nested_loops_output": "{% set s = 'a' * 10000 %}{% for a in s %}{% for b in s %}{{ s }}{% endfor %}{% endfor %}",
    "recursion": "{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}",
    "title": "{{ ('a ' * 4000000)|title }}",
    "urlize": "{{ ('a.b ' * 2000000)|urlize }}",
    "wordcount": "{{ ('a ' * 4000000)|wordcount }}",
    "list": "{{ ('a' * 8000000)|list|list|length }}",
    "sum_of_lists": "{{ ([[0]] * 1000000)|sum(start=[]) }}",
}


@pytest.mark.parametrize("name", sorted(BOMBS))
def test_a_bomb_in_a_rubric_is_refused_with_its_file_named(tmp_path: Path, name: str) -> None:
    (tmp_path / "bomb.j2").write_text("Usefulness: " + BOMBS[name] + "\n", encoding="utf-8")
    rubrics = RubricSet([tmp_path])
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match=r"bomb\.j2: the rubric template does not render: \w+Error: "):
            rubrics.get("bomb")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 200 * 2**20  # the plain sandbox takes 100 MB to several GB on each


@pytest.mark.parametrize("name", ["str_mul", "center", "nested_loops", "str_format", "join_filter"])
def test_a_bomb_in_a_prompt_template_is_refused_with_its_file_named(tmp_path: Path, name: str) -> None:
    (tmp_path / "pointwise.j2").write_text(BOMBS[name] + "\n", encoding="utf-8")
    prompts = JudgePrompts(template_dir=tmp_path)
    with pytest.raises(ValueError, match=r"pointwise\.j2: the judge template does not render: TemplateLimitError"):
        prompts.pointwise("Say hi.", "Hi!", domain="chat")


def test_a_render_past_its_deadline_stops_even_without_loops_or_output() -> None:
    # 2**40 macro calls, no loop and no output until the end: only the deadline stops it
    env = sandboxed_environment(limits=RenderLimits(timeout_s=0.2))
    template = env.from_string(
        "{% macro f(n) %}{% if n %}{{ f(n - 1) }}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(40) }}"
    )
    started = time.monotonic()
    with pytest.raises(TemplateLimitError, match=r"longer than the limit of 0\.2 s"):
        template.render()
    assert time.monotonic() - started < 60  # generous: the unguarded render runs for days


def test_the_output_of_one_render_is_bounded() -> None:
    env = sandboxed_environment(limits=RenderLimits(max_chars=1000))
    with pytest.raises(TemplateLimitError, match="output is over the limit of 1000 characters"):
        env.from_string("{% for c in text %}{{ text }}{% endfor %}").render(text="a" * 100)
    assert env.from_string("{% for c in text %}{{ c }}{% endfor %}").render(text="a" * 100) == "a" * 100
    small = sandboxed_environment(limits=RenderLimits(max_chars=50))
    chars = small.from_string("{% for c in text %}{{ c }}{% endfor %}")
    for render in (chars.render, lambda **v: "".join(chars.generate(**v))):
        with pytest.raises(TemplateLimitError, match="output is over the limit of 50 characters"):
            render(text="a" * 51)
        assert render(text="a" * 50) == "a" * 50


def test_loop_iterations_are_counted_across_loops() -> None:
    env = sandboxed_environment(limits=RenderLimits(max_iterations=100))
    assert env.from_string("{% for a in s %}{% for b in s %}{% endfor %}{% endfor %}").render(s="a" * 9) == ""
    with pytest.raises(TemplateLimitError, match="more than 100 loop iterations"):
        env.from_string("{% for a in s %}{% for b in s %}{% endfor %}{% endfor %}").render(s="a" * 10)


def test_a_template_exception_is_a_template_error_naming_the_file(tmp_path: Path) -> None:
    (tmp_path / "broken.j2").write_text("Usefulness: {{ 1 / 0 }}\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"broken\.j2: .*ZeroDivisionError"):
        RubricSet([tmp_path]).get("broken")


def test_a_bomb_through_the_cli_is_one_clean_error(tmp_path: Path) -> None:
    (tmp_path / "bomb.j2").write_text("Usefulness: " + BOMBS["center"] + "\n", encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "patarm", "rubrics", "--rubric-dir", str(tmp_path), "show", "bomb"],
        capture_output=True,
        text=True,
        env=os.environ.copy(),
        timeout=120,
    )
    assert run.returncode == 2
    assert "Traceback" not in run.stderr
    assert "bomb.j2" in run.stderr and "over the limit" in run.stderr


SMALL = st.text(alphabet="ab\n\t%{}", max_size=8)


@given(text=SMALL, times=st.integers(-3, 20), width=st.integers(-5, 40))
def test_bounded_operations_give_what_plain_jinja_gives(text: str, times: int, width: int) -> None:
    import jinja2.sandbox

    plain = jinja2.sandbox.ImmutableSandboxedEnvironment(undefined=jinja2.StrictUndefined)
    guarded = sandboxed_environment()
    source = (
        "{{ t * n }}|{{ [t] * n }}|{{ t ~ t }}|{{ t + t }}|{{ t|center(w) }}|{{ t.ljust(w) }}|{{ t.zfill(w) }}"
        "|{{ t|indent(w if w > 0 else 0) }}|{{ t|replace('a', t) }}|{{ [t, t]|join(t) }}|{{ t.join([t, t]) }}"
        "|{% for c in t %}{{ loop.index }}{{ c }}{% endfor %}|{{ 3 ** (n if n > 0 else 0) }}"
        "|{{ t|title }}|{{ t|wordcount }}|{{ t|list }}|{{ [[t], [t]]|sum(start=[]) }}"
        "|{{ t|wordwrap(w if w > 0 else 1) }}"
    )
    values = {"t": text, "n": times, "w": width}
    assert guarded.from_string(source).render(values) == plain.from_string(source).render(values)


def test_the_guarded_environment_pickles_with_its_guards() -> None:
    import pickle

    env = pickle.loads(pickle.dumps(sandboxed_environment(limits=RenderLimits(max_chars=100))))
    assert env.from_string("{{ 'ab'|center(6) }}").render() == "  ab  "
    with pytest.raises(TemplateLimitError, match="over the limit of 100"):
        env.from_string("{{ 'x'|center(1000) }}").render()
    prompts = pickle.loads(pickle.dumps(JudgePrompts()))
    assert "Hi!" in prompts.pointwise("Say hi.", "Hi!", domain="chat")[-1]["content"]
