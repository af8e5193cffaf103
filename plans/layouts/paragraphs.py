"""Running text re-joined into logical paragraphs, each with its marker ("II.", "2.1.", "a)", "-")."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.text import fold
from plans.layouts.common import (
    COORDINATORS,
    DEADLINE,
    END_OF_BODY,
    EXECUTORS,
    LEAD,
    NAME_TO_FIELD,
    PAGE_NUMBER,
    RESULT,
    Line,
    roman_value,
)
from plans.text import join_wrapped

_ROMAN_MARKER = re.compile(r"^(?P<roman>[IVXL]{1,6})\s*[.\-–:)]\s*(?=\S)")
_DECIMAL_MARKER = re.compile(
    r"^(?P<number>\d{1,2}(?:\.\d{1,2})*)\s*[.)]\s+(?=\S)|^(?P<multi>\d{1,2}(?:\.\d{1,2})+)\s+(?=\S)"
)
_LETTER_MARKER = re.compile(r"^(?P<letter>[a-zđ])\)\s*(?=\S)")
_BULLET_MARKER = re.compile(r"^[-–+•]\s*(?=\S)")

# --- paragraphs of running text ---------------------------------------------------------------

LABELS = {
    name: key
    for name, key in NAME_TO_FIELD.items()
    if key in (LEAD, COORDINATORS, EXECUTORS, RESULT, DEADLINE)
}
_LABEL_LINE = re.compile(
    r"^[-–+•*]?\s*(?P<label>"
    + "|".join(re.escape(name) for name in sorted(LABELS, key=len, reverse=True))
    + r")\s*:"
)
_SKIPPED_SECTIONS = re.compile(
    r"^(?:muc dich|yeu cau|muc tieu|quan diem|can cu|tinh hinh|ket qua dat duoc|danh gia)"
)
# A wrapped line is "full" from this share of the page width on.
_FULL_LINE = 0.8
_CONTINUING_START = re.compile(r"^[a-zđà-ỹ0-9(“\"',;.)…%-]")


@dataclass(slots=True)
class Para:
    """One logical paragraph: a marker ("II.", "2.1.", "a)", "-", a label) and its text."""

    kind: str  # roman, decimal, letter, bullet, label, text
    marker: str
    lines: list[str]
    position: tuple[int, int]
    indexes: list[int]

    @property
    def body(self) -> str:
        return join_wrapped(self.lines)


def _classify(text: str) -> tuple[str, str, str]:
    """(kind, marker, text after the marker) of a line that may begin a paragraph."""
    folded = fold(text)
    label = _LABEL_LINE.match(folded)
    if label:
        return "label", LABELS[label["label"]], text[text.index(":") + 1 :].strip()
    roman = _ROMAN_MARKER.match(text)
    if roman and roman_value(roman["roman"]):
        return "roman", roman["roman"], text[roman.end() :]
    decimal = _DECIMAL_MARKER.match(text)
    if decimal:
        return "decimal", decimal["number"] or decimal["multi"], text[decimal.end() :]
    letter = _LETTER_MARKER.match(text)
    if letter:
        return "letter", letter["letter"], text[letter.end() :]
    bullet = _BULLET_MARKER.match(text)
    if bullet:
        return "bullet", "-", text[bullet.end() :]
    return "text", "", text


def _page_width(lines: list[Line]) -> float | None:
    """The width wrapped lines fill (None when lines are whole paragraphs, as from .docx)."""
    lengths = sorted(len(line.text) for line in lines)
    if len(lengths) < 5:
        return None
    width = lengths[int(len(lengths) * 0.9)]
    return float(width) if width <= 160 else None


def read_paragraphs(lines: list[Line], skip: set[int]) -> list[Para]:
    """Re-join wrapped lines into paragraphs; page numbers dropped, stop at "Nơi nhận"."""
    width = _page_width(lines)
    paragraphs: list[Para] = []
    previous: str | None = None
    for index, line in enumerate(lines):
        text = line.text
        if index in skip:
            previous = None
            continue
        if PAGE_NUMBER.match(text):
            continue  # a page number between the halves of a paragraph
        if END_OF_BODY.match(text):
            break
        kind, marker, rest = _classify(text)
        if kind == "bullet" and rest[:1].islower() and previous and previous[-1] not in ".:;!?":
            # "an toàn - thân thiện" / "- tích cực": a dash that wrapped, not a bullet.
            kind = "text"
        if kind == "text" and paragraphs and previous is not None:
            full = width is not None and len(previous) >= _FULL_LINE * width
            body = paragraphs[-1].lines
            open_parenthesis = sum(line.count("(") - line.count(")") for line in body) > 0
            if (
                _CONTINUING_START.match(text)
                or open_parenthesis
                or (full and not previous.endswith(":"))
            ):
                paragraphs[-1].lines.append(text)
                paragraphs[-1].indexes.append(index)
                previous = text
                continue
        paragraphs.append(Para(kind, marker, [rest], line.position, [index]))
        previous = text
    return paragraphs


# --- labelled lists ("a) …" then "- Tham mưu chính: …", seed 004) ------------------------------


class Outline:
    """Where in the numbering a paragraph is: Roman section, decimal path, section title."""

    def __init__(self) -> None:
        self.section: str | None = None
        self.title = ""
        self.path: list[str] = []

    def see(self, paragraph: Para) -> None:
        """Move the outline to a paragraph: a Roman heading opens a section, a number a path."""
        if paragraph.kind == "roman":
            self.section, self.title, self.path = paragraph.marker, paragraph.body, []
        elif paragraph.kind == "decimal":
            self.path = paragraph.marker.split(".")

    @property
    def skipped(self) -> bool:
        """True in sections that state purposes, not tasks ("I. MỤC ĐÍCH, YÊU CẦU")."""
        return bool(self.title and _SKIPPED_SECTIONS.match(fold(self.title)))
