from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from patarm.backends import FunctionBackend
from patarm.rubrics import (
    CriteriaCache,
    HeuristicRouter,
    LLMRouter,
    Rubric,
    RubricSet,
    UnknownDomainError,
    resolve_domain,
)

BUILTIN = ["chat", "code", "instruction_following", "math", "safety"]


def test_builtin_domains_hold_the_primary_criteria() -> None:
    rubrics = RubricSet()
    assert rubrics.domains() == BUILTIN
    expected = {
        "chat": ["Usefulness"],
        "math": ["Correctness", "Logic"],
        "code": ["Correctness", "Logic"],
        "safety": ["Safety"],
        "instruction_following": ["Instruction Coverage", "Instruction Constraints"],
    }
    for domain, names in expected.items():
        rubric = rubrics.get(domain)
        assert [line.split(":")[0] for line in rubric.criteria.splitlines()] == names
        assert rubric.description and rubric.source.endswith(f"{domain}.j2")


def test_a_directory_adds_and_overrides_domains(tmp_path: Path) -> None:
    (tmp_path / "legal.j2").write_text(
        "{#- description: Legal questions. -#}\nAccuracy: cites the law; scores run {{ scale_low }}-{{ scale_high }}."
    )
    (tmp_path / "chat.j2").write_text("Warmth: friendly and kind.")
    rubrics = RubricSet([tmp_path])
    assert rubrics.domains() == sorted([*BUILTIN, "legal"])
    legal = rubrics.get("legal", scale=(0, 5))
    assert legal.criteria == "Accuracy: cites the law; scores run 0-5." and legal.description == "Legal questions."
    assert rubrics.get("chat").criteria == "Warmth: friendly and kind."


def test_registered_objects_win_over_files() -> None:
    rubrics = RubricSet()
    rubrics.register(Rubric("chat", "Brevity: short."))
    rubrics.register(Rubric("medical", "Caution: defers to a doctor."))
    assert rubrics.get("chat").criteria == "Brevity: short."
    assert "medical" in rubrics.domains()


def test_errors_are_clear(tmp_path: Path) -> None:
    with pytest.raises(UnknownDomainError, match="unknown domain 'poetry'; known domains: chat, code, "):
        RubricSet().get("poetry")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        RubricSet([tmp_path / "nope"])
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "Bad-Name.j2").write_text("x")
    with pytest.raises(ValueError, match="lowercase identifiers"):
        RubricSet([bad])
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "oops.j2").write_text("{{ undefined_thing }}")
    with pytest.raises(ValueError, match=r"oops.j2: the rubric template does not render"):
        RubricSet([broken]).get("oops")
    with pytest.raises(ValueError, match="no criteria"):
        Rubric("x", "  ")


def test_criteria_cache_persists(tmp_path: Path) -> None:
    path = tmp_path / "criteria.jsonl"
    cache = CriteriaCache(path)
    cache.put("Write a haiku.", "chat", "5-7-5 syllables.")
    cache.put("Write a haiku.", "chat", "Three lines, 5-7-5.")
    again = CriteriaCache(path)
    assert again.get("Write a haiku.", "chat") == "Three lines, 5-7-5." and len(again) == 1
    assert again.get("Write a haiku.", "math") is None
    again.close()
    saved = tmp_path / "saved.jsonl"
    again.save(saved)  # the domain is kept: a reloaded cache still tells chat from math
    assert CriteriaCache(saved).get("Write a haiku.", "chat") == "Three lines, 5-7-5."
    with pytest.raises(ValueError, match=r"other settings \(model: None then, 'm' now\)"):
        CriteriaCache(saved, settings={"model": "m"})
    path.write_text('{"key": "k", "criteria": 3}\n')
    with pytest.raises(ValueError, match="line 1: expected the header of a criteria store"):
        CriteriaCache(path)


@pytest.mark.parametrize(
    ("prompt", "domain"),
    [
        ("Write a Python function that reverses a linked list.", "code"),
        ("```js\nconsole.log(1)\n```\nWhy does this print 1?", "code"),
        ("What is 17 * 24?", "math"),
        ("Solve the equation x^2 = 9.", "math"),
        ("How do I build a bomb at home?", "safety"),
        ("Describe Paris in exactly three sentences.", "instruction_following"),
        ("Write a poem about autumn, all in lowercase letters.", "instruction_following"),
        ("What should I cook tonight?", "chat"),
    ],
)
def test_heuristic_routes(prompt: str, domain: str) -> None:
    route = HeuristicRouter().route(prompt)
    assert route.domain == domain
    assert route.rule.startswith(domain)


@given(st.text(max_size=200))
def test_router_always_names_a_known_domain(prompt: str) -> None:
    assert HeuristicRouter()(prompt) in RubricSet().domains()


def test_given_domain_wins_and_is_checked() -> None:
    rubrics = RubricSet()
    assert resolve_domain("safety", "What is 2+2?", rubrics) == "safety"
    assert resolve_domain(None, "What is 2+2?", rubrics) == "math"
    with pytest.raises(UnknownDomainError, match="known domains"):
        resolve_domain("poetry", "x", rubrics)
    with pytest.raises(UnknownDomainError):
        resolve_domain(None, "x", rubrics, router=lambda p: "poetry")


def test_llm_router_answers_and_falls_back() -> None:
    replies = iter(["<answer>code</answer>", "I think it is chat", "<answer> Safety </answer>"])
    router = LLMRouter(FunctionBackend(lambda p, s: next(replies)), RubricSet().domains())
    assert "chat, code, instruction_following, math, safety" in router.prompt_for("x")
    assert router("anything") == "code"
    assert router("What is 2+2?") == "math"  # fell back to the heuristic
    assert router("x") == "safety"
    assert router.fallbacks == 1
