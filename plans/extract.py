"""From a Document to tasks, whatever the layout the plan was written in.

Four layouts occur (domain.md section 2): a table (a `Table` block, from .docx/.xlsx or
tab-separated text), a table flattened by PDF text extraction (its cells one line after
another), a labelled list ("a) …" then "- Tham mưu chính: …") and prose directives
("Giao Sở … chủ trì …"). `extract_plan` runs every extractor; each reads a `Document` only.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.errors import UserError
from bot.i18n import _
from bot.text import fold, squash_spaces
from plans.agencies import split_agencies
from plans.model import Document, ExtractedPlan, Table, TaskDraft
from plans.text import join_wrapped
from schedules.deadlines import Deadline, parse_deadline

# --- fields and their names in headers and labels (domain.md section 2) ----------------------

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
    NOTES: ("ghi chu",),
}
_NAME_TO_FIELD = {name: key for key, names in FIELD_NAMES.items() for name in names}
_NAMES_LONGEST_FIRST = sorted(_NAME_TO_FIELD, key=len, reverse=True)
_HEADER_WORDS = {word for name in _NAME_TO_FIELD for word in re.split(r"[\s,/]+", name) if word}

# --- numbering -------------------------------------------------------------------------------

# Letters of lettered items: the Vietnamese alphabet has no f, j, w, z.
VIETNAMESE_LETTERS = tuple("abcdđeghiklmnopqrstuvxy")
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}
_ROMAN_MARKER = re.compile(r"^(?P<roman>[IVXL]{1,6})\s*[.\-–:)]\s*(?=\S)")
_DECIMAL_MARKER = re.compile(
    r"^(?P<number>\d{1,2}(?:\.\d{1,2})*)\s*[.)]\s+(?=\S)|^(?P<multi>\d{1,2}(?:\.\d{1,2})+)\s+(?=\S)"
)
_LETTER_MARKER = re.compile(r"^(?P<letter>[a-zđ])\)\s*(?=\S)")
_BULLET_MARKER = re.compile(r"^[-–+•]\s*(?=\S)")
_PAGE_NUMBER = re.compile(
    r"^(?:-\s*)?(?:trang\s*)?\d{1,3}(?:\s*/\s*\d{1,3})?(?:\s*-)?$", re.IGNORECASE
)
_END_OF_BODY = re.compile(r"^(?:nơi nhận|noi nhan)\s*:?", re.IGNORECASE)
_TRAILING_PUNCTUATION = re.compile(r"[\s,;]+$")
_DEADLINE_PUNCTUATION = re.compile(r"^[\s,;:.\-–]+|[\s,;:.\-–]+$")


def _roman_value(text: str) -> int:
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
class _Found:
    """A task before its reference is final: where it is, and its number path."""

    position: tuple[int, int]
    section: str | None
    path: list[str]
    content: str
    lead: list[str] = field(default_factory=list)
    coordinators: list[str] = field(default_factory=list)
    executors: list[str] = field(default_factory=list)
    result: str = ""
    deadline_text: str = ""


def _clean_cell(text: str) -> str:
    """A cell's lines joined, trailing ";" and "," dropped (they are punctuation)."""
    lines = text.split("\n") if "\n" in text else [text]
    return _TRAILING_PUNCTUATION.sub("", join_wrapped(lines))


def _clean_deadline(text: str) -> str:
    return _DEADLINE_PUNCTUATION.sub("", _clean_cell(text))


def _agencies(text: str) -> list[str]:
    return split_agencies(text) if text.strip() else []


def read_deadline(deadline_text: str) -> Deadline:
    """The deadline of a task: the grammar's reading; no phrase at all is a standing duty."""
    if not deadline_text:
        return Deadline("ongoing", text="")
    return parse_deadline(deadline_text)


def _assign_refs(found: list[_Found]) -> list[str]:
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


def _to_drafts(found: list[_Found]) -> list[TaskDraft]:
    found = sorted(found, key=lambda item: item.position)
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
class _Line:
    text: str
    position: tuple[int, int]


def _paragraph_lines(document: Document) -> list[_Line]:
    """Every paragraph line in order (a paragraph may hold several lines)."""
    lines: list[_Line] = []
    for block_index, block in enumerate(document.blocks):
        if isinstance(block, Table):
            continue
        for line_index, raw in enumerate(str(block).split("\n")):
            text = squash_spaces(raw)
            if text:
                lines.append(_Line(text, (block_index, line_index)))
    return lines


# --- tables ----------------------------------------------------------------------------------


def header_field(cell: str) -> str | None:
    """The field a header cell names ("Đơn vị chủ trì" -> "lead"), or None."""
    folded = fold(cell)
    folded = re.sub(r"\(\s*\d+\s*\)", " ", folded)
    folded = squash_spaces(re.sub(r"[.:*]", " ", folded))
    if not folded or len(folded) > 60:
        return None
    if folded in _NAME_TO_FIELD:
        return _NAME_TO_FIELD[folded]
    for name in _NAMES_LONGEST_FIRST:
        if len(name) > 3 and re.search(rf"(?<![a-z]){re.escape(name)}(?![a-z])", folded):
            return _NAME_TO_FIELD[name]
    return None


def header_columns(row: Sequence[str]) -> dict[int, str] | None:
    """Column index -> field for a header row; None when the row is not a task table's header."""
    columns: dict[int, str] = {}
    named = 0
    for index, cell in enumerate(row):
        if not cell.strip():
            continue
        named += 1
        key = header_field(cell)
        if key is not None and key not in columns.values():
            columns[index] = key
    fields = set(columns.values())
    if CONTENT not in fields or len(fields) < 2 or len(columns) * 2 < named:
        return None
    if not fields & {LEAD, COORDINATORS, EXECUTORS, DEADLINE, RESULT, NUMBER}:
        return None
    return columns


_SECTION_CELL = re.compile(
    r"^(?P<roman>[IVXL]{1,6})(?:\s*[.\-–:)]\s*|\s+|$)(?P<rest>.*)$", re.DOTALL
)
_NUMBER_CELL = re.compile(r"^(?P<number>\d{1,3}(?:\.\d{1,3})*)\s*[.)]?$")
_LETTER_CELL = re.compile(r"^(?P<letter>[a-zđ])\s*[.)]?$")
_COLUMN_NUMBER = re.compile(r"^\(?\d{1,2}\)?$")


def _row_cells(row: Sequence[str], columns: dict[int, str]) -> dict[str, str]:
    cells: dict[str, str] = {}
    for index, key in columns.items():
        if index < len(row):
            cells[key] = row[index].strip()
    return cells


def _table_tasks(table: Table, block_index: int) -> list[_Found]:
    rows = [
        [cell if isinstance(cell, str) else str(cell or "") for cell in row] for row in table.rows
    ]
    header_at, columns = None, None
    for index, row in enumerate(rows[:30]):
        columns = header_columns(row)
        if columns is not None:
            header_at = index
            break
    if header_at is None or columns is None:
        return []
    has_number = NUMBER in columns.values()
    found: list[_Found] = []
    section: str | None = None
    parent: list[str] = []
    letters = 0
    for row_index in range(header_at + 1, len(rows)):
        row = rows[row_index]
        if not any(cell.strip() for cell in row):
            continue
        if header_columns(row) == columns:
            continue  # the header repeated on a new page
        non_empty = [cell.strip() for cell in row if cell.strip()]
        if len(non_empty) >= 3 and all(_COLUMN_NUMBER.match(cell) for cell in non_empty):
            continue  # "(1) (2) (3)": the column numbers some tables print under the header
        cells = _row_cells(row, columns)
        number = cells.get(NUMBER, "")
        content = _clean_cell(cells.get(CONTENT, ""))
        others = [
            cells.get(key, "")
            for key in (LEAD, COORDINATORS, EXECUTORS, RESULT, DEADLINE)
            if cells.get(key, "") and cells.get(key, "") not in (content, number)
        ]
        # A section row: "I" (or "I. Title") with nothing else but its title, maybe repeated
        # across merged cells.
        section_match = _SECTION_CELL.match(number) if number else _SECTION_CELL.match(content)
        if (
            section_match
            and _roman_value(section_match["roman"])
            and not others
            and (number or section_match["rest"].strip())
        ):
            section = section_match["roman"]
            parent, letters = [], 0
            continue
        number_match = _NUMBER_CELL.match(number)
        letter_match = _LETTER_CELL.match(number)
        if not content:
            continue
        if number_match:
            path = number_match["number"].split(".")
            if not others and _next_is_sublevel(rows, row_index, columns):
                parent, letters = path, 0
                continue
            parent, letters = path, 0
        elif letter_match:
            path = [*parent, letter_match["letter"]]
        elif has_number and not number and found and found[-1].position[0] == block_index:
            _continue_row(found[-1], cells)
            continue
        else:
            letters += 1
            path = (
                [*parent, VIETNAMESE_LETTERS[(letters - 1) % len(VIETNAMESE_LETTERS)]]
                if parent
                else [str(len(found) + 1)]
            )
        found.append(
            _Found(
                position=(block_index, row_index),
                section=section,
                path=path,
                content=content,
                lead=_agencies(cells.get(LEAD, "")),
                coordinators=_agencies(cells.get(COORDINATORS, "")),
                executors=_agencies(cells.get(EXECUTORS, "")),
                result=_clean_cell(cells.get(RESULT, "")),
                deadline_text=_clean_deadline(cells.get(DEADLINE, "")),
            )
        )
    return found


def _next_is_sublevel(rows: list[list[str]], row_index: int, columns: dict[int, str]) -> bool:
    """True when the next numbered row is a sub-item ("a", "1.1"): this row is its heading."""
    for row in rows[row_index + 1 : row_index + 4]:
        number = _row_cells(row, columns).get(NUMBER, "")
        if not number:
            continue
        return bool(_LETTER_CELL.match(number) or re.match(r"^\d+\.\d", number))
    return False


def _continue_row(item: _Found, cells: dict[str, str]) -> None:
    """A row without a number under a numbered one: the rest of that row after a page break."""
    if cells.get(CONTENT):
        item.content = join_wrapped([item.content, _clean_cell(cells[CONTENT])])
    if cells.get(RESULT):
        item.result = join_wrapped([item.result, _clean_cell(cells[RESULT])])
    if cells.get(DEADLINE):
        item.deadline_text = _clean_deadline(f"{item.deadline_text} {cells[DEADLINE]}")
    for key in AGENCY_FIELDS:
        if cells.get(key):
            getattr(item, key).extend(_agencies(cells[key]))


def extract_tables(document: Document) -> list[TaskDraft]:
    """Tasks of the task tables (Table blocks whose header names the columns)."""
    return _to_drafts(_find_tables(document))


def _find_tables(document: Document) -> list[_Found]:
    found: list[_Found] = []
    for block_index, block in enumerate(document.blocks):
        if isinstance(block, Table):
            found.extend(_table_tasks(block, block_index))
    return found


# --- the entry point -------------------------------------------------------------------------


def extract_plan(document: Document) -> ExtractedPlan:
    """All the tasks of a document, whichever layouts it uses; none found raises UserError."""
    found = _find_tables(document)
    if not found:
        raise UserError(
            _(
                "No task could be found in this document: there is no task table with a "
                "recognisable header (Nội dung, Chủ trì, Phối hợp, Thời gian) and no assignment."
            )
        )
    return ExtractedPlan(source=document.source, tasks=_to_drafts(found))
