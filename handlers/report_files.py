"""The coordinator's report as files: an .xlsx workbook and a chart image.

Both come from the same query layer as /tiendo (db.progress, db.reports). The workbook is
written by openpyxl in write-only mode from streamed rows, so a report over 100k tasks holds
one batch of rows at a time, never the whole table.
"""

from __future__ import annotations

import io
import re
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
    workbook = _workbook(
        session,
        today=today,
        zone=zone,
        scope=scope,
        plan_id=plan_id,
        summary=summary,
        agencies=agencies,
    )
    return ReportFiles(workbook=workbook, chart=_chart(agencies, today), totals=summary.counts)


def _day(value: date | None) -> str:
    if not value:
        return ""
    iso = value.isoformat()  # much faster than strftime over 100k rows
    return f"{iso[8:10]}/{iso[5:7]}/{iso[:4]}"


def _workbook(session, *, today, zone, scope, plan_id, summary, agencies) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    look = _Look()
    buckets = [bucket_label(bucket) for bucket in Bucket]
    summary_sheet = _Sheet(book, _("Summary"), (45, 10, *(14,) * (len(Bucket) + 3)), look)
    summary_sheet.header([_("Task progress as of {day}").format(day=_day(today))])
    summary_sheet.append([])
    summary_sheet.header(
        [
            _("Lead agency"),
            _("Total"),
            *buckets,
            _("Due within 3 days"),
            _("Awaiting confirmation"),
            _("Extension requests"),
        ]
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
    summary_sheet.header([_("All tasks"), summary.total, *(summary.counts[b] for b in Bucket)])
    summary_sheet.append([])
    summary_sheet.header([_("Plan"), _("Total"), *buckets])
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
    tasks = _Sheet(book, _("Tasks"), widths, look, filtered=True)
    overdue = _Sheet(book, _("Overdue"), widths, look, filtered=True)
    tasks.header(columns)
    overdue.header(columns)
    # Labels looked up once: a report of 100k rows must not translate each cell again.
    statuses = _Labels(status_label)
    bucket_names = {bucket.value: bucket_label(bucket) for bucket in Bucket}
    overdue_name = bucket_names[Bucket.OVERDUE.value]
    day, moment = tasks.day, tasks.moment
    for row in stream_tasks(session, today=today, scope=scope, plan_id=plan_id):
        extended = row.original_due is not None
        values = [
            row.plan,
            row.ref,
            row.content,
            row.leads,
            row.deadline_text,
            day(row.original_due if extended else row.due),
            day(row.due) if extended else None,
            statuses[row.status],
            bucket_names[row.bucket],
            row.progress,
            day(row.completed_on),
            moment(row.last_at, zone),
            row.last_by,
            row.last_words,
        ]
        if row.bucket == Bucket.OVERDUE.value:
            overdue.append(values)
            values[8] = tasks.alert(overdue_name)
        tasks.append(values)

    history = _Sheet(book, _("History"), (30, 8, 16, 20, 10, 16, 16, 60), look, filtered=True)
    history.header(
        [_("Plan"), _("Ref"), _("When"), _("By"), _("Chat"), _("From"), _("To"), _("Their words")]
    )
    system = _("system")
    moment = history.moment
    for row in stream_history(session, scope=scope, plan_id=plan_id):
        history.append(
            [
                row.plan,
                row.ref,
                moment(row.at, zone),
                row.by or system,
                row.channel,
                statuses[row.old_status],
                statuses[row.new_status],
                row.words,
            ]
        )
    for sheet in (tasks, overdue, history):
        sheet.close_filter()
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# XML 1.0 forbids most control characters (openpyxl refuses them); a pasted reply may carry them.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
DAY_FORMAT = "dd/mm/yyyy"
MOMENT_FORMAT = "dd/mm/yyyy hh:mm"


class _Look:
    """The workbook's few styles, made once and shared by every styled cell."""

    def __init__(self) -> None:
        from openpyxl.styles import Font, PatternFill

        self.bold = Font(bold=True)
        self.alert = PatternFill(fill_type="solid", fgColor="FFFFCDD2")  # light red: overdue


class _Sheet:
    """A write-only worksheet: rows go to disk as they come; dates become real date cells."""

    def __init__(self, book, title: str, widths, look: _Look, *, filtered: bool = False) -> None:
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.utils import get_column_letter

        self._cell = WriteOnlyCell
        self.sheet = book.create_sheet(title[:31])
        self._look = look
        self._columns = len(widths)
        self._filtered = filtered
        self.rows = 0
        for number, width in enumerate(widths, 1):
            self.sheet.column_dimensions[get_column_letter(number)].width = width
        if filtered:  # the header row stays in view while scrolling
            self.sheet.freeze_panes = "A2"

    def header(self, values) -> None:
        """A bold row."""
        cells = []
        for value in values:
            cell = self._cell(self.sheet, _clean(value) if isinstance(value, str) else value)
            cell.font = self._look.bold
            cells.append(cell)
        self.append(cells)

    def append(self, values: list) -> None:
        """A plain row; empty texts are left out, awkward texts are written as text."""
        texts = "\n".join(value for value in values if value.__class__ is str)
        if _ILLEGAL.search(texts) or "=" in texts or "#" in texts:
            values = [self._text(value) if value.__class__ is str else value for value in values]
        self.sheet.append(values)
        self.rows += 1

    def _text(self, value: str):
        value = _clean(value)
        if not value.startswith(("=", "#")):
            return value or None
        cell = self._cell(self.sheet, value)
        cell.data_type = "s"  # never a formula or an error code: it is what someone wrote
        return cell

    def alert(self, value):
        """A cell filled red."""
        cell = self._cell(self.sheet, value)
        cell.fill = self._look.alert
        return cell

    def day(self, value: date | None):
        """A date cell shown dd/mm/yyyy, or nothing."""
        if value is None:
            return None
        cell = self._cell(self.sheet)
        cell.number_format = DAY_FORMAT
        cell.value = value
        return cell

    def moment(self, value, zone: ZoneInfo):
        """An aware moment as a local date-and-time cell (Excel keeps no zone), or nothing."""
        if value is None:
            return None
        cell = self._cell(self.sheet)
        cell.number_format = MOMENT_FORMAT
        cell.value = value.astimezone(zone).replace(tzinfo=None)
        return cell

    def close_filter(self) -> None:
        """Filter buttons on the header over every written row."""
        if self._filtered:
            from openpyxl.utils import get_column_letter

            last = get_column_letter(self._columns)
            self.sheet.auto_filter.ref = f"A1:{last}{max(self.rows, 1)}"


def _clean(text: str) -> str:
    return _ILLEGAL.sub("", text)


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
