"""The coordinator's report as files: an .xlsx workbook and a chart image.

Both come from the same query layer as /tiendo (db.progress, db.reports). The workbook is
written in openpyxl's write-only mode from streamed rows, so a report over 100k tasks holds
one batch of rows at a time, never the whole table.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from core.i18n import _
from db.progress import Bucket, agency_progress, scoped_summary
from db.reports import plan_progress, stream_history, stream_tasks
from handlers.render import bucket_label, status_label

# Official colours of Vietnamese tracking systems: green done, red overdue, orange soon.
BUCKET_COLOURS = {
    Bucket.DONE_ON_TIME: "#2e7d32",
    Bucket.DONE_LATE: "#9ccc65",
    Bucket.IN_PROGRESS_ON_TIME: "#42a5f5",
    Bucket.OVERDUE: "#e53935",
    Bucket.ONGOING: "#ab47bc",
    Bucket.UNDETERMINED: "#bdbdbd",
}
CHART_AGENCIES = 25  # more bars are unreadable on a phone; the workbook has every agency


@dataclass(frozen=True)
class ReportFiles:
    """The workbook and the chart, as bytes, with the totals they show."""

    workbook: bytes
    chart: bytes
    totals: dict[Bucket, int]


def build_report(
    session: Session, *, today: date, scope, plan_id: int | None = None
) -> ReportFiles:
    """Build both files for a scope (and one plan) on `today`."""
    summary = scoped_summary(session, today=today, scope=scope, plan_id=plan_id)
    agencies = agency_progress(session, today=today, scope=scope, plan_id=plan_id)
    workbook = _workbook(
        session, today=today, scope=scope, plan_id=plan_id, summary=summary, agencies=agencies
    )
    return ReportFiles(workbook=workbook, chart=_chart(agencies, today), totals=summary.counts)


def _day(value: date | None) -> str:
    return f"{value:%d/%m/%Y}" if value else ""


def _workbook(session, *, today, scope, plan_id, summary, agencies) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font, PatternFill

    book = Workbook(write_only=True)
    bold = Font(bold=True)

    def header(sheet, names):
        cells = []
        for name in names:
            cell = WriteOnlyCell(sheet, value=name)
            cell.font = bold
            cells.append(cell)
        sheet.append(cells)

    buckets = [bucket_label(bucket) for bucket in Bucket]
    summary_sheet = book.create_sheet(_("Summary"))
    summary_sheet.append([_("Task progress as of {day}").format(day=_day(today))])
    summary_sheet.append([])
    header(
        summary_sheet,
        [
            _("Lead agency"),
            _("Total"),
            *buckets,
            _("Due within 3 days"),
            _("Awaiting confirmation"),
            _("Extension requests"),
        ],
    )
    for row in agencies:
        summary_sheet.append(
            [
                row.name,
                row.total,
                *(row.counts[b] for b in Bucket),
                row.due_soon,
                row.awaiting,
                row.extensions,
            ]
        )
    total_cells = [_("All tasks"), summary.total, *(summary.counts[b] for b in Bucket)]
    summary_sheet.append([WriteOnlyCell(summary_sheet, value=value) for value in total_cells])
    summary_sheet.append([])
    header(summary_sheet, [_("Plan"), _("Total"), *buckets])
    for line in plan_progress(session, today=today, scope=scope, plan_id=plan_id):
        summary_sheet.append(
            [line.title, sum(line.counts.values()), *(line.counts[b] for b in Bucket)]
        )

    columns = [
        _("Plan"),
        _("Ref"),
        _("Task"),
        _("Lead"),
        _("Deadline as written"),
        _("Plan's deadline"),
        _("Approved deadline"),
        _("Status"),
        _("Bucket"),
        _("Progress (%)"),
        _("Reported done on"),
        _("Last update"),
        _("By"),
        _("Their words"),
    ]
    red = PatternFill("solid", fgColor="FFCDD2")
    for title, only_overdue in ((_("Tasks"), False), (_("Overdue"), True)):
        sheet = book.create_sheet(title)
        header(sheet, columns)
        for row in stream_tasks(
            session, today=today, scope=scope, plan_id=plan_id, only_overdue=only_overdue
        ):
            approved = row.due if row.original_due is not None else None
            plan_due = row.original_due if row.original_due is not None else row.due
            values = [
                row.plan,
                row.ref,
                row.content,
                row.leads or "",
                row.deadline_text,
                _day(plan_due),
                _day(approved),
                status_label(row.status),
                bucket_label(Bucket(row.bucket)),
                row.progress,
                _day(row.completed_on),
                row.last_at.strftime("%d/%m/%Y %H:%M") if row.last_at else "",
                row.last_by or "",
                row.last_words or "",
            ]
            if row.bucket == Bucket.OVERDUE and not only_overdue:
                cells = [WriteOnlyCell(sheet, value=value) for value in values]
                cells[8].fill = red
                sheet.append(cells)
            else:
                sheet.append(values)

    history = book.create_sheet(_("History"))
    header(
        history,
        [_("Plan"), _("Ref"), _("When"), _("By"), _("Chat"), _("From"), _("To"), _("Their words")],
    )
    for row in stream_history(session, scope=scope, plan_id=plan_id):
        history.append(
            [
                row.plan,
                row.ref,
                row.at.strftime("%d/%m/%Y %H:%M"),
                row.by or _("system"),
                row.channel,
                status_label(row.old_status),
                status_label(row.new_status),
                row.words,
            ]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _chart(agencies, today: date) -> bytes:
    """Stacked bars of the buckets per agency (worst first), readable on a phone."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    shown = agencies[:CHART_AGENCIES]
    height = max(3.0, 1.6 + 0.42 * len(shown))
    figure = Figure(figsize=(8, height), dpi=110, layout="constrained")
    axes = figure.add_subplot()
    names = [_short_name(row.name) for row in shown][::-1]
    left = [0] * len(shown)
    for bucket in Bucket:
        values = [row.counts[bucket] for row in shown][::-1]
        axes.barh(
            names, values, left=left, color=BUCKET_COLOURS[bucket], label=bucket_label(bucket)
        )
        left = [a + b for a, b in zip(left, values, strict=True)]
    axes.set_xlabel(_("Tasks"))
    axes.set_title(_("Task progress by lead agency, {day}").format(day=_day(today)), fontsize=12)
    axes.tick_params(axis="y", labelsize=9)
    axes.legend(
        loc="upper center",
        bbox_to_anchor=(0.5, -0.12 if shown else 0),
        ncol=2,
        fontsize=8,
        frameon=False,
    )
    if not shown:
        axes.text(0.5, 0.5, _("No tasks"), ha="center", va="center", transform=axes.transAxes)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _short_name(name: str) -> str:
    return name if len(name) <= 38 else name[:37] + "…"
