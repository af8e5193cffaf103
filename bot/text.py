"""Text normalisation shared by every parser: NFC, and a folded form for matching."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
# đ/Đ are letters of their own, not d plus a combining mark, so NFD leaves them alone.
_FOLD_LETTERS = str.maketrans({"đ": "d", "Đ": "d"})


def nfc(text: str) -> str:
    """NFC-normalise text (seed documents store tone marks as combining characters)."""
    return unicodedata.normalize("NFC", text)


def squash_spaces(text: str) -> str:
    """Collapse every run of whitespace to one space and trim."""
    return _SPACES.sub(" ", text).strip()


def fold(text: str) -> str:
    """Lower-case, strip diacritics and squash spaces: "Ủy ban" and "Uỷ  ban" both give "uy ban"."""
    decomposed = unicodedata.normalize("NFD", text.translate(_FOLD_LETTERS))
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return squash_spaces(stripped.lower())
