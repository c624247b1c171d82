"""Glue to RL stacks (TRL, verl, OpenRLHF). Each adapter imports its stack lazily through
:func:`patarm._extras.require`, so a missing stack names the extra to install."""

__all__: list[str] = []
