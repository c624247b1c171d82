"""``HackcheckSettings``: the check's settings as one frozen settings model, the former field
names still accepted, and what the command builds from its options."""

from __future__ import annotations

import pytest

from patarm.cli import build_parser
from patarm.cli._hackcheck import _settings
from patarm.errors import ConfigError
from patarm.hackcheck import HackcheckSettings


def settings(*given: str) -> HackcheckSettings:
    args = build_parser().parse_args(["hackcheck", "-o", "out", "--device", "cpu", *given])
    built: HackcheckSettings = _settings(args, (0.0, 1.0))
    return built


def test_the_former_field_names_still_set_the_fields() -> None:
    s = HackcheckSettings(temperature=0.5, chat=False)
    assert s.policy_temperature == 0.5 and s.chat_template is False
    assert HackcheckSettings.model_validate(s.model_dump()) == s


def test_the_demo_gives_its_policy_plain_text_and_ones_own_policy_its_chat_template() -> None:
    assert settings().chat_template is True
    assert settings("--no-chat-template").chat_template is False
    assert settings("--demo", "--chat-template").chat_template is False


def test_the_judge_options_give_the_seed_and_the_reward_scale() -> None:
    s = settings("--seed", "7", "--scale", "0", "1", "--policy-temperature", "0.5", "--quiet")
    assert (s.seed, s.reward_scale, s.policy_temperature, s.progress) == (7, (0.0, 1.0), 0.5, False)


def test_the_records_depend_on_what_shapes_them_only() -> None:
    shaping = HackcheckSettings().shaping()
    assert not {"steps", "bootstrap", "progress", "threads", "use_cpu"} & set(shaping)
    assert shaping["temperature"] == 1.0 and shaping["chat"] is True


def test_a_check_recorded_before_the_renames_keys_its_records_the_same() -> None:
    """The records' settings as the former dataclass wrote them (``asdict``, old field names)."""
    former = {
        "eval_every": 10, "eval_samples": 4, "prompts_per_step": 4, "generations": 8, "max_completion_length": 12,
        "learning_rate": 3e-3, "beta": 0.0, "temperature": 1.0, "seed": 0, "margin": 0.1,
        "reward_scale": (1.0, 10.0), "gold_scale": (0.0, 1.0), "chat": False,
    }  # fmt: skip
    assert HackcheckSettings(chat_template=False).shaping() == former


def test_a_refused_setting_names_the_model_and_the_field() -> None:
    with pytest.raises(ConfigError, match=r"HackcheckSettings\.generations"):
        HackcheckSettings(generations=1)
    with pytest.raises(ConfigError, match=r"HackcheckSettings\.gold_scale"):
        HackcheckSettings(gold_scale=(1.0, 0.0))
