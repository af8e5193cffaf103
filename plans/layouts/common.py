"""What every layout's extractor shares: field names, numbering, found tasks and references.

A layout module finds `Found` tasks (a position, a section and a number path, the cells as
written); `to_drafts` orders them and gives them their final references ("II.3", "2.1.b").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from core.text import fold, join_wrapped, nfc, squash_spaces
from plans.agencies import split_agencies
from plans.model import Document, Table, TaskDraft
from schedules.deadlines import Deadline, parse_deadline

NUMBER, CONTENT, LEAD, COORDINATORS, EXECUTORS, RESULT, DEADLINE, NOTES = (
    "number",
    "content",
    "lead",
    "coordinators",
    "executors",
    "result",
    "deadline",
    "notes",
)
AGENCY_FIELDS = (LEAD, COORDINATORS, EXECUTORS)

# Folded names of each column/label; the longest name found in a header cell wins.
FIELD_NAMES: dict[str, tuple[str, ...]] = {
    NUMBER: ("tt", "stt", "so tt", "so thu tu"),
    CONTENT: (
        "noi dung nhiem vu",
        "noi dung cong viec",
        "noi dung thuc hien",
        "noi dung",
        "nhiem vu",
        "ten nhiem vu",
        "nhiem vu cu the",
        "nhiem vu, giai phap",
        "cong viec",
    ),
    LEAD: (
        "co quan chu tri",
        "don vi chu tri",
        "co quan, don vi chu tri",
        "chu tri",
        "chu tri thuc hien",
        "tham muu chinh",
        "co quan tham muu",
        "don vi tham muu",
    ),
    COORDINATORS: (
        "co quan phoi hop",
        "don vi phoi hop",
        "co quan, don vi phoi hop",
        "phoi hop thuc hien",
        "phoi hop",
    ),
    EXECUTORS: ("don vi thuc hien", "co quan thuc hien", "to chuc thuc hien"),
    RESULT: ("ket qua", "san pham", "ket qua/san pham", "san pham dau ra", "ket qua dau ra"),
    DEADLINE: (
        "thoi gian hoan thanh",
        "thoi gian thuc hien",
        "thoi han hoan thanh",
        "thoi han",
        "thoi gian",
        "tien do",
        "tien do thuc hien",
        "moc thoi gian",
    ),
    # Columns that say nothing about the task's work: read, then left out.
    NOTES: ("ghi chu", "kinh phi", "nguon kinh phi", "du toan kinh phi", "nguon von"),
}
NAME_TO_FIELD = {name: key for key, names in FIELD_NAMES.items() for name in names}
NAMES_LONGEST_FIRST = sorted(NAME_TO_FIELD, key=len, reverse=True)
HEADER_WORDS = {word for name in NAME_TO_FIELD for word in re.split(r"[\s,/]+", name) if word}

# Words that give a column's role when no known name matches ("Đơn vị/cá nhân thực hiện",
# "Hình thức văn bản", "Hạn xử lý"); the first that matches wins, so the order matters:
# "Thời gian thực hiện" is a deadline before "thực hiện" makes it the executors.
_HEADER_KEYWORDS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (key, re.compile(rf"(?<![a-z])(?:{words})(?![a-z])"))
    for key, words in (
        (NUMBER, r"^s?tt$|^so (?:tt|thu tu)$|^thu tu$"),
        (LEAD, r"chu tri|tham muu chinh|dau moi|chiu trach nhiem chinh"),
        (COORDINATORS, r"phoi hop|phu trach phoi hop"),
        (
            DEADLINE,
            r"thoi gian|thoi han|thoi diem|tien do|^han(?: (?:hoan thanh|xu ly|chot))?$|moc",
        ),
        (EXECUTORS, r"(?:don vi|co quan|ca nhan|bo phan)(?: ?/ ?\w+)* thuc hien|thuc hien"),
        (RESULT, r"ket qua|san pham|hinh thuc|dau ra"),
        (CONTENT, r"noi dung|nhiem vu|cong viec|giai phap|hoat dong|ten (?:de an|chuong trinh)"),
    )
)


def keyword_field(folded: str) -> str | None:
    """The field a folded column or label name's words give, when no known name matches."""
    for key, words in _HEADER_KEYWORDS:
        if words.search(folded):
            return key
    return None


# --- numbering -------------------------------------------------------------------------------

# Letters of lettered items: the Vietnamese alphabet has no f, j, w, z.
VIETNAMESE_LETTERS = tuple("abcdđeghiklmnopqrstuvxy")
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}
PAGE_NUMBER = re.compile(
    r"^(?:-\s*)?(?:trang\s*)?\d{1,3}(?:\s*/\s*\d{1,3})?(?:\s*-)?$", re.IGNORECASE
)
END_OF_BODY = re.compile(r"^(?:nơi nhận|noi nhan)\s*:?", re.IGNORECASE)
TRAILING_PUNCTUATION = re.compile(r"[\s,;]+$")
_DEADLINE_PUNCTUATION = re.compile(r"^[\s,;:.\-–]+|[\s,;:.\-–]+$")


def roman_value(text: str) -> int:
    """The value of a Roman numeral (0 when it is not one)."""
    total, previous = 0, 0
    for char in reversed(text.upper()):
        value = _ROMAN_VALUES.get(char)
        if value is None:
            return 0
        total = total - value if value < previous else total + value
        previous = max(previous, value)
    return total


# --- what every layout produces --------------------------------------------------------------


@dataclass(slots=True)
class Found:
    """A task before its reference is final: where it is, and its number path."""

    position: tuple[int, ...]
    section: str | None
    path: list[str]
    content: str
    lead: list[str] = field(default_factory=list)
    coordinators: list[str] = field(default_factory=list)
    executors: list[str] = field(default_factory=list)
    result: str = ""
    deadline_text: str = ""


def clean_cell(text: str) -> str:
    """A cell's lines joined, trailing ";" and "," dropped (they are punctuation)."""
    lines = text.split("\n") if "\n" in text else [text]
    return TRAILING_PUNCTUATION.sub("", join_wrapped(lines))


def clean_deadline(text: str) -> str:
    """A deadline cell without the punctuation and dashes around the phrase."""
    return _DEADLINE_PUNCTUATION.sub("", clean_cell(text))


def agencies_in(text: str) -> list[str]:
    """The agencies a cell or label names (none for an empty one)."""
    return list(_agencies_in(text)) if text.strip() else []


@lru_cache(maxsize=4096)
def _agencies_in(text: str) -> tuple[str, ...]:
    # Tables repeat the same cells row after row ("Sở Y tế", "Các sở, ngành liên quan").
    return tuple(split_agencies(text))


def found_from_fields(
    *,
    position: tuple[int, ...],
    section: str | None,
    path: list[str],
    content: str,
    fields: dict[str, str],
) -> Found:
    """A task from the text of its fields (a row's cells, a list item's labels)."""
    return Found(
        position=position,
        section=section,
        path=path,
        content=content,
        lead=agencies_in(fields.get(LEAD, "")),
        coordinators=agencies_in(fields.get(COORDINATORS, "")),
        executors=agencies_in(fields.get(EXECUTORS, "")),
        result=clean_cell(fields.get(RESULT, "")),
        deadline_text=clean_deadline(fields.get(DEADLINE, "")),
    )


@lru_cache(maxsize=4096)
def read_deadline(deadline_text: str) -> Deadline:
    """The deadline of a task: the grammar's reading; no phrase at all is a standing duty.

    Cached: a Deadline is immutable and tables repeat their phrases ("Năm 2026")."""
    if not deadline_text:
        return Deadline("ongoing", text="")
    return parse_deadline(deadline_text)


def _assign_refs(found: list[Found]) -> list[str]:
    """References such as "II.3", "2.1.b" or "1".

    A single-level number ("3") is qualified by its Roman section when the tasks come from
    several sections, and any reference is when it would otherwise repeat another one.
    """
    sections = {item.section for item in found if item.section}
    several = len(sections) > 1
    bare = [".".join(item.path) for item in found]
    counts: dict[str, int] = {}
    for ref in bare:
        counts[ref] = counts.get(ref, 0) + 1
    refs: list[str] = []
    for item, ref in zip(found, bare, strict=True):
        if item.section and ((several and len(item.path) == 1) or counts[ref] > 1):
            ref = f"{item.section}.{ref}"
        refs.append(ref)
    # Still equal (an unnumbered table, a document that restarts numbering): number them.
    seen: dict[str, int] = {}
    unique: list[str] = []
    for index, ref in enumerate(refs, start=1):
        ref = ref or str(index)
        if ref in seen:
            seen[ref] += 1
            ref = f"{ref}#{seen[ref]}"
        else:
            seen[ref] = 1
        unique.append(ref)
    return unique


_WORD = re.compile(r"[^\W\d_]{2,}")
_ROMAN_WORD = re.compile(r"^[IVXLivxl]+$")


def has_words(text: str) -> bool:
    """True when the text holds a word (two letters or more, not a Roman numeral): "1.1",
    "30/09/2026" and "II" say nothing a task could be."""
    return any(not _ROMAN_WORD.match(word) for word in _WORD.findall(text))


def to_drafts(found: list[Found]) -> list[TaskDraft]:
    """Found tasks in document order, with final references and read deadlines; an item
    whose content holds no word (a number, a date read from the wrong column) is no task."""
    found = sorted((item for item in found if has_words(item.content)), key=lambda i: i.position)
    drafts: list[TaskDraft] = []
    for item, ref in zip(found, _assign_refs(found), strict=True):
        drafts.append(
            TaskDraft(
                ref=ref,
                content=item.content,
                lead=item.lead,
                coordinators=item.coordinators,
                executors=item.executors,
                result=item.result,
                deadline_text=item.deadline_text,
                deadline=read_deadline(item.deadline_text),
            )
        )
    return drafts


# --- the document as lines -------------------------------------------------------------------


@dataclass(slots=True)
class Line:
    text: str
    position: tuple[int, int]
    # A whole paragraph as the file stores it (.docx), never a line wrapped at the page width.
    whole: bool = False


def paragraph_lines(document: Document) -> list[Line]:
    """Every paragraph line in order (a paragraph may hold several lines), NFC-normalised:
    a Document may come from a reader that left tone marks as combining characters."""
    lines: list[Line] = []
    whole = document.source.lower().endswith((".docx", ".docm", ".dotx", ".dotm"))
    for block_index, block in enumerate(document.blocks):
        if isinstance(block, Table):
            continue
        for line_index, raw in enumerate(str(block).split("\n")):
            text = squash_spaces(nfc(raw))
            if text:
                lines.append(Line(text, (block_index, line_index), whole))
    return lines


def same_length_fold(text: str) -> str:
    """fold() character by character, so positions in the result are positions in the text."""
    return "".join(_fold_char(char) for char in text)


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    folded = fold(char)
    return folded if len(folded) == 1 else (" " if char.isspace() else char.lower()[:1] or char)
