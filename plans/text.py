"""Plain-text plans (.txt as exported from Word or a PDF) read into a Document."""

from __future__ import annotations

import html
import re
from pathlib import Path

from core.text import nfc
from plans.model import Document, Table

_LINE_BREAKS = re.compile(r"\r\n?|[\x0b\x0c\u2028\u2029\x85]")
# Spaces that look like spaces but are not " " (PDF and Word exports are full of them).
_ODD_SPACES = re.compile(r"[\u00a0\u2000-\u200a\u202f\u205f\u3000]")
_INVISIBLE = re.compile(r"[\u200b-\u200d\u2060\ufeff\u00ad]")
# HTML tags and Markdown emphasis that exporters leave around words.
_HTML_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>")
_BOLD = re.compile(r"\*\*(.+?)\*\*|__(.+?)__", re.DOTALL)
_ITALIC = re.compile(r"\*([^*\n]+?)\*")
_LONE_STARS = re.compile(r"(?m)^\s*\*+\s*$")


def strip_markup(text: str) -> str:
    """Remove HTML tags/entities and Markdown emphasis, keeping the words they wrap."""
    text = _HTML_TAG.sub("", text)
    text = html.unescape(text) if "&" in text else text
    text = _BOLD.sub(lambda match: match.group(1) or match.group(2) or "", text)
    text = _ITALIC.sub(r"\1", text)
    return _LONE_STARS.sub("", text)


def clean_text(text: str) -> str:
    """NFC, one kind of line break and space, markup removed: what every text parser expects."""
    text = nfc(_LINE_BREAKS.sub("\n", text))
    text = _INVISIBLE.sub("", _ODD_SPACES.sub(" ", text))
    return strip_markup(text)


_SECTION_ROW_CHARS = 200
# "I. Xây dựng văn bản", "B - Nhiệm vụ cụ thể": a numbered title.
_SECTION_MARKER = re.compile(r"^(?:[IVXL]{1,6}|[A-ZĐ]|\d{1,2})\s*[.)\-–]\s+\S")


def _table_goes_on(lines: list[str], start: int) -> bool:
    """True when the next non-blank line is a tab-separated row."""
    for line in lines[start:]:
        if line.strip():
            return "\t" in line.strip(" ")
    return False


def text_to_document(text: str, source: str = "") -> Document:
    """Split text into paragraphs (one per non-blank line) and tables (runs of tab-separated lines)."""
    blocks: list[str | Table] = []
    rows: list[list[str]] = []

    def flush_rows() -> None:
        if len(rows) >= 2:
            blocks.append(Table(rows=[list(row) for row in rows]))
        else:
            # One tab-separated line is a line laid out with tabs, not a table.
            blocks.extend(" ".join(cell for cell in row if cell) for row in rows)
        rows.clear()

    raw_lines = clean_text(text).split("\n")
    for index, raw_line in enumerate(raw_lines):
        if "\t" in raw_line.strip(" "):
            rows.append([cell.strip() for cell in raw_line.split("\t")])
            continue
        line = raw_line.strip()
        if not line:
            # Exports put blank lines between table rows; a blank line does not end a table.
            continue
        if (
            rows
            and len(line) <= _SECTION_ROW_CHARS
            and _SECTION_MARKER.match(line)
            and _table_goes_on(raw_lines, index + 1)
        ):
            # "I. Xây dựng văn bản" between rows: a section row merged across the table, which
            # the export wrote without tabs.
            rows.append([line])
            continue
        flush_rows()
        blocks.append(line)
    flush_rows()
    for block in blocks:
        if isinstance(block, Table):
            width = max(len(row) for row in block.rows)
            for row in block.rows:
                row.extend([""] * (width - len(row)))
    return Document(source=source, blocks=[block for block in blocks if block])


def read_text_file(path: str | Path) -> Document:
    """Read a .txt plan into a Document of paragraphs and tab-separated tables."""
    from plans.readers import read_plain_text

    path = Path(path)
    return text_to_document(read_plain_text(path), source=path.name)
