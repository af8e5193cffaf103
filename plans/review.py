"""The review workbook: what an import extracted, one row per task, for a coordinator to correct
in Excel and import again.

Its header is fixed (`REVIEW_HEADER`); a table that starts with it is read exactly, cell by
cell, without any of the guessing the layout extractors do. `nhacviec template` writes the same
workbook with no rows, for plans typed from scratch.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from pathlib import Path

from core.text import fold, nfc, squash_spaces
from plans.agencies import known_agencies
from plans.doubts import doubt_text, task_doubts
from plans.model import Document, ExtractedPlan, Table, TaskDraft
from schedules.deadlines import Deadline, parse_deadline

# The columns, in order. The words are the workbook's identity: they are recognised as they
# are written here, whatever the language of the bot's messages.
REF, CONTENT, LEAD, COORDINATORS, EXECUTORS, RESULT, DEADLINE_TEXT, DUE, DOUBTS = range(9)
REVIEW_HEADER = (
    "Mã nhiệm vụ",
    "Nội dung nhiệm vụ",
    "Cơ quan chủ trì",
    "Cơ quan phối hợp",
    "Đơn vị thực hiện",
    "Kết quả/Sản phẩm",
    "Thời hạn (như văn bản ghi)",
    "Hạn hoàn thành (ngày)",
    "Cần kiểm tra",
)
_FOLDED_HEADER = tuple(fold(name) for name in REVIEW_HEADER)
# What the date column says for a deadline without a date.
_KIND_WORDS = {
    "ongoing": "thường xuyên",
    "recurring": "định kỳ",
    "undetermined": "chưa xác định thời hạn",
}
_LIST_SHEET = "Danh mục cơ quan"
_SHEET = "Nhiệm vụ"
_WIDTHS = (10, 70, 30, 30, 25, 30, 22, 16, 30)
_DAY = re.compile(r"^\s*(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})\s*$")
_ISO_DAY = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})")
_FIRST_DATA_ROW = 3  # title, header, then the tasks
_VALIDATED_ROWS = 2000


# --- writing -----------------------------------------------------------------------------------


def write_review(
    path: Path,
    plan: ExtractedPlan | None,
    *,
    agencies: Iterable[str] = (),
    is_known: Callable[[str], bool] | None = None,
) -> Path:
    """Write the review workbook of a plan (or the empty template when `plan` is None).

    `agencies` adds the store's agencies to the built-in ones in the drop-down lists."""
    import openpyxl
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = _SHEET
    sheet.cell(row=1, column=1, value=_text_value(plan.title if plan and plan.title else ""))
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for column, name in enumerate(REVIEW_HEADER, start=1):
        cell = sheet.cell(row=2, column=column, value=name)
        cell.font, cell.fill = bold, fill
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        letter = openpyxl.utils.get_column_letter(column)
        sheet.column_dimensions[letter].width = _WIDTHS[column - 1]
    sheet.freeze_panes = "A3"
    wrap = Alignment(wrap_text=True, vertical="top")
    doubtful = PatternFill("solid", fgColor="FFF2CC")
    for offset, task in enumerate(plan.tasks if plan else ()):
        row = _FIRST_DATA_ROW + offset
        reasons = task_doubts(task, is_known=is_known)
        values = _task_values(task, doubt_text(reasons))
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row=row, column=column, value=value)
            if isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"  # a text that begins with "=" is not a formula
            cell.alignment = wrap
            if isinstance(value, date):
                cell.number_format = "DD/MM/YYYY"
        if reasons:
            sheet.cell(row=row, column=DOUBTS + 1).fill = doubtful
    names = sorted({*known_agencies(), *(squash_spaces(nfc(name)) for name in agencies if name)})
    listing = workbook.create_sheet(_LIST_SHEET)
    for index, name in enumerate(names, start=1):
        listing.cell(row=index, column=1, value=name)
    listing.sheet_state = "hidden"  # the reader skips hidden sheets: the list is not a plan
    if names:
        rows = max(_VALIDATED_ROWS, _FIRST_DATA_ROW + len(plan.tasks) if plan else 0)
        validation = DataValidation(
            type="list",
            formula1=f"='{_LIST_SHEET}'!$A$1:$A${len(names)}",
            allow_blank=True,
            # Several agencies go in one cell ("Sở Y tế; Sở Tài chính"): offer, never refuse.
            showErrorMessage=False,
        )
        sheet.add_data_validation(validation)
        for column in (LEAD, COORDINATORS, EXECUTORS):
            letter = openpyxl.utils.get_column_letter(column + 1)
            validation.add(f"{letter}{_FIRST_DATA_ROW}:{letter}{rows}")
    path = Path(path)
    workbook.save(str(path))
    return path


def _task_values(task: TaskDraft, reasons: str) -> list[object]:
    deadline = task.deadline
    if deadline is not None and deadline.due is not None:
        due: object = deadline.due
    elif deadline is not None and not deadline.understood:
        due = ""
    else:
        due = _KIND_WORDS.get(deadline.kind if deadline else "ongoing", "")
    return [
        _text_value(task.ref),
        _text_value(task.content),
        "; ".join(task.lead),
        "; ".join(task.coordinators),
        "; ".join(task.executors),
        _text_value(task.result),
        _text_value(task.deadline_text),
        due,
        reasons,
    ]


def _text_value(text: str) -> str:
    return text or ""


# --- reading ------------------------------------------------------------------------------------


def is_review_header(row: Sequence[str]) -> bool:
    """True for the canonical header (its first eight columns, in order; "Cần kiểm tra" may
    have been deleted)."""
    folded = tuple(squash_spaces(fold(cell)) for cell in row)
    width = len(REVIEW_HEADER) - 1
    return folded[:width] == _FOLDED_HEADER[:width]


def read_review(document: Document) -> ExtractedPlan | None:
    """The tasks of a review workbook, read exactly; None when the document is not one."""
    title_lines: list[str] = []
    for block in document.blocks:
        if not isinstance(block, Table):
            title_lines.append(block)
            continue
        for index, row in enumerate(block.rows[:5]):
            if is_review_header(row):
                tasks = [
                    _task(cells)
                    for cells in block.rows[index + 1 :]
                    if any(cell.strip() for cell in cells[:DOUBTS])
                ]
                tasks = _unique_refs([task for task in tasks if task is not None])
                title = squash_spaces(nfc(title_lines[0])) if title_lines else None
                return ExtractedPlan(source=document.source, tasks=tasks, title=title or None)
    return None


def _cell(cells: Sequence[str], column: int) -> str:
    return squash_spaces(nfc(cells[column])) if column < len(cells) else ""


def _names(text: str) -> list[str]:
    return [name for name in (squash_spaces(part) for part in text.split(";")) if name]


def _task(cells: Sequence[str]) -> TaskDraft | None:
    content = _cell(cells, CONTENT)
    if not content:
        return None  # a row without content is no task (a note, a blank line with a number)
    deadline_text = _cell(cells, DEADLINE_TEXT)
    return TaskDraft(
        ref=_cell(cells, REF),
        content=content,
        lead=_names(_cell(cells, LEAD)),
        coordinators=_names(_cell(cells, COORDINATORS)),
        executors=_names(_cell(cells, EXECUTORS)),
        result=_cell(cells, RESULT),
        deadline_text=deadline_text,
        deadline=review_deadline(deadline_text, _day(_cell(cells, DUE))),
    )


def review_deadline(phrase: str, day: date | None) -> Deadline:
    """The deadline of a reviewed row: the phrase's reading, unless the date column gives
    another day (then that day, fixed). A phrase without a year ("trước ngày 15/12") is read
    against the date written beside it."""
    reading = parse_deadline(phrase) if phrase else Deadline("ongoing", text="")
    if day is None or (reading.understood and reading.due == day):
        return reading
    if phrase:
        against = parse_deadline(phrase, today=day)
        if against.understood and against.due == day:
            return against
    return Deadline("fixed", due=day, text=phrase or f"{day:%d/%m/%Y}")


def _day(text: str) -> date | None:
    match = _DAY.match(text)
    try:
        if match:
            return date(int(match[3]), int(match[2]), int(match[1]))
        match = _ISO_DAY.match(text)
        if match:
            return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None
    return None


def _unique_refs(tasks: list[TaskDraft]) -> list[TaskDraft]:
    """A row without a ref takes its position; a ref written twice is told apart ("3#2")."""
    seen: dict[str, int] = {}
    for position, task in enumerate(tasks, start=1):
        ref = task.ref or str(position)
        if ref in seen:
            seen[ref] += 1
            ref = f"{ref}#{seen[ref]}"
        else:
            seen[ref] = 1
        task.ref = ref
    return tasks
