"""Reading an agency's tasks and recording status changes with their history."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import delete
from sqlalchemy import update as sql_update
from sqlmodel import Session, col, select

from core.clock import utcnow
from db.models import (
    FINISHED_STATUSES,
    AgencyRole,
    Contact,
    PendingReport,
    Reminder,
    StatusUpdate,
    Task,
    TaskAgency,
    TaskStatus,
)


def open_tasks_for_agency(session: Session, *, agency_id: int) -> list[Task]:
    """Tasks the agency leads that are not done (nor awaiting confirmation), nearest first."""
    statement = (
        select(Task)
        .join(TaskAgency, col(TaskAgency.task_id) == Task.id)
        .where(
            TaskAgency.agency_id == agency_id,
            TaskAgency.role == AgencyRole.LEAD,
            col(Task.status).not_in(FINISHED_STATUSES),
            col(Task.withdrawn_at).is_(None),
        )
        .order_by(col(Task.due_date).is_(None), Task.due_date, Task.plan_id, Task.position)
    )
    return list(session.exec(statement).unique())


def agency_leads(session: Session, *, task_id: int, agency_id: int | None) -> bool:
    """Whether the agency is among the task's leads."""
    link = session.exec(
        select(TaskAgency).where(
            TaskAgency.task_id == task_id,
            TaskAgency.agency_id == agency_id,
            TaskAgency.role == AgencyRole.LEAD,
        )
    ).first()
    return link is not None


def contact_may_update(session: Session, *, contact: Contact, task: Task) -> bool:
    """Officers update the tasks their agency leads; coordinators those of their plans."""
    from db.scope import may_see, scope_of

    return may_see(session, scope_of(session, contact), task)


def tasks_for_reminder_message(
    session: Session, *, contact: Contact, message_id: str
) -> list[Task]:
    """Every task a message announced to this contact (a grouped reminder names several)."""
    rows = session.exec(
        select(Task)
        .join(Reminder, col(Reminder.task_id) == Task.id)
        .where(Reminder.contact_id == contact.id, Reminder.message_id == message_id)
        .order_by(col(Reminder.sent_at).desc(), Reminder.id)
    ).all()
    announced: dict[int, Task] = {}
    for task in rows:
        announced.setdefault(task.id, task)
    return list(announced.values())


def find_task_by_ref(session: Session, *, agency_id: int, ref: str) -> list[Task]:
    """The agency's open tasks whose reference is `ref` (one per plan that uses it)."""
    return [task for task in open_tasks_for_agency(session, agency_id=agency_id) if task.ref == ref]


def record_status(
    session: Session,
    *,
    task: Task,
    contact: Contact | None,
    channel: str,
    chat_id: str,
    text: str,
    status: TaskStatus,
    today: date,
    progress: int | None = None,
    requested_until: date | None = None,
    note: str | None = None,
    now: datetime | None = None,
) -> StatusUpdate:
    """Change a task's status and keep who, when, which chat and the words written.

    The task row is locked and read afresh first (SELECT … FOR UPDATE on PostgreSQL; SQLite
    has one writer at a time): of two people answering at once, the second waits for the
    first and builds on what it recorded, so the task and its newest history row agree and
    `old_status` is true. History rows are ordered by their id (a sequence). The returned row
    is what was recorded.
    """
    now = now or utcnow()
    progress_reset = False
    session.flush()  # changes made to the task before the call are written, then read back
    if session.get_bind().dialect.name == "sqlite":
        # SQLite has no row locks and reads outside transactions: a no-op write takes the
        # database's write lock (waiting for the other writer), so the read below is current.
        session.execute(
            sql_update(Task)
            .where(col(Task.id) == task.id)
            .values(updated_at=col(Task.updated_at))
            .execution_options(synchronize_session=False)
        )
    session.refresh(task, with_for_update=True)
    if status in FINISHED_STATUSES:
        progress = 100
    elif task.status in FINISHED_STATUSES and progress is None:
        progress_reset = True
    update = StatusUpdate(
        task_id=task.id,
        contact_id=contact.id if contact else None,
        channel=channel,
        chat_id=chat_id,
        created_at=now,
        text=text,
        old_status=task.status,
        new_status=status,
        progress=progress,
        requested_until=requested_until,
        note=note,
    )
    session.add(update)
    task.status = status
    if progress is not None:
        task.progress = progress
    elif progress_reset:
        task.progress = None  # reopened without a figure: the 100 % of "done" no longer holds
    if note:
        task.status_note = note
    if status == TaskStatus.EXTENSION_REQUESTED:
        task.requested_until = requested_until
    if status not in FINISHED_STATUSES:
        task.completed_on = None
    elif update.old_status not in FINISHED_STATUSES or task.completed_on is None:
        # A repeated "done", or a coordinator's confirmation, keeps the day the work was
        # reported done: that is the day the buckets judge.
        task.completed_on = today
    task.updated_at = now
    session.flush()
    return update


# How long an officer may take to say which task their report was about.
PENDING_REPORT_LIFETIME = timedelta(days=1)


def keep_pending_report(
    session: Session,
    *,
    contact: Contact,
    words: str,
    status: str,
    progress: int | None,
    until: date | None,
    note: str | None,
    now: datetime,
) -> PendingReport:
    """Keep a report while its author is asked which task it is about (their old ones expire)."""
    session.execute(
        delete(PendingReport).where(
            col(PendingReport.contact_id) == contact.id,
            col(PendingReport.created_at) < now - PENDING_REPORT_LIFETIME,
        )
    )
    report = PendingReport(
        contact_id=contact.id,
        words=words,
        status=status,
        progress=progress,
        requested_until=until,
        note=note,
        created_at=now,
    )
    session.add(report)
    session.flush()
    return report


def pending_report(
    session: Session, *, report_id: int, contact: Contact, now: datetime
) -> PendingReport | None:
    """The contact's own report `report_id`, while it still waits for its task."""
    report = session.get(PendingReport, report_id)
    if report is None or report.contact_id != contact.id:
        return None
    if report.created_at < now - PENDING_REPORT_LIFETIME:
        return None
    return report
