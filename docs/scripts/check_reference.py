"""Check that the built API reference documents every exported name of every public module.

    python docs/scripts/check_reference.py [--site site]

Reads the site's ``objects.inv`` (written by mkdocstrings: one entry per rendered object) and
compares it with each public module's ``__all__``. Exits 1 listing what is missing.
"""

from __future__ import annotations

import argparse
import sys
import zlib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from public_api import exported_names, public_modules


def inventory(path: Path) -> set[str]:
    """Object names in a Sphinx-style inventory (four header lines, then zlib text)."""
    data = path.read_bytes()
    body = data.split(b"\n", 4)[4]
    names = set()
    for line in zlib.decompress(body).decode("utf-8").splitlines():
        if line.strip():
            names.add(line.split(" ", 1)[0])
    return names


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--site", type=Path, default=Path("site"))
    args = parser.parse_args()
    documented = inventory(args.site / "objects.inv")
    missing, total = [], 0
    for module, path in public_modules():
        if module not in documented:
            missing.append(module)
        for name in exported_names(path):
            total += 1
            if f"{module}.{name}" not in documented:
                missing.append(f"{module}.{name}")
    print(f"{len(public_modules())} public modules, {total} exported names, {len(missing)} missing from the reference")
    for name in missing:
        print("  missing: " + name)
    return 1 if missing else 0


if __name__ == "__main__":
    raise SystemExit(main())
