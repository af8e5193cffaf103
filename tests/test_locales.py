"""Every message a person can see has a Vietnamese translation with the same placeholders."""

from __future__ import annotations

import string
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from core.i18n import LOCALES_DIR

REPO = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "core", "db", "handlers", "plans", "schedules")


def _source_messages() -> dict[str, str]:
    found: dict[str, str] = {}
    for package in PACKAGES:
        for filename, lineno, message, _comments, _context in extract_from_dir(REPO / package):
            ids = message if isinstance(message, tuple) else (message,)
            for msgid in ids:
                found.setdefault(msgid, f"{package}/{filename}:{lineno}")
    return found


def _catalog():
    with (LOCALES_DIR / "vi" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return {message.id: message.string for message in read_po(handle) if message.id}


def _fields(text: str) -> set[str]:
    return {name for _literal, name, _spec, _conversion in string.Formatter().parse(text) if name}


def test_every_message_in_the_code_is_translated():
    catalog = _catalog()
    missing = {
        msgid: where for msgid, where in _source_messages().items() if not catalog.get(msgid)
    }
    assert missing == {}


def test_translations_keep_the_placeholders():
    mismatched = {
        msgid: translation
        for msgid, translation in _catalog().items()
        if isinstance(msgid, str) and _fields(msgid) != _fields(translation)
    }
    assert mismatched == {}
