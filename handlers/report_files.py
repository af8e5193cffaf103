"""The coordinator's report as files: an .xlsx workbook and a chart image.

Both come from the same query layer as /tiendo (db.progress, db.reports). The workbook is
written by core.xlsx from streamed rows, so a report over 100k tasks holds one batch of rows
at a time, never the whole table (openpyxl reads it back in the tests; openpyxl's own
write-only mode took 61 s where the target is 10 s, see core.xlsx).
"""

from __future__ import annotations

import io
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

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
PEOPLES_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
CHART_AGENCIES = 25  # more bars are unreadable on a phone; the workbook has every agency


@dataclass(frozen=True)
class ReportFiles:
    """The workbook and the chart, as bytes, with the totals they show."""

    workbook: bytes
    chart: bytes
    totals: dict[Bucket, int]


def build_report(
    session: Session,
    *,
    today: date,
    scope,
    plan_id: int | None = None,
    zone: ZoneInfo = PEOPLES_ZONE,
) -> ReportFiles:
    """Build both files for a scope (and one plan) on `today`."""
    summary = scoped_summary(session, today=today, scope=scope, plan_id=plan_id)
    agencies = agency_progress(session, today=today, scope=scope, plan_id=plan_id)
    # The chart is drawn beside the workbook: the workbook's time is mostly spent waiting on
    # the database, which lets another thread run.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="report-chart") as drawer:
        chart = drawer.submit(_chart, agencies, today)
        workbook = _workbook(
            session,
            today=today,
            zone=zone,
            scope=scope,
            plan_id=plan_id,
            summary=summary,
            agencies=agencies,
        )
        return ReportFiles(workbook=workbook, chart=chart.result(), totals=summary.counts)


def _day(value: date | None) -> str:
    if not value:
        return ""
    iso = value.isoformat()  # much faster than strftime over 100k rows
    return f"{iso[8:10]}/{iso[5:7]}/{iso[:4]}"


def _workbook(session, *, today, zone, scope, plan_id, summary, agencies) -> bytes:
    from core.xlsx import ALERT, BOLD, Workbook

    book = Workbook()
    buckets = [bucket_label(bucket) for bucket in Bucket]
    summary_sheet = book.sheet(_("Summary"), widths=(45, 10, *(14,) * (len(Bucket) + 3)))
    summary_sheet.append([_("Task progress as of {day}").format(day=_day(today))], BOLD)
    summary_sheet.append([])
    summary_sheet.append(
        [
            _("Lead agency"),
            _("Total"),
            *buckets,
            _("Due within 3 days"),
            _("Awaiting confirmation"),
            _("Extension requests"),
        ],
        BOLD,
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
    summary_sheet.append(
        [_("All tasks"), summary.total, *(summary.counts[b] for b in Bucket)], BOLD
    )
    summary_sheet.append([])
    summary_sheet.append([_("Plan"), _("Total"), *buckets], BOLD)
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
    widths = (30, 8, 60, 30, 20, 12, 12, 16, 22, 10, 12, 16, 20, 50)
    tasks = book.sheet(_("Tasks"), widths, header_row=True)
    overdue = book.sheet(_("Overdue"), widths, header_row=True)
    tasks.append(columns, BOLD)
    overdue.append(columns, BOLD)
    # Labels looked up once: a report of 100k rows must not translate each cell again.
    statuses = _Labels(status_label)
    bucket_names = {bucket.value: bucket_label(bucket) for bucket in Bucket}
    alert = {8: ALERT}
    for row in stream_tasks(session, today=today, scope=scope, plan_id=plan_id):
        extended = row.original_due is not None
        values = [
            row.plan,
            row.ref,
            row.content,
            row.leads,
            row.deadline_text,
            row.original_due if extended else row.due,  # date cells: they sort and filter
            row.due if extended else None,
            statuses[row.status],
            bucket_names[row.bucket],
            row.progress,
            row.completed_on,
            _local(row.last_at, zone),
            row.last_by,
            row.last_words,
        ]
        if row.bucket == Bucket.OVERDUE.value:
            tasks.append(values, alert)
            overdue.append(values)
        else:
            tasks.append(values)

    history = book.sheet(_("History"), (30, 8, 16, 20, 10, 16, 16, 60), header_row=True)
    history.append(
        [_("Plan"), _("Ref"), _("When"), _("By"), _("Chat"), _("From"), _("To"), _("Their words")],
        BOLD,
    )
    system = _("system")
    for row in stream_history(session, scope=scope, plan_id=plan_id):
        history.append(
            [
                row.plan,
                row.ref,
                _local(row.at, zone),
                row.by or system,
                row.channel,
                statuses[row.old_status],
                statuses[row.new_status],
                row.words,
            ]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _local(value, zone: ZoneInfo):
    """An aware moment as local wall-clock time without a zone (a cell keeps none), or None."""
    return value.astimezone(zone).replace(tzinfo=None) if value else None


class _Labels(dict):
    """A label per code, computed on first use."""

    def __init__(self, label) -> None:
        super().__init__()
        self._label = label

    def __missing__(self, code: str) -> str:
        self[code] = self._label(code)
        return self[code]


def _chart(agencies, today: date) -> bytes:
    """Stacked bars of the buckets per agency (worst first), readable on a phone."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

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
    if shown:
        # Whole tasks only: a tick at 0.5 task means nothing to the reader.
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        # Below the axes, outside them, so that it never covers a bar or the axis label.
        figure.legend(loc="outside lower center", ncol=3, fontsize=8, frameon=False)
    else:
        axes.set_axis_off()
        axes.text(0.5, 0.5, _("No tasks"), ha="center", va="center", transform=axes.transAxes)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _short_name(name: str) -> str:
    return name if len(name) <= 38 else name[:37] + "…"
