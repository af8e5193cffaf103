"""Append msgid/msgstr pairs to the Vietnamese catalog (skips msgids already there).

Usage: python scripts/po_append.py FILE.py   (FILE.py defines a dict VI = {msgid: msgstr})
"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

from babel.messages.pofile import read_po

PO = Path(__file__).resolve().parent.parent / "locales" / "vi" / "LC_MESSAGES" / "messages.po"


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def main(source: str) -> None:
    """Append the pairs of `source` that the catalog lacks."""
    pairs = runpy.run_path(source)["VI"]
    with PO.open("rb") as handle:
        known = {message.id for message in read_po(handle) if message.id}
    blocks = [
        f"msgid {_quote(msgid)}\nmsgstr {_quote(msgstr)}\n"
        for msgid, msgstr in pairs.items()
        if msgid not in known
    ]
    with PO.open("a", encoding="utf-8") as handle:
        handle.write("\n" + "\n".join(blocks))
    print(f"appended {len(blocks)} entries")


if __name__ == "__main__":
    main(sys.argv[1])
