"""Task tables flattened by PDF text extraction: each cell's lines one after another (seed 001).

Rows are found by their numbers; a row's lines are then cut into its columns, in column order,
by a small dynamic programme that scores how well each candidate cell fits its column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from core.text import fold, join_wrapped
from plans.agencies import (
    canonical_agency,
    is_generic_group,
    known_prefix,
    split_agencies,
    starts_with_agency_word,
)
from plans.layouts.common import (
    AGENCY_FIELDS,
    CONTENT,
    DEADLINE,
    END_OF_BODY,
    HEADER_WORDS,
    NAME_TO_FIELD,
    NAMES_LONGEST_FIRST,
    NOTES,
    NUMBER,
    PAGE_NUMBER,
    Found,
    Line,
    clean_cell,
    clean_deadline,
    found_from_fields,
    paragraph_lines,
    roman_value,
    to_drafts,
)
from plans.model import Document, TaskDraft
from schedules.deadlines import parse_deadline

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
    text = clean_deadline(text)
    folded = cached_fold(text)
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
    folded = cached_fold(line).split(" ")
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

_ROW_NUMBER = re.compile(r"^(?P<number>\d{1,2}(?:\.\d{1,2})*)[.)]?$|^(?P<letter>[a-zđ])[.)]$")
_ROW_NUMBER_WITH_TEXT = re.compile(r"^(?P<number>\d{1,2})[.)]?\s+(?P<text>\S.*)$")
# "TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "GIÁM ĐỐC": the signature block after a table.
_SIGNATURE = re.compile(r"^(?:TM|KT|TL|Q|K/T)\.\s")


def _ends_table(text: str) -> bool:
    """True for the signature block after a table ("KT. CHỦ TỊCH", "GIÁM ĐỐC")."""
    if _SIGNATURE.match(text):
        return True
    return text.isupper() and len(text.split()) >= 2 and not any(c.isdigit() for c in text)


_SECTION_LINE = re.compile(r"^(?P<roman>[IVXL]{1,6})\s*[.\-–)]\s*(?=\S)")
# "I" alone: the number cell of a section row, its title in the next cell (next line).
_BARE_ROMAN = re.compile(r"^(?P<roman>[IVXL]{1,6})\s*[.)]?$")
# "A. NHIỆM VỤ CHUNG": a section lettered instead of numbered in Roman.
_LETTER_SECTION_LINE = re.compile(r"^(?P<letter>[A-H])\s*[.\-–)]\s+(?=\S)")
# How far after a section title its first row's number may be (the title may wrap).
_TITLE_LINES = 4
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
        for name in NAMES_LONGEST_FIRST:
            words = name.replace(",", " ").replace("/", " ").split()
            if tokens[index : index + len(words)] == words:
                key = NAME_TO_FIELD[name]
                if key not in fields:
                    fields.append(key)
                index += len(words)
                used = index
                break
        else:
            index += 1
    return fields, used


def _header_at(lines: list[Line], start: int) -> tuple[list[str], int] | None:
    """The fields of a flattened header beginning at lines[start] and the index after it."""
    end = start
    while end < len(lines) and end - start < 12:
        tokens = _header_tokens(lines[end].text)
        if not tokens or not all(token in HEADER_WORDS for token in tokens):
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
def cached_fold(text: str) -> str:
    """fold(), remembered: the segmentation folds the same pieces many times."""
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
# A line wraps only when its next word does not fit: a cell whose line left room for the next
# line's first word (with some slack for proportional fonts) did not wrap there.
_WRAP_SLACK = 0.9
_UNWRAPPED_LINE = -1.0
# A cell wrapped wrongly three times over is never the best reading; stop looking further.
_HOPELESS = -6.0


class _Pieces:
    """A row's pieces with what the wrapping rules need, computed once."""

    def __init__(self, pieces: list[str], *, continuation: bool) -> None:
        self.pieces = pieces
        self.continuation = continuation
        folded = [cached_fold(piece) for piece in pieces]
        self.lower_first = [piece.lstrip("“\"'(")[:1].islower() for piece in pieces]
        self.open_word_end = [bool(_OPEN_WORD_ENDING.search(text)) for text in folded]
        # A cell's first words may wrap ("Thường" / "xuyên"): look at two pieces together.
        heads = [join_wrapped(pieces[index : index + 2]) for index in range(len(pieces))]
        self.agency_start = [
            starts_with_agency_word(head) or known_prefix(head) > 0 for head in heads
        ]
        self.lengths = [len(piece) for piece in pieces]
        # What line `index` would hold had the next line's first word fitted on it; after a
        # ";" a writer starts another name on a new line whatever the room left.
        self.filled_with_next = [
            self.lengths[index] + 1 + len(pieces[index + 1].split(" ", 1)[0])
            if index + 1 < len(pieces) and not pieces[index].endswith(";")
            else 0
            for index in range(len(pieces))
        ]
        self.deadline_start = [bool(_DEADLINE_START.match(cached_fold(head))) for head in heads]
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

    def unwrapped_lines(self, start: int, end: int) -> int:
        """How many lines of pieces[start:end] end although the next line's first word fitted."""
        if end - start < 2:
            return 0
        room = _WRAP_SLACK * max(self.lengths[start:end])
        return sum(1 for index in range(start, end - 1) if 0 < self.filled_with_next[index] <= room)

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
                if key != CONTENT:
                    # The content column's pieces are cut by deadlines split off its lines.
                    gain += _UNWRAPPED_LINE * row.unwrapped_lines(start, end)
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


def _flat_row_task(row: _FlatRow, columns: list[str]) -> Found | None:
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
    content = clean_cell("\n".join(cells.get(CONTENT, [])))
    if not content:
        return None
    text = {key: "\n".join(value) for key, value in cells.items()}
    return found_from_fields(
        position=row.position, section=row.section, path=row.path, content=content, fields=text
    )


def find_flattened(lines: list[Line]) -> tuple[list[Found], set[int]]:
    """Tasks of tables flattened into lines, and the indexes of the lines they used."""
    found: list[Found] = []
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
        if END_OF_BODY.match(line.text):
            break  # the recipients follow the table
        text = line.text
        number = _ROW_NUMBER.match(text)
        if number and PAGE_NUMBER.match(text) and _header_at(lines, index + 1) is not None:
            used.add(index)  # a page number printed just before the repeated header
            index += 1
            continue
        section_match = _SECTION_LINE.match(text) or (
            _BARE_ROMAN.match(text) if _first_row_follows(lines, index) else None
        )
        if section_match and roman_value(section_match["roman"]):
            section, parent, in_section_title = section_match["roman"], [], True
            used.add(index)
            index += 1
            continue
        letter_section = _LETTER_SECTION_LINE.match(text)
        if letter_section and _first_row_follows(lines, index):
            section, parent, in_section_title = letter_section["letter"], [], True
            used.add(index)
            index += 1
            continue
        if rows and not number and _ends_table(text):
            if not _first_row_follows(lines, index):
                break
            in_section_title = True  # a section's title in capitals, without a number
            used.add(index)
            index += 1
            continue
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


def _first_row_follows(lines: list[Line], index: int) -> bool:
    """True when a row numbered 1 follows shortly: lines[index] is a section's title."""
    for line in lines[index + 1 : index + 1 + _TITLE_LINES]:
        number = _ROW_NUMBER.match(line.text) or _ROW_NUMBER_WITH_TEXT.match(line.text)
        if number:
            return number["number"] in ("1", "01")
    return False


def _continues_numbering(rows: list[_FlatRow], section: str | None, number: str) -> bool:
    """True when "N text" continues the rows' numbering (so it is not a line of content)."""
    if not rows or rows[-1].section != section:
        return number == "1"
    previous = rows[-1].path[0]
    return previous.isdigit() and int(number) == int(previous) + 1


def extract_flattened(document: Document) -> list[TaskDraft]:
    """Tasks of task tables that PDF text extraction flattened into lines (seed 001)."""
    return to_drafts(find_flattened(paragraph_lines(document))[0])
