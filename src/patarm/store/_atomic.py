"""Atomic outputs: a file is written under a temporary name beside it and renamed into place
only when complete (``os.replace`` is atomic on one file system), so a reader sees the old
file or the new one, never a part of the new one. The file gets the mode any new file would
(``0o666`` less the umask), not the temporary file's private ``0o600``, so an output can be
shared as the user's umask allows.

>>> import pathlib, tempfile
>>> target = pathlib.Path(tempfile.mkdtemp()) / "out.txt"
>>> with atomic_write(target) as f:
...     _ = f.write("done\\n")
>>> target.read_text()
'done\\n'
>>> check_distinct({"--input": target}, {"--output": target})
Traceback (most recent call last):
...
patarm.errors.ConfigError: --output ... is the same file as --input; choose another output
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO, Any

from patarm.errors import ConfigError

__all__ = ["atomic_path", "atomic_write", "check_distinct"]


def _umask() -> int:
    """The process's umask (read by setting it and putting it back: there is no getter)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """A temporary path beside ``path`` to write to (for writers that take a path: pyarrow,
    matplotlib); renamed onto ``path`` when the block completes, removed if it raises
    (including ``KeyboardInterrupt``). Parent folders are created."""
    target = Path(path)
    if target.is_dir():
        raise ConfigError(f"{target}: is a folder; name a file to write")
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    scratch = Path(name)
    try:
        yield scratch
        os.chmod(scratch, 0o666 & ~_umask())
        os.replace(scratch, target)
    finally:
        scratch.unlink(missing_ok=True)


@contextlib.contextmanager
def atomic_write(path: str | Path, mode: str = "w") -> Iterator[IO[Any]]:
    """Open a temporary file beside ``path`` (``mode`` "w" for text in UTF-8, "wb" for bytes);
    it replaces ``path`` when the block completes, and is removed if the block raises."""
    if mode not in ("w", "wb"):
        raise ConfigError(f"mode {mode!r}: expected 'w' or 'wb'")
    with atomic_path(path) as scratch:
        encoding = "utf-8" if mode == "w" else None
        with scratch.open(mode, encoding=encoding) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())


def check_distinct(inputs: Mapping[str, Any], outputs: Mapping[str, Any]) -> None:
    """Raise ``ValueError`` when an output resolves to the same file as an input or another
    output (symbolic links and hard links included), or is a folder. Values are paths, lists of
    paths or None; keys name them in the message (``"--input"``). Call it before opening
    anything for writing."""

    def flat(named: Mapping[str, Any]) -> list[tuple[str, Path]]:
        out = []
        for name, value in named.items():
            values = value if isinstance(value, list | tuple) else [value]
            out += [(name, Path(v)) for v in values if v]
        return out

    def same(a: Path, b: Path) -> bool:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
        return a.resolve() == b.resolve()

    seen = flat(inputs)
    for name, path in flat(outputs):
        if path.is_dir():
            raise ConfigError(f"{path}: is a folder; name a file to write ({name})")
        for other, earlier in seen:
            if same(path, earlier):
                raise ConfigError(f"{name} {path} is the same file as {other}; choose another output")
        seen.append((name, path))
