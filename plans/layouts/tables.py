"""Task tables: `Table` blocks (.docx, .xlsx, tab-separated text) whose header names the columns."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from core.text import fold, join_wrapped, nfc, squash_spaces
from plans.agencies import looks_like_agency, split_agencies
from plans.layouts.common import (
    AGENCY_FIELDS,
    CONTENT,
    COORDINATORS,
    DEADLINE,
    EXECUTORS,
    LEAD,
    NAME_TO_FIELD,
    NAMES_LONGEST_FIRST,
    NUMBER,
    RESULT,
    VIETNAMESE_LETTERS,
    Found,
    agencies_in,
    clean_cell,
    clean_deadline,
    found_from_fields,
    has_words,
    keyword_field,
    roman_value,
    to_drafts,
)
from plans.model import Document, Table, TaskDraft
from schedules.deadlines import parse_deadline


@lru_cache(maxsize=4096)
def header_field(cell: str) -> str | None:
    """The field a header cell names ("Đơn vị chủ trì" -> "lead"), or None."""
    if len(cell) > 200 or len(squash_spaces(cell)) > 100:
        # A task's text, not a column name (whose folded form is at most 60 characters):
        # skip folding it on every row.
        return None
    folded = fold(cell)
    folded = re.sub(r"\(\s*\d+\s*\)", " ", folded)
    folded = squash_spaces(re.sub(r"[.:*]", " ", folded))
    if not folded or len(folded) > 60:
        return None
    if folded in NAME_TO_FIELD:
        return NAME_TO_FIELD[folded]
    for name in NAMES_LONGEST_FIRST:
        if len(name) > 3 and re.search(rf"(?<![a-z]){re.escape(name)}(?![a-z])", folded):
            return NAME_TO_FIELD[name]
    return keyword_field(folded)


def header_columns(row: Sequence[str], *, need_content: bool = True) -> dict[int, str] | None:
    """Column index -> field for a header row; None when the row is not a task table's header.

    Without `need_content` a header that names other roles only is taken too (its content
    column is then found from the cells, see `columns_by_evidence`)."""
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
    if (need_content and CONTENT not in fields) or len(fields) < 2:
        return None
    if need_content and len(columns) * 2 < named:
        return None
    if not fields & {LEAD, COORDINATORS, EXECUTORS, DEADLINE, RESULT, NUMBER}:
        return None
    return columns


# A column under a shared "Thời gian" title that gives when the work starts, not its deadline.
_START_NAME = re.compile(r"(?<![a-z])(?:bat dau|khoi dong|khoi cong|tu ngay)(?![a-z])")


def _sub_header(
    top: Sequence[str], below: Sequence[str], columns: dict[int, str]
) -> dict[int, str] | None:
    """The columns of a header drawn two rows tall, or None when `below` is not its lower row.

    A title spanning several columns ("Cơ quan thực hiện", "Thời gian") stands in the first of
    them, and the row under it names each one ("Chủ trì" | "Phối hợp", "Bắt đầu" | "Hoàn
    thành"); a title merged down both rows repeats (or is empty) in the lower row. Every
    lower cell that says something new must name a column, alone or after its title.
    """
    filled = [cell.strip() for cell in below if cell.strip()]
    if len(set(filled)) == 1 and _heading_marker(filled[0]) is not None:
        return None  # "A. NHIỆM VỤ CHUNG" merged across: the first section, not a header row
    names: list[str] = []
    title = ""
    changed = False
    for index in range(max(len(top), len(below))):
        above = top[index].strip() if index < len(top) else ""
        cell = below[index].strip() if index < len(below) else ""
        title = above or title
        if not cell or cell == above:
            names.append(above)
            continue
        if above and index + 1 < len(top) and top[index + 1].strip():
            # A title that spans no other column names its column alone: a different word
            # under it is the first row of the table, not the lower half of a header.
            return None
        joined = f"{title} {cell}"
        if _START_NAME.search(fold(cell)):
            names.append("")  # a start date: the column is not read
        elif header_field(cell) is not None:
            names.append(cell)
        elif title and header_field(joined) is not None:
            names.append(joined)
        else:
            return None
        changed = True
    if not changed:
        return None
    merged = header_columns(names)
    return merged if merged is not None and merged != columns else None


_SECTION_CELL = re.compile(
    r"^(?P<roman>[IVXL]{1,6})(?:\s*[.\-–:)]\s*|\s+|$)(?P<rest>.*)$", re.DOTALL
)
# "A. NHIỆM VỤ CHUNG", "B -", "Phần A": a lettered part of the plan.
_LETTER_SECTION = re.compile(
    r"^(?:phần\s+|phan\s+)?(?P<letter>[A-ZĐ])(?:\s*[.\-–:)]\s*|$)(?P<rest>.*)$",
    re.DOTALL | re.IGNORECASE,
)
# "1. Nhóm nhiệm vụ về hạ tầng số", "2.3 Nhóm …": a numbered group's title.
_GROUP_TITLE = re.compile(
    r"^(?P<number>\d{1,3}(?:\.\d{1,3})*)\s*[.)]?\s+(?P<rest>\S.*)$", re.DOTALL
)
_NUMBER_CELL = re.compile(r"^(?P<number>\d{1,3}(?:\.\d{1,3})*)\s*[.)]?$")
_LETTER_CELL = re.compile(r"^(?P<letter>[a-zđ])\s*[.)]?$")
_COLUMN_NUMBER = re.compile(r"^\(?\d{1,2}\)?$")
_HEADING_LETTER = re.compile(r"^[A-ZĐ]\s*[.)]?$")


def _heading_marker(text: str) -> str | None:
    """The marker of a row that is a section's title ("I", "A") or "" for an unmarked title in
    capitals; None for text that is not a section title."""
    text = text.strip()
    roman = _SECTION_CELL.match(text)
    if roman and roman_value(roman["roman"]) and (not roman["rest"] or _title_like(roman["rest"])):
        return roman["roman"]
    letter = _LETTER_SECTION.match(text)
    if (
        letter
        and letter["letter"].isupper()
        and (not letter["rest"] or _title_like(letter["rest"]))
    ):
        return letter["letter"]
    if len(text) > 3 and text.isupper():
        return ""
    return None


def _title_like(text: str) -> bool:
    """A section title: capitals ("NHIỆM VỤ CHUNG") or a capitalised phrase without a full stop
    inside."""
    text = text.strip()
    return bool(text) and (text.isupper() or (text[:1].isupper() and len(text) < 200))


def _row_heading(number: str, content: str) -> tuple[str, str] | None:
    """("section", marker) for a section row, ("group", path) for a numbered group's title
    with nothing else in its row, None for a task."""
    if number and content:
        if _SECTION_CELL.fullmatch(number) and roman_value(number.rstrip(".-–:) ")):
            return "section", number.rstrip(".-–:) ")
        if _HEADING_LETTER.match(number):
            return "section", number.rstrip(".) ")
        return None
    text = number or content
    marker = _heading_marker(text)
    if marker is not None:
        return "section", marker
    group = _GROUP_TITLE.match(text)
    if group and not number:
        return None  # "1. Tuyên truyền …" in the content cell alone: handled as a task
    if group:
        return "group", group["number"]
    return None


# "1. Tuyên truyền …", "1.2 …", "1) …", "a) …": a number written at the start of the content
# cell. A bare count ("100 cán bộ …") or a thousands group ("1.500 hộ …") is not one.
_NUMBER_IN_CONTENT = re.compile(
    r"^(?P<number>\d{1,3}(?:\.\d{1,2})*[.)]|\d{1,3}(?:\.\d{1,2})+|[a-zđ]\))\s+(?P<rest>\S.*)$",
    re.DOTALL,
)


def _row_cells(row: Sequence[str], columns: dict[int, str]) -> dict[str, str]:
    """The row's cells by field. In a table without a number column, a number written at the
    start of the content cell is the row's number (in a numbered table it is a list inside
    the cell, maybe the rest of one after a page break)."""
    cells: dict[str, str] = {}
    for index, key in columns.items():
        if index < len(row):
            cells[key] = row[index].strip()
    if NUMBER not in columns.values():
        match = _NUMBER_IN_CONTENT.match(cells.get(CONTENT, ""))
        if match:
            cells[NUMBER] = match["number"]
            cells[CONTENT] = match["rest"]
    return cells


def _find_header(rows: list[list[str]]) -> tuple[int, dict[int, str]] | None:
    """The header row and its columns: a row that names the content column, else the first row
    that names three roles, its content column then chosen from the cells below it."""
    for index, row in enumerate(rows[:30]):
        columns = header_columns(row)
        if columns is not None:
            return index, columns
    for index, row in enumerate(rows[:30]):
        columns = header_columns(row, need_content=False)
        named = sum(1 for cell in row if cell.strip())
        if columns is not None and (
            (len(set(columns.values())) >= 3 and len(columns) * 2 >= named)
            or _cells_confirm(rows[index + 1 :], columns)
        ):
            return index, columns
    return None


def _cells_confirm(body: list[list[str]], columns: dict[int, str]) -> bool:
    """True when the cells under a header of two known names hold what the names say: the
    agency column agencies, the deadline column deadlines."""
    width = max(columns) + 1
    profiles = _profiles(body, width)
    checks = 0
    for index, key in columns.items():
        profile = profiles[index]
        if key in (LEAD, COORDINATORS, EXECUTORS):
            ok = profile.share(profile.agencies) >= _MOSTLY
        elif key == DEADLINE:
            ok = profile.share(profile.deadlines) >= _MOSTLY
        else:
            continue
        if not ok:
            return False
        checks += 1
    return checks >= 2 and sum(profile.filled for profile in profiles) >= 4


def _table_tasks(table: Table, block_index: int) -> list[Found]:
    rows = [
        [nfc(cell if isinstance(cell, str) else str(cell or "")) for cell in row]
        for row in table.rows
    ]
    header = _find_header(rows)
    if header is None:
        return []
    header_at, columns = header
    headers = {tuple(rows[header_at])}
    if header_at + 1 < len(rows):
        merged = _sub_header(rows[header_at], rows[header_at + 1], columns)
        if merged is not None:
            header_at, columns = header_at + 1, merged
            headers.add(tuple(rows[header_at]))
    named = columns
    columns = columns_by_evidence(rows[header_at + 1 :], columns, len(rows[header_at]))
    if columns is None:
        return []
    has_number = NUMBER in columns.values()
    found: list[Found] = []
    section: str | None = None
    parent: list[str] = []
    letters = 0
    for row_index in range(header_at + 1, len(rows)):
        row = rows[row_index]
        if not any(cell.strip() for cell in row):
            continue
        if tuple(row) in headers or header_columns(row) in (columns, named):
            continue  # the header repeated on a new page
        non_empty = [cell.strip() for cell in row if cell.strip()]
        if len(non_empty) >= 3 and all(_COLUMN_NUMBER.match(cell) for cell in non_empty):
            continue  # "(1) (2) (3)": the column numbers some tables print under the header
        cells = _row_cells(row, columns)
        number = cells.get(NUMBER, "")
        content = clean_cell(cells.get(CONTENT, ""))
        others = [
            cells.get(key, "")
            for key in (LEAD, COORDINATORS, EXECUTORS, RESULT, DEADLINE)
            if cells.get(key, "") and cells.get(key, "") not in (content, number)
        ]
        if len(set(non_empty)) == 1 and not others and _row_heading("", non_empty[0]):
            # A row merged across the table: its one text is a heading wherever it landed.
            number, content = "", non_empty[0]
        heading = None if others else _row_heading(number, content)
        if heading is not None:
            kind, marker = heading
            if kind == "section":
                section = marker or section
                parent, letters = [], 0
                continue
            parent, letters = marker.split("."), 0
            continue
        if (
            not others
            and not content
            and number
            and not _NUMBER_CELL.match(number)
            and not _LETTER_CELL.match(number)
        ):
            continue  # a title in the number column with nothing else: not a task
        number_match = _NUMBER_CELL.match(number)
        letter_match = _LETTER_CELL.match(number)
        if not content:
            continue
        if (
            not number
            and not others
            and content[:1].isupper()
            and _next_is_numbered(rows, row_index, columns)
        ):
            # "Nhóm 2: Phát triển hạ tầng" over numbered rows: a group's title, neither a task
            # nor the rest of the task above (that goes on in lower case after a page break).
            parent, letters = [], 0
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
            found_from_fields(
                position=(block_index, row_index),
                section=section,
                path=path,
                content=content,
                fields=cells,
            )
        )
    return found


# --- columns by evidence ---------------------------------------------------------------------

# A cell that only numbers its row: "1", "1.1", "II", "a", "b)", "(3)".
_REF_LIKE = re.compile(r"^\(?(?:[IVXLC]{1,6}|[A-Za-zđĐ]|\d{1,3}(?:\.\d{1,3})*)\s*[.)]?$")
_SAMPLE_ROWS = 80
# A column is of a kind when this share of its filled cells is.
_MOSTLY = 0.6


@dataclass(slots=True)
class _Profile:
    """What the cells of one column look like."""

    filled: int = 0
    refs: int = 0
    agencies: int = 0
    deadlines: int = 0
    wordless: int = 0  # cells without a word: numbers, dates, refs
    letters: int = 0  # total length of the cells' text, for the free-text score

    def share(self, count: int) -> float:
        return count / self.filled if self.filled else 0.0

    @property
    def mean_length(self) -> float:
        return self.letters / self.filled if self.filled else 0.0

    @property
    def free_text(self) -> bool:
        return (
            self.filled > 0
            and self.share(self.refs) < 0.5
            and self.share(self.agencies) < _MOSTLY
            and self.share(self.deadlines) < _MOSTLY
        )


def _profiles(body: list[list[str]], width: int) -> list[_Profile]:
    profiles = [_Profile() for _ in range(width)]
    rows = [row for row in body if sum(1 for cell in row if cell.strip()) >= 2][:_SAMPLE_ROWS]
    for row in rows:
        for index, cell in enumerate(row[:width]):
            text = cell.strip()
            if not text:
                continue
            profile = profiles[index]
            profile.filled += 1
            profile.letters += len(text)
            if not has_words(text):
                profile.wordless += 1
            if _REF_LIKE.match(text):
                profile.refs += 1
            elif _is_agency_cell(text):
                profile.agencies += 1
            elif _is_deadline_cell(text):
                profile.deadlines += 1
    return profiles


@lru_cache(maxsize=4096)
def _is_agency_cell(text: str) -> bool:
    if len(text) > 300:
        return False
    names = split_agencies(text)
    return bool(names) and all(looks_like_agency(name) for name in names)


@lru_cache(maxsize=4096)
def _is_deadline_cell(text: str) -> bool:
    return len(text) <= 80 and parse_deadline(clean_deadline(text)).understood


def columns_by_evidence(
    body: list[list[str]], named: dict[int, str], width: int
) -> dict[int, str] | None:
    """The columns' roles from their header names checked against their cells.

    A "content" column of row numbers is the number column; the content is then the longest
    free-text column. Unnamed columns take the role their cells show: numbers, agencies (the
    first is the lead), deadline phrases or dates, else the result. None when no column can
    be the content.
    """
    profiles = _profiles(body, width)
    columns = dict(named)
    content_at = next((index for index, key in columns.items() if key == CONTENT), None)
    if content_at is not None and not _can_be_content(profiles[content_at]):
        if profiles[content_at].share(profiles[content_at].refs) >= _MOSTLY and (
            NUMBER not in columns.values()
        ):
            columns[content_at] = NUMBER
        else:
            del columns[content_at]
        content_at = None
    if content_at is None:
        candidates = [
            index
            for index in range(width)
            if (columns.get(index) in (None, RESULT)) and _can_be_content(profiles[index])
        ]
        if not candidates:
            return None
        content_at = max(candidates, key=lambda index: profiles[index].mean_length)
        columns[content_at] = CONTENT
    if LEAD not in columns.values():
        # "Đơn vị/cá nhân thực hiện" as the only agency column: whoever carries the work out
        # answers for it.
        executors_at = next((index for index, key in columns.items() if key == EXECUTORS), None)
        if executors_at is not None:
            columns[executors_at] = LEAD
    taken = set(columns.values())
    for index in range(width):
        if index in columns or not profiles[index].filled:
            continue
        profile = profiles[index]
        role = None
        if profile.share(profile.refs) >= _MOSTLY and index < content_at:
            role = NUMBER
        elif profile.share(profile.agencies) >= _MOSTLY:
            role = next((key for key in (LEAD, COORDINATORS) if key not in taken), None)
        elif profile.share(profile.deadlines) >= _MOSTLY:
            role = DEADLINE
        elif profile.free_text:
            role = RESULT
        if role is not None and role not in taken:
            columns[index] = role
            taken.add(role)
    return columns


def _can_be_content(profile: _Profile) -> bool:
    """A column whose cells are text, not row numbers, and not mostly empty."""
    return (
        profile.filled > 0
        and profile.share(profile.refs) < 0.5
        and profile.share(profile.wordless) < 0.5
        and profile.mean_length > 3
    )


def _next_is_sublevel(rows: list[list[str]], row_index: int, columns: dict[int, str]) -> bool:
    """True when the next numbered row is a sub-item ("a", "1.1"): this row is its heading."""
    for row in rows[row_index + 1 : row_index + 4]:
        number = _row_cells(row, columns).get(NUMBER, "")
        if not number:
            continue
        return bool(_LETTER_CELL.match(number) or re.match(r"^\d+\.\d", number))
    return False


def _next_is_numbered(rows: list[list[str]], row_index: int, columns: dict[int, str]) -> bool:
    """True when the next row with content has a number of its own."""
    for row in rows[row_index + 1 :]:
        cells = _row_cells(row, columns)
        if cells.get(CONTENT):
            return bool(_NUMBER_CELL.match(cells.get(NUMBER, "")))
    return False


def _continue_row(item: Found, cells: dict[str, str]) -> None:
    """A row without a number under a numbered one: the rest of that row after a page break."""
    if cells.get(CONTENT):
        item.content = join_wrapped([item.content, clean_cell(cells[CONTENT])])
    if cells.get(RESULT):
        item.result = join_wrapped([item.result, clean_cell(cells[RESULT])])
    if cells.get(DEADLINE):
        item.deadline_text = clean_deadline(f"{item.deadline_text} {cells[DEADLINE]}")
    for key in AGENCY_FIELDS:
        if cells.get(key):
            getattr(item, key).extend(agencies_in(cells[key]))


def extract_tables(document: Document) -> list[TaskDraft]:
    """Tasks of the task tables (Table blocks whose header names the columns)."""
    return to_drafts(find_tables(document))


def find_tables(document: Document) -> list[Found]:
    """Tasks of every task table in the document."""
    found: list[Found] = []
    for block_index, block in enumerate(document.blocks):
        if isinstance(block, Table):
            found.extend(_table_tasks(block, block_index))
    return found
