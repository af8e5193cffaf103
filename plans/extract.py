"""From a Document to tasks, whatever the layout the plan was written in.

Four layouts occur (domain.md section 2), one module each under `plans.layouts`: a table (a
`Table` block, from .docx/.xlsx or tab-separated text), a table flattened by PDF text
extraction (its cells one line after another), a labelled list ("a) …" then "- Tham mưu
chính: …") and prose directives ("Giao Sở … chủ trì …"). `extract_plan` runs every extractor
and names the plan from its heading (`plans.layouts.title`).
"""

from __future__ import annotations

from datetime import date

from core.errors import UserError
from core.i18n import _
from plans.layouts.common import paragraph_lines, read_deadline, to_drafts
from plans.layouts.flattened import extract_flattened, find_flattened
from plans.layouts.labelled import extract_labelled, find_labelled
from plans.layouts.prose import extract_prose, find_deadline_phrase, find_prose
from plans.layouts.tables import extract_tables, find_tables, header_columns, header_field
from plans.layouts.title import find_issue_date, find_title
from plans.model import Document, ExtractedPlan, TaskDraft
from plans.review import read_review
from schedules.deadlines import parse_deadline

__all__ = [
    "extract_flattened",
    "extract_labelled",
    "extract_plan",
    "extract_prose",
    "extract_tables",
    "find_deadline_phrase",
    "find_issue_date",
    "find_title",
    "header_columns",
    "header_field",
    "read_deadline",
]


def extract_plan(document: Document) -> ExtractedPlan:
    """All the tasks of a document, whichever layouts it uses; none found raises UserError.

    A review workbook (`plans.review`) is read exactly, as the coordinator corrected it."""
    reviewed = read_review(document)
    if reviewed is not None:
        if not reviewed.tasks:
            raise UserError(
                _("The review workbook has no task rows: fill in one row per task (content first).")
            )
        return reviewed
    found = find_tables(document)
    lines = paragraph_lines(document)
    flattened, used = find_flattened(lines)
    found.extend(flattened)
    labelled, used_by_lists = find_labelled(lines, used)
    found.extend(labelled)
    # A document with a task table or list keeps its tasks there; its prose adds only the
    # explicit assignments ("Giao Văn phòng Sở làm đầu mối …").
    found.extend(find_prose(lines, used | used_by_lists, explicit_only=bool(found)))
    # Something shaped like a task ("- Tham mưu chính:") may still hold no task at all.
    drafts = to_drafts(found)
    if not drafts:
        raise UserError(
            _(
                "No task could be found in this document: there is no task table with a "
                "recognisable header (Nội dung, Chủ trì, Phối hợp, Thời gian) and no assignment."
            )
        )
    issued = find_issue_date(document, lines)
    if issued is not None:
        _read_yearless_deadlines(drafts, issued)
    return ExtractedPlan(source=document.source, tasks=drafts, title=find_title(document, lines))


def _read_yearless_deadlines(drafts: list[TaskDraft], issued: date) -> None:
    """Give a year to the deadlines that lack one ("trước ngày 15/12", "trong tháng 6"): the
    first such day on or after the plan's date, as its readers understand it."""
    for draft in drafts:
        if draft.deadline is None or draft.deadline.understood or not draft.deadline_text:
            continue
        reading = parse_deadline(draft.deadline_text, today=issued)
        if reading.understood:
            draft.deadline = reading
