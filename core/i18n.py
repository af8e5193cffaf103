"""Gettext for user-facing text: English msgids, Vietnamese catalog under locales/vi/."""

from __future__ import annotations

import gettext
import io
from functools import cache
from pathlib import Path

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "messages"


@cache
def translations(language: str = "vi") -> gettext.NullTranslations:
    """Load the catalog: the compiled .mo when it is current, else compile the .po in memory."""
    po_path = LOCALES_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    mo_path = po_path.with_suffix(".mo")
    if mo_path.exists() and (
        not po_path.exists() or mo_path.stat().st_mtime >= po_path.stat().st_mtime
    ):
        with mo_path.open("rb") as handle:
            return gettext.GNUTranslations(handle)
    if not po_path.exists():
        return gettext.NullTranslations()
    # A fresh clone has only the .po; compiling here keeps `nhacviec` usable without a build step.
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po_path.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def _(message: str) -> str:
    """Translate a user-facing message into Vietnamese."""
    return translations().gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """Translate a message that depends on a count."""
    return translations().ngettext(singular, plural, count)


def N_(message: str) -> str:
    """Mark a message for the catalog without translating it yet (tables built at import)."""
    return message
