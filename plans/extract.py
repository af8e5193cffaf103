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
from functools import lru_cache

from bot.errors import UserError
from bot.i18n import _
from bot.text import fold, squash_spaces
from plans.agencies import (
    agency_key,
    canonical_agency,
    expand_enumeration,
    is_generic_group,
    split_agencies,
    starts_with_agency_word,
)
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

    position: tuple[int, ...]
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
_HEADING_LETTER = re.compile(r"^[A-Z]\s*[.)]?$")


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
        if not others and (_HEADING_LETTER.match(number) or (not number and content.isupper())):
            # "A | NHIỆM VỤ CHUNG", or an all-capitals title row: a heading, not a task.
            section = number.rstrip(".) ") or section
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


# --- deadline phrases -------------------------------------------------------------------------

# Words a deadline phrase begins with ("Năm 2026", "Quý I/2026", "Hằng năm", "Theo lộ trình …").
_DEADLINE_START = re.compile(
    r"^(?:truoc|trong|den|cham nhat|han|hoan thanh|ngay|thang|quy|nam|hang|dinh ky|thuong xuyen"
    r"|lien tuc|giai doan|theo|khi|tu|sau|nua|so ket|tong ket|\d)(?![a-z])"
)
# Undetermined phrases that are still clearly deadlines ("Theo lộ trình Trung ương").
_UNDETERMINED_DEADLINE = re.compile(
    r"^(?:theo (?:lo trinh|de nghi|yeu cau|chi dao|huong dan|tien do|ke hoach)|khi co yeu cau"
    r"|chua xac dinh)(?![a-z])"
)
NOT_A_DEADLINE, WEAK_DEADLINE, STRONG_DEADLINE = 0, 1, 2


@lru_cache(maxsize=8192)
def deadline_strength(text: str) -> int:
    """How surely a whole cell is a deadline phrase: 0 not, 1 weakly, 2 surely."""
    if len(text) > 120:
        return NOT_A_DEADLINE  # a paragraph, not a phrase: not worth folding
    text = _clean_deadline(text)
    folded = _fold(text)
    if not folded or len(folded) > 90 or not _DEADLINE_START.match(folded):
        return NOT_A_DEADLINE
    deadline = parse_deadline(text)
    if not deadline.understood:
        return NOT_A_DEADLINE
    if deadline.kind != "undetermined" or _UNDETERMINED_DEADLINE.match(folded):
        return STRONG_DEADLINE
    return WEAK_DEADLINE


def _split_trailing_deadline(line: str) -> list[str]:
    """ "Kế hoạch Quý I/2026" -> ["Kế hoạch", "Quý I/2026"]: two cells a PDF put on one line."""
    words = line.split(" ")
    folded = _fold(line).split(" ")
    if len(folded) != len(words) or deadline_strength(line) != NOT_A_DEADLINE:
        return [line]
    for start in range(1, len(words)):
        if not _DEADLINE_START.match(" ".join(folded[start : start + 2])):
            continue
        suffix = " ".join(words[start:])
        if deadline_strength(suffix) == STRONG_DEADLINE:
            return [" ".join(words[:start]), suffix]
    return [line]


# --- tables flattened by PDF text extraction ---------------------------------------------------

_ROW_NUMBER = re.compile(r"^(?P<number>\d{1,2}(?:\.\d{1,2})*)\.?$|^(?P<letter>[a-zđ])[.)]$")
_ROW_NUMBER_WITH_TEXT = re.compile(r"^(?P<number>\d{1,2})\.?\s+(?P<text>\S.*)$")
# "TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "GIÁM ĐỐC": the signature block after a table.
_SIGNATURE = re.compile(r"^(?:TM|KT|TL|Q|K/T)\.\s")


def _ends_table(text: str) -> bool:
    """True for the signature block after a table ("KT. CHỦ TỊCH", "GIÁM ĐỐC")."""
    if _SIGNATURE.match(text):
        return True
    return text.isupper() and len(text.split()) >= 2 and not any(c.isdigit() for c in text)


_SECTION_LINE = re.compile(r"^(?P<roman>[IVXL]{1,6})\s*[.\-–)]\s*(?=\S)")
_SKIP_COLUMN = -1.5
_BAD = -1e9


def _header_tokens(text: str) -> list[str]:
    return [token for token in re.split(r"[^a-z0-9]+", fold(text)) if token]


def _header_fields(text: str) -> tuple[list[str], int]:
    """Fields named by a header's text, in order, and how many of its tokens they used."""
    tokens = _header_tokens(text)
    fields: list[str] = []
    index, used = 0, 0
    while index < len(tokens):
        for name in _NAMES_LONGEST_FIRST:
            words = name.replace(",", " ").replace("/", " ").split()
            if tokens[index : index + len(words)] == words:
                key = _NAME_TO_FIELD[name]
                if key not in fields:
                    fields.append(key)
                index += len(words)
                used = index
                break
        else:
            index += 1
    return fields, used


def _header_at(lines: list[_Line], start: int) -> tuple[list[str], int] | None:
    """The fields of a flattened header beginning at lines[start] and the index after it."""
    end = start
    while end < len(lines) and end - start < 12:
        tokens = _header_tokens(lines[end].text)
        if not tokens or not all(token in _HEADER_WORDS for token in tokens):
            break
        end += 1
    if end == start:
        return None
    fields, used = _header_fields(" ".join(line.text for line in lines[start:end]))
    if CONTENT not in fields or len(fields) < 3:
        return None
    # Give back trailing lines no name used ("Nội dung" alone may begin a row's content).
    while (
        end - 1 > start
        and len(_header_tokens(" ".join(line.text for line in lines[start : end - 1]))) >= used
    ):
        end -= 1
    return fields, end


@dataclass(slots=True)
class _FlatRow:
    section: str | None
    path: list[str]
    position: tuple[int, int]
    parts: list[list[str]] = field(default_factory=lambda: [[]])


# Words an agency's name does not contain; they mark a sentence ("… các văn bản chỉ đạo của …").
_NOT_IN_NAMES = re.compile(
    r"(?<![a-z])(?:cua|voi|de|nham|ve|phu hop|van ban|trien khai|ke hoach|nghi quyet|thuc hien)"
    r"(?![a-z])"
)


@lru_cache(maxsize=8192)
def _agency_score(text: str) -> float:
    names = split_agencies(text)
    if not names:
        return _BAD
    score = 0.0
    for name in names:
        if canonical_agency(name) is not None or is_generic_group(name):
            score += 2.0
        elif (
            starts_with_agency_word(name)
            and len(name.split()) <= 14
            and not _NOT_IN_NAMES.search(fold(name))
        ):
            score += 0.5
        else:
            score -= 4.0
    return score


# Last words after which a wrapped cell goes on with a capital ("Quyết định của" / "UBND tỉnh").
_OPEN_ENDINGS = re.compile(
    r"(?:[,;:\-–(/&]|(?<![a-z])(?:va|cua|cac|cho|voi|tai|ve|trong|theo|hoac|thuoc|nhung|de|o|tu"
    r"|den|la|so|ngay|nam|thang|quy|nhu|gom|nham|tren|doi|giua|qua|nhan|vien|bo|chinh))$"
)


_OPEN_WORD_ENDING = re.compile(r"(?<![a-z])(?:va|cua|cac|cho|voi|tai|hoac|thuoc|nhung|de|nham)$")


@lru_cache(maxsize=8192)
def _fold(text: str) -> str:
    return fold(text)


@lru_cache(maxsize=8192)
def _column_score(key: str, text: str, *, allow_deadline: bool = True) -> float:
    """How well a text fits a column, wrapping aside (higher is better)."""
    if key in (CONTENT, NOTES):
        return 0.0
    if key in AGENCY_FIELDS:
        return _agency_score(text)
    strength = deadline_strength(text)
    if key == DEADLINE:
        if not allow_deadline or strength == NOT_A_DEADLINE:
            return _BAD
        return 3.0 if strength == STRONG_DEADLINE else 1.0
    # A result is a product: neither a deadline nor a bare list of agencies.
    if strength == STRONG_DEADLINE:
        return -3.0
    if len(text) <= 120 and (canonical_agency(text) is not None or is_generic_group(text)):
        return -1.0
    return 0.0


_MAX_CELL_PIECES = {CONTENT: 10_000, NOTES: 10, DEADLINE: 4}
# A cell wrapped wrongly three times over is never the best reading; stop looking further.
_HOPELESS = -6.0


class _Pieces:
    """A row's pieces with what the wrapping rules need, computed once."""

    def __init__(self, pieces: list[str], *, continuation: bool) -> None:
        self.pieces = pieces
        self.continuation = continuation
        folded = [_fold(piece) for piece in pieces]
        self.lower_first = [piece.lstrip("“\"'(")[:1].islower() for piece in pieces]
        self.open_word_end = [bool(_OPEN_WORD_ENDING.search(text)) for text in folded]
        # A cell's first words may wrap ("Thường" / "xuyên"): look at two pieces together.
        heads = [join_wrapped(pieces[index : index + 2]) for index in range(len(pieces))]
        self.agency_start = [starts_with_agency_word(head) for head in heads]
        self.deadline_start = [bool(_DEADLINE_START.match(_fold(head))) for head in heads]
        # bad[i]: a capital at piece i after a piece that could not go on (a new cell starts).
        bad = [0] * len(pieces)
        for index in range(1, len(pieces)):
            if pieces[index][:1].isupper() and not _OPEN_ENDINGS.search(folded[index - 1]):
                bad[index] = 1
        self.bad_before = [0]
        for flag in bad:
            self.bad_before.append(self.bad_before[-1] + flag)

    def wrap_penalty(self, start: int, end: int) -> float:
        """Cost of reading pieces[start:end] as one cell: a cell starts with a capital, does
        not end on "và", and a capital after a line that could not go on starts another cell."""
        penalty = -2.0 * (self.bad_before[end] - self.bad_before[start + 1])
        if not self.continuation and self.lower_first[start]:
            penalty -= 5.0
        if self.open_word_end[end - 1]:
            penalty -= 2.0
        return penalty

    def can_start(self, key: str, start: int) -> bool:
        """Cheap test of whether a cell of this column may begin at piece `start`."""
        if self.continuation:
            return True
        if key in AGENCY_FIELDS:
            return self.agency_start[start]
        if key == DEADLINE:
            return self.deadline_start[start]
        return True


def _segment(
    pieces: list[str], columns: list[str], *, continuation: bool, filled: set[str]
) -> dict[str, list[str]]:
    """Cut a row's pieces into its columns, in column order, maximising how well each fits."""
    row = _Pieces(pieces, continuation=continuation)
    count, width = len(pieces), len(columns)
    best: list[list[float]] = [[_BAD] * (width + 1) for _ in range(count + 1)]
    choice: list[list[int]] = [[-1] * (width + 1) for _ in range(count + 1)]
    best[0][0] = 0.0
    allow_deadline = not (continuation and DEADLINE in filled)
    for column in range(width):
        key = columns[column]
        limit = _MAX_CELL_PIECES.get(key, 12)
        # Skipping an earlier column costs a little more: a lone agency list fills the lead,
        # the first agency column, rather than the coordinators.
        skip = 0.0 if continuation else _SKIP_COLUMN - 0.01 * (width - column)
        for start in range(count + 1):
            here = best[start][column]
            if here <= _BAD / 2:
                continue
            if (key != CONTENT or continuation) and here + skip > best[start][column + 1]:
                best[start][column + 1] = here + skip
                choice[start][column + 1] = start
            if start == count or not row.can_start(key, start):
                continue
            for end in range(start + 1, min(count, start + limit) + 1):
                wrap = row.wrap_penalty(start, end)
                if wrap <= _HOPELESS and key != CONTENT:
                    break
                text = join_wrapped(pieces[start:end])
                gain = _column_score(key, text, allow_deadline=allow_deadline) + wrap
                if continuation and key == CONTENT:
                    gain += 0.5 * (end - start)  # content is what overflows onto the next page
                if here + gain > best[end][column + 1]:
                    best[end][column + 1] = here + gain
                    choice[end][column + 1] = start
    cells: dict[str, list[str]] = {}
    end = count
    for column in range(width, 0, -1):
        start = choice[end][column]
        if start < 0:
            return {CONTENT: list(pieces)}
        if end > start:
            cells[columns[column - 1]] = pieces[start:end]
        end = start
    return cells


def _row_pieces(lines: list[str], *, split_deadlines: bool) -> list[str]:
    pieces: list[str] = []
    for line in lines:
        pieces.extend(_split_trailing_deadline(line) if split_deadlines else [line])
    return pieces


def _flat_row_task(row: _FlatRow, columns: list[str]) -> _Found | None:
    data_columns = [key for key in columns if key != NUMBER]
    cells: dict[str, list[str]] = {}
    for index, part in enumerate(row.parts):
        if not part:
            continue
        if index == 0:
            found = _segment(
                _row_pieces(part, split_deadlines=True),
                data_columns,
                continuation=False,
                filled=set(),
            )
        else:
            found = _segment(part, data_columns, continuation=True, filled=set(cells))
        for key, pieces in found.items():
            cells.setdefault(key, []).extend(pieces)
    content = _clean_cell("\n".join(cells.get(CONTENT, [])))
    if not content:
        return None
    text = {key: "\n".join(value) for key, value in cells.items()}
    return _Found(
        position=row.position,
        section=row.section,
        path=row.path,
        content=content,
        lead=_agencies(text.get(LEAD, "")),
        coordinators=_agencies(text.get(COORDINATORS, "")),
        executors=_agencies(text.get(EXECUTORS, "")),
        result=_clean_cell(text.get(RESULT, "")),
        deadline_text=_clean_deadline(text.get(DEADLINE, "")),
    )


def _find_flattened(lines: list[_Line]) -> tuple[list[_Found], set[int]]:
    """Tasks of tables flattened into lines, and the indexes of the lines they used."""
    found: list[_Found] = []
    used: set[int] = set()
    columns: list[str] | None = None
    rows: list[_FlatRow] = []
    section: str | None = None
    parent: list[str] = []
    in_section_title = False
    index = 0
    while index < len(lines):
        line = lines[index]
        header = _header_at(lines, index)
        if header is not None:
            if columns is not None and header[0] != columns:
                found.extend(filter(None, (_flat_row_task(row, columns) for row in rows)))
                rows = []
            columns = header[0]
            used.update(range(index, header[1]))
            index = header[1]
            if rows:
                rows[-1].parts.append([])  # what follows continues the row cut by the page break
            in_section_title = False
            continue
        if columns is None:
            index += 1
            continue
        if _END_OF_BODY.match(line.text):
            break  # the recipients follow the table
        text = line.text
        number = _ROW_NUMBER.match(text)
        if number and _PAGE_NUMBER.match(text) and _header_at(lines, index + 1) is not None:
            used.add(index)  # a page number printed just before the repeated header
            index += 1
            continue
        section_match = _SECTION_LINE.match(text)
        if section_match and _roman_value(section_match["roman"]):
            section, parent, in_section_title = section_match["roman"], [], True
            used.add(index)
            index += 1
            continue
        if rows and not number and _ends_table(text):
            break
        with_text = None if number else _ROW_NUMBER_WITH_TEXT.match(text)
        if with_text and not _continues_numbering(rows, section, with_text["number"]):
            with_text = None
        if number or with_text:
            if number and number["letter"]:
                path = [*parent, number["letter"]]
            else:
                value = (number or with_text)["number"]
                path = value.split(".")
                parent = path
            row = _FlatRow(section=section, path=path, position=line.position)
            if with_text:
                row.parts[0].append(with_text["text"])
            rows.append(row)
            in_section_title = False
            used.add(index)
            index += 1
            continue
        if in_section_title or not rows:
            used.add(index)  # the rest of a section title wrapped onto a second line
            index += 1
            continue
        rows[-1].parts[-1].append(text)
        used.add(index)
        index += 1
    if columns is not None:
        found.extend(filter(None, (_flat_row_task(row, columns) for row in rows)))
    return found, used


def _continues_numbering(rows: list[_FlatRow], section: str | None, number: str) -> bool:
    """True when "N text" continues the rows' numbering (so it is not a line of content)."""
    if not rows or rows[-1].section != section:
        return number == "1"
    previous = rows[-1].path[0]
    return previous.isdigit() and int(number) == int(previous) + 1


def extract_flattened(document: Document) -> list[TaskDraft]:
    """Tasks of task tables that PDF text extraction flattened into lines (seed 001)."""
    return _to_drafts(_find_flattened(_paragraph_lines(document))[0])


# --- paragraphs of running text ---------------------------------------------------------------

_LABELS = {
    name: key
    for name, key in _NAME_TO_FIELD.items()
    if key in (LEAD, COORDINATORS, EXECUTORS, RESULT, DEADLINE)
}
_LABEL_LINE = re.compile(
    r"^[-–+•*]?\s*(?P<label>"
    + "|".join(re.escape(name) for name in sorted(_LABELS, key=len, reverse=True))
    + r")\s*:"
)
_SKIPPED_SECTIONS = re.compile(
    r"^(?:muc dich|yeu cau|muc tieu|quan diem|can cu|tinh hinh|ket qua dat duoc|danh gia)"
)
# A wrapped line is "full" from this share of the page width on.
_FULL_LINE = 0.8
_CONTINUING_START = re.compile(r"^[a-zđà-ỹ0-9(“\"',;.)…%-]")


@dataclass(slots=True)
class _Para:
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
        return "label", _LABELS[label["label"]], text[text.index(":") + 1 :].strip()
    roman = _ROMAN_MARKER.match(text)
    if roman and _roman_value(roman["roman"]):
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


def _page_width(lines: list[_Line]) -> float | None:
    """The width wrapped lines fill (None when lines are whole paragraphs, as from .docx)."""
    lengths = sorted(len(line.text) for line in lines)
    if len(lengths) < 5:
        return None
    width = lengths[int(len(lengths) * 0.9)]
    return float(width) if width <= 160 else None


def _paragraphs(lines: list[_Line], skip: set[int]) -> list[_Para]:
    """Re-join wrapped lines into paragraphs; page numbers dropped, stop at "Nơi nhận"."""
    width = _page_width(lines)
    paragraphs: list[_Para] = []
    previous: str | None = None
    for index, line in enumerate(lines):
        text = line.text
        if index in skip:
            previous = None
            continue
        if _PAGE_NUMBER.match(text):
            continue  # a page number between the halves of a paragraph
        if _END_OF_BODY.match(text):
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
        paragraphs.append(_Para(kind, marker, [rest], line.position, [index]))
        previous = text
    return paragraphs


# --- labelled lists ("a) …" then "- Tham mưu chính: …", seed 004) ------------------------------


class _Outline:
    """Where in the numbering a paragraph is: Roman section, decimal path, section title."""

    def __init__(self) -> None:
        self.section: str | None = None
        self.title = ""
        self.path: list[str] = []

    def see(self, paragraph: _Para) -> None:
        if paragraph.kind == "roman":
            self.section, self.title, self.path = paragraph.marker, paragraph.body, []
        elif paragraph.kind == "decimal":
            self.path = paragraph.marker.split(".")

    @property
    def skipped(self) -> bool:
        """True in sections that state purposes, not tasks ("I. MỤC ĐÍCH, YÊU CẦU")."""
        return bool(self.title and _SKIPPED_SECTIONS.match(fold(self.title)))


def _find_labelled(lines: list[_Line], skip: set[int]) -> tuple[list[_Found], set[int]]:
    """Tasks written as an item followed by labelled lines, and the lines they used."""
    paragraphs = _paragraphs(lines, skip)
    outline = _Outline()
    found: list[_Found] = []
    used: set[int] = set()
    since: list[_Para] = []  # paragraphs since the last group of labels
    letters = 0
    index = 0
    while index < len(paragraphs):
        paragraph = paragraphs[index]
        if paragraph.kind != "label":
            outline.see(paragraph)
            if paragraph.kind in ("roman", "decimal"):
                since, letters = [], 0
            if paragraph.kind != "roman":
                since.append(paragraph)
            index += 1
            continue
        group: list[_Para] = []
        while index < len(paragraphs) and paragraphs[index].kind == "label":
            group.append(paragraphs[index])
            index += 1
        task = _labelled_task(since, group, outline, letters)
        if task is not None:
            found.append(task)
            for part in since + group:
                used.update(part.indexes)
            if task.path and task.path[-1] in VIETNAMESE_LETTERS:
                letters = VIETNAMESE_LETTERS.index(task.path[-1]) + 1
        since = []
    return found, used


def _labelled_task(
    before: list[_Para], group: list[_Para], outline: _Outline, letters: int
) -> _Found | None:
    values: dict[str, list[str]] = {}
    for label in group:
        values.setdefault(label.marker, []).append(label.body)
    if LEAD not in values and len(values) < 2:
        return None
    # The item the labels describe: the last "a)" item, else the text under the last heading.
    anchor = next((i for i in range(len(before) - 1, -1, -1) if before[i].kind == "letter"), None)
    if anchor is not None:
        parts = before[anchor:]
        path = [*outline.path, parts[0].marker]
    else:
        parts = [part for part in before if part.kind not in ("decimal",)] or before[-1:]
        path = list(outline.path)
        if not path or (before and before[0].kind != "decimal"):
            path = [*outline.path, VIETNAMESE_LETTERS[letters % len(VIETNAMESE_LETTERS)]]
    content = _TRAILING_PUNCTUATION.sub("", join_wrapped([part.body for part in parts]))
    if not content:
        return None
    text = {key: " ; ".join(value) for key, value in values.items()}
    return _Found(
        position=parts[0].position,
        section=outline.section,
        path=path,
        content=content,
        lead=_agencies(text.get(LEAD, "")),
        coordinators=_agencies(text.get(COORDINATORS, "")),
        executors=_agencies(text.get(EXECUTORS, "")),
        result=_clean_cell(text.get(RESULT, "")),
        deadline_text=_clean_deadline(text.get(DEADLINE, "")),
    )


def extract_labelled(document: Document) -> list[TaskDraft]:
    """Tasks written as labelled lists ("a) …", "- Tham mưu chính: …", seed 004)."""
    return _to_drafts(_find_labelled(_paragraph_lines(document), set())[0])


# --- prose directives ("Giao Sở … chủ trì …, báo cáo … trước ngày …", seeds 000 and 002) ------

# Verbs that end the subject of an assignment ("Ban Tuyên giáo … tham mưu …").
_TASK_VERBS = (
    "căn cứ",
    "tham mưu",
    "chủ trì",
    "phối hợp",
    "tổ chức",
    "triển khai",
    "thực hiện",
    "làm đầu mối",
    "là đầu mối",
    "chịu trách nhiệm",
    "có trách nhiệm",
    "xây dựng",
    "theo dõi",
    "hướng dẫn",
    "chỉ đạo",
    "lãnh đạo",
    "quan tâm",
    "bố trí",
    "rà soát",
    "đôn đốc",
    "kiểm tra",
    "giám sát",
    "báo cáo",
    "tổng hợp",
    "nghiên cứu",
    "đề xuất",
    "ban hành",
    "phổ biến",
    "tuyên truyền",
    "đẩy mạnh",
    "tăng cường",
    "tiếp tục",
    "chủ động",
    "bảo đảm",
    "đảm bảo",
    "cử",
    "tham gia",
    "hoàn thành",
    "trình",
    "gửi",
    "duy trì",
    "nắm",
    "phát huy",
    "định kỳ",
    "khẩn trương",
    "kịp thời",
    "nghiêm túc",
)
_TASK_VERB = re.compile(
    r"(?<![\w])(?:" + "|".join(re.escape(verb) for verb in _TASK_VERBS) + r")(?![\w])"
)
_ASSIGN = re.compile(r"^giao\s+", re.IGNORECASE)
# An assignment that lists what it gives below: "…:" or "… các nhiệm vụ sau".
_HANDS_OUT = re.compile(r"(?::|(?<!\w)sau)\s*$")
_COORDINATE_WITH = re.compile(r"(?<![\w])phối hợp (?:chặt chẽ )?với\s+", re.IGNORECASE)
_TARGET_STOP = re.compile(
    r"\s+(?:trong|để|nhằm|triển khai|thực hiện|tổ chức|tham mưu|xây dựng|theo|về|khi|và các)\s"
    r"|[,;:.(]"
)
_REPORTING = re.compile(
    r"^(?:định kỳ\s+)?(?:thực hiện\s+(?:chế độ\s+)?)?báo cáo(?![\w])", re.IGNORECASE
)
# Deadline phrases inside a sentence (on folded text): "trước ngày 07/02/2026", "định kỳ hằng năm".
_DATE = r"\d{1,2}\s*[/.-]\s*\d{1,2}(?:\s*[/.-]\s*\d{2,4})?"
_DATE_WORDS = r"\d{1,2}\s+thang\s+\d{1,2}(?:\s+nam\s+\d{4})?"
_EVERY = r"(?:hang|moi)\s+(?:nam|quy|thang|tuan)"
_IN_TEXT_DEADLINE = re.compile(
    r"(?<![a-z0-9])(?:"
    rf"(?:truoc|cham nhat(?:\s+la)?|han chot(?:\s+la)?)\s+(?:ngay\s+)?(?:{_DATE}|{_DATE_WORDS})"
    rf"(?:\s+{_EVERY})?"
    r"|(?:trong|truoc|cham nhat(?:\s+la)?)\s+(?:quy\s+(?:[ivx]+|\d)|thang\s+\d{1,2})\s*(?:/|\s+nam\s+)\s*\d{4}"
    r"|(?:trong|truoc)\s+nam\s+\d{4}"
    rf"|dinh\s+ky(?:\s+(?:{_EVERY}|(?:0?6|0?3)\s+thang|nua\s+nam))?"
    rf"|{_EVERY}"
    r")(?![a-z0-9])"
)


def _same_length_fold(text: str) -> str:
    """fold() character by character, so positions in the result are positions in the text."""
    return "".join(_fold_char(char) for char in text)


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    folded = fold(char)
    return folded if len(folded) == 1 else (" " if char.isspace() else char.lower()[:1] or char)


def find_deadline_phrase(text: str) -> str:
    """The first deadline phrase inside a sentence ("… báo cáo trước ngày 07/02/2026"), or ""."""
    match = _IN_TEXT_DEADLINE.search(_same_length_fold(text))
    return text[match.start() : match.end()] if match else ""


def _outside_parentheses(text: str) -> list[tuple[int, int]]:
    """Spans of text at parenthesis depth 0."""
    spans: list[tuple[int, int]] = []
    depth, start = 0, 0
    for index, char in enumerate(text):
        if char == "(":
            if depth == 0 and index > start:
                spans.append((start, index))
            depth += 1
        elif char == ")" and depth:
            depth -= 1
            if depth == 0:
                start = index + 1
    if depth == 0 and start < len(text):
        spans.append((start, len(text)))
    return spans


def _split_clauses(text: str) -> list[str]:
    """Split on ";" outside parentheses and quotes."""
    clauses: list[str] = []
    depth, start = 0, 0
    for index, char in enumerate(text):
        if char in "(“":
            depth += 1
        elif char in ")”" and depth:
            depth -= 1
        elif char == ";" and depth == 0:
            clauses.append(text[start:index])
            start = index + 1
    clauses.append(text[start:])
    return [clause.strip() for clause in clauses if clause.strip()]


def _known_prefix(text: str) -> int:
    """Length of the longest known agency's name that text begins with (0 if none)."""
    words = text.split(" ")
    for count in range(min(len(words), 16), 0, -1):
        candidate = " ".join(words[:count])
        if canonical_agency(candidate) is not None:
            return len(candidate)
    return 0


def _subject(text: str) -> tuple[str, bool] | None:
    """The agencies a sentence begins with (before its verb) and whether it says "Giao"."""
    assign = _ASSIGN.match(text)
    rest = text[assign.end() :] if assign else text
    if not starts_with_agency_word(rest):
        return None
    # A known name may hold a verb-like word ("Phòng Giáo dục thường xuyên …"): look after it.
    known = _known_prefix(rest)
    for start, end in _outside_parentheses(rest):
        verb = _TASK_VERB.search(rest, max(start, known), end)
        if verb and verb.start() > 0:
            subject = rest[: verb.start()].strip(" ,")
            return (subject, bool(assign)) if subject else None
    if rest.rstrip().endswith(":"):
        # "Giao Sở Y tế:" followed by the items it is given.
        return rest.rstrip(" :"), bool(assign)
    return None


def _subject_agencies(subject: str) -> list[str]:
    enumerated = expand_enumeration(subject)
    if enumerated:
        return enumerated
    plain = "".join(subject[start:end] for start, end in _outside_parentheses(subject))
    return split_agencies(plain)


def _coordinate_target(text: str) -> str | None:
    """The agency after "phối hợp với" in a sentence, or None."""
    match = _COORDINATE_WITH.search(text)
    if not match:
        return None
    tail = text[match.end() :]
    words = tail.split(" ")
    for count in range(min(len(words), 14), 0, -1):
        candidate = " ".join(words[:count])
        if canonical_agency(candidate) is not None:
            return candidate.rstrip(",;.")
    stop = _TARGET_STOP.search(tail)
    target = tail[: stop.start()] if stop else tail
    target = target.strip()
    return target if target and starts_with_agency_word(target) and target[:1].isupper() else None


@dataclass(slots=True)
class _Group:
    lead: list[str]
    clauses: list[str] = field(default_factory=list)
    coordinators: list[str] = field(default_factory=list)
    closed: bool = False


def _same_agencies(left: list[str], right: list[str]) -> bool:
    return {agency_key(name) for name in left} == {agency_key(name) for name in right}


def _clause_groups(text: str, lead: list[str], *, explicit_only: bool) -> list[_Group]:
    """Cut an assignment into tasks: a reporting duty with its own deadline is a task of its
    own; another agency's share is a task of its own, or makes it a coordinator when it only
    supports the lead ("các phòng … phối hợp với Văn phòng Sở")."""
    groups = [_Group(lead)]
    foreign = False
    for position, clause in enumerate(_split_clauses(text)):
        subject = _subject(clause) if position else None
        if subject is not None and subject[1]:
            # "…; giao Sở B …": another explicit assignment in the same paragraph.
            groups.append(_Group(_subject_agencies(subject[0]), [clause]))
            foreign = False
            continue
        if subject is not None:
            agencies = _subject_agencies(subject[0])
            target = _coordinate_target(clause)
            if target and _same_agencies(split_agencies(target), lead):
                groups[-1].coordinators.extend(agencies)
                foreign = False
                continue
            foreign = explicit_only
            if not foreign:
                groups.append(_Group(agencies, [clause]))
            continue
        if foreign:
            continue
        current = groups[-1]
        if _REPORTING.match(clause) and find_deadline_phrase(clause):
            groups.append(_Group(current.lead, [clause], closed=True))
        elif current.closed:
            groups.append(_Group(current.lead, [clause]))
        else:
            current.clauses.append(clause)
    return [group for group in groups if group.clauses]


def _prose_found(
    content: str,
    lead: list[str],
    coordinators: list[str],
    position: tuple[int, ...],
    section: str | None,
    path: list[str],
) -> _Found:
    content = _TRAILING_PUNCTUATION.sub("", content)
    coordinators = list(coordinators)
    target = _coordinate_target(content)
    if target and not _same_agencies(split_agencies(target), lead):
        coordinators.extend(split_agencies(target))
    deadline_text = _clean_deadline(find_deadline_phrase(content))
    return _Found(
        position=position,
        section=section,
        path=path,
        content=content,
        lead=lead,
        coordinators=coordinators,
        deadline_text=deadline_text,
    )


def _find_prose(lines: list[_Line], skip: set[int], *, explicit_only: bool) -> list[_Found]:
    """Tasks assigned in numbered paragraphs ("1. Giao Sở …: - …; - …", "2. Ban … tham mưu …").

    With `explicit_only` (the document has a task table or list) only "Giao …" counts.
    """
    paragraphs = _paragraphs(lines, skip)
    outline = _Outline()
    found: list[_Found] = []
    # (path, lead) of an assignment that hands out its numbered sub-items ("1. Giao Sở Y tế:").
    giver: tuple[list[str], list[str]] | None = None
    for index, paragraph in enumerate(paragraphs):
        outline.see(paragraph)
        if paragraph.kind == "roman":
            giver = None
        if paragraph.kind != "decimal" or outline.skipped:
            continue
        body = paragraph.body
        path = paragraph.marker.split(".")
        if giver is not None and path[: len(giver[0])] != giver[0]:
            giver = None
        subject = _subject(body)
        if subject is None or (explicit_only and not subject[1]):
            if giver is not None and len(path) > len(giver[0]):
                found.append(
                    _prose_found(body, giver[1], [], paragraph.position, outline.section, path)
                )
            continue
        lead = _subject_agencies(subject[0])
        if not lead:
            continue
        children: list[_Para] = []
        for child in paragraphs[index + 1 :]:
            if child.kind in ("decimal", "roman"):
                break
            children.append(child)
        bullets = [child for child in children if child.kind in ("bullet", "letter")]
        hands_out = bool(_HANDS_OUT.search(body))
        if hands_out and not bullets:
            giver = (path, lead)
            continue
        if bullets and hands_out:
            for number, bullet in enumerate(bullets):
                letter = (
                    bullet.marker
                    if bullet.kind == "letter"
                    else VIETNAMESE_LETTERS[number % len(VIETNAMESE_LETTERS)]
                )
                found.append(
                    _prose_found(
                        bullet.body, lead, [], bullet.position, outline.section, [*path, letter]
                    )
                )
            continue
        groups = _clause_groups(body, lead, explicit_only=explicit_only)
        for number, group in enumerate(groups):
            sub_path = (
                [*path, VIETNAMESE_LETTERS[number % len(VIETNAMESE_LETTERS)]]
                if len(groups) > 1
                else path
            )
            found.append(
                _prose_found(
                    "; ".join(group.clauses),
                    group.lead,
                    group.coordinators,
                    (*paragraph.position, number),
                    outline.section,
                    sub_path,
                )
            )
    return found


def extract_prose(document: Document, *, explicit_only: bool = False) -> list[TaskDraft]:
    """Tasks assigned in running text ("Giao Sở … chủ trì …", seeds 000 and 002)."""
    return _to_drafts(_find_prose(_paragraph_lines(document), set(), explicit_only=explicit_only))


# --- the entry point -------------------------------------------------------------------------


def extract_plan(document: Document) -> ExtractedPlan:
    """All the tasks of a document, whichever layouts it uses; none found raises UserError."""
    found = _find_tables(document)
    lines = _paragraph_lines(document)
    flattened, used = _find_flattened(lines)
    found.extend(flattened)
    labelled, used_by_lists = _find_labelled(lines, used)
    found.extend(labelled)
    # A document with a task table or list keeps its tasks there; its prose adds only the
    # explicit assignments ("Giao Văn phòng Sở làm đầu mối …").
    found.extend(_find_prose(lines, used | used_by_lists, explicit_only=bool(found)))
    if not found:
        raise UserError(
            _(
                "No task could be found in this document: there is no task table with a "
                "recognisable header (Nội dung, Chủ trì, Phối hợp, Thời gian) and no assignment."
            )
        )
    return ExtractedPlan(source=document.source, tasks=_to_drafts(found))
