"""One settings idiom: every patarm settings object (a class named ``...Settings`` or
``...Config``) is a frozen pydantic model on :class:`patarm._settings_model.SettingsModel`,
whose refused values are a :class:`~patarm.errors.ConfigError`, with every field's help
written once, on the field.

The classes are found in the source, so a new settings object that takes another form fails
here.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

from patarm._settings_model import SettingsModel
from patarm.errors import ConfigError, PatarmError

SRC = Path(__file__).resolve().parents[1] / "src"


def settings_classes() -> list[tuple[str, str]]:
    """(module, class) for every class named like a settings object in the package."""
    found = []
    for path in sorted((SRC / "patarm").rglob("*.py")):
        module = ".".join(path.relative_to(SRC).with_suffix("").parts).removesuffix(".__init__")
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.ClassDef) and node.name.endswith(("Settings", "Config")):
                found.append((module, node.name))
    return found


CLASSES = settings_classes()


def test_the_scan_finds_the_settings_objects() -> None:
    names = {name for _, name in CLASSES}
    assert {"JudgeConfig", "ServeSettings", "PARSettings", "PairRewardSettings", "AuditSettings"} <= names


@pytest.mark.parametrize(("module", "name"), CLASSES, ids=[name for _, name in CLASSES])
def test_every_settings_object_is_a_settings_model_with_help_on_each_field(module: str, name: str) -> None:
    cls = getattr(importlib.import_module(module), name)
    assert issubclass(cls, SettingsModel), f"{module}.{name} is not a SettingsModel"
    assert cls.model_config.get("frozen"), f"{name} is not frozen"
    assert cls.model_config.get("extra") == "forbid", f"{name} takes unknown fields"
    missing = [field for field, info in cls.model_fields.items() if not info.description]
    assert missing == [], f"{name}: fields without help: {missing}"
    with pytest.raises(ConfigError) as caught:
        cls(no_such_setting=1)
    assert isinstance(caught.value, PatarmError) and isinstance(caught.value, ValueError)
    assert f"{name}.no_such_setting" in str(caught.value)
