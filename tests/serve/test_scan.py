"""The scan that measures a JSON body before it is decoded: it refuses exactly what a walk over the
decoded value would refuse, and it refuses a huge body after reading only its first entries."""

from __future__ import annotations

import json
import re
import tracemalloc
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from patarm.serve._body import BadBody
from patarm.serve._scan import JsonScan, OverLimit
from serve_bodies import four_million_labels

LIMITS = {"max_items": 3, "max_chars": 5, "max_depth": 3, "max_values": 20}
_SURROGATE = re.compile("[\ud800-\udfff]")


def over(value: Any, depth: int = 0, seen: list[int] | None = None) -> bool:
    """Whether the DECODED value breaks a limit: the reference the scan must agree with."""
    seen = seen if seen is not None else [0]
    seen[0] += 1
    if depth > LIMITS["max_depth"] or seen[0] > LIMITS["max_values"]:
        return True
    if isinstance(value, str):
        return len(value) > LIMITS["max_chars"] or bool(_SURROGATE.search(value))
    if isinstance(value, list):
        return len(value) > LIMITS["max_items"] or any(over(v, depth + 1, seen) for v in value)
    if isinstance(value, dict):
        return any(
            len(k) > LIMITS["max_chars"] or bool(_SURROGATE.search(k)) or over(v, depth + 1, seen)
            for k, v in value.items()
        )
    return False


def refused(text: str) -> bool:
    try:
        JsonScan(**LIMITS).scan(text)
    except (OverLimit, BadBody):
        return True
    return False


# Short texts from an alphabet of JSON's troublemakers: quotes, backslashes, surrogates, controls.
TEXT = st.text(st.sampled_from(['"', "\\", "/", "a", "\n", "\ud800", "\udc00", "\ud83d", "\ude00", "é", "𝄞", " "]))
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | TEXT,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=30,
)


@settings(max_examples=400, deadline=None)
@given(JSON, st.booleans(), st.sampled_from([None, 0, 2]))
def test_the_scan_refuses_exactly_what_the_decoded_value_breaks(
    value: Any, ascii_only: bool, indent: int | None
) -> None:
    text = json.dumps(value, ensure_ascii=ascii_only, indent=indent)
    if not ascii_only:
        assume(not _SURROGATE.search(text))  # a raw lone surrogate cannot come out of UTF-8 decoding
    assert refused(text) == over(json.loads(text))


def test_a_four_million_label_body_is_refused_after_its_first_entries() -> None:
    body = four_million_labels()
    assert len(body) <= 8 * 1024 * 1024 and body.count(b"0") > 4_190_000
    scan = JsonScan(max_items=1024, max_chars=200_000, max_depth=32, max_values=262_144)
    with pytest.raises(OverLimit, match=r"^labels: more than 1024 entries") as refusal:
        scan.scan(body.decode())
    assert refusal.value.at < 3_000  # it stopped at the 1025th label, 0.04% into the body
    assert scan.values == 1 + 1 + 1 + 1 + 1025  # the body, query, "q", labels, and the labels counted


def test_refusing_it_through_the_service_holds_no_more_than_the_body_itself() -> None:
    from patarm.backends import FunctionBackend
    from patarm.judges import PointwiseJudge
    from patarm.serve import JudgeService, RewardRequest, ServeError

    service = JudgeService(PointwiseJudge(FunctionBackend(lambda prompt, seed: "<answer>7</answer>")))
    body = four_million_labels()
    tracemalloc.start()
    try:
        with pytest.raises(ServeError) as refusal:
            service._read(body, RewardRequest)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert refusal.value.status == 413 and "labels: more than 1024 entries" in refusal.value.message
    # The text of the body, once; decoding it first held over 100 times that.
    assert peak < 2 * len(body), f"refusing an {len(body)}-byte body held {peak} bytes"


@pytest.mark.parametrize(
    ("text", "error", "says"),
    [
        ('{"a": "x\\"yz\\\\"}', None, None),
        ('{"a": "\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9"}', None, None),  # 30 characters of JSON, 5 decoded
        ('{"a": "\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9"}', OverLimit, "a has 6 characters; the limit is 5"),
        ('{"k\\u0020\\"": "\\ud800"}', BadBody, 'k ".*lone surrogate U\\+D800'),
        ('{"a": "\\ud83d\\ude00"}', None, None),  # a pair is one character, not a lone surrogate
        ('{"a": [[[1]]]}', BadBody, r"a\[0\]\[0\]\[0\]: nested deeper than 3 levels"),
        ('{"a": [1, 2, 3, 4]}', OverLimit, "a: more than 3 entries"),
        ('{"a": "unterminated', None, None),  # not JSON: json.loads names that, after the scan
    ],
)
def test_escapes_pairs_and_paths(text: str, error: type[Exception] | None, says: str | None) -> None:
    if error is None:
        JsonScan(**LIMITS).scan(text)
    else:
        with pytest.raises(error, match=says):
            JsonScan(**LIMITS).scan(text)


def test_one_budget_of_values_spans_several_texts() -> None:
    scan = JsonScan(max_items=100, max_chars=100, max_depth=8, max_values=10)
    scan.scan("[1, 2, 3, 4]")
    with pytest.raises(OverLimit, match="more than 10 JSON values"):
        scan.scan("[5, 6, 7, 8, 9]", ("labels", 0))
