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


# A word broken at a hyphen or a slash: "71-" + "NQ/TW", "Quý II/" + "2026".
_ATTACHED_HYPHEN = re.compile(r"(?<=[^\s\-–/])[-–/]$")


def join_wrapped(lines: list[str]) -> str:
    """Join the lines of one wrapped paragraph or cell: "71-" + "NQ/TW" gives "71-NQ/TW".

    Linear in the text's length: only the tail joined so far is looked at, never the whole.
    """
    parts: list[str] = []
    tail = ""
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        if parts and not _ATTACHED_HYPHEN.search(tail):
            parts.append(" ")
        parts.append(line)
        # The hyphen rule needs the last two characters of everything joined so far.
        tail = (tail + line)[-2:]
    return squash_spaces("".join(parts))
