"""The three adapters' settings share one base, with one default per shared field, and
read the shared fields through one reader."""

from __future__ import annotations

import pytest

from patarm.adapters.openrlhf import OpenRLHFSettings
from patarm.adapters.trl import PARReward
from patarm.adapters.verl import PairConfigError, VerlSettings
from patarm.errors import ConfigError
from patarm.parsing import parse_scale
from patarm.rendezvous import DEFAULT_RENDEZVOUS, RENDEZVOUS_MODES, PairRewardSettings

ADAPTERS = [PARReward, VerlSettings, OpenRLHFSettings]


@pytest.mark.parametrize("cls", ADAPTERS, ids=lambda c: c.__name__)
def test_adapter_settings_share_the_base_and_its_defaults(cls: type[PairRewardSettings]) -> None:
    assert issubclass(cls, PairRewardSettings)
    base = PairRewardSettings()
    made = cls()
    for name in PairRewardSettings.shared_names():
        assert getattr(made, name) == getattr(base, name), name
    own = set(cls.model_fields) - set(PairRewardSettings.shared_names())
    assert not own & {"scale", "rendezvous", "integer_scores", "pair_id_key", "role_key"}
    assert made.rendezvous == DEFAULT_RENDEZVOUS in RENDEZVOUS_MODES


def test_the_readers_give_the_same_shared_fields() -> None:
    verl = VerlSettings.from_mapping(
        {"scale": [0, 5], "integer_scores": True, "rendezvous": "local", "pair_id_key": "p", "role_key": "r"}
    )
    env = OpenRLHFSettings.from_env(
        {
            "PATARM_SCALE": "0,5",
            "PATARM_INTEGER_SCORES": "1",
            "PATARM_RENDEZVOUS": "local",
            "PATARM_PAIR_ID_KEY": "p",
            "PATARM_ROLE_KEY": "r",
        }
    )
    trl = PARReward(scale=(0, 5), integer_scores=True, rendezvous="local", pair_id_key="p", role_key="r")
    for name in PairRewardSettings.shared_names():
        assert getattr(verl, name) == getattr(env, name) == getattr(trl, name), name


def test_every_adapter_accepts_auto_and_refuses_unknown_modes() -> None:
    assert OpenRLHFSettings.from_env({"PATARM_RENDEZVOUS": "auto"}).rendezvous == "auto"
    with pytest.raises(ConfigError, match="PATARM_RENDEZVOUS"):
        OpenRLHFSettings.from_env({"PATARM_RENDEZVOUS": "threads"})
    with pytest.raises(PairConfigError, match=r"reward\.patarm\.rendezvous"):
        VerlSettings.from_mapping({"rendezvous": "threads"})
    with pytest.raises(ConfigError, match="rendezvous"):
        PARReward(rendezvous="threads")
    with pytest.raises(ConfigError, match="PATARM_INTEGER_SCORES"):
        OpenRLHFSettings.from_env({"PATARM_INTEGER_SCORES": "maybe"})


@pytest.mark.parametrize("text", ["10,1", "1", "1,2,3", "a,b", "1,inf"])
def test_scale_text_is_read_by_one_reader(text: str) -> None:
    with pytest.raises(ConfigError, match="low,high"):
        parse_scale(text)
    with pytest.raises(ConfigError, match="PATARM_SCALE"):
        OpenRLHFSettings.from_env({"PATARM_SCALE": text})


def test_openrlhf_reads_its_own_boolean_as_the_shared_ones() -> None:
    for text, value in [("0", False), ("off", False), ("False", False), ("1", True), ("yes", True)]:
        assert OpenRLHFSettings.from_env({"PATARM_CENTER_BY_SIDE": text}).center_by_side is value, text
    assert OpenRLHFSettings.from_env({}).center_by_side is True
    with pytest.raises(ConfigError, match="PATARM_CENTER_BY_SIDE: expected true or false"):
        OpenRLHFSettings.from_env({"PATARM_CENTER_BY_SIDE": "maybe"})
