"""A plan's title from its heading: "KẾ HOẠCH" and its subject, "V/v …", the document number.

Official documents open with the issuer, "Số: 31-KH/BTGDUK", the kind in capitals ("KẾ
HOẠCH") and the subject below it ("công tác khoa giáo năm 2024"); a letter (công văn) gives
its subject as "V/v …"; an appendix says what it is attached to ("Kèm theo Kế hoạch số …").
The title is "<kind> [số <number>] <subject>", as a reader would cite the document.
"""

from __future__ import annotations

import re
from datetime import date

from core.text import fold, nfc, squash_spaces
from plans.layouts.common import Line, paragraph_lines, same_length_fold
from plans.layouts.paragraphs import page_width
from plans.model import Document, Table

# Folded kinds of document and how they are written in a title.
_KINDS = {
    "ke hoach": "Kế hoạch",
    "chuong trinh hanh dong": "Chương trình hành động",
    "chuong trinh": "Chương trình",
    "de an": "Đề án",
    "chi thi": "Chỉ thị",
    "quyet dinh": "Quyết định",
    "thong bao": "Thông báo",
    "huong dan": "Hướng dẫn",
    "cong van": "Công văn",
    "phu luc": "Phụ lục",
}
_KIND = re.compile(
    r"^(?P<kind>" + "|".join(sorted(_KINDS, key=len, reverse=True)) + r")"
    r"(?:\s+(?P<number>[ivxl]{1,5}|\d{1,2}[a-z]?)(?=$|\s*[.:\-–]?\s))?(?:\s*[.:\-–]?\s+|$)"
)
# The number codes of the kinds ("31-KH/BTGDUK", "12/KH-UBND", "05-CTr/TU", "123/UBND-KT").
_KIND_CODES = {"kh": "Kế hoạch", "ctr": "Chương trình", "ct": "Chỉ thị", "qd": "Quyết định"}
_KIND_CODES |= {"tb": "Thông báo", "hd": "Hướng dẫn", "da": "Đề án"}
_NUMBER = r"(?P<number>\d+[\w./-]*[\w])"
_NUMBER_LINE = re.compile(rf"^Số\s*:?\s*{_NUMBER}")
_ATTACHED_TO = re.compile(
    r"\(?\s*kèm theo (?P<kind>kế hoạch|chương trình|quyết định|đề án|công văn|chỉ thị)"
    rf"\s+số\s*:?\s*{_NUMBER}",
    re.IGNORECASE,
)
_ABOUT = re.compile(r"^V/v\s*:?\s*(?P<subject>\S.*)$")
# Lines that begin the body or the address, never the title's subject.
_NOT_SUBJECT = re.compile(
    r"^(?:[IVXL]{1,5}\s*[.\-–)]|\d{1,2}(?:\.\d{1,2})*\s*[.)]|[a-zđ]\)|[-–+•*(]|kính gửi"
    r"|căn cứ|số\s*:?\s|nơi nhận|tt\s|stt\s)",
    re.IGNORECASE,
)
# The first lines hold the heading; past them is the body.
_HEAD_LINES = 30
_LETTERHEAD_BLOCKS = 3
_LETTERHEAD_ROWS = 4
_MAX_SUBJECT_LINES = 5
_MAX_TITLE = 250
_FULL_LINE = 0.8


def find_title(document: Document, lines: list[Line] | None = None) -> str | None:
    """The document's title ("Kế hoạch số 31-KH/BTGDUK công tác khoa giáo năm 2024"), or None.

    `lines` are the document's paragraph lines when the caller has them already.
    """
    lines = paragraph_lines(document) if lines is None else lines
    lines = sorted([*_letterhead_lines(document), *lines], key=lambda line: line.position)
    head = lines[:_HEAD_LINES]
    number = _own_number(head)
    for index, line in enumerate(head):
        match = _KIND.match(same_length_fold(line.text))
        if match is None or not _is_heading(line.text, match):
            continue
        kind = _KINDS[match["kind"]]
        if match["number"]:
            kind = f"{kind} {line.text.split()[len(kind.split())]}"  # "Phụ lục II", as written
        subject_lines = [line.text[match.end() :].strip()] if match.end() < len(line.text) else []
        subject = _subject(subject_lines, lines[index + 1 : index + 1 + _MAX_SUBJECT_LINES], lines)
        attached = _attached_to(lines)
        if kind.startswith("Phụ lục"):
            title = _join(kind, None, subject)
            if attached is not None:
                title += f" (kèm theo {attached[0]} số {attached[1]})"
            return _shorten(title)
        if number is None and attached is not None and attached[0] == _KINDS[match["kind"]]:
            number = attached[1]  # the plan this document's appendix belongs to is this one
        return _shorten(_join(kind, number, subject))
    for index, line in enumerate(head):
        about = _ABOUT.match(line.text)
        if about:
            subject = _subject([about["subject"]], lines[index + 1 : index + 3], lines)
            return _shorten(f"{_join('Công văn', number, '')} V/v {subject}")
    if number is not None:
        return _join(_kind_of_number(number), number, "")
    attached = _attached_to(lines)
    return _join(attached[0], attached[1], "") if attached else None


# "Quảng Ngãi, ngày 10 tháng 01 năm 2026": the place, a comma, then the date, whose day and
# month are often left blank until the signature. A cited document's date has no comma before it.
_PLACE_DATE = re.compile(
    r",\s*ngay\s*(?P<day>\d{1,2})?\s*(?:thang\s*(?P<month>\d{1,2})?\s*nam\s*"
    r"|/\s*(?P<month_number>\d{1,2})\s*/\s*)(?P<year>(?:19|20)\d\d)(?!\d)"
)


def find_issue_date(document: Document, lines: list[Line] | None = None) -> date | None:
    """The day a document was signed, from its "<place>, ngày … tháng … năm …" line.

    A blank day or month (filled by hand when signing) counts as the first one, so a plan
    dated "ngày    tháng    năm 2026" gives 1 January 2026. None when the head has no such line.
    """
    lines = paragraph_lines(document) if lines is None else lines
    lines = sorted([*_letterhead_lines(document), *lines], key=lambda line: line.position)
    for line in lines[:_HEAD_LINES]:
        match = _PLACE_DATE.search(same_length_fold(line.text))
        if match is None:
            continue
        year = int(match["year"])
        month = int(match["month"] or match["month_number"] or 1)
        day = int(match["day"] or 1)
        for candidate in ((year, month, day), (year, month, 1), (year, 1, 1)):
            try:
                return date(*candidate)
            except ValueError:
                continue  # "ngày 31 tháng 02": keep what is certain, the month or the year
    return None


def _letterhead_lines(document: Document) -> list[Line]:
    """The cells' lines of a small table at the top: .docx letterheads set the issuer and
    "Số: 45/KH-UBND" beside the national motto in a borderless table."""
    found: list[Line] = []
    for block_index, block in enumerate(document.blocks[:_LETTERHEAD_BLOCKS]):
        if not isinstance(block, Table) or len(block.rows) > _LETTERHEAD_ROWS:
            continue
        cells = [str(cell or "") for row in block.rows for cell in row]
        texts = [squash_spaces(nfc(text)) for cell in cells for text in cell.split("\n")]
        found.extend(
            Line(text, (block_index, -len(texts) + number))
            for number, text in enumerate(texts)
            if text
        )
    return found


def _is_heading(text: str, match: re.Match[str]) -> bool:
    """A kind written in capitals ("KẾ HOẠCH …"), or an appendix's name alone ("Phụ lục II")."""
    words = len(_KINDS[match["kind"]].split())
    kind_text = " ".join(text.split()[:words])
    if kind_text.isupper():
        return True
    return match["kind"] == "phu luc" and match.end() >= len(fold(text).rstrip())


def _subject(first: list[str], following: list[Line], lines: list[Line]) -> str:
    """The subject under the kind: the next paragraph, re-joined if it wrapped."""
    width = page_width(lines)
    parts = [part for part in first if part]
    for line in following:
        text = line.text
        if _NOT_SUBJECT.match(text) or (_KIND.match(fold(text)) and text.split()[0].isupper()):
            break
        if parts:
            previous = parts[-1]
            wrapped = width is not None and len(previous) >= _FULL_LINE * width
            if not (text[:1].islower() or wrapped):
                break
        parts.append(text)
    subject = " ".join(parts).strip(" .")
    if not subject.isupper():
        return subject
    # A subject in capitals reads in lower case, but numbers keep theirs ("57-NQ/TW").
    return " ".join(
        word if any(char.isdigit() for char in word) else word.lower() for word in subject.split()
    )


def _join(kind: str, number: str | None, subject: str) -> str:
    title = f"{kind} số {number}" if number else kind
    if subject:
        first_word = subject.split(" ", 1)[0]
        if not first_word.isupper() or len(first_word) == 1:
            # "KẾ HOẠCH" / "Thực hiện Chương trình …": the subject goes on the kind's sentence.
            subject = subject[:1].lower() + subject[1:]
        title = f"{title} {subject}"
    return title


def _own_number(head: list[Line]) -> str | None:
    for line in head:
        match = _NUMBER_LINE.match(line.text)
        if match:
            return match["number"]
    return None


def _attached_to(lines: list[Line]) -> tuple[str, str] | None:
    """(kind, number) of the document an appendix is attached to, when its number is given."""
    for line in lines:
        match = _ATTACHED_TO.search(line.text)
        if match:
            return match["kind"][:1].upper() + match["kind"][1:].lower(), match["number"]
    return None


def _kind_of_number(number: str) -> str:
    """ "31-KH/BTGDUK" -> "Kế hoạch"; a number without a kind's code is a letter's."""
    for code in re.split(r"[-/]", fold(number))[1:]:
        if code in _KIND_CODES:
            return _KIND_CODES[code]
    return "Công văn"


def _shorten(title: str) -> str:
    if len(title) <= _MAX_TITLE:
        return title
    return title[: title.rfind(" ", 0, _MAX_TITLE - 1)] + "…"
