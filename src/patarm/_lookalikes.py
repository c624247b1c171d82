"""Characters that read as ASCII, and characters that read as nothing: what tag matching folds.

A judge model, its tokenizer, or any later Unicode normalisation may read an ``answer`` tag
written in full-width brackets and letters (U+FF1C, U+FF41 ...), in mathematical letters
(U+1D41A ...), or with a zero-width space inside (``<an\\u200bswer>``) as the ASCII tag.
:func:`ascii_lookalikes` maps an ASCII text to every single character whose NFKC form,
case-folded, is that text (``"a"`` -> ``a``, ``A``, U+FF41, U+FF21, U+1D41A ...; ``"in"`` ->
U+33CC); :data:`IGNORABLE` is a regular-expression class of the Unicode default-ignorable
code points (zero-width spaces and joiners, word joiner, soft hyphen, BOM, bidi controls,
variation selectors, tag characters), which render as nothing.

The table is built once, on first use, from the running Python's ``unicodedata`` over
:data:`LOOKALIKE_BLOCKS` (the 256-code-point blocks that hold every such character; a test
checks the list against a scan of all code points).

>>> [f"U+{ord(c):04X}" for c in sorted(ascii_lookalikes()["<"])]
['U+003C', 'U+FE64', 'U+FF1C']
"""

from __future__ import annotations

import functools
import unicodedata

__all__ = ["IGNORABLE", "LOOKALIKE_BLOCKS", "ascii_key", "ascii_lookalikes"]

# Unicode's Default_Ignorable_Code_Point property (DerivedCoreProperties.txt), as a class body.
IGNORABLE = (
    "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e0fff"
)

# First code points of the blocks (of 256) holding a non-ASCII character whose NFKC form,
# case-folded, is ASCII.
LOOKALIKE_BLOCKS = (
    0x0000, 0x0100, 0x0200, 0x0300, 0x1D00, 0x1E00, 0x1F00, 0x2000, 0x2100, 0x2400, 0x2A00,
    0x2C00, 0x3000, 0x3200, 0x3300, 0xA700, 0xFB00, 0xFE00, 0xFF00, 0x10700, 0x1D400,
    0x1D500, 0x1D600, 0x1D700, 0x1F100, 0x1FB00,
)  # fmt: skip


def ascii_key(char: str) -> str | None:
    """The ASCII text ``char`` reads as (NFKC, then case folding), or None when it is not ASCII."""
    key = unicodedata.normalize("NFKC", char).casefold()
    return key if key and key.isascii() else None


@functools.lru_cache(maxsize=1)
def ascii_lookalikes() -> dict[str, frozenset[str]]:
    """ASCII text -> every character (ASCII included) that reads as it; see the module docstring."""
    table: dict[str, set[str]] = {}
    for block in LOOKALIKE_BLOCKS:
        for code in range(block, block + 0x100):
            char = chr(code)
            key = ascii_key(char)
            if key is not None:
                table.setdefault(key, set()).add(char)
    return {key: frozenset(chars) for key, chars in table.items()}
