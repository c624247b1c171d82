"""A judge that fails on its first call, as a judge server refusing every request would."""

from __future__ import annotations


def judge(prompt: str, seed: int | None) -> str:
    raise ValueError("the judge refused the request")
