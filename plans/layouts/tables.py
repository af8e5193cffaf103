"""Task tables: `Table` blocks (.docx, .xlsx, tab-separated text) whose header names the columns."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from core.text import fold, join_wrapped, nfc, squash_spaces
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
    roman_value,
    to_drafts,
)
from plans.model import Document, Table, TaskDraft


@lru_cache(maxsize=4096)
def header_field(cell: str) -> str | None:
    """The field a header cell names ("Đơn vị chủ trì" -> "lead"), or None."""
    if len(cell) > 200:
        return None  # a task's text, not a column name: skip folding it on every row
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
_NUMBER_CELL = re.compile(r"^(?P<number>\d{1,3}(?:\.\d{1,3})*)\s*[.)]?$")
_LETTER_CELL = re.compile(r"^(?P<letter>[a-zđ])\s*[.)]?$")
_COLUMN_NUMBER = re.compile(r"^\(?\d{1,2}\)?$")
_HEADING_LETTER = re.compile(r"^[A-Z]\s*[.)]?$")


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


def _table_tasks(table: Table, block_index: int) -> list[Found]:
    rows = [
        [nfc(cell if isinstance(cell, str) else str(cell or "")) for cell in row]
        for row in table.rows
    ]
    header_at, columns = None, None
    for index, row in enumerate(rows[:30]):
        columns = header_columns(row)
        if columns is not None:
            header_at = index
            break
    if header_at is None or columns is None:
        return []
    headers = {tuple(rows[header_at])}
    if header_at + 1 < len(rows):
        merged = _sub_header(rows[header_at], rows[header_at + 1], columns)
        if merged is not None:
            header_at, columns = header_at + 1, merged
            headers.add(tuple(rows[header_at]))
    has_number = NUMBER in columns.values()
    found: list[Found] = []
    section: str | None = None
    parent: list[str] = []
    letters = 0
    for row_index in range(header_at + 1, len(rows)):
        row = rows[row_index]
        if not any(cell.strip() for cell in row):
            continue
        if tuple(row) in headers or header_columns(row) == columns:
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
        # A section row: "I" (or "I. Title") with nothing else but its title, maybe repeated
        # across merged cells.
        section_match = _SECTION_CELL.match(number) if number else _SECTION_CELL.match(content)
        if (
            section_match
            and roman_value(section_match["roman"])
            and not others
            and (number or section_match["rest"].strip())
        ):
            section = section_match["roman"]
            parent, letters = [], 0
            continue
        if not others and (_HEADING_LETTER.match(number) or (not number and content.isupper())):
            # "A | NHIỆM VỤ CHUNG", or an all-capitals title row: a heading, not a task.
            section = number.rstrip(".) ") or section
            parent, letters = [], 0
            continue
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
