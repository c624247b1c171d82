"""OpenRLHF adapter (written for OpenRLHF 0.11.x): PAR through OpenRLHF's own file hooks.

- ``pair_agent.py`` (``--train.agent_func_path``): pair rows, both sides judged in one
  prompt's samples; pairing guaranteed;
- ``reward_func.py`` (``--reward.remote_url``): side rows, a thread (or Ray actor)
  rendezvous per sample; pairing only when OpenRLHF's shuffle puts both sides in one step;
- :func:`openrlhf_rows`, :func:`pack_label`, :func:`unpack_label`: the data and its labels.

``python -m patarm.adapters.openrlhf`` prints the two file paths. OpenRLHF is imported
only by ``pair_agent.py``.
"""

from __future__ import annotations

from pathlib import Path

from patarm.adapters.openrlhf._labels import openrlhf_rows, pack_label, unpack_label
from patarm.adapters.openrlhf._reward import PARRewardFunc, response_text
from patarm.adapters.openrlhf._settings import ENV_KEYS, OpenRLHFSettings

__all__ = [
    "ENV_KEYS",
    "PAIR_AGENT_PATH",
    "REWARD_FUNC_PATH",
    "OpenRLHFSettings",
    "PARRewardFunc",
    "openrlhf_rows",
    "pack_label",
    "response_text",
    "unpack_label",
]

REWARD_FUNC_PATH = str(Path(__file__).with_name("reward_func.py"))
PAIR_AGENT_PATH = str(Path(__file__).with_name("pair_agent.py"))
