"""Without a reference answer, every judge prompt is byte for byte what it was before reference
answers existed (the fixture was rendered by that code): judges trained on those prompts, and
records keyed by them, see no change."""

from __future__ import annotations

import json

from prompt_snapshot_cases import FIXTURE, render_all


def test_prompts_without_reference_are_unchanged() -> None:
    expected = json.loads(FIXTURE.read_text(encoding="utf-8"))
    rendered = render_all()
    assert sorted(rendered) == sorted(expected)
    changed = [case for case in expected if rendered[case] != expected[case]]
    assert not changed, f"{len(changed)} prompts changed, first: {changed[:3]}"
