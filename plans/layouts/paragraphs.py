"""Running text re-joined into logical paragraphs, each with its marker ("II.", "2.1.", "a)", "-")."""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.text import fold, join_wrapped
from plans.layouts.common import (
    CONTENT,
    COORDINATORS,
    DEADLINE,
    END_OF_BODY,
    EXECUTORS,
    LEAD,
    NAME_TO_FIELD,
    PAGE_NUMBER,
    RESULT,
    Line,
    keyword_field,
    roman_value,
    same_length_fold,
)

_ROMAN_MARKER = re.compile(r"^(?P<roman>[IVXL]{1,6})\s*[.\-–:)]\s*(?=\S)")
_DECIMAL_MARKER = re.compile(
    r"^(?P<number>\d{1,2}(?:\.\d{1,2})*)\s*(?P<close>[.)])\s+(?=\S)"
    r"|^(?P<multi>\d{1,2}(?:\.\d{1,2})+)\s+(?=\S)"
)
# "a)" or "a." (a one-letter word followed by a full stop is always a marker).
_LETTER_MARKER = re.compile(r"^(?P<letter>[a-zđ])(?:\)\s*|\.\s+)(?=\S)")
_BULLET_MARKER = re.compile(r"^[-–+•]\s*(?=\S)")

# --- paragraphs of running text ---------------------------------------------------------------

LABELS = {
    name: key
    for name, key in NAME_TO_FIELD.items()
    if key in (CONTENT, LEAD, COORDINATORS, EXECUTORS, RESULT, DEADLINE)
}
_LABEL_LINE = re.compile(
    r"^[-–+•*]?\s*(?P<label>"
    + "|".join(re.escape(name) for name in sorted(LABELS, key=len, reverse=True))
    + r")\s*:"
)
# A label inside a paragraph, after the content or another label ("…. Chủ trì: X; phối hợp: Y").
_INLINE_LABEL = re.compile(
    r"(?<=[.;])\s*[-–+•]?\s*(?P<label>"
    + "|".join(re.escape(name) for name in sorted(LABELS, key=len, reverse=True))
    + r")\s*:\s*"
)
_LABEL_FIELDS = (LEAD, COORDINATORS, EXECUTORS, RESULT, DEADLINE)
# A bullet's first words before a colon, short enough to be a label's name.
_LOOSE_LABEL = re.compile(r"^[-–+•*]\s*(?P<label>[a-z][a-z ,/]{2,40}?)\s*:")
_SKIPPED_SECTIONS = re.compile(
    r"^(?:muc dich|yeu cau|muc tieu|quan diem|can cu|tinh hinh|ket qua dat duoc|danh gia)"
)
# A wrapped line is "full" from this share of the page width on.
_FULL_LINE = 0.8
# A sentence that assigns work begins a paragraph of its own after a full stop, however full
# the line before it ("…trước ngày 30/9/2026." / "Giao Sở Tài chính …").
_ASSIGNMENT_START = re.compile(r"^(?:Giao|Đề nghị|Yêu cầu)\s+\S")


@dataclass(slots=True)
class Para:
    """One logical paragraph: a marker ("II.", "2.1.", "a)", "-", a label) and its text."""

    kind: str  # roman, decimal, item ("1)" under "1."), letter, bullet, label, text
    marker: str
    lines: list[str]
    position: tuple[int, int]
    indexes: list[int]

    @property
    def body(self) -> str:
        return join_wrapped(self.lines)


def _continues(text: str) -> bool:
    """True when a line begins the way a wrapped line goes on (lower case, digit, punctuation)."""
    first = text[:1]
    return first.islower() or (first != "" and first in "0123456789(“\"',;.)…%-")


def _plain_words(name: str) -> bool:
    """A label's name is a few plain words ("Thời gian hoàn thành dự kiến"); a capital after
    the first word names something ("Phối hợp với Sở Y tế: …" is a sentence)."""
    words = name.split()
    return len(words) <= 6 and all(word[:1].islower() for word in words[1:])


def _classify(text: str) -> tuple[str, str, str]:
    """(kind, marker, text after the marker) of a line that may begin a paragraph."""
    folded = fold(text)
    label = _LABEL_LINE.match(folded)
    if label:
        return "label", LABELS[label["label"]], text[text.index(":") + 1 :].strip()
    loose = _LOOSE_LABEL.match(folded)
    if loose and _plain_words(text[loose.start("label") : loose.end("label")]):
        key = keyword_field(loose["label"])
        if key in _LABEL_FIELDS:
            # "- Thời gian hoàn thành dự kiến: …", "- Cơ quan đầu mối: …": unseen wording.
            return "label", key, text[text.index(":") + 1 :].strip()
    roman = _ROMAN_MARKER.match(text)
    if roman and roman_value(roman["roman"]):
        return "roman", roman["roman"], text[roman.end() :]
    decimal = _DECIMAL_MARKER.match(text)
    if decimal:
        kind = "item" if decimal["close"] == ")" and "." not in decimal["number"] else "decimal"
        return kind, decimal["number"] or decimal["multi"], text[decimal.end() :]
    letter = _LETTER_MARKER.match(text)
    if letter:
        return "letter", letter["letter"], text[letter.end() :]
    bullet = _BULLET_MARKER.match(text)
    if bullet:
        return "bullet", "-", text[bullet.end() :]
    return "text", "", text


def page_width(lines: list[Line]) -> float | None:
    """The width wrapped lines fill (None when lines are whole paragraphs, as from .docx)."""
    if lines and all(line.whole for line in lines):
        return None
    lengths = sorted(len(line.text) for line in lines)
    if len(lengths) < 5:
        return None
    width = lengths[int(len(lengths) * 0.9)]
    return float(width) if width <= 160 else None


def read_paragraphs(lines: list[Line], skip: set[int]) -> list[Para]:
    """Re-join wrapped lines into paragraphs; page numbers dropped, stop at "Nơi nhận"."""
    width = page_width(lines)
    paragraphs: list[Para] = []
    previous: str | None = None
    # "1)" numbers items under a "1." heading; where no "1." came first it is the heading level.
    dotted = False
    # Parentheses still open in the last paragraph, kept as a running count: recounting the
    # whole paragraph for each line made long prose quadratic.
    open_parentheses = 0
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
        if kind == "roman":
            dotted = False
        elif kind == "decimal":
            dotted = True
        elif kind == "item" and not dotted:
            kind = "decimal"
        if kind == "bullet" and rest[:1].islower() and previous and previous[-1] not in ".:;!?":
            # "an toàn - thân thiện" / "- tích cực": a dash that wrapped, not a bullet.
            kind = "text"
        if kind == "text" and paragraphs and previous is not None:
            full = width is not None and len(previous) >= _FULL_LINE * width
            new_assignment = previous[-1] in ".;" and _ASSIGNMENT_START.match(text)
            if (
                _continues(text)
                or open_parentheses > 0
                or (full and not previous.endswith(":") and not new_assignment)
            ):
                paragraphs[-1].lines.append(text)
                paragraphs[-1].indexes.append(index)
                open_parentheses += text.count("(") - text.count(")")
                previous = text
                continue
        paragraphs.append(Para(kind, marker, [rest], line.position, [index]))
        open_parentheses = rest.count("(") - rest.count(")")
        previous = text
    return [piece for paragraph in paragraphs for piece in _split_inline_labels(paragraph)]


def _split_inline_labels(paragraph: Para) -> list[Para]:
    """ "1. Rà soát …. Chủ trì: Sở Nội vụ; thời hạn: Quý IV/2026" as an item and its labels.

    Only a paragraph with a lead and another label is split: "kết quả:" alone is prose.
    """
    body = paragraph.body
    if body.count(":") < 2 - (paragraph.kind == "label"):
        return [paragraph]
    matches = list(_INLINE_LABEL.finditer(same_length_fold(body)))
    keys = {LABELS[match["label"]] for match in matches}
    if paragraph.kind == "label":
        keys.add(paragraph.marker)
    if len(matches) + (paragraph.kind == "label") < 2 or LEAD not in keys:
        return [paragraph]
    head = body[: matches[0].start()].strip()
    pieces = [Para(paragraph.kind, paragraph.marker, [head], *_where(paragraph))]
    for match, following in zip(matches, [*matches[1:], None], strict=True):
        value = body[match.end() : following.start() if following else len(body)]
        key = LABELS[match["label"]]
        pieces.append(Para("label", key, [value.strip()], *_where(paragraph)))
    return pieces


def _where(paragraph: Para) -> tuple[tuple[int, int], list[int]]:
    return paragraph.position, list(paragraph.indexes)


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
