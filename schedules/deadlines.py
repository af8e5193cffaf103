"""Deadline phrases of Vietnamese plans ("Quý I/2026", "Hằng năm", "Thường xuyên") as data."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal

from core.text import fold, nfc, squash_spaces

DeadlineKind = Literal["fixed", "recurring", "ongoing", "undetermined"]
Recurrence = Literal["yearly", "semiannual", "quarterly", "monthly", "weekly"]

# A table cell longer than this is not a deadline phrase; reading it would only cost time.
MAX_PHRASE_LENGTH = 500
_FRIDAY = 4


@dataclass(frozen=True, slots=True)
class Deadline:
    """A parsed deadline phrase (domain.md section 3 and 6)."""

    kind: DeadlineKind
    due: date | None = None
    recurrence: Recurrence | None = None
    milestones: tuple[date, ...] = ()
    # (day, month) a recurring phrase names, e.g. "trước ngày 15/12 hằng năm" -> (14, 12).
    anchor: tuple[int, int] | None = None
    text: str = ""
    # False when the grammar did not know the phrase: the task is flagged for a coordinator.
    understood: bool = True
    # Day of the month a monthly phrase names ("trước ngày 20 hằng tháng" -> 19).
    day_of_month: int | None = None
    # First day the recurrence runs from ("Năm 2026 và các năm tiếp theo" -> 2026-01-01).
    starts: date | None = None

    def next_due(self, today: date) -> date | None:
        """The next due date on or after today (fixed: its due date; ongoing: None)."""
        if self.kind == "fixed":
            return self.due
        if self.kind != "recurring":
            return None
        day = max(today, self.starts) if self.starts else today
        upcoming_milestones = [milestone for milestone in self.milestones if milestone >= day]
        candidates = [min(upcoming_milestones)] if upcoming_milestones else []
        if self.recurrence is not None:
            candidates.append(self._next_period_end(day))
        return min(candidates) if candidates else None

    def _next_period_end(self, day: date) -> date:
        if self.recurrence == "weekly":
            return day + timedelta(days=(_FRIDAY - day.weekday()) % 7)
        if self.recurrence == "monthly":
            if self.day_of_month is None:
                return _month_end(day.year, day.month)
            candidate = _clamped_date(day.year, day.month, self.day_of_month)
            if candidate >= day:
                return candidate
            year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
            return _clamped_date(year, month, self.day_of_month)
        if self.recurrence == "quarterly":
            return _month_end(day.year, _quarter_last_month(day.month))
        if self.recurrence == "semiannual":
            return date(day.year, 6, 30) if day.month <= 6 else date(day.year, 12, 31)
        anchor_day, anchor_month = self.anchor or (31, 12)
        candidate = _clamped_date(day.year, anchor_month, anchor_day)
        return (
            candidate if candidate >= day else _clamped_date(day.year + 1, anchor_month, anchor_day)
        )

    def as_dict(self) -> dict[str, Any]:
        """The deadline object of domain.md section 6."""
        return {
            "kind": self.kind,
            "due": self.due.isoformat() if self.due else None,
            "recurrence": self.recurrence,
            "milestones": [milestone.isoformat() for milestone in self.milestones],
        }


def parse_deadline(text: str, *, today: date | None = None) -> Deadline:
    """Read a deadline phrase; unknown or impossible phrases give kind 'undetermined'."""
    kept = squash_spaces(nfc(text or ""))
    if len(kept) > MAX_PHRASE_LENGTH:
        return Deadline("undetermined", text=kept, understood=False)
    folded = _normalise(kept)
    try:
        return _read(folded, kept, today)
    except (ValueError, OverflowError):
        # An impossible date ("31/02/2026") or a year out of range: kept for a coordinator.
        return Deadline("undetermined", text=kept, understood=False)


def period_end(text: str, *, today: date) -> date | None:
    """The last day of the date or period a short reply phrase names ("hết tháng 6"), or None."""
    deadline = parse_deadline(text, today=today)
    if deadline.kind == "fixed" and deadline.understood:
        return deadline.due
    return None


# --- normalisation ----------------------------------------------------------------------------

_DASHES = str.maketrans({"–": "-", "—": "-", "‐": "-", "‑": "-", "−": "-", "\\": "/"})
_TRAILING_PUNCTUATION = re.compile(r"^[\s.,;:()\[\]*_\"'-]+|[\s.,;:()\[\]*_\"'-]+$")


# "Quí" is the older spelling of "Quý" and still common in plans.
_QUI = re.compile(r"(?<![a-z])qui(?![a-z])")


def _normalise(text: str) -> str:
    folded = fold(text).translate(_DASHES)
    if "qui" in folded:
        folded = _QUI.sub("quy", folded)
    return _TRAILING_PUNCTUATION.sub("", folded)


# --- phrase families ----------------------------------------------------------------------

_W = r"(?<![a-z0-9])"  # start of a word (folded text has only ASCII letters left)
_E = r"(?![a-z0-9])"  # end of a word

_ONGOING = re.compile(rf"{_W}(?:thuong\s*xuyen|lien\s*tuc|hang\s*ngay|moi\s*ngay){_E}")
_UNDETERMINED_START = re.compile(
    rf"^(?:theo|khi|tuy|sau\s+khi|can\s+cu|phu\s+thuoc|chua\s+xac\s+dinh){_E}"
)
_UNDETERMINED_ANYWHERE = re.compile(
    rf"{_W}(?:theo\s+(?:lo\s*trinh|de\s*nghi|yeu\s*cau|chi\s*dao|huong\s*dan|tien\s*do|ke\s*hoach)"
    rf"|khi\s+co\s+yeu\s*cau|chua\s+xac\s+dinh){_E}"
)
# "(theo) Công văn số 12/UBND-VX ngày 05/01/2026", "Nghị quyết 05-NQ/TU": a document, whose
# number looks like a date to the period patterns. A number with letters after it is a
# document number; a date never has letters.
_DOC_GROUP = r"(?!(?:quy|thang|nam|ngay|tuan)(?![a-z]))[a-z][a-z0-9&]*"
_DOC_NUMBER = rf"(?<![\d/])\d{{1,5}}(?:/\d{{2,4}})?\s*[/-]\s*{_DOC_GROUP}"
_CITATION = re.compile(
    rf"(?:{_W}(?:theo|tai|can\s*cu|thuc\s*hien)\s*)?(?:"
    # "Công văn số 12/UBND", "KH 45/KH-SYT", "số 12/UBND"
    rf"(?:{_W}(?:cong\s*van|ke\s*hoach|quyet\s*dinh|van\s*ban|thong\s*bao|chi\s*thi"
    rf"|nghi\s*quyet|thong\s*tu|nghi\s*dinh|ket\s*luan|to\s*trinh|bao\s*cao"
    rf"|chuong\s*trinh|de\s*an|cv|kh|qd|nq|tb){_E}\s*(?:so\s*)?|{_W}so\s*){_DOC_NUMBER}"
    rf"(?:\s*[-/.]\s*{_DOC_GROUP})*"
    # or a bare number with two letter groups: "45/KH-SYT", "05-NQ/TU"
    rf"|{_DOC_NUMBER}(?:\s*[-/.]\s*{_DOC_GROUP})+"
    rf")(?:\s*,?\s*ngay\s*\d{{1,2}}\s*(?:[/.-]\s*\d{{1,2}}\s*[/.-]\s*\d{{2,4}}(?!\d)"
    rf"|thang\s*\d{{1,2}}\s*nam\s*\d{{4}}))?"
)
_RECURRING_MARK = re.compile(
    rf"{_W}(?:(?:hang|moi)\s*(?:nam|quy|thang|tuan)|dinh\s*ky"
    rf"|(?:cac|nhung)\s+nam\s+(?:tiep\s+theo|sau|ke\s+tiep)){_E}"
)
_MILESTONE = re.compile(rf"{_W}(?:so\s*ket|tong\s*ket)(?P<body>[^;]*?)(?=so\s*ket|tong\s*ket|;|$)")

# Finest period first: a phrase naming several ("6 tháng và hằng năm") is reminded at the finest.
_RECURRENCES: tuple[tuple[Recurrence, re.Pattern[str]], ...] = (
    ("weekly", re.compile(rf"{_W}(?:hang|moi)\s*tuan{_E}")),
    ("monthly", re.compile(rf"{_W}(?:hang|moi)\s*thang{_E}|{_W}dinh\s*ky\s*(?:01|1)?\s*thang{_E}")),
    (
        "quarterly",
        re.compile(
            rf"{_W}(?:(?:hang|moi)\s*quy|dinh\s*ky\s*(?:hang\s*)?quy|(?:0?3)\s*thang\s*(?:/|mot)\s*lan){_E}"
            rf"|{_W}dinh\s*ky\s*0?3\s*thang{_E}"
        ),
    ),
    (
        "semiannual",
        re.compile(
            rf"{_W}(?:(?:dinh\s*ky|hang|moi)\s*(?:0?6|sau)\s*thang|(?:hang|moi)\s*nua\s*nam"
            rf"|dinh\s*ky\s*nua\s*nam|0?6\s*thang\s*(?:/|mot)\s*lan"
            rf"|0?6\s*thang\s*(?:,|va|-)\s*(?:hang\s*|ca\s*|moi\s*)?nam){_E}"
        ),
    ),
    (
        "yearly",
        re.compile(
            rf"{_W}(?:(?:hang|moi)\s*nam|dinh\s*ky\s*(?:hang\s*)?nam|(?:cac|nhung)\s+nam\s+"
            rf"(?:tiep\s+theo|sau|ke\s+tiep)|dinh\s*ky\s*(?:01|1|12)\s*(?:nam|thang)){_E}"
        ),
    ),
)
# "Định kỳ 2 năm" names a period the recurrences above do not have.
_ODD_PERIOD = re.compile(rf"{_W}dinh\s*ky\s*(?:\d+\s*(?:nam|thang|tuan|ngay)|hang\s*ngay){_E}")
_YEARLY_ANCHOR = re.compile(
    rf"(?P<before>{_W}truoc\s*)?(?:ngay\s*)?(?<![\d/.])(?P<d>\d{{1,2}})\s*(?:/|-|\.|thang)\s*"
    rf"(?P<m>\d{{1,2}})(?![\d/.])"
)
_MONTHLY_DAY = re.compile(
    rf"(?P<before>{_W}truoc\s*)?ngay\s*(?P<d>\d{{1,2}})(?!\s*(?:[/\d.-]|thang))"
)
# "Năm 2026 và các năm tiếp theo", "hằng năm (từ năm 2026)"; not "hằng năm đến năm 2030".
_RECURRING_START = re.compile(
    rf"^(?:nam\s*)?(?P<y>\d{{4}})(?!\d)|{_W}(?:tu|bat\s*dau\s*tu|bat\s*dau)\s*(?:nam\s*)?"
    rf"(?P<y2>\d{{4}})(?!\d)"
)

# --- periods ---------------------------------------------------------------------------------

_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
_QUARTER_NUMBER = r"(?:[ivx]+|\d{1,2})(?![a-z0-9])"
_LIST_SEP = r"\s*(?:,|-|&|\+|va(?![a-z])|den(?![a-z])|toi(?![a-z]))\s*"
_YEAR_TAIL = r"(?:\s*[/,.-]?\s*(?:nam\s*)?(?P<{}>\d{{4}})(?!\d))?"

_PERIOD = re.compile(
    "|".join(
        (
            # 15/7/2026, 15-7-2026, 15.7.2026, ngày 15/7/26
            r"(?:ngay\s*)?(?<![\d/.])(?P<d>\d{1,2})\s*([/.-])\s*(?P<dm>\d{1,2})\s*\2\s*"
            r"(?P<dy>\d{4}|\d{2})(?![\d/])",
            # 15 tháng 7 năm 2026, ngày 15 tháng 7
            r"(?:ngay\s*)?(?<![\d/.])(?P<sd>\d{1,2})\s*thang\s*(?P<sm>\d{1,2})(?!\d)"
            + _YEAR_TAIL.format("sy"),
            # 6 tháng đầu năm 2026, nửa cuối năm
            rf"{_W}(?:0?6|sau)\s*thang\s*(?P<h>dau|cuoi){_E}(?:\s*nam{_E})?"
            + _YEAR_TAIL.format("hy"),
            rf"{_W}nua\s*(?P<h2>dau|cuoi)\s*nam{_E}" + _YEAR_TAIL.format("h2y"),
            # Quý I/2026, quý 3 năm 2026, Quý I, II/2026
            rf"{_W}(?:quy|q\.?)\s*(?P<q>{_QUARTER_NUMBER}(?:{_LIST_SEP}(?:quy\s*)?{_QUARTER_NUMBER})*)"
            + _YEAR_TAIL.format("qy"),
            # Tháng 5/2026, tháng 3, 4/2026, tháng 05 năm 2026
            rf"{_W}thang\s*(?P<m>\d{{1,2}}(?!\d)(?:{_LIST_SEP}(?:thang\s*)?\d{{1,2}}"
            rf"(?!\d|\s*[/.]\s*\d{{1,2}}(?!\d)))*)" + _YEAR_TAIL.format("my"),
            # 05/2026 (a month without the word)
            r"(?<![\d/.])(?P<mm>\d{1,2})\s*/\s*(?P<mmy>\d{4})(?!\d)",
            # 15/3 (a day without a year, read against today)
            r"(?:ngay\s*)?(?<![\d/.])(?P<yd>\d{1,2})\s*/\s*(?P<ym>\d{1,2})(?![\d/])",
            # năm 2026, 2026
            rf"{_W}nam\s*(?P<y>\d{{4}})(?!\d)",
            r"(?<![\d/.])(?P<by>(?:19|20|21)\d\d)(?![\d/])",
            # hết năm, cuối quý, trong tuần (the current one)
            rf"{_W}(?:cuoi|het|trong)\s*(?P<bu>nam|quy|thang|tuan)(?![a-z0-9]|\s*(?:[ivx]+|\d))",
            # năm nay, tháng sau, quý tới
            rf"{_W}(?P<ru>nam|quy|thang|tuan)\s*(?P<rw>nay|sau|toi){_E}",
        )
    )
)
_BEFORE_TAIL = re.compile(rf"{_W}truoc(?:\s*(?:ngay|thoi\s*diem))?\s*$")
_FROM_TAIL = re.compile(rf"{_W}(?:tu|bat\s*dau(?:\s*tu)?)(?:\s*ngay)?\s*$")
_VAGUE_TAIL = re.compile(rf"{_W}(?:(?<!bat )dau|giua|sau|khoang|nhung\s*ngay|tuan(?:\s*\d+)?)\s*$")


@dataclass(slots=True)
class _Piece:
    """One period a phrase names; year None until resolved from a neighbour or today."""

    unit: str  # day, month, quarter, half, year, current, next
    number: int = 0  # month, quarter, half (1 or 2), or day
    month: int = 0  # for days
    year: int | None = None
    before: bool = False
    starts_range: bool = False
    # "năm nay" in "quý III năm nay" only gives the quarter its year.
    qualifies: bool = False

    def bounds(self) -> tuple[date, date]:
        """First and last day of the period (the last is already 'the day before' if so)."""
        assert self.year is not None
        year = self.year
        if self.unit == "day":
            first = last = date(year, self.month, self.number)
        elif self.unit == "month":
            first, last = date(year, self.number, 1), _month_end(year, self.number)
        elif self.unit == "quarter":
            last_month = self.number * 3
            first, last = date(year, last_month - 2, 1), _month_end(year, last_month)
        elif self.unit == "half":
            first = date(year, 1, 1) if self.number == 1 else date(year, 7, 1)
            last = date(year, 6, 30) if self.number == 1 else date(year, 12, 31)
        else:
            first, last = date(year, 1, 1), date(year, 12, 31)
        if self.before:
            last = first - timedelta(days=1)
        return first, last


def _read(folded: str, kept: str, today: date | None) -> Deadline:
    if not folded:
        return Deadline("ongoing", text=kept)
    if _CITATION.search(folded):
        # A cited document's number and date say which text the task comes from, not when it
        # is due: read what the cell says besides the citation.
        rest = _TRAILING_PUNCTUATION.sub("", _CITATION.sub(" ", folded))
        if not rest:
            # "Theo Kế hoạch số 12/KH-UBND": the due date is whatever that document sets.
            return Deadline("undetermined", text=kept)
        return _read(rest, kept, today)
    if _RECURRING_MARK.search(folded):
        return _read_recurring(folded, kept)
    milestones = _milestones(folded)
    if milestones:
        remainder = _MILESTONE.sub(" ", folded)
        fixed = _read_fixed(remainder, kept, today) if re.search(r"\d", remainder) else None
        if fixed is not None and fixed.kind == "fixed":
            return Deadline("fixed", due=fixed.due, milestones=milestones, text=kept)
        if len(milestones) == 1 and fixed is None:
            # "Tổng kết năm 2030" alone is one piece of work with one date.
            return Deadline("fixed", due=milestones[0], text=kept)
        return Deadline("recurring", milestones=milestones, text=kept)
    if _ONGOING.search(folded):
        return Deadline("ongoing", text=kept)
    if _UNDETERMINED_START.search(folded):
        return Deadline("undetermined", text=kept)
    fixed = _read_fixed(folded, kept, today)
    if fixed is not None:
        return fixed
    if _UNDETERMINED_ANYWHERE.search(folded):
        return Deadline("undetermined", text=kept)
    return Deadline("undetermined", text=kept, understood=False)


def _read_recurring(folded: str, kept: str) -> Deadline:
    recurrence: Recurrence | None = None
    for name, pattern in _RECURRENCES:
        if pattern.search(folded):
            recurrence = name
            break
    understood = recurrence is not None or not _ODD_PERIOD.search(folded)
    milestones = _milestones(folded)
    anchor = None
    day_of_month = None
    if recurrence == "yearly":
        anchor = _yearly_anchor(_MILESTONE.sub(" ", folded))
    elif recurrence == "monthly":
        match = _MONTHLY_DAY.search(folded)
        if match:
            day = int(match["d"])
            if not 1 <= day <= 31:
                raise ValueError(f"no day {day} in a month")
            day_of_month = day - 1 if match["before"] else day
            if day_of_month == 0:
                day_of_month = 31  # "before the 1st": the end of the previous month
    starts = None
    start = _RECURRING_START.search(_MILESTONE.sub(" ", folded))
    if start and recurrence is not None:
        starts = date(int(start["y"] or start["y2"]), 1, 1)
    return Deadline(
        "recurring",
        recurrence=recurrence,
        milestones=milestones,
        anchor=anchor,
        text=kept,
        understood=understood,
        day_of_month=day_of_month,
        starts=starts,
    )


def _yearly_anchor(folded: str) -> tuple[int, int] | None:
    """The (day, month) a yearly phrase names: "trước ngày 15/12", "Quý I", "tháng 6"."""
    # Read in the leap year 2000 so 29/2 exists; next_due clamps it in common years.
    match = _YEARLY_ANCHOR.search(folded)
    if match:
        named = date(2000, int(match["m"]), int(match["d"]))
        anchor = named - timedelta(days=1) if match["before"] else named
        return anchor.day, anchor.month
    periods = [
        piece
        for piece in _pieces(folded)
        if piece.year is None and piece.unit in ("month", "quarter", "half")
    ]
    if not periods:
        return None
    periods[-1].year = 2000
    end = periods[-1].bounds()[1]
    return end.day, end.month


def _milestones(folded: str) -> tuple[date, ...]:
    found: list[date] = []
    for match in _MILESTONE.finditer(folded):
        pieces = _pieces(match["body"])
        if pieces and all(piece.year is not None for piece in pieces):
            found.append(max(piece.bounds()[1] for piece in pieces))
    return tuple(sorted(set(found)))


def _read_fixed(folded: str, kept: str, today: date | None) -> Deadline | None:
    pieces = _pieces(folded)
    if not pieces:
        return None
    leftover = _PERIOD.sub(" ", folded)
    if re.search(r"\d", leftover) or any(
        _is_vague(folded, match) for match in _PERIOD.finditer(folded)
    ):
        return Deadline("undetermined", text=kept, understood=False)
    if not _resolve_years(pieces, today):
        return Deadline("undetermined", text=kept, understood=False)
    if all(piece.starts_range for piece in pieces):
        # "Từ năm 2026": a duty that starts and then stands.
        return Deadline("ongoing", text=kept)
    due = max(piece.bounds()[1] for piece in pieces if not (piece.starts_range or piece.qualifies))
    return Deadline("fixed", due=due, text=kept)


def _is_vague(folded: str, match: re.Match[str]) -> bool:
    # "đầu tháng 6", "giữa năm 2026", "sau quý I": no due date can be read from them.
    return bool(_VAGUE_TAIL.search(folded, 0, match.start()))


def _pieces(folded: str) -> list[_Piece]:
    pieces: list[_Piece] = []
    previous_end = -1
    for match in _PERIOD.finditer(folded):
        head = folded[: match.start()]
        qualifies = (
            match["ru"] == "nam"
            and bool(pieces)
            and pieces[-1].year is None
            and not folded[previous_end : match.start()].strip()
        )
        previous_end = match.end()
        before = bool(_BEFORE_TAIL.search(head))
        starts_range = bool(_FROM_TAIL.search(head))
        found = _match_pieces(match)
        if found:
            # "Từ tháng 3 đến tháng 5": only the first period of the list opens the range.
            found[0].starts_range = starts_range
        if found and before:
            found[-1].before = True
        if qualifies:
            found[0].qualifies = True
        pieces.extend(found)
    return pieces


def _match_pieces(match: re.Match[str]) -> list[_Piece]:
    groups = match.groupdict()
    if groups["d"] is not None:
        return [_day(groups["d"], groups["dm"], _year(groups["dy"]))]
    if groups["sd"] is not None:
        return [_day(groups["sd"], groups["sm"], _year(groups["sy"]))]
    if groups["h"] is not None or groups["h2"] is not None:
        half = groups["h"] or groups["h2"]
        year = _year(groups["hy"] or groups["h2y"])
        return [_Piece("half", 1 if half == "dau" else 2, year=year)]
    if groups["q"] is not None:
        year = _year(groups["qy"])
        numbers = re.findall(r"\b(?:[ivx]+|\d+)\b", groups["q"])
        return _listed("quarter", [_quarter(number) for number in numbers], year)
    if groups["m"] is not None:
        year = _year(groups["my"])
        return _listed(
            "month", [_month(number) for number in re.findall(r"\d+", groups["m"])], year
        )
    if groups["mm"] is not None:
        return [_Piece("month", _month(groups["mm"]), year=_year(groups["mmy"]))]
    if groups["yd"] is not None:
        return [_day(groups["yd"], groups["ym"], None)]
    if groups["y"] is not None or groups["by"] is not None:
        return [_Piece("year", year=_year(groups["y"] or groups["by"]))]
    if groups["bu"] is not None:
        return [_Piece("current", _UNIT_NUMBER[groups["bu"]])]
    return [_Piece("next" if groups["rw"] != "nay" else "current", _UNIT_NUMBER[groups["ru"]])]


def _listed(unit: str, numbers: list[int], year: int | None) -> list[_Piece]:
    # The year written after a list belongs to its last item; "tháng 12 - 1/2027" wraps back.
    pieces: list[_Piece] = []
    for number in reversed(numbers):
        if pieces and year is not None and number > pieces[-1].number:
            year -= 1
        pieces.append(_Piece(unit, number, year=year))
    return pieces[::-1]


_UNIT_NUMBER = {"tuan": 1, "thang": 2, "quy": 3, "nam": 4}


def _day(day: str, month: str, year: int | None) -> _Piece:
    piece = _Piece("day", int(day), month=_month(month), year=year)
    date(2000, piece.month, piece.number)  # raises for 31/02 or 0/5 (2000 accepts 29/2)
    return piece


def _month(number: str) -> int:
    month = int(number)
    if not 1 <= month <= 12:
        raise ValueError(f"no month {month}")
    return month


def _quarter(number: str) -> int:
    quarter = _ROMAN.get(number) or (int(number) if number.isdigit() else 0)
    if not 1 <= quarter <= 4:
        raise ValueError(f"no quarter {number}")
    return quarter


def _year(text: str | None) -> int | None:
    if text is None:
        return None
    year = int(text)
    return 2000 + year if year < 100 else year


def _resolve_years(pieces: list[_Piece], today: date | None) -> bool:
    """Give every piece a year: from the next piece that has one, the previous, or today."""
    for piece in pieces:
        if piece.unit in ("current", "next"):
            if today is None:
                return False
            _resolve_relative(piece, today)  # first, so "tháng 6 năm sau" can inherit
    for index, piece in enumerate(pieces):
        if piece.year is not None:
            continue
        following = next((later for later in pieces[index + 1 :] if later.year is not None), None)
        if following is not None:
            piece.year = following.year
            if following.unit != "year" and piece.bounds()[0] > following.bounds()[0]:
                piece.year -= 1  # "tháng 12 - tháng 1/2027" starts in 2026
            continue
        earlier = next(
            (prior for prior in reversed(pieces[:index]) if prior.year is not None), None
        )
        if earlier is not None:
            piece.year = earlier.year
            if earlier.unit != "year" and piece.bounds()[0] < earlier.bounds()[0]:
                piece.year += 1
            continue
        if today is None:
            return False
        piece.year = today.year
        if piece.bounds()[1] < today:
            piece.year += 1
    for piece in pieces:
        piece.bounds()  # raises for 29/2 in a common year
    return True


def _resolve_relative(piece: _Piece, today: date) -> None:
    step = 1 if piece.unit == "next" else 0
    unit = piece.number
    if unit == 1:  # a week: its Friday
        monday = today - timedelta(days=today.weekday())
        friday = monday + timedelta(days=_FRIDAY + 7 * step)
        if friday < today:
            friday += timedelta(days=7)  # "cuối tuần" said on a Saturday: the coming Friday
        piece.unit, piece.number = "day", friday.day
        piece.month, piece.year = friday.month, friday.year
    elif unit == 2:
        month_index = today.year * 12 + today.month - 1 + step
        piece.unit, piece.number, piece.year = "month", month_index % 12 + 1, month_index // 12
    elif unit == 3:
        quarter_index = today.year * 4 + (today.month - 1) // 3 + step
        piece.unit, piece.number, piece.year = "quarter", quarter_index % 4 + 1, quarter_index // 4
    else:
        piece.unit, piece.year = "year", today.year + step


# --- dates -----------------------------------------------------------------------------------


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _clamped_date(year: int, month: int, day: int) -> date:
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def _quarter_last_month(month: int) -> int:
    return (month - 1) // 3 * 3 + 3
