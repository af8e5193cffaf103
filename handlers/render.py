"""Vietnamese text for reminders, task lists and summaries (all through gettext)."""

from __future__ import annotations

import re
from datetime import date

from core.i18n import _
from core.messages import Answer, Button
from db.models import Reminder, Task, TaskStatus
from db.progress import DUE_SOON_DAYS, Bucket, ProgressSummary

# Callback data: "st:<task id>:<status>[:<progress>]". Prefixed so other buttons can coexist.
STATUS_BUTTON_PREFIX = "st"


def format_day(day: date) -> str:
    """A date as Vietnamese officials read it: "Thứ Ba, 30/06/2026"."""
    from babel.dates import format_date

    return format_date(day, "EEEE, dd/MM/yyyy", locale="vi")


def status_label(status: str) -> str:
    """The Vietnamese name of a status."""
    labels = {
        TaskStatus.NOT_STARTED: _("not started"),
        TaskStatus.IN_PROGRESS: _("in progress"),
        TaskStatus.BLOCKED: _("blocked"),
        TaskStatus.EXTENSION_REQUESTED: _("extension requested"),
        TaskStatus.AWAITING_CONFIRMATION: _("awaiting confirmation"),
        TaskStatus.DONE: _("done"),
    }
    return labels.get(status, status)


def bucket_label(bucket: Bucket) -> str:
    """The Vietnamese name of a progress bucket (domain.md section 4)."""
    return {
        Bucket.DONE_ON_TIME: _("Done on time"),
        Bucket.DONE_LATE: _("Done late"),
        Bucket.IN_PROGRESS_ON_TIME: _("In progress, on time"),
        Bucket.OVERDUE: _("Overdue, not done"),
        Bucket.ONGOING: _("Ongoing duties"),
        Bucket.UNDETERMINED: _("No set deadline"),
    }[bucket]


def status_button(
    task_id: int, status: TaskStatus, label: str, progress: int | None = None
) -> Button:
    """A button that sets a task's status when pressed."""
    data = f"{STATUS_BUTTON_PREFIX}:{task_id}:{status.value}"
    if progress is not None:
        data += f":{progress}"
    return Button(label=label, data=data)


def deadline_line(task: Task) -> str:
    """The deadline as the plan wrote it, with the date it means."""
    if task.deadline_kind == "ongoing":
        return _("Deadline: ongoing duty")
    if task.due_date is None:
        phrase = task.deadline_text or _("none given")
        return _("Deadline: {phrase} (no set date)").format(phrase=phrase)
    if task.deadline_text and f"{task.due_date.day}/{task.due_date.month}" not in _plain_date(
        task.deadline_text
    ):
        return _("Deadline: {phrase} ({day})").format(
            phrase=task.deadline_text, day=format_day(task.due_date)
        )
    return _("Deadline: {day}").format(day=format_day(task.due_date))


def _plain_date(text: str) -> str:
    """Digits of a written date without leading zeros: "ngày 05/06/2026" -> "ngày 5/6/2026"."""
    return re.sub(r"\b0(\d)", r"\1", text)


def render_reminder(task: Task, reminder: Reminder, *, today: date, late: bool) -> Answer:
    """The reminder message with its two buttons."""
    days_left = (reminder.cycle - today).days
    if days_left > 1:
        heading = _("🔔 Reminder: {days} days left until the deadline").format(days=days_left)
    elif days_left == 1:
        heading = _("🔔 Reminder: the deadline is tomorrow")
    else:
        heading = _("🔔 Reminder: the deadline is today")
    if late:
        heading += " " + _("(sent late: the service was interrupted)")
    lines = [
        heading,
        _("Task {ref}: {content}").format(ref=task.ref, content=task.content),
    ]
    if task.result:
        lines.append(_("Product: {result}").format(result=task.result))
    lines.append(deadline_line(task))
    if task.status != TaskStatus.NOT_STARTED:
        lines.append(_("Reported status: {status}").format(status=_status_with_progress(task)))
    lines.append("")
    lines.append(
        _(
            'Reply to this message to report progress, e.g. "xong", "đang làm 50%", "vướng mắc …", "xin gia hạn đến 15/3".'
        )
    )
    buttons = (
        status_button(task.id, TaskStatus.DONE, _("Done")),
        status_button(task.id, TaskStatus.IN_PROGRESS, _("In progress")),
    )
    return Answer(text="\n".join(lines), buttons=buttons)


def _status_with_progress(task: Task) -> str:
    label = status_label(task.status)
    if task.progress is not None and task.status == TaskStatus.IN_PROGRESS:
        label += f" {task.progress}%"
    return label


def task_marker(task: Task, today: date) -> str:
    """🔴 overdue, 🟠 due within three days, ⏳ awaiting confirmation, else nothing."""
    if task.status == TaskStatus.AWAITING_CONFIRMATION:
        return "⏳ "
    if task.status == TaskStatus.DONE or task.due_date is None:
        return ""
    if task.deadline_kind in ("ongoing", "undetermined"):
        return ""
    if task.due_date < today:
        return "🔴 "
    if (task.due_date - today).days <= DUE_SOON_DAYS:
        return "🟠 "
    return ""


def render_task_line(task: Task) -> str:
    """One line of a task list: ref, short content, due date, status."""
    content = task.content if len(task.content) <= 90 else task.content[:87].rstrip() + "…"
    due = format_day(task.due_date) if task.due_date else (task.deadline_text or "—")
    return _("{ref}. {content} — due {due} — {status}").format(
        ref=task.ref, content=content, due=due, status=_status_with_progress(task)
    )


def render_summary(summary: ProgressSummary, *, today: date, scope: str | None = None) -> str:
    """The /tiendo answer: counts per bucket."""
    title = _("📊 Task progress as of {day}").format(day=format_day(today))
    if scope:
        title += "\n" + scope
    lines = [title, _("Total: {count} tasks").format(count=summary.total)]
    for bucket in Bucket:
        lines.append(f"• {bucket_label(bucket)}: {summary.counts[bucket]}")
    return "\n".join(lines)


def render_open_task_line(task: Task, today: date) -> str:
    """An officer's /nhiemvu line: 🔴 overdue, 🟠 due soon; "hạn" only when there is a date."""
    content = task.content if len(task.content) <= 90 else task.content[:87].rstrip() + "…"
    parts = [f"{task_marker(task, today)}{task.ref}. {content}"]
    if task.deadline_kind == "ongoing":
        parts.append(_("ongoing duty"))
    elif task.due_date is not None:
        due = _("due {day}").format(day=f"{task.due_date:%d/%m/%Y}")
        if task.due_date < today:
            due += " " + _("— {days} days overdue").format(days=(today - task.due_date).days)
        parts.append(due)
    parts.append(_status_with_progress(task))
    return "• " + " — ".join(parts)
