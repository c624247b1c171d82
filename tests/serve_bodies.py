"""Hostile request bodies for the server tests (importable: ``tests/`` is on the test path)."""

from __future__ import annotations

__all__ = ["four_million_labels"]


def four_million_labels(size: int = 8 * 1024 * 1024) -> bytes:
    """A ``/get_reward`` body of ``size`` bytes (8 MiB: 4.19 million labels) of one query and tiny labels ``0``:
    cheap to send, and gigabytes once decoded and validated."""
    head, tail = b'{"query": ["q"], "labels": [', b"0]}"
    count = (size - len(head) - len(tail)) // 2 + 1
    return head + b"0," * (count - 1) + tail
